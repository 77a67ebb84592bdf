"""A hyper-parameter sweep: one parent run with nested child (and grandchild) runs."""

import mlflow
from mlflow import MlflowClient

from compat_helpers import unique


def run_sweep():
    experiment = mlflow.set_experiment(unique("lr-sweep"))
    children = {}
    with mlflow.start_run(run_name="sweep") as parent:
        mlflow.log_param("search", "grid")
        for lr in (0.1, 0.01, 0.001):
            with mlflow.start_run(run_name=f"lr={lr}", nested=True) as child:
                mlflow.log_param("lr", lr)
                mlflow.log_metric("val_loss", 1.0 + lr)
                children[lr] = child.info.run_id
                if lr == 0.01:
                    with mlflow.start_run(run_name="refit", nested=True) as grandchild:
                        mlflow.log_metric("val_loss", 0.5)
        mlflow.log_metric("best_val_loss", 1.001)
    # An unrelated top-level run in the same experiment.
    with mlflow.start_run(run_name="standalone"):
        mlflow.log_metric("val_loss", 3.0)
    return experiment.experiment_id, parent.info.run_id, children, grandchild.info.run_id


def test_children_carry_parent_tag_and_are_searchable(tracking):
    exp_id, parent_id, children, grandchild_id = run_sweep()
    client = MlflowClient()

    for lr, child_id in children.items():
        child = client.get_run(child_id)
        assert child.data.tags["mlflow.parentRunId"] == parent_id
        assert child.data.params == {"lr": str(lr)}
        assert child.info.status == "FINISHED"
    assert client.get_run(grandchild_id).data.tags["mlflow.parentRunId"] == children[0.01]
    assert "mlflow.parentRunId" not in client.get_run(parent_id).data.tags

    found = client.search_runs([exp_id], f"tags.mlflow.parentRunId = '{parent_id}'")
    assert sorted(r.info.run_id for r in found) == sorted(children.values())

    # Same search with a quoted key, ordered by the children's metric.
    found = client.search_runs(
        [exp_id], f"tags.`mlflow.parentRunId` = '{parent_id}'",
        order_by=["metrics.val_loss ASC"],
    )
    assert [r.info.run_id for r in found] == [children[0.001], children[0.01], children[0.1]]

    found = client.search_runs([exp_id], f"tags.mlflow.parentRunId = '{children[0.01]}'")
    assert [r.info.run_id for r in found] == [grandchild_id]

    top_level = client.search_runs([exp_id], "tags.mlflow.parentRunId IS NULL")
    assert sorted(r.info.run_name for r in top_level) == ["standalone", "sweep"]


def test_pandas_search_of_children(tracking):
    exp_id, parent_id, children, _ = run_sweep()
    frame = mlflow.search_runs(
        experiment_ids=[exp_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent_id}' and params.lr != '0.1'",
        order_by=["params.lr DESC"],
    )
    assert list(frame["run_id"]) == [children[0.01], children[0.001]]
    assert list(frame["params.lr"]) == ["0.01", "0.001"]
    assert list(frame["metrics.val_loss"]) == [1.01, 1.001]
    assert set(frame["tags.mlflow.parentRunId"]) == {parent_id}
