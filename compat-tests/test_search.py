"""search_runs and search_experiments over a known corpus, checked id by id, in order.

A module fixture builds 1,000 runs (plus 20 in a second experiment) through raw
REST from a thread pool. Every expectation is computed in Python from the data
we logged, with MLflow's ordering rules: the order_by keys in turn (rows missing
a key last, whatever the direction), then start_time DESC unless start_time was
one of the keys, then run id ASC.

Ordered string values are lowercase letters and digits of one length, so the
expected order holds under any database collation.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

from compat_helpers import Api, unique

N_RUNS = 1000
BASE = 1_700_000_000_000
MODELS = ("cnn", "rnn", "mlp", "CNNbig")
TEAMS = ("vision", "nlp", "speech")
STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")


@dataclasses.dataclass
class Row:
    i: int
    experiment_id: str
    name: str
    start_time: int
    user: str
    status: str
    deleted: bool
    params: dict
    metrics: dict  # latest values
    tags: dict
    run_id: str = ""


def make_row(i: int, experiment_id: str, prefix: str = "run") -> Row:
    acc = ((i * 7) % 1000) / 1000.0
    params = {"model": MODELS[i % 4], "seed": f"s{(i * 37) % 100:03d}"}
    if i % 3:
        params["opt"] = "adam"
    if i % 2 == 0:
        params["batch size"] = str(16 * (1 + (i // 2) % 4))
    metrics = {"acc": acc, "epochs": float(i % 5)}
    if i % 5:
        metrics["loss"] = 1.0 - acc
    if i % 2:
        metrics["val.acc"] = acc - 0.05
    if i % 10 == 3:
        metrics["score"] = math.nan
    elif i % 50 == 4:
        metrics["score"] = math.inf
    elif i % 50 == 5:
        metrics["score"] = -math.inf
    elif i % 10 != 7:
        metrics["score"] = float(i % 13)
    tags = {"team": TEAMS[i % 3], "team.lead": f"lead{i % 7}"}
    if i % 2 == 0:
        tags["priority"] = "high"
    return Row(
        i=i, experiment_id=experiment_id, name=f"{prefix}-{i:04d}",
        start_time=BASE + (i % 250) * 1000,  # four runs share each start time
        user="alice" if i % 2 == 0 else "bob",
        status=STATUSES[i % 4], deleted=(i % 100 == 99),
        params=params, metrics=metrics, tags=tags,
    )


def store_row(api: Api, row: Row) -> None:
    body = {
        "experiment_id": row.experiment_id, "run_name": row.name, "start_time": row.start_time,
        "user_id": row.user, "tags": [{"key": k, "value": v} for k, v in row.tags.items()],
    }
    row.run_id = api.ok(api.post("runs/create", body))["run"]["info"]["run_id"]
    acc, ts = row.metrics["acc"], row.start_time + 100
    metrics = [
        # The latest value is the one at the highest step, though logged first and with the
        # oldest timestamp.
        {"key": "acc", "value": acc, "timestamp": ts, "step": 2},
        {"key": "acc", "value": 0.0, "timestamp": ts + 50, "step": 0},
        {"key": "acc", "value": acc / 2, "timestamp": ts + 60, "step": 1},
    ]
    metrics += [{"key": k, "value": wire_float(v), "timestamp": ts, "step": 0}
                for k, v in row.metrics.items() if k != "acc"]
    api.ok(api.log_batch(row.run_id, metrics=metrics,
                         params=[{"key": k, "value": v} for k, v in row.params.items()]))
    if row.status != "RUNNING":
        api.ok(api.post("runs/update", {"run_id": row.run_id, "status": row.status,
                                        "end_time": row.start_time + 5000}))
    if row.deleted:
        api.ok(api.post("runs/delete", {"run_id": row.run_id}))


def wire_float(value: float):
    """MLflow's JSON spelling of non-finite doubles."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


@dataclasses.dataclass
class Corpus:
    main: str
    other: str
    rows: list[Row]

    def by_index(self, i: int) -> Row:
        return self.rows[i]


