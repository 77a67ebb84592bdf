"""Error answers: the right MLflow error_code and HTTP status, MLflow's JSON shape,
never a 5xx for a client mistake, and a server that keeps working afterwards."""

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from compat_helpers import assert_client_error, assert_mlflow_error, now_ms, run_data, unique

MISSING = "Missing value for required parameter"
UNKNOWN_RUN = "0123456789abcdef0123456789abcdef"


def error_code_of(call) -> str:
    with pytest.raises(MlflowException) as err:
        call()
    return err.value.error_code


@pytest.fixture(scope="module")
def known_runs(server):
    """Three runs with params x=1,2,3 in their own experiment (raw REST, module-wide)."""
    api = server.api
    exp_id = api.create_experiment(unique("errors"))
    runs = {}
    for x in ("1", "2", "3"):
        run_id = api.create_run(exp_id, run_name=f"x{x}", tags={"t": f"tag{x}"})
        api.ok(api.log_batch(run_id, params=[{"key": "x", "value": x}],
                             metrics=[{"key": "m", "value": float(x), "timestamp": now_ms()}]))
        runs[x] = run_id
    return exp_id, runs


# ---------------------------------------------------------------- not found / exists


def test_unknown_run(tracking):
    client = MlflowClient()
    assert error_code_of(lambda: client.get_run(UNKNOWN_RUN)) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code_of(lambda: client.log_metric(UNKNOWN_RUN, "m", 1.0)) == \
        "RESOURCE_DOES_NOT_EXIST"
    api = tracking.api
    assert_client_error(api.get("runs/get", {"run_id": UNKNOWN_RUN}), "RESOURCE_DOES_NOT_EXIST")
    assert_client_error(api.post("runs/log-metric", {"run_id": UNKNOWN_RUN, "key": "m",
                                                     "value": 1.0, "timestamp": now_ms()}),
                        "RESOURCE_DOES_NOT_EXIST")


def test_unknown_experiment(tracking):
    client = MlflowClient()
    assert error_code_of(lambda: client.get_experiment("987654321")) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment_by_name(unique("never-created")) is None
    api = tracking.api
    assert_client_error(api.get("experiments/get", {"experiment_id": "987654321"}),
                        "RESOURCE_DOES_NOT_EXIST")
    assert_client_error(api.get("experiments/get-by-name", {"experiment_name": unique("nope")}),
                        "RESOURCE_DOES_NOT_EXIST")
    assert_client_error(api.post("runs/create", {"experiment_id": "987654321",
                                                 "start_time": now_ms()}),
                        "RESOURCE_DOES_NOT_EXIST")


def test_duplicate_experiment(tracking):
    client = MlflowClient()
    name = unique("dup")
    client.create_experiment(name)
    assert error_code_of(lambda: client.create_experiment(name)) == "RESOURCE_ALREADY_EXISTS"
    assert_client_error(tracking.api.post("experiments/create", {"name": name}),
                        "RESOURCE_ALREADY_EXISTS")
    # A race in set_experiment ends in the existing experiment, not an error.
    assert mlflow.set_experiment(name).name == name


def test_non_numeric_experiment_id_is_a_client_error(tracking):
    resp = tracking.api.get("experiments/get", {"experiment_id": "not-a-number"})
    assert resp.status_code in (400, 404), resp.text
    assert_mlflow_error(resp, resp.status_code)


# ---------------------------------------------------------------- malformed requests


@pytest.fixture
def run_id(tracking):
    api = tracking.api
    return api.create_run(api.create_experiment(unique("malformed")))


