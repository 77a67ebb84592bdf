"""Datasets logged as run inputs with mlflow.log_input, and searching runs by dataset."""

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from compat_helpers import unique


@pytest.fixture
def frames():
    train = pd.DataFrame({"sepal": [5.1, 4.9, 6.3, 5.8], "petal": [1.4, 1.5, 4.9, 5.1],
                          "label": ["setosa", "setosa", "virginica", "virginica"]})
    return train, train.iloc[:2]


def log_training(frames, experiment_name):
    train_df, eval_df = frames
    mlflow.set_experiment(experiment_name)
    train = mlflow.data.from_pandas(train_df, name="iris-train", targets="label")
    evaluation = mlflow.data.from_pandas(eval_df, name="iris-eval", targets="label")
    with mlflow.start_run(run_name="with-data") as run:
        mlflow.log_input(train, context="training")
        mlflow.log_input(evaluation, context="validation", tags={"split": "holdout"})
        mlflow.log_metric("accuracy", 0.9)
    with mlflow.start_run(run_name="eval-only") as eval_run:
        mlflow.log_input(evaluation, context="validation")
    with mlflow.start_run(run_name="no-data") as bare_run:
        mlflow.log_metric("accuracy", 0.1)
    return train, evaluation, run.info, eval_run.info, bare_run.info


def test_inputs_round_trip(tracking, frames):
    train, evaluation, info, _, _ = log_training(frames, unique("iris"))
    stored = MlflowClient().get_run(info.run_id)
    inputs = {d.dataset.name: d for d in stored.inputs.dataset_inputs}
    assert set(inputs) == {"iris-train", "iris-eval"}

    for logged, context in ((train, "training"), (evaluation, "validation")):
        expected = logged._to_mlflow_entity()
        got = inputs[expected.name]
        assert got.dataset.digest == expected.digest
        assert got.dataset.source_type == expected.source_type
        assert got.dataset.source == expected.source
        assert got.dataset.schema == expected.schema
        assert got.dataset.profile == expected.profile
        tags = {t.key: t.value for t in got.tags}
        assert tags["mlflow.data.context"] == context
    assert {t.key: t.value for t in inputs["iris-eval"].tags}.get("split") == "holdout"

    # The dataset can be loaded back from what the server returned.
    source = mlflow.data.get_source(inputs["iris-train"])
    assert source is not None


def test_search_runs_by_dataset(tracking, frames):
    train, evaluation, info, eval_info, bare_info = log_training(frames, unique("iris-search"))
    client = MlflowClient()
    exp = [info.experiment_id]

    def names(filter_string):
        return sorted(r.info.run_name for r in client.search_runs(exp, filter_string))

    assert names("datasets.name = 'iris-train'") == ["with-data"]
    assert names("datasets.name = 'iris-eval'") == ["eval-only", "with-data"]
    assert names("datasets.name LIKE 'iris-%'") == ["eval-only", "with-data"]
    assert names("datasets.name = 'iris-test'") == []
    assert names(f"datasets.digest = '{train.digest}'") == ["with-data"]
    assert names("datasets.context = 'training'") == ["with-data"]
    assert names("datasets.context = 'validation'") == ["eval-only", "with-data"]
    assert names("datasets.name IN ('iris-train', 'nothing')") == ["with-data"]
    assert names("datasets.name = 'iris-eval' AND metrics.accuracy > 0.5") == ["with-data"]
    # != and NOT IN hold for runs that have some other dataset, not for runs without any.
    assert names("datasets.name != 'iris-train'") == ["eval-only", "with-data"]
    assert names("datasets.name NOT IN ('iris-eval')") == ["with-data"]
    assert names("datasets.context ILIKE 'TRAIN%'") == ["with-data"]

    # Search hits carry their inputs like get_run does.
    [hit] = client.search_runs(exp, "attributes.run_name = 'with-data'")
    assert sorted(d.dataset.name for d in hit.inputs.dataset_inputs) == ["iris-eval", "iris-train"]

    frame = mlflow.search_runs(experiment_ids=exp, filter_string="datasets.name = 'iris-train'")
    assert list(frame["run_id"]) == [info.run_id]


def test_ui_dataset_summaries(tracking, frames):
    train, evaluation, info, _, _ = log_training(frames, unique("iris-ui"))
    api = tracking.api
    body = api.ok(api.post("/ajax-api/2.0/mlflow/experiments/search-datasets",
                           {"experiment_ids": [info.experiment_id]}))
    summaries = sorted((s["experiment_id"], s["name"], s["digest"], s.get("context"))
                       for s in body["dataset_summaries"])
    assert summaries == sorted([
        (info.experiment_id, "iris-train", train.digest, "training"),
        (info.experiment_id, "iris-eval", evaluation.digest, "validation"),
    ])


def test_same_dataset_twice_is_one_input(tracking, frames):
    train_df, _ = frames
    mlflow.set_experiment(unique("iris-twice"))
    train = mlflow.data.from_pandas(train_df, name="iris-train", targets="label")
    with mlflow.start_run() as run:
        mlflow.log_input(train, context="training")
        mlflow.log_input(train, context="training")
    inputs = MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    assert [(d.dataset.name, d.dataset.digest) for d in inputs] == [("iris-train", train.digest)]


@pytest.mark.parametrize("field, value", [
    ("name", "n" * 501),
    ("digest", "d" * 37),
], ids=["name-501", "digest-37"])
def test_dataset_limits(tracking, field, value):
    from compat_helpers import assert_client_error

    api = tracking.api
    run_id = api.create_run(api.create_experiment(unique("dataset-limits")))
    dataset = {"name": "ok", "digest": "abc123", "source_type": "code", "source": "{}"}
    dataset[field] = value
    resp = api.post("runs/log-inputs", {"run_id": run_id, "datasets": [
        {"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "training"}]}]})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert not api.get_run(run_id).get("inputs", {}).get("dataset_inputs")
