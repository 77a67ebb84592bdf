"""The model registry with the real client: train, log, register, alias, promote, load.

Each test is a script a user could have written: a scikit-learn model logged with
``registered_model_name=``, a second version, an alias, stage transitions, searches over
hundreds of models, renames and deletes, and two clients registering at once.
"""

import threading

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from sklearn.linear_model import LinearRegression, LogisticRegression

from compat_helpers import assert_mlflow_error, unique


def train(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3))
    y = x @ np.array([1.5, -2.0, 0.5]) + seed
    return LinearRegression().fit(x, y), x


def error_code_of(call) -> str:
    with pytest.raises(MlflowException) as err:
        call()
    return err.value.error_code


def test_sklearn_log_register_alias_and_load(tracking):
    client = MlflowClient()
    name = unique("house-prices")
    mlflow.set_experiment(unique("registry-flow"))

    first, x = train(1)
    with mlflow.start_run():
        info1 = mlflow.sklearn.log_model(
            first, name="model", signature=infer_signature(x, first.predict(x)),
            input_example=x[:2], registered_model_name=name)
    second, _ = train(2)
    with mlflow.start_run():
        info2 = mlflow.sklearn.log_model(
            second, name="model", signature=infer_signature(x, second.predict(x)),
            input_example=x[:2], registered_model_name=name)

    assert str(info1.registered_model_version) == "1"
    assert str(info2.registered_model_version) == "2"
    v1 = client.get_model_version(name, "1")
    assert v1.status == "READY"
    assert v1.current_stage == "None"
    assert v1.run_id == info1.run_id
    assert v1.source == f"models:/{info1.model_id}"

    client.set_registered_model_alias(name, "champion", "1")
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    assert client.get_registered_model(name).aliases == {"champion": "1"}

    champion = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    np.testing.assert_allclose(champion.predict(x), first.predict(x))
    by_number = mlflow.pyfunc.load_model(f"models:/{name}/1")
    np.testing.assert_allclose(by_number.predict(x), first.predict(x))
    latest = mlflow.sklearn.load_model(f"models:/{name}/latest")
    np.testing.assert_allclose(latest.predict(x), second.predict(x))

    # Moving the alias moves what loads.
    client.set_registered_model_alias(name, "champion", "2")
    moved = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    np.testing.assert_allclose(moved.predict(x), second.predict(x))

    # The logged model shows the version made from it (MLflow 3 links both ways).
    logged = client.get_logged_model(info1.model_id)
    assert client.get_model_version_download_uri(name, "1") == logged.artifact_location


def test_register_model_from_a_run_and_from_a_logged_model(tracking):
    client = MlflowClient()
    name = unique("classifier")
    mlflow.set_experiment(unique("register"))
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([1, 0, 1, 0])
    model = LogisticRegression().fit(x, y)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="clf", input_example=x[:2])

    by_run = mlflow.register_model(f"runs:/{run.info.run_id}/clf", name)
    by_model = mlflow.register_model(f"models:/{info.model_id}", name)
    assert (by_run.version, by_model.version) == ("1", "2")
    assert by_run.run_id == by_model.run_id == run.info.run_id

    loaded = mlflow.pyfunc.load_model(f"models:/{name}/2")
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input + self.n


def test_custom_pyfunc_model_registered_and_loaded(tracking):
    name = unique("add-n")
    mlflow.set_experiment(unique("pyfunc"))
    with mlflow.start_run():
        mlflow.pyfunc.log_model(name="adder", python_model=AddN(5), registered_model_name=name)
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    data = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(loaded.predict(data), data + 5)