@pytest.mark.parametrize("path, body", [
    ("runs/log-metric", {"key": "m", "value": 1.0, "timestamp": "yesterday"}),
    ("runs/log-metric", {"key": "m", "value": {"a": 1}, "timestamp": 1}),
    ("runs/log-metric", {"key": "m", "value": 1.0, "timestamp": 1, "step": "first"}),
    ("runs/log-batch", {"metrics": {"key": "m", "value": 1.0, "timestamp": 1}}),
    ("runs/log-batch", {"params": "lr=0.1"}),
    ("runs/update", {"end_time": "later"}),
    ("runs/search", {"max_results": "many"}),
    ("runs/search", {"order_by": "metrics.m"}),
    ("experiments/create", {"name": ["a", "list"]}),
    ("experiments/create", {"name": unique("ok"), "tags": "team=a"}),
], ids=["ts-string", "value-object", "step-string", "metrics-object",
        "params-string", "end-time-string", "max-results-string", "order-by-string",
        "name-list", "tags-string"])
def test_wrong_types_are_400(tracking, run_id, path, body):
    body = dict(body)
    if path.startswith("runs/") and path != "runs/search":
        body["run_id"] = run_id
    assert_client_error(tracking.api.post(path, body), "INVALID_PARAMETER_VALUE")
    # Nothing got in.
    data = tracking.api.get_run(run_id).get("data", {})
    assert not data.get("metrics") and not data.get("params")


@pytest.mark.parametrize("method, path, body, field", [
    ("POST", "experiments/create", {}, "name"),
    ("POST", "experiments/create", {"name": ""}, "name"),
    ("GET", "experiments/get", {}, "experiment_id"),
    ("GET", "experiments/get-by-name", {}, "experiment_name"),
    ("POST", "experiments/set-experiment-tag", {"experiment_id": "0", "value": "v"}, "key"),
    ("POST", "runs/log-metric", {"key": "m", "value": 1.0}, "timestamp"),
    ("POST", "runs/log-metric", {"value": 1.0, "timestamp": 1}, "key"),
    ("POST", "runs/log-metric", {"key": "m", "timestamp": 1}, "value"),
    ("POST", "runs/log-parameter", {"value": "1"}, "key"),
    ("POST", "runs/set-tag", {"value": "1"}, "key"),
    ("POST", "runs/delete-tag", {}, "key"),
    ("POST", "runs/log-batch", {"metrics": [{"key": "m", "value": 1.0}]}, "timestamp"),
    ("POST", "runs/log-batch", {"params": [{"value": "1"}]}, "key"),
    ("GET", "metrics/get-history", {"max_results": 10}, "metric_key"),
], ids=lambda v: v if isinstance(v, str) and "/" in v else None)
def test_missing_required_fields(tracking, run_id, method, path, body, field):
    body = dict(body)
    if path.startswith(("runs/", "metrics/")):
        body["run_id"] = run_id
    api = tracking.api
    resp = api.post(path, body) if method == "POST" else api.get(path, body)
    err = assert_client_error(resp, "INVALID_PARAMETER_VALUE", MISSING)
    assert field in err["message"], err


def test_missing_run_id(tracking):
    api = tracking.api
    assert_client_error(api.get("runs/get", {}), "INVALID_PARAMETER_VALUE", MISSING)
    assert_client_error(api.post("runs/log-batch", {"metrics": []}), "INVALID_PARAMETER_VALUE",
                        MISSING)
    assert_client_error(api.post("runs/update", {"status": "FINISHED"}),
                        "INVALID_PARAMETER_VALUE", MISSING)


@pytest.mark.parametrize("raw", [b'{"name": ', b"not json at all", b'{"name": "x",}', b"\xff\xfe"])
def test_malformed_json_is_400(tracking, raw):
    resp = tracking.api.post("experiments/create", data=raw,
                             headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert_mlflow_error(resp, 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          None])
def test_post_requires_json_content_type(tracking, content_type):
    name = unique("ctype")
    headers = {"Content-Type": content_type} if content_type else {}
    resp = tracking.api.post("experiments/create", data=f'{{"name": "{name}"}}'.encode(),
                             headers=headers)
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert MlflowClient().get_experiment_by_name(name) is None


