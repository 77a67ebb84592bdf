"""log-batch limits, param immutability, truncation and key validation.

The client splits large batches itself, so the at-the-limit and over-the-limit
cases are also sent as raw JSON to /api/2.0/mlflow/runs/log-batch.
"""

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

from compat_helpers import assert_client_error, now_ms, run_data, unique


@pytest.fixture
def experiment_id(tracking):
    return mlflow.set_experiment(unique("batch-limits")).experiment_id


def user_tags(tags: dict) -> dict:
    return {k: v for k, v in tags.items() if not k.startswith("mlflow.")}


def metrics_json(n, key="m{:04d}", ts=None, step=0):
    ts = ts or now_ms()
    return [{"key": key.format(i), "value": float(i), "timestamp": ts, "step": step}
            for i in range(n)]


def params_json(n, key="p{:03d}", value="v{}"):
    return [{"key": key.format(i), "value": value.format(i)} for i in range(n)]


def tags_json(n, key="t{:03d}", value="v{}"):
    return [{"key": key.format(i), "value": value.format(i)} for i in range(n)]


def test_client_log_batch_at_the_limits(tracking, experiment_id):
    client = MlflowClient()
    run_id = client.create_run(experiment_id).info.run_id
    ts = now_ms()
    client.log_batch(
        run_id,
        metrics=[Metric(f"m{i:04d}", float(i), ts, 0) for i in range(1000)],
        params=[Param(f"p{i:03d}", f"v{i}") for i in range(100)],
        tags=[RunTag(f"t{i:03d}", f"v{i}") for i in range(100)],
    )
    data = client.get_run(run_id).data
    assert data.metrics == {f"m{i:04d}": float(i) for i in range(1000)}
    assert data.params == {f"p{i:03d}": f"v{i}" for i in range(100)}
    assert user_tags(data.tags) == {f"t{i:03d}": f"v{i}" for i in range(100)}


@pytest.mark.parametrize(
    "n_metrics, n_params, n_tags",
    [(1000, 0, 0), (0, 100, 0), (0, 0, 100), (800, 100, 100)],
    ids=["1000-metrics", "100-params", "100-tags", "1000-entities"],
)
def test_raw_batch_exactly_at_limit_is_accepted(tracking, experiment_id, n_metrics, n_params,
                                                n_tags):
    api = tracking.api
    run_id = api.create_run(experiment_id)
    api.ok(api.log_batch(run_id, metrics_json(n_metrics), params_json(n_params),
                         tags_json(n_tags)))
    params, metrics, tags = run_data(api.get_run(run_id))
    assert len(metrics) == n_metrics
    assert len(params) == n_params
    assert len(user_tags(tags)) == n_tags


@pytest.mark.parametrize(
    "n_metrics, n_params, n_tags",
    [(1001, 0, 0), (0, 101, 0), (0, 0, 101), (801, 100, 100)],
    ids=["1001-metrics", "101-params", "101-tags", "1001-entities"],
)
def test_raw_batch_over_limit_is_rejected_whole(tracking, experiment_id, n_metrics, n_params,
                                                n_tags):
    api = tracking.api
    run_id = api.create_run(experiment_id)
    resp = api.log_batch(run_id, metrics_json(n_metrics), params_json(n_params), tags_json(n_tags))
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    params, metrics, tags = run_data(api.get_run(run_id))
    assert metrics == {} and params == {} and user_tags(tags) == {}


def test_body_over_one_megabyte_is_an_mlflow_error(tracking, experiment_id):
    api = tracking.api
    run_id = api.create_run(experiment_id)
    # Within every count limit, but about 1.1 MB of JSON.
    params = params_json(100, value="x" * 6000 + "{}")
    tags = tags_json(100, value="y" * 5000 + "{}")
    resp = api.log_batch(run_id, params=params, tags=tags)
    assert len(resp.request.body) > 1_000_000
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    params, metrics, tags = run_data(api.get_run(run_id))
    assert params == {} and user_tags(tags) == {}