@pytest.fixture(scope="module")
def corpus(server) -> Corpus:
    setup_api = server.api
    main = setup_api.create_experiment(unique("search-main"))
    other = setup_api.create_experiment(unique("search-other"))
    rows = [make_row(i, main) for i in range(N_RUNS)]
    rows += [make_row(i, other, prefix="other") for i in range(20)]

    local = threading.local()

    def store(row):
        if not hasattr(local, "api"):
            local.api = Api(server.url)
        store_row(local.api, row)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(store, rows))
    print(f"corpus of {len(rows)} runs stored in {time.monotonic() - started:.1f}s")
    return Corpus(main, other, rows)


# ------------------------------------------------------------------ expected results


def ordered(rows, order=()):
    """MLflow's run ordering. order: (getter, ascending) pairs; getter returns None if missing."""
    rows = sorted(rows, key=lambda r: r.run_id)
    if not any(getattr(getter, "is_start_time", False) for getter, _ in order):
        rows = sorted(rows, key=lambda r: r.start_time, reverse=True)
    for getter, ascending in reversed(order):
        def is_nan(r):
            value = getter(r)
            return isinstance(value, float) and math.isnan(value)
        present = [r for r in rows if getter(r) is not None and not is_nan(r)]
        nans = [r for r in rows if getter(r) is not None and is_nan(r)]
        missing = [r for r in rows if getter(r) is None]
        # Real values in the asked direction, then NaN, then rows without the key.
        rows = sorted(present, key=getter, reverse=not ascending) + nans + missing
    return [r.run_id for r in rows]


def metric(key):
    return lambda r: r.metrics.get(key)


def param(key):
    return lambda r: r.params.get(key)


def tag(key):
    return lambda r: r.tags.get(key)


def start_time(r):
    return r.start_time


start_time.is_start_time = True


def expected(corpus, where, order=(), view=ViewType.ACTIVE_ONLY, experiments=None):
    experiments = experiments or [corpus.main]
    keep = {ViewType.ACTIVE_ONLY: lambda r: not r.deleted,
            ViewType.DELETED_ONLY: lambda r: r.deleted,
            ViewType.ALL: lambda r: True}[view]
    chosen = [r for r in corpus.rows
              if r.experiment_id in experiments and keep(r) and where(r)]
    return ordered(chosen, order)


def search_all_pages(client, experiment_ids, filter_string="", order_by=None, page_size=1000,
                     view=ViewType.ACTIVE_ONLY):
    ids, token, pages = [], None, 0
    while True:
        page = client.search_runs(experiment_ids, filter_string, run_view_type=view,
                                  max_results=page_size, order_by=order_by, page_token=token)
        assert len(page) <= page_size
        if page.token:
            assert len(page) == page_size, "a page before the last one is short"
        ids += [r.info.run_id for r in page]
        token, pages = page.token, pages + 1
        if not token:
            return ids
        assert pages <= N_RUNS, "page tokens never run out"


def in_range(lo, hi):
    return lambda v: v is not None and lo <= v < hi


# ------------------------------------------------------------------ filters