def test_json_content_type_with_charset_is_fine(tracking):
    name = unique("charset")
    resp = tracking.api.post("experiments/create", data=f'{{"name": "{name}"}}'.encode(),
                             headers={"Content-Type": "application/json; charset=utf-8"})
    assert resp.status_code == 200, resp.text
    assert MlflowClient().get_experiment_by_name(name).name == name


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/2.0/mlflow/no-such-endpoint"),
    ("POST", "/api/2.0/mlflow/runs/teleport"),
    ("GET", "/api/9.0/mlflow/runs/get"),
    ("GET", "/ajax-api/2.0/mlflow/no-such-endpoint"),
    ("GET", "/definitely/not/here"),
])
def test_unknown_route_is_endpoint_not_found(tracking, method, path):
    api = tracking.api
    resp = api.get(path) if method == "GET" else api.post(path, {})
    assert_mlflow_error(resp, 404, "ENDPOINT_NOT_FOUND")
    # The client reads it as the code its fallbacks (trace V3 -> V2, registry) look for.
    from mlflow.utils.credentials import get_default_host_creds
    from mlflow.utils.rest_utils import http_request, verify_rest_response
    answer = http_request(get_default_host_creds(tracking.url), path, method,
                          **({"json": {}} if method == "POST" else {}))
    with pytest.raises(MlflowException) as err:
        verify_rest_response(answer, path)
    assert err.value.error_code == "ENDPOINT_NOT_FOUND"
    assert "<html" not in str(err.value).lower()


def test_wrong_method_on_known_route(tracking):
    resp = tracking.api.get("runs/search")
    assert resp.status_code == 405, resp.text


# ---------------------------------------------------------------- hostile search input

HOSTILE_RUN_FILTERS = [
    "params.x = '1' OR params.x = '2'",
    "params.x = '1' or params.x = '2'",
    "(params.x = '1')",
    "params.x = '1' AND (params.x = '2' OR params.x = '3')",
    "params.x = '1'; DROP TABLE runs; --'",
    "params.x = '1''; DROP TABLE runs; --'",
    "params.x = '1' OR '1'='1'",
    "params.x = '' OR 1=1 --",
    "tags.t = 'a' UNION SELECT * FROM runs --",
    "params.`x` = 'x`; DELETE FROM params; --'",
    'params."x" = "1"" OR ""1""=""1"',
    "attributes.run_id IN ('a') OR 1=1",
    "params.x = 1",
    "metrics.m = 'abc'",
    "params.x > '1'",
    "nosuchprefix.x = '1'",
    "attributes.no_such_attribute = '1'",
    "attributes.status IS NULL",
    "metrics.m >",
    "= '1'",
    "params.x LIKE",
    "params.x = '1' AND",  # MLflow tolerates a trailing AND: answer must then be correct
    "\x00",
    "params.x = 'a\x00b'",
    "tags.`t\x00` = 'a'",
]

HOSTILE_EXPECTED_IF_ACCEPTED = {
    "params.x = '1' AND": ["1"],
}


@pytest.mark.parametrize("filter_string", HOSTILE_RUN_FILTERS)
def test_hostile_run_filters(tracking, known_runs, filter_string):
    exp_id, runs = known_runs
    api = tracking.api
    resp = api.post("runs/search", {"experiment_ids": [exp_id], "filter": filter_string})
    if resp.status_code == 200:
        found = sorted(r["info"]["run_id"] for r in resp.json().get("runs", []))
        expected = sorted(runs[x] for x in HOSTILE_EXPECTED_IF_ACCEPTED.get(filter_string, []))
        assert found == expected, f"filter {filter_string!r} matched {found}"
    else:
        assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert_store_intact(api, exp_id, runs)


@pytest.mark.parametrize("order_by", [
    ["params.x; DROP TABLE runs"],
    ["metrics.m DESC, params.x"],
    ["metrics.m SIDEWAYS"],
    ["nosuchprefix.x"],
    ["metrics.m", "metrics.m DESC"],
])
def test_hostile_order_by(tracking, known_runs, order_by):
    exp_id, runs = known_runs
    resp = tracking.api.post("runs/search", {"experiment_ids": [exp_id], "order_by": order_by})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert_store_intact(tracking.api, exp_id, runs)