def test_stage_transitions_and_latest_versions(tracking):
    client = MlflowClient()
    name = unique("staged")
    mlflow.set_experiment(unique("stages"))
    model, _ = train(3)
    with mlflow.start_run():
        for _ in range(3):
            mlflow.sklearn.log_model(model, name="m", registered_model_name=name)

    client.transition_model_version_stage(name, "1", "production")
    client.transition_model_version_stage(name, "2", "Staging")
    moved = client.transition_model_version_stage(name, "3", "PRODUCTION", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert client.get_model_version(name, "2").current_stage == "Staging"

    latest = {v.current_stage: v.version for v in client.get_latest_versions(name)}
    assert latest == {"Archived": "1", "Staging": "2", "Production": "3"}
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["3"]
    assert client.get_latest_versions(name, stages=["None"]) == []
    assert error_code_of(lambda: client.get_latest_versions(name, stages=["Prod"])) == "INVALID_PARAMETER_VALUE"
    # Only Staging and Production may archive the versions already there.
    assert error_code_of(lambda: client.transition_model_version_stage(
        name, "2", "Archived", archive_existing_versions=True)) == "INVALID_PARAMETER_VALUE"

    production = mlflow.sklearn.load_model(f"models:/{name}/Production")
    assert production.coef_.tolist() == model.coef_.tolist()


def test_rename_keeps_versions_and_aliases_then_delete(tracking):
    client = MlflowClient()
    name, new_name = unique("before"), unique("after")
    mlflow.set_experiment(unique("rename"))
    model, x = train(4)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="m", registered_model_name=name)
        mlflow.sklearn.log_model(model, name="m2", registered_model_name=name)
    client.set_registered_model_alias(name, "prod", "2")
    client.set_registered_model_tag(name, "team", "pricing")
    client.set_model_version_tag(name, "1", "validated", "yes")

    client.rename_registered_model(name, new_name)
    assert error_code_of(lambda: client.get_registered_model(name)) == "RESOURCE_DOES_NOT_EXIST"
    renamed = client.get_registered_model(new_name)
    assert renamed.aliases == {"prod": "2"}
    assert renamed.tags == {"team": "pricing"}
    assert client.get_model_version(new_name, "1").tags == {"validated": "yes"}
    assert client.get_model_version_by_alias(new_name, "prod").version == "2"
    np.testing.assert_allclose(mlflow.pyfunc.load_model(f"models:/{new_name}@prod").predict(x), model.predict(x))

    # A deleted version's number is never given again, and its aliases go with it.
    client.delete_model_version(new_name, "2")
    assert error_code_of(lambda: client.get_model_version(new_name, "2")) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_registered_model(new_name).aliases == {}
    again = client.create_model_version(new_name, client.get_model_version_download_uri(new_name, "1"),
                                        model_id=info.model_id)
    assert again.version == "3"

    client.delete_registered_model(new_name)
    assert error_code_of(lambda: client.get_registered_model(new_name)) == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_model_versions(f"name = '{new_name}'") == []
    # The name is free again.
    assert client.create_registered_model(new_name).name == new_name


@pytest.mark.deadline(600)
def test_search_filters_ordering_and_paging_over_300_models(tracking):
    client = MlflowClient()
    prefix = unique("fleet")
    names = [f"{prefix}-{i:03d}" for i in range(310)]
    for i, n in enumerate(names):
        client.create_registered_model(n, tags={"parity": "even" if i % 2 == 0 else "odd"})

    seen, token = [], None
    while True:
        page = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=100, page_token=token)
        seen += [m.name for m in page]
        token = page.token
        if not token:
            break
    assert seen == names

    desc = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=5, order_by=["name DESC"])
    assert [m.name for m in desc] == names[::-1][:5]
    odd = client.search_registered_models(f"name LIKE '{prefix}-%' AND tags.parity = 'odd'", max_results=1000)
    assert [m.name for m in odd] == names[1::2]
    assert len(client.search_registered_models(f"name ILIKE '{prefix.upper()}-00%'")) == 10
    assert [m.name for m in client.search_registered_models(f"name = '{names[7]}'")] == [names[7]]
    newest_first = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=3, order_by=["timestamp DESC"])
    assert [m.name for m in newest_first] == names[::-1][:3]

    assert error_code_of(lambda: client.search_registered_models(max_results=1001)) == "INVALID_PARAMETER_VALUE"
    assert error_code_of(lambda: client.search_registered_models("run_id = 'x'")) == "INVALID_PARAMETER_VALUE"


def test_search_model_versions(tracking):
    client = MlflowClient()
    name = unique("versions")
    mlflow.set_experiment(unique("mv-search"))
    model, _ = train(5)
    run_ids = []
    for _ in range(3):
        with mlflow.start_run() as run:
            mlflow.sklearn.log_model(model, name="m", registered_model_name=name)
        run_ids.append(run.info.run_id)
    found = client.search_model_versions(f"name = '{name}'")
    assert sorted(v.version for v in found) == ["1", "2", "3"]
    by_run = client.search_model_versions(f"run_id = '{run_ids[1]}'")
    assert [(v.name, v.version) for v in by_run] == [(name, "2")]
    ordered = client.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"])
    assert [v.version for v in ordered] == ["1", "2", "3"]
    paged = client.search_model_versions(f"name = '{name}'", max_results=2, order_by=["version_number DESC"])
    assert [v.version for v in paged] == ["3", "2"] and paged.token


def test_two_clients_registering_at_once_get_consecutive_numbers(tracking):
    client = MlflowClient()
    name = unique("race")
    mlflow.set_experiment(unique("race"))
    model, _ = train(6)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="m")
    client.create_registered_model(name)

    got, errors = [], []
    barrier = threading.Barrier(8)

    def register():
        try:
            barrier.wait()
            got.append(MlflowClient().create_model_version(name, f"models:/{info.model_id}",
                                                           run_id=run.info.run_id, model_id=info.model_id).version)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got, key=int) == [str(i) for i in range(1, 9)]