FILTER_CASES = {
    # metrics: the latest value of each run
    "metrics.acc > 0.9": lambda r: r.metrics["acc"] > 0.9,
    "metrics.acc >= 0.5 AND metrics.loss < 0.3":
        lambda r: r.metrics["acc"] >= 0.5 and "loss" in r.metrics and r.metrics["loss"] < 0.3,
    "metrics.acc > 0.5 AND metrics.acc < 0.6": lambda r: 0.5 < r.metrics["acc"] < 0.6,
    "metrics.epochs = 3": lambda r: r.metrics["epochs"] == 3.0,
    "metrics.epochs != 3": lambda r: r.metrics["epochs"] != 3.0,
    "metrics.loss <= 0.1": lambda r: "loss" in r.metrics and r.metrics["loss"] <= 0.1,
    "metrics.`val.acc` > 0.5": lambda r: "val.acc" in r.metrics and r.metrics["val.acc"] > 0.5,
    "metrics.acc > 9e-1": lambda r: r.metrics["acc"] > 0.9,
    "metrics.acc >= -1.5 AND metrics.acc < 0.003": lambda r: r.metrics["acc"] < 0.003,
    "metric.epochs = 0": lambda r: r.metrics["epochs"] == 0.0,
    # NaN never compares true except with !=; ±inf are ordinary extremes
    "metrics.score > 5": lambda r: r.metrics.get("score", math.nan) > 5,
    "metrics.score != 5": lambda r: "score" in r.metrics and not r.metrics["score"] == 5,
    "metrics.score <= 0": lambda r: r.metrics.get("score", math.nan) <= 0,
    "metrics.score = 0": lambda r: r.metrics.get("score") == 0.0,
    "metrics.score >= 1e308": lambda r: r.metrics.get("score") == math.inf,
    "metrics.score < -1e308": lambda r: r.metrics.get("score") == -math.inf,
    # params
    "params.model = 'cnn'": lambda r: r.params["model"] == "cnn",
    'params.model = "rnn"': lambda r: r.params["model"] == "rnn",
    "params.model != 'cnn'": lambda r: r.params["model"] != "cnn",
    "params.model LIKE 'c%'": lambda r: r.params["model"].startswith("c"),
    "params.model ILIKE 'c%'": lambda r: r.params["model"].lower().startswith("c"),
    "params.model LIKE '%nn%'": lambda r: "nn" in r.params["model"],
    "params.model ILIKE '%NN'": lambda r: r.params["model"].lower().endswith("nn"),
    "params.model LIKE '_nn'": lambda r: len(r.params["model"]) == 3
        and r.params["model"].endswith("nn"),
    "params.opt IS NULL": lambda r: "opt" not in r.params,
    "params.opt IS NOT NULL": lambda r: "opt" in r.params,
    "params.`batch size` = '32'": lambda r: r.params.get("batch size") == "32",
    "params.`batch size` IS NULL AND tags.priority IS NULL":
        lambda r: "batch size" not in r.params and "priority" not in r.tags,
    "params.opt != 'sgd'": lambda r: "opt" in r.params,
    "params.seed = 's007' AND params.model != 'rnn'":
        lambda r: r.params["seed"] == "s007" and r.params["model"] != "rnn",
    "param.model = 'mlp'": lambda r: r.params["model"] == "mlp",
    "parameters.opt = 'adam' AND params.model = 'CNNbig'":
        lambda r: r.params.get("opt") == "adam" and r.params["model"] == "CNNbig",
    # tags
    "tags.team = 'nlp'": lambda r: r.tags["team"] == "nlp",
    "tags.team != 'nlp'": lambda r: r.tags["team"] != "nlp",
    "tags.priority IS NOT NULL": lambda r: "priority" in r.tags,
    "tags.`team.lead` = 'lead3'": lambda r: r.tags["team.lead"] == "lead3",
    "tags.team LIKE '%o%'": lambda r: "o" in r.tags["team"],
    "tags.priority != 'low'": lambda r: "priority" in r.tags,
    "tag.team = 'speech'": lambda r: r.tags["team"] == "speech",
    "tags.`mlflow.runName` = 'run-0500'": lambda r: r.name == "run-0500",
    # attributes
    "attributes.run_name = 'run-0042'": lambda r: r.name == "run-0042",
    "attributes.run_name LIKE 'run-00%'": lambda r: r.name.startswith("run-00"),
    "attributes.run_name ILIKE 'RUN-01%'": lambda r: r.name.startswith("run-01"),
    "attributes.status = 'FAILED'": lambda r: r.status == "FAILED",
    "attributes.status != 'RUNNING'": lambda r: r.status != "RUNNING",
    "attr.status = 'KILLED' AND metrics.acc < 0.2":
        lambda r: r.status == "KILLED" and r.metrics["acc"] < 0.2,
    "status = 'KILLED' AND params.model = 'CNNbig'":
        lambda r: r.status == "KILLED" and r.params["model"] == "CNNbig",
    "run_name = 'run-0007'": lambda r: r.name == "run-0007",
    "attributes.`Run name` = 'run-0001'": lambda r: r.name == "run-0001",
    f"attributes.created >= {BASE + 245_000}": lambda r: r.start_time >= BASE + 245_000,
    f"attributes.end_time > {BASE + 200_000}":
        lambda r: r.status != "RUNNING" and r.start_time + 5000 > BASE + 200_000,
    "attributes.user_id = 'alice' AND metrics.acc < 0.1":
        lambda r: r.user == "alice" and r.metrics["acc"] < 0.1,
    f"attributes.start_time >= {BASE + 10_000} AND attributes.start_time < {BASE + 20_000}":
        lambda r: BASE + 10_000 <= r.start_time < BASE + 20_000,
    f"attributes.start_time > {BASE + 240_000}": lambda r: r.start_time > BASE + 240_000,
    f"attributes.start_time = {BASE + 5_000}": lambda r: r.start_time == BASE + 5_000,
    f"attributes.start_time <= {BASE}": lambda r: r.start_time <= BASE,
    # combinations over every kind
    "params.model = 'cnn' AND tags.team = 'vision' AND metrics.acc > 0.3 "
    "AND attributes.status = 'RUNNING'":
        lambda r: r.params["model"] == "cnn" and r.tags["team"] == "vision"
        and r.metrics["acc"] > 0.3 and r.status == "RUNNING",
    "params.model = 'cnn' and attributes.status = 'FINISHED'": lambda r: False,
    "params.nosuchparam = 'x'": lambda r: False,
    "metrics.nosuchmetric > 0": lambda r: False,
    "": lambda r: True,
    # comparisons are case-sensitive; LIKE's _ is one character
    "params.model = 'CNNBIG'": lambda r: False,
    "tags.team = 'NLP'": lambda r: False,
    "attributes.run_name = 'RUN-0042'": lambda r: False,
    "params.model LIKE 'cnn'": lambda r: r.params["model"] == "cnn",
    "attributes.run_name LIKE 'run-004_'": lambda r: r.name.startswith("run-004"),
    "attributes.run_name ILIKE 'RUN-00_1'": lambda r: r.name[:6] == "run-00" and r.name[7] == "1",
    # spelling variants users write
    "params.model='cnn'": lambda r: r.params["model"] == "cnn",
    "metrics.acc>0.9": lambda r: r.metrics["acc"] > 0.9,
    "  params.model  =  'mlp'   and   metrics.acc <= 0.05  ":
        lambda r: r.params["model"] == "mlp" and r.metrics["acc"] <= 0.05,
    "params.model like 'c%'": lambda r: r.params["model"].startswith("c"),
    "params.model ilike 'cnnB%'": lambda r: r.params["model"] == "CNNbig",
    "params.opt is null and tags.team = 'nlp'":
        lambda r: "opt" not in r.params and r.tags["team"] == "nlp",
    "params.opt is not null and tags.team = 'nlp'":
        lambda r: "opt" in r.params and r.tags["team"] == "nlp",
    "attributes.status = 'FAILED' AND": lambda r: r.status == "FAILED",
}