@pytest.mark.parametrize("filter_string", [
    "name = 'x' OR 1=1",
    "(name = 'x')",
    "name = 'x'; DROP TABLE experiments; --",
    "tags.k > 'a'",
    "nosuch.k = 'a'",
])
def test_hostile_experiment_filters(tracking, known_runs, filter_string):
    exp_id, runs = known_runs
    api = tracking.api
    resp = api.post("experiments/search", {"max_results": 100, "filter": filter_string})
    if resp.status_code == 200:
        assert resp.json().get("experiments", []) == [], filter_string
    else:
        assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    assert_store_intact(api, exp_id, runs)


def test_hostile_names_are_just_names(tracking, known_runs):
    client = MlflowClient()
    name = "Robert'); DROP TABLE experiments; -- " + unique("x")
    exp_id = client.create_experiment(name)
    assert client.get_experiment_by_name(name).experiment_id == exp_id
    assert client.get_experiment_by_name("x' OR '1'='1") is None
    wild = unique("100%_done")
    wild_id = client.create_experiment(wild)
    assert client.get_experiment_by_name(wild).experiment_id == wild_id
    assert client.get_experiment_by_name(wild.replace("%_", "__")) is None
    assert client.get_experiment_by_name("%") is None
    # MLflow's grammar has no defined escape for a quote inside a string: accept a clean
    # rejection, no match, or exactly this experiment.
    quoted = name.replace("'", "''")
    try:
        found = [e.experiment_id for e in client.search_experiments(
            filter_string=f"name = '{quoted}'")]
    except MlflowException as err:
        assert err.error_code == "INVALID_PARAMETER_VALUE"
    else:
        assert found in ([exp_id], [])
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_param("q", "'; DELETE FROM params; --")
        mlflow.set_tag("q", "\" OR \"\"=\"")
    data = client.get_run(run.info.run_id).data
    assert data.params["q"] == "'; DELETE FROM params; --"
    assert data.tags["q"] == "\" OR \"\"=\""
    assert_store_intact(tracking.api, *known_runs)


def assert_store_intact(api, exp_id, runs):
    """The server still answers, and the known runs are all still there."""
    assert api.get("/health").status_code == 200
    body = api.ok(api.post("runs/search", {"experiment_ids": [exp_id],
                                           "filter": "params.x = '2'"}))
    assert [r["info"]["run_id"] for r in body.get("runs", [])] == [runs["2"]]
    body = api.ok(api.post("runs/search", {"experiment_ids": [exp_id]}))
    assert sorted(r["info"]["run_id"] for r in body["runs"]) == sorted(runs.values())
    assert api.ok(api.get("experiments/get", {"experiment_id": exp_id}))["experiment"]


# ---------------------------------------------------------------- value rules


def test_run_name_conflicting_with_tag(tracking):
    api = tracking.api
    exp_id = api.create_experiment(unique("names"))
    resp = api.post("runs/create", {"experiment_id": exp_id, "start_time": now_ms(),
                                    "run_name": "a",
                                    "tags": [{"key": "mlflow.runName", "value": "b"}]})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    # Agreeing name and tag are fine; a tag alone names the run.
    run_id = api.create_run(exp_id, run_name="same", tags={"mlflow.runName": "same"})
    assert api.get_run(run_id)["info"]["run_name"] == "same"
    run_id = api.create_run(exp_id, tags={"mlflow.runName": "from-tag"})
    assert api.get_run(run_id)["info"]["run_name"] == "from-tag"


def test_negative_timestamp_rejected_negative_step_accepted(tracking, run_id):
    api = tracking.api
    resp = api.post("runs/log-metric", {"run_id": run_id, "key": "m", "value": 1.0,
                                        "timestamp": -1})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    api.ok(api.post("runs/log-metric", {"run_id": run_id, "key": "m", "value": 2.0,
                                        "timestamp": 5, "step": -5}))
    assert [(m.step, m.value) for m in MlflowClient().get_metric_history(run_id, "m")] == [
        (-5, 2.0)]