def test_logged_model_lists_its_registrations(tracking, server):
    name = unique("linked")
    mlflow.set_experiment(unique("links"))
    model, _ = train(7)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="m", registered_model_name=name)
    mlflow.register_model(f"models:/{info.model_id}", name)
    body = server.api.ok(server.api.get(f"/api/2.0/mlflow/logged-models/{info.model_id}"))
    assert body["model"]["info"]["registrations"] == [{"name": name, "version": "1"}, {"name": name, "version": "2"}]


def test_copy_model_version_from_names_a_path_may_not_hold(tracking):
    client = MlflowClient()
    model, x = train(3)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model")
    stem = unique("copy")
    for src in [f"{stem}%b", f"{stem}back\\slash", f"{stem};semi"]:
        client.create_registered_model(src)
        client.create_model_version(src, source=f"models:/{info.model_id}", run_id=info.run_id, model_id=info.model_id)
        client.set_registered_model_alias(src, "champion", "1")
        description = "é" * 30_000
        client.update_model_version(src, "1", description=description)
        for uri, version in [(f"models:/{src}/1", "1"), (f"models:/{src}@champion", "2")]:
            copied = client.copy_model_version(uri, f"{stem}-dst")
            assert str(copied.version) == version
            assert copied.source == f"models:/{src}/1"
            assert copied.run_id == info.run_id
        loaded = mlflow.pyfunc.load_model(f"models:/{stem}-dst/2")
        assert loaded.predict(x).tolist() == model.predict(x).tolist()
        client.delete_registered_model(f"{stem}-dst")
    assert client.get_model_version(f"{stem}%b", "1").description == "é" * 30_000


def test_registered_model_with_long_description_and_many_tags(tracking):
    client = MlflowClient()
    name = unique("described")
    description = "é" * 100_000
    tags = {f"k{i}": "翻" * 1_000 for i in range(200)}
    client.create_registered_model(name, tags=tags, description=description)
    got = client.get_registered_model(name)
    assert got.description == description
    assert got.tags == tags


def test_registry_errors_are_mlflow_errors(tracking, server):
    client = MlflowClient()
    name = unique("errors")
    client.create_registered_model(name)
    # register_model relies on this code to carry on with an existing model.
    assert error_code_of(lambda: client.create_registered_model(name)) == "RESOURCE_ALREADY_EXISTS"
    assert error_code_of(lambda: client.get_registered_model(unique("missing"))) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code_of(lambda: client.get_model_version(name, "1")) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code_of(lambda: client.create_registered_model("a/b")) == "INVALID_PARAMETER_VALUE"
    assert error_code_of(lambda: client.get_model_version_by_alias(name, "nope")) == "INVALID_PARAMETER_VALUE"

    api = server.api
    for alias in ("latest", "v1", "V12", "bad alias!"):
        resp = api.post("/api/2.0/mlflow/registered-models/alias", {"name": name, "alias": alias, "version": "1"})
        assert_mlflow_error(resp, 400, "INVALID_PARAMETER_VALUE")
    resp = api.get("/api/2.0/mlflow/registered-models/alias", params={"name": name, "alias": "champion"})
    assert_mlflow_error(resp, 400, "INVALID_PARAMETER_VALUE", "Registered model alias champion not found.")
    # Removing a tag the model never had is fine, as in MLflow.
    client.delete_registered_model_tag(name, "never-set")


@pytest.mark.parametrize("source", [
    "file:///etc/passwd",
    "/etc/passwd",
    "mlflow-artifacts:/../../etc/passwd",
    "mlflow-artifacts:/0/%2e%2e/%2e%2e/secret",
    "mlflow-artifacts:/0/%252e%252e%252fsecret",
    "mlflow-artifacts:/0/x;/../../secret",
    "//proc/self/root/etc/passwd",
    "runs:/../../etc",
    "models:/../../etc",
    "http://169.254.169.254/latest/meta-data",
])
def test_hostile_sources_are_refused(tracking, server, source):
    client = MlflowClient()
    name = unique("hostile")
    client.create_registered_model(name)
    with mlflow.start_run() as run:
        pass
    resp = server.api.post("/api/2.0/mlflow/model-versions/create",
                           {"name": name, "source": source, "run_id": run.info.run_id})
    assert_mlflow_error(resp, 400, "INVALID_PARAMETER_VALUE")
    assert client.search_model_versions(f"name = '{name}'") == []