@pytest.mark.parametrize("filter_string", list(FILTER_CASES))
def test_search_runs_filters(tracking, corpus, filter_string):
    want = expected(corpus, FILTER_CASES[filter_string])
    got = search_all_pages(MlflowClient(), [corpus.main], filter_string)
    assert got == want, f"{filter_string!r}: {len(got)} runs instead of {len(want)}"


def test_search_by_run_id_list(tracking, corpus):
    rows = corpus.rows
    picked = [rows[3], rows[99], rows[500], rows[998], rows[N_RUNS + 1]]  # 99: deleted,
    ids = ", ".join(f"'{r.run_id}'" for r in picked)                     # last: other exp
    client = MlflowClient()
    got = search_all_pages(client, [corpus.main], f"attributes.run_id IN ({ids})")
    assert got == ordered([rows[3], rows[500], rows[998]])

    assert search_all_pages(client, [corpus.main], f"attributes.run_id = '{rows[7].run_id}'") \
        == [rows[7].run_id]
    assert search_all_pages(client, [corpus.main], f"run_id != '{rows[7].run_id}' "
                            "AND attributes.run_name LIKE 'run-000%'") == \
        expected(corpus, lambda r: r.name.startswith("run-000") and r.i != 7)

    got = search_all_pages(client, [corpus.main, corpus.other], f"attributes.run_id IN ({ids})")
    assert got == ordered([rows[3], rows[500], rows[998], rows[N_RUNS + 1]])

    got = search_all_pages(client, [corpus.main],
                           f"attributes.run_id NOT IN ({ids}) AND params.model = 'mlp' "
                           "AND metrics.acc < 0.1")
    assert got == expected(corpus, lambda r: r not in picked and r.params["model"] == "mlp"
                           and r.metrics["acc"] < 0.1)