def test_duplicate_param_keys_in_one_batch(tracking, experiment_id):
    api = tracking.api
    run_id = api.create_run(experiment_id)
    resp = api.log_batch(run_id, params=[{"key": "lr", "value": "0.1"},
                                         {"key": "lr", "value": "0.2"}])
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert run_data(api.get_run(run_id))[0] == {}

    client = MlflowClient()
    with pytest.raises(MlflowException) as err:
        client.log_batch(run_id, params=[Param("lr", "0.1"), Param("lr", "0.1")])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_params_are_immutable(tracking, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_param("batch_size", 32)
        mlflow.log_param("batch_size", 32)  # same value again: fine
        with pytest.raises(MlflowException) as err:
            mlflow.log_param("batch_size", 64)
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(MlflowException) as err:
            mlflow.log_params({"batch_size": 128, "other": "x"})
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"
        mlflow.log_params({"batch_size": 32, "epochs": 5})  # unchanged value in a batch: fine

    api = tracking.api
    resp = api.log_batch(run.info.run_id, params=[{"key": "batch_size", "value": "1"}])
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    resp = api.post("runs/log-parameter",
                    {"run_id": run.info.run_id, "key": "epochs", "value": "6"})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")

    assert MlflowClient().get_run(run.info.run_id).data.params["batch_size"] == "32"
    assert MlflowClient().get_run(run.info.run_id).data.params["epochs"] == "5"


def test_long_param_values_are_truncated_to_6000(tracking, experiment_id):
    single, batched = "a" * 6001 + "tail", "b" * 9000
    exact = "c" * 6000
    with mlflow.start_run() as run:
        mlflow.log_param("single", single)
        mlflow.log_params({"batched": batched, "exact": exact})
    params = MlflowClient().get_run(run.info.run_id).data.params
    assert params["single"] == single[:6000]
    assert params["batched"] == batched[:6000]
    assert params["exact"] == exact
    # Re-logging the full long value compares against the truncated one: still the same param.
    MlflowClient().log_param(run.info.run_id, "single", single)
    assert MlflowClient().get_run(run.info.run_id).data.params["single"] == single[:6000]


def test_long_tag_values_are_truncated_to_8000(tracking, experiment_id):
    single, batched = "t" * 8001, "u" * 20000
    with mlflow.start_run() as run:
        mlflow.set_tag("single", single)
        mlflow.set_tags({"batched": batched, "exact": "v" * 8000})
    tags = MlflowClient().get_run(run.info.run_id).data.tags
    assert tags["single"] == single[:8000]
    assert tags["batched"] == batched[:8000]
    assert tags["exact"] == "v" * 8000


def test_key_length_limit_is_250(tracking, experiment_id):
    ok_key, long_key = "k" * 250, "k" * 251
    client = MlflowClient()
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, ok_key, "1")
    client.log_metric(run_id, ok_key, 1.0)
    client.set_tag(run_id, ok_key, "1")
    for log in (lambda: client.log_param(run_id, long_key, "1"),
                lambda: client.log_metric(run_id, long_key, 1.0),
                lambda: client.set_tag(run_id, long_key, "1"),
                lambda: client.log_batch(run_id, params=[Param(long_key, "1")])):
        with pytest.raises(MlflowException) as err:
            log()
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    data = client.get_run(run_id).data
    assert list(data.params) == [ok_key]
    assert list(data.metrics) == [ok_key]
    assert long_key not in data.tags


@pytest.mark.parametrize("bad_key", ["bad key!", "../x", "a//b", "/abs", "./a", "a/", "semi;colon"])
def test_bad_key_names_are_rejected(tracking, experiment_id, bad_key):
    client = MlflowClient()
    run_id = client.create_run(experiment_id).info.run_id
    attempts = {
        "log_param": lambda: client.log_param(run_id, bad_key, "1"),
        "log_metric": lambda: client.log_metric(run_id, bad_key, 1.0),
        "set_tag": lambda: client.set_tag(run_id, bad_key, "1"),
        "log_batch metric": lambda: client.log_batch(run_id, metrics=[Metric(bad_key, 1.0,
                                                                             now_ms(), 0)]),
    }
    for what, attempt in attempts.items():
        with pytest.raises(MlflowException) as err:
            attempt()
        assert err.value.error_code == "INVALID_PARAMETER_VALUE", what
    data = client.get_run(run_id).data
    assert data.params == {} and data.metrics == {} and bad_key not in data.tags


def test_unusual_but_valid_keys_are_accepted(tracking, experiment_id):
    keys = ["train/loss", "a b", "x:y", "v1.2-rc_3", "deep/nested/key"]
    with mlflow.start_run() as run:
        for k in keys:
            mlflow.log_metric(k, 1.5)
            mlflow.log_param(k, "p")
            mlflow.set_tag(k, "t")
    data = MlflowClient().get_run(run.info.run_id).data
    assert set(data.metrics) == set(keys)
    assert set(data.params) == set(keys)
    assert set(keys) <= set(data.tags)


def test_batch_with_invalid_entry_stores_nothing(tracking, experiment_id):
    api = tracking.api
    run_id = api.create_run(experiment_id)
    resp = api.log_batch(
        run_id,
        metrics=metrics_json(3),
        params=[{"key": "good", "value": "1"}, {"key": "bad key!", "value": "2"}],
        tags=tags_json(2),
    )
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    params, metrics, tags = run_data(api.get_run(run_id))
    assert params == {} and metrics == {} and user_tags(tags) == {}


def test_concurrent_writers(tracking, experiment_id):
    """Async logging and multi-process training hit one run from many connections at once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from compat_helpers import Api

    run_id = tracking.api.create_run(experiment_id)
    n = 16
    barrier = threading.Barrier(n)
    ts = now_ms()

    def write(i):
        api = Api(tracking.url)
        barrier.wait()
        same = api.post("runs/log-parameter", {"run_id": run_id, "key": "same", "value": "x"})
        differ = api.post("runs/log-parameter", {"run_id": run_id, "key": "race",
                                                 "value": f"v{i}"})
        point = api.log_batch(run_id, metrics=[{"key": "dup", "value": 0.5, "timestamp": ts,
                                                "step": 1}])
        tag = api.post("runs/set-tag", {"run_id": run_id, "key": "winner", "value": f"v{i}"})
        return same, differ, point, tag

    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(write, range(n)))

    for same, _, point, tag in results:
        assert same.status_code == 200, same.text
        assert point.status_code == 200, point.text
        assert tag.status_code == 200, tag.text
    accepted = [r for _, r, _, _ in results if r.status_code == 200]
    for _, r, _, _ in results:
        if r.status_code != 200:
            assert_client_error(r, "INVALID_PARAMETER_VALUE")
    assert len(accepted) == 1, [r.status_code for _, r, _, _ in results]
    winner = accepted[0].request.body
    params, _, tags = run_data(tracking.api.get_run(run_id))
    assert params["same"] == "x"
    assert f'"{params["race"]}"'.encode() in winner
    assert tags["winner"] in {f"v{i}" for i in range(n)}
    assert len(MlflowClient().get_metric_history(run_id, "dup")) == 1