def test_experiment_name_and_location_rules(tracking):
    client = MlflowClient()
    ok = client.create_experiment("n" * 490 + unique("")[:10])
    assert len(client.get_experiment(ok).name) == 500
    api = tracking.api
    assert_client_error(api.post("experiments/create", {"name": "n" * 501}))
    assert_client_error(api.post("experiments/create", {"name": unique("loc"),
                                                        "artifact_location": "runs:/abc/x"}))


def test_experiment_tag_value_limit_is_an_error(tracking):
    """MLflow 3.17 allows experiment tag values up to 20,000 characters (it was 5,000 before);
    beyond that it is an error, not a truncation."""
    client = MlflowClient()
    exp_id = client.create_experiment(unique("exp-tag-limit"))
    # A long experiment description, as the UI stores it.
    description = ("## Goal\n" + "Compare optimizers on the full data set. " * 300)[:12000]
    client.set_experiment_tag(exp_id, "mlflow.note.content", description)
    client.set_experiment_tag(exp_id, "ok", "v" * 20000)
    assert error_code_of(lambda: client.set_experiment_tag(exp_id, "long", "v" * 20001)) == \
        "INVALID_PARAMETER_VALUE"
    tags = client.get_experiment(exp_id).tags
    assert tags["mlflow.note.content"] == description
    assert tags["ok"] == "v" * 20000 and "long" not in tags


def test_bad_page_tokens(tracking, run_id):
    api = tracking.api
    for token in ("garbage!!", "eyJub3QiOiAib2Zmc2V0In0="):  # the second is {"not": "offset"}
        resp = api.post("runs/search", {"experiment_ids": ["0"], "page_token": token})
        assert_client_error(resp, "INVALID_PARAMETER_VALUE")
        resp = api.post("experiments/search", {"max_results": 10, "page_token": token})
        assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    resp = api.get("metrics/get-history", {"run_id": run_id, "metric_key": "m",
                                           "max_results": 5, "page_token": "garbage!!"})
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")


def test_search_runs_without_experiments_is_empty(tracking):
    api = tracking.api
    assert api.ok(api.post("runs/search", {})).get("runs", []) == []
    assert api.ok(api.post("runs/search", {"experiment_ids": []})).get("runs", []) == []


def test_huge_single_values_are_truncated_not_rejected(tracking, run_id):
    """A single param or tag well past log-batch's 1 MB body limit is truncated like any other."""
    client = MlflowClient()
    huge = "h" * 1_200_000
    client.log_param(run_id, "config", huge)
    client.set_tag(run_id, "notes", huge)
    data = client.get_run(run_id).data
    assert data.params["config"] == huge[:6000]
    assert data.tags["notes"] == huge[:8000]


def test_nul_characters_never_cause_5xx(tracking, run_id):
    """PostgreSQL cannot store NUL in text: a NUL must be stored intact or refused with 400."""
    api = tracking.api
    attempts = [
        ("runs/log-parameter", {"run_id": run_id, "key": "p", "value": "a\x00b"}),
        ("runs/set-tag", {"run_id": run_id, "key": "t", "value": "a\x00b"}),
        ("runs/log-batch", {"run_id": run_id, "params": [{"key": "q", "value": "\x00"}]}),
        ("experiments/create", {"name": "nul\x00name"}),
        ("runs/set-tag", {"run_id": run_id, "key": "k\x00", "value": "v"}),
    ]
    for path, body in attempts:
        resp = api.post(path, body)
        if resp.status_code != 200:
            assert_client_error(resp, "INVALID_PARAMETER_VALUE")
    resp = api.get("experiments/get-by-name", {"experiment_name": "nul\x00name"})
    assert resp.status_code in (200, 400, 404), resp.text
    if resp.status_code != 200:
        assert_mlflow_error(resp, resp.status_code)
    params, _, tags = run_data(api.get_run(run_id))
    for key in ("p", "q"):
        assert params.get(key) in (None, "a\x00b", "\x00")
    assert tags.get("t") in (None, "a\x00b")