def test_pandas_search_runs(tracking, corpus):
    frame = mlflow.search_runs(experiment_ids=[corpus.main],
                               filter_string="tags.team = 'speech' AND metrics.acc < 0.3",
                               order_by=["params.seed ASC"])
    want = expected(corpus, lambda r: r.tags["team"] == "speech" and r.metrics["acc"] < 0.3,
                    [(param("seed"), True)])
    assert list(frame["run_id"]) == want
    by_id = {r.run_id: r for r in corpus.rows}
    for _, row in frame.iterrows():
        r = by_id[row["run_id"]]
        assert row["params.seed"] == r.params["seed"]
        assert row["metrics.acc"] == r.metrics["acc"]
        assert row["tags.team"] == "speech"
        assert row["status"] == r.status

    frame = mlflow.search_runs(experiment_ids=[corpus.main], max_results=25)
    assert list(frame["run_id"]) == expected(corpus, lambda r: True)[:25]

    frame = mlflow.search_runs(experiment_names=[MlflowClient().get_experiment(corpus.main).name])
    assert list(frame["run_id"]) == expected(corpus, lambda r: True)


# ------------------------------------------------------------------ ordering

ORDER_CASES = [
    (["metrics.acc DESC"], [(metric("acc"), False)]),
    (["metrics.acc"], [(metric("acc"), True)]),
    (["metrics.epochs DESC", "params.seed ASC", "attributes.start_time ASC"],
     [(metric("epochs"), False), (param("seed"), True), (start_time, True)]),
    (["metrics.loss ASC"], [(metric("loss"), True)]),
    (["metrics.loss DESC"], [(metric("loss"), False)]),
    (["metrics.`val.acc` desc"], [(metric("val.acc"), False)]),
    (["metrics.score DESC"], [(metric("score"), False)]),
    (["metrics.score ASC", "params.seed DESC"], [(metric("score"), True), (param("seed"), False)]),
    (["attributes.created ASC"], [(start_time, True)]),
    (["params.seed DESC", "tags.team ASC"], [(param("seed"), False), (tag("team"), True)]),
    (["params.opt ASC", "metrics.acc ASC"], [(param("opt"), True), (metric("acc"), True)]),
    (["params.`batch size` DESC"], [(param("batch size"), False)]),
    (["tags.priority DESC", "metrics.epochs ASC"], [(tag("priority"), False),
                                                     (metric("epochs"), True)]),
    (["attributes.start_time ASC"], [(start_time, True)]),
    (["attributes.start_time DESC"], [(start_time, False)]),
    (["attributes.run_name DESC"], [(lambda r: r.name, False)]),
    (["attributes.status ASC", "metrics.acc DESC"], [(lambda r: r.status, True),
                                                     (metric("acc"), False)]),
    (["metrics.nosuch DESC", "params.nosuch ASC"], [(metric("nosuch"), False),
                                                    (param("nosuch"), True)]),
    ([], []),
]


@pytest.mark.parametrize("order_by, order", ORDER_CASES, ids=[", ".join(o) or "default"
                                                             for o, _ in ORDER_CASES])
def test_search_runs_order_by(tracking, corpus, order_by, order):
    client = MlflowClient()
    want = expected(corpus, lambda r: True, order)
    assert search_all_pages(client, [corpus.main], "", order_by) == want
    # The same order applies inside a filtered result.
    want = expected(corpus, lambda r: r.params["model"] in ("cnn", "mlp"), order)
    got = search_all_pages(client, [corpus.main],
                           "params.model != 'rnn' AND params.model != 'CNNbig'", order_by)
    assert got == want


# ------------------------------------------------------------------ paging and views


@pytest.mark.parametrize("page_size", [1000, 137, 50])
def test_paging_through_all_runs(tracking, corpus, page_size):
    client = MlflowClient()
    order_by = ["metrics.acc DESC"]
    want = expected(corpus, lambda r: True, [(metric("acc"), False)])
    ids, token, pages = [], None, []
    while True:
        page = client.search_runs([corpus.main], "", max_results=page_size, order_by=order_by,
                                  page_token=token)
        pages.append(len(page))
        ids += [r.info.run_id for r in page]
        token = page.token
        if not token:
            break
        assert len(pages) < 100
    assert ids == want
    full_pages = len(want) // page_size
    assert pages[:full_pages] == [page_size] * full_pages
    assert sum(pages) == len(want)
    assert len(pages) >= -(-len(want) // page_size)


def test_paging_raw_tokens(tracking, corpus):
    api = tracking.api
    want = expected(corpus, lambda r: r.params["model"] == "cnn")
    ids, token = [], None
    while True:
        body = {"experiment_ids": [corpus.main], "filter": "params.model = 'cnn'",
                "max_results": 40}
        if token:
            body["page_token"] = token
        answer = api.ok(api.post("runs/search", body))
        ids += [r["info"]["run_id"] for r in answer.get("runs", [])]
        token = answer.get("next_page_token")
        if not token:
            break
        assert isinstance(token, str)
    assert ids == want


def test_view_types(tracking, corpus):
    client = MlflowClient()
    deleted = search_all_pages(client, [corpus.main], view=ViewType.DELETED_ONLY)
    assert deleted == expected(corpus, lambda r: True, view=ViewType.DELETED_ONLY)
    assert len(deleted) == 10
    every = search_all_pages(client, [corpus.main], view=ViewType.ALL, page_size=300)
    assert every == expected(corpus, lambda r: True, view=ViewType.ALL)
    assert len(every) == N_RUNS
    killed_deleted = search_all_pages(client, [corpus.main], "attributes.status = 'KILLED'",
                                      view=ViewType.DELETED_ONLY)
    assert killed_deleted == expected(corpus, lambda r: r.status == "KILLED",
                                      view=ViewType.DELETED_ONLY)


def test_search_across_experiments(tracking, corpus):
    both = [corpus.main, corpus.other]
    got = search_all_pages(MlflowClient(), both, "params.model = 'cnn'",
                           order_by=["attributes.run_name ASC"])
    assert got == expected(corpus, lambda r: r.params["model"] == "cnn",
                           [(lambda r: r.name, True)], experiments=both)
    assert MlflowClient().search_runs([corpus.other], "attributes.run_name LIKE 'run-%'") == []


def test_search_result_content(tracking, corpus):
    """A search hit carries the same info, params, latest metrics and tags as get_run."""
    client = MlflowClient()
    row = corpus.by_index(421)
    [hit] = client.search_runs([corpus.main], f"attributes.run_name = '{row.name}'")
    assert hit.info.run_id == row.run_id
    assert hit.info.start_time == row.start_time
    assert hit.info.end_time == row.start_time + 5000
    assert hit.info.status == row.status
    assert hit.info.user_id == row.user
    assert hit.data.params == row.params
    assert hit.data.metrics == row.metrics
    assert {k: v for k, v in hit.data.tags.items() if not k.startswith("mlflow.")} == row.tags
    assert hit.data.tags["mlflow.runName"] == row.name
    fetched = client.get_run(row.run_id)
    assert fetched.data.metrics == hit.data.metrics and fetched.data.params == hit.data.params


def test_search_validation_errors(tracking, corpus):
    client = MlflowClient()
    for bad in ("metrics.acc > 'high'", "params.model > 'a'", "params.model = cnn",
                "attributes.status IS NULL", "metrics.acc IN (1, 2)"):
        with pytest.raises(MlflowException) as err:
            client.search_runs([corpus.main], bad)
        assert err.value.error_code == "INVALID_PARAMETER_VALUE", bad
    with pytest.raises(MlflowException) as err:
        client.search_runs([corpus.main], "", max_results=50001)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as err:
        client.search_runs([corpus.main], "", page_token="not-a-token")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


# ------------------------------------------------------------------ experiments


EXPERIMENT_TAGS = {
    "proj-alpha-1": {"team": "vision", "tier": "1"},
    "proj-alpha-2": {"team": "nlp", "tier": "2"},
    "proj-beta-1": {"team": "vision"},
    "proj-gamma": {"team": "speech", "tier": "1"},
    "other-x": {},
    "other-y": {"tier": "3"},
}


@pytest.fixture
def experiments(fresh_tracking):
    """Six experiments in a store of their own, created a few ms apart; two deleted."""
    client = MlflowClient()
    ids = {}
    for name, tags in EXPERIMENT_TAGS.items():
        time.sleep(0.005)
        ids[name] = client.create_experiment(name, tags=tags or None)
    client.delete_experiment(ids["proj-beta-1"])
    client.delete_experiment(ids["other-x"])
    ids["Default"] = "0"
    return ids


def names(experiment_list):
    return [e.name for e in experiment_list]


EXPERIMENT_CASES = [
    # (view, filter, order_by, expected names)
    (ViewType.ACTIVE_ONLY, None, None,
     ["other-y", "proj-gamma", "proj-alpha-2", "proj-alpha-1", "Default"]),
    (ViewType.DELETED_ONLY, None, None, ["other-x", "proj-beta-1"]),
    (ViewType.ALL, None, None, ["other-y", "other-x", "proj-gamma", "proj-beta-1",
                                "proj-alpha-2", "proj-alpha-1", "Default"]),
    (ViewType.ACTIVE_ONLY, "name LIKE 'proj-%'", ["name ASC"],
     ["proj-alpha-1", "proj-alpha-2", "proj-gamma"]),
    (ViewType.ALL, "name LIKE 'proj-%'", ["name DESC"],
     ["proj-gamma", "proj-beta-1", "proj-alpha-2", "proj-alpha-1"]),
    (ViewType.ALL, "name LIKE 'PROJ-%'", None, []),
    (ViewType.ALL, "name ILIKE 'PROJ-%1'", ["name ASC"], ["proj-alpha-1", "proj-beta-1"]),
    (ViewType.ACTIVE_ONLY, "name = 'Default'", None, ["Default"]),
    (ViewType.ACTIVE_ONLY, "name != 'Default'", ["creation_time ASC"],
     ["proj-alpha-1", "proj-alpha-2", "proj-gamma", "other-y"]),
    (ViewType.ALL, "tags.team = 'vision'", ["name ASC"], ["proj-alpha-1", "proj-beta-1"]),
    (ViewType.ACTIVE_ONLY, "tags.tier = '1' AND tags.team != 'vision'", None, ["proj-gamma"]),
    (ViewType.ACTIVE_ONLY, "tags.tier IS NULL", ["name ASC"], ["Default"]),
    (ViewType.ALL, "tags.tier IS NULL", ["name ASC"], ["Default", "other-x", "proj-beta-1"]),
    (ViewType.ACTIVE_ONLY, "tags.team IS NOT NULL AND tags.team LIKE '%i%'", ["name DESC"],
     ["proj-alpha-1"]),
    (ViewType.ACTIVE_ONLY, "tags.`team` ILIKE 'NLP'", None, ["proj-alpha-2"]),
    (ViewType.ACTIVE_ONLY, None, ["experiment_id DESC"], "by experiment_id DESC"),
    (ViewType.ACTIVE_ONLY, None, ["last_update_time ASC"], "by last_update_time ASC"),
]


@pytest.mark.parametrize("view, filter_string, order_by, want", EXPERIMENT_CASES)
def test_search_experiments(experiments, view, filter_string, order_by, want):
    client = MlflowClient()
    got = client.search_experiments(view_type=view, filter_string=filter_string,
                                    order_by=order_by)
    active = ["Default", "proj-alpha-1", "proj-alpha-2", "proj-gamma", "other-y"]
    if want == "by experiment_id DESC":  # ids are integers in MLflow's SQL store
        assert sorted(names(got)) == sorted(active)
        ids = [int(e.experiment_id) for e in got]
        assert ids == sorted(ids, reverse=True)
    elif want == "by last_update_time ASC":
        assert sorted(names(got)) == sorted(active)
        times = [e.last_update_time for e in got]
        assert times == sorted(times)
    else:
        assert names(got) == want
    for e in got:
        assert e.experiment_id == experiments[e.name]
        assert e.tags == EXPERIMENT_TAGS.get(e.name, {})
        assert e.creation_time and e.last_update_time


def test_search_experiments_creation_time_filter(experiments):
    client = MlflowClient()
    pivot = client.get_experiment(experiments["proj-alpha-2"]).creation_time
    got = client.search_experiments(filter_string=f"creation_time > {pivot}",
                                    order_by=["creation_time ASC"])
    assert names(got) == ["proj-gamma", "other-y"]
    got = client.search_experiments(view_type=ViewType.ALL,
                                    filter_string=f"creation_time <= {pivot} AND name != 'Default'",
                                    order_by=["name ASC"])
    assert names(got) == ["proj-alpha-1", "proj-alpha-2"]


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_search_experiments_paging(experiments, page_size):
    client = MlflowClient()
    want = ["Default", "other-x", "other-y", "proj-alpha-1", "proj-alpha-2", "proj-beta-1",
            "proj-gamma"]
    got, token, sizes = [], None, []
    while True:
        page = client.search_experiments(view_type=ViewType.ALL, max_results=page_size,
                                         order_by=["name ASC"], page_token=token)
        sizes.append(len(page))
        got += names(page)
        token = page.token
        if not token:
            break
        assert len(sizes) < 20
    assert got == want
    full = len(want) // page_size
    assert sizes[:full] == [page_size] * full


def test_search_experiments_requires_max_results(fresh_tracking):
    api = fresh_tracking.api
    resp = api.post("experiments/search", {"max_results": 0})
    assert resp.status_code == 400, resp.text
    resp = api.post("experiments/search", {"max_results": 50001})
    assert resp.status_code == 400, resp.text


def test_latest_metric_follows_updates(tracking):
    """Search filters and sorts on the latest value, which each new point may change."""
    client = MlflowClient()
    exp_id = client.create_experiment(unique("latest-updates"))
    a = client.create_run(exp_id, run_name="a").info.run_id
    b = client.create_run(exp_id, run_name="b").info.run_id
    t0 = 1_700_000_000_000

    def hits(filter_string):
        return sorted(r.info.run_name for r in client.search_runs([exp_id], filter_string))

    client.log_metric(a, "m", 1.0, timestamp=t0, step=5)
    client.log_metric(b, "m", 2.0, timestamp=t0, step=1)
    assert hits("metrics.m = 1") == ["a"]
    # A lower step logged later does not become the latest value.
    client.log_metric(a, "m", 9.0, timestamp=t0 + 10, step=3)
    assert hits("metrics.m = 1") == ["a"] and hits("metrics.m = 9") == []
    # Same step, later timestamp: it does.
    client.log_metric(a, "m", 0.5, timestamp=t0 + 20, step=5)
    assert hits("metrics.m = 0.5") == ["a"] and hits("metrics.m = 1") == []
    # Higher step: the latest moves again, also for sorting.
    client.log_metric(b, "m", 0.25, timestamp=t0 - 5, step=8)
    assert hits("metrics.m < 1") == ["a", "b"]
    assert [r.info.run_name for r in client.search_runs(
        [exp_id], order_by=["metrics.m ASC"])] == ["b", "a"]
    # NaN as the latest value: matches only !=.
    client.log_metric(b, "m", math.nan, timestamp=t0, step=9)
    assert hits("metrics.m < 1") == ["a"]
    assert hits("metrics.m != 0.5") == ["b"]
    assert [r.info.run_name for r in client.search_runs(
        [exp_id], order_by=["metrics.m DESC"])] == ["a", "b"]
    assert client.get_run(a).data.metrics["m"] == 0.5
    assert math.isnan(client.get_run(b).data.metrics["m"])


def test_search_experiments_by_id(experiments):
    """MLflow 3.17 filters experiments by id with =, !=, IN and NOT IN (ids quoted)."""
    client = MlflowClient()
    a, g, x = experiments["proj-alpha-1"], experiments["proj-gamma"], experiments["other-x"]

    def found(filter_string, view=ViewType.ALL):
        return sorted(e.name for e in client.search_experiments(view_type=view,
                                                                 filter_string=filter_string))

    assert found(f"experiment_id = '{a}'") == ["proj-alpha-1"]
    assert found(f"experiment_id IN ('{a}', '{g}', '{x}')") == ["other-x", "proj-alpha-1",
                                                                "proj-gamma"]
    assert found(f"experiment_id IN ('{a}', '{g}', '{x}')", ViewType.ACTIVE_ONLY) == [
        "proj-alpha-1", "proj-gamma"]
    assert found(f"experiment_id NOT IN ('{a}', '{g}') AND name LIKE 'proj-%'") == [
        "proj-alpha-2", "proj-beta-1"]
    assert found(f"experiment_id != '{a}' AND tags.team = 'vision'") == ["proj-beta-1"]
