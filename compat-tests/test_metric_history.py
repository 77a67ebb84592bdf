"""Metric history: every point back exactly (NaN, ±inf, big steps, duplicates dropped),
paging, and the bulk endpoints the UI charts use."""

import math

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric

from compat_helpers import assert_client_error, now_ms, unique

INF = math.inf
BIG = 2**31


def comparable(value: float):
    """NaN != NaN, so compare NaN by a marker."""
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def points(history):
    return [(m.timestamp, m.step, comparable(m.value)) for m in history]


@pytest.fixture
def run_id(tracking):
    experiment = mlflow.set_experiment(unique("metric-history"))
    return MlflowClient().create_run(experiment.experiment_id).info.run_id


def logged_curve(t0: int):
    """(timestamp, step, value) points, one distinct timestamp each, in time order."""
    values = [0.5, -0.25, math.nan, INF, -INF, 0.0, -1e300, 1e300, 3.141592653589793,
              1e-300, -7.0, 2.5]
    steps = [0, 1, 2, 3, 4, 5, BIG - 1, BIG, BIG + 7, 2**40 + 1, 2**52, 6]
    return [(t0 + 10 * i, step, value) for i, (step, value) in enumerate(zip(steps, values))]


def test_history_keeps_every_point_exactly(tracking, run_id):
    client = MlflowClient()
    curve = logged_curve(now_ms() - 100_000)
    # Logged out of time order, in two calls, with every point of the second call repeated.
    batch = [Metric("curve", v, ts, step) for ts, step, v in reversed(curve)]
    client.log_batch(run_id, metrics=batch[:5])
    client.log_batch(run_id, metrics=batch[5:] + batch[5:])
    for ts, step, v in curve[:3]:  # exact duplicates again, one call each
        client.log_metric(run_id, "curve", v, timestamp=ts, step=step)

    history = client.get_metric_history(run_id, "curve")
    assert points(history) == [(ts, step, comparable(v)) for ts, step, v in curve]
    by_step = {m.step: m.value for m in history}
    assert math.isnan(by_step[2])
    assert math.isinf(by_step[3]) and by_step[3] > 0
    assert math.isinf(by_step[4]) and by_step[4] < 0
    assert by_step[BIG + 7] == 3.141592653589793
    assert by_step[2**52] == -7.0
    # Latest value = the point with the highest step.
    assert client.get_run(run_id).data.metrics["curve"] == -7.0


def test_extreme_finite_doubles_survive(tracking, run_id):
    """The largest finite double is not infinity, and subnormals are not zero."""
    client = MlflowClient()
    values = [1.7976931348623157e308, -1.7976931348623157e308, 5e-324, -5e-324,
              2.2250738585072014e-308, 0.1 + 0.2, 1 / 3, 123456789.123456789, 0.0]
    t0 = now_ms()
    client.log_batch(run_id, metrics=[Metric("edge", v, t0 + i, i) for i, v in enumerate(values)])
    client.log_metric(run_id, "epoch-zero", 4.0, timestamp=0, step=0)
    history = client.get_metric_history(run_id, "edge")
    assert [m.value for m in history] == values
    assert not any(math.isinf(m.value) for m in history)
    assert [(m.timestamp, m.value) for m in client.get_metric_history(run_id, "epoch-zero")] == [
        (0, 4.0)]


def test_full_int64_steps_and_timestamps(tracking, run_id):
    """step and timestamp are int64: values past 2^53 (e.g. a nanosecond clock used as the
    timestamp) must come back exactly, not rounded and not refused."""
    client = MlflowClient()
    ns_now = 1_795_000_000_123_456_789
    points_in = [(ns_now, 2**62 + 1, 1.5), (ns_now + 1, 2**53 + 1, 2.5),
                 (ns_now + 2, -(2**62) - 3, 3.5), (ns_now + 3, 2**63 - 1, 4.5)]
    client.log_batch(run_id, metrics=[Metric("wide", v, ts, s) for ts, s, v in points_in])
    client.log_metric(run_id, "wide-single", 7.0, timestamp=ns_now + 9, step=2**60 + 7)
    history = client.get_metric_history(run_id, "wide")
    assert sorted(points(history)) == sorted(points_in)
    [single] = client.get_metric_history(run_id, "wide-single")
    assert (single.timestamp, single.step) == (ns_now + 9, 2**60 + 7)
    assert client.get_run(run_id).data.metrics["wide"] == 4.5  # the highest step


def test_same_step_keeps_distinct_points(tracking, run_id):
    client = MlflowClient()
    t0 = now_ms()
    client.log_batch(run_id, metrics=[
        Metric("loss", 1.0, t0, 0),
        Metric("loss", 2.0, t0, 0),       # same timestamp and step, other value
        Metric("loss", 1.0, t0 + 1, 0),   # same value and step, other timestamp
        Metric("loss", 1.0, t0, 0),       # exact duplicate: dropped
    ])
    history = client.get_metric_history(run_id, "loss")
    assert points(history) == [(t0, 0, 1.0), (t0, 0, 2.0), (t0 + 1, 0, 1.0)]
    # Latest = max of (step, timestamp, value): the later timestamp wins over the larger value.
    assert client.get_run(run_id).data.metrics["loss"] == 1.0
    client.log_batch(run_id, metrics=[Metric("tie", 3.0, t0, 4), Metric("tie", 7.0, t0, 4),
                                      Metric("tie", 5.0, t0, 4), Metric("tie", 9.0, t0 + 5, 3)])
    assert client.get_run(run_id).data.metrics["tie"] == 7.0


@pytest.mark.parametrize("last, check", [
    (INF, lambda v: math.isinf(v) and v > 0),
    (-INF, lambda v: math.isinf(v) and v < 0),
    (math.nan, math.isnan),
], ids=["inf", "-inf", "nan"])
def test_latest_value_can_be_non_finite(tracking, last, check):
    mlflow.set_experiment(unique("non-finite"))
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 1.0, step=0)
        mlflow.log_metric("loss", last, step=1)
    latest = MlflowClient().get_run(run.info.run_id).data.metrics["loss"]
    assert check(latest), latest


def test_non_finite_values_on_the_wire(tracking, run_id):
    client = MlflowClient()
    t0 = now_ms()
    client.log_batch(run_id, metrics=[Metric("x", math.nan, t0, 0), Metric("x", INF, t0 + 1, 1),
                                      Metric("x", -INF, t0 + 2, 2)])
    api = tracking.api
    raw = api.ok(api.get("metrics/get-history", {"run_id": run_id, "metric_key": "x",
                                                 "max_results": 100}))
    assert [m["value"] for m in raw["metrics"]] == ["NaN", "Infinity", "-Infinity"]


def test_raw_paging_with_page_token(tracking, run_id):
    client = MlflowClient()
    t0 = now_ms() - 1_000_000
    expected = [(t0 + i, i * 3, i * 0.5 - 10) for i in range(53)]
    client.log_batch(run_id, metrics=[Metric("acc", v, ts, s) for ts, s, v in expected])

    api = tracking.api
    pages, token = [], None
    while True:
        params = {"run_id": run_id, "metric_key": "acc", "max_results": 10}
        if token:
            params["page_token"] = token
        body = api.ok(api.get("metrics/get-history", params))
        pages.append(body.get("metrics", []))
        token = body.get("next_page_token")
        if not token:
            break
        assert len(pages) < 20, "paging does not terminate"
    assert [len(p) for p in pages] == [10, 10, 10, 10, 10, 3]
    got = [(m["timestamp"], m["step"], m["value"]) for page in pages for m in page]
    assert got == expected
    # The client follows pages itself as well.
    assert points(client.get_metric_history(run_id, "acc")) == expected


@pytest.mark.deadline(300)
def test_history_longer_than_one_client_page(tracking, run_id):
    """The client asks for 25,000 points per page and follows next_page_token."""
    client = MlflowClient()
    total = 30_500
    t0 = now_ms() - total
    metrics = [Metric("long", (s % 977) * 0.25, t0 + s, s) for s in range(total)]
    for i in range(0, total, 1000):
        client.log_batch(run_id, metrics=metrics[i:i + 1000])
    history = client.get_metric_history(run_id, "long")
    assert len(history) == total
    assert [(m.timestamp, m.step, m.value) for m in history] == [
        (m.timestamp, m.step, m.value) for m in metrics]

    api = tracking.api
    first = api.ok(api.get("metrics/get-history", {"run_id": run_id, "metric_key": "long",
                                                   "max_results": 25000}))
    assert len(first["metrics"]) == 25000 and first.get("next_page_token")


def test_history_of_unknown_key_or_run(tracking, run_id):
    assert MlflowClient().get_metric_history(run_id, "never-logged") == []
    api = tracking.api
    resp = api.get("metrics/get-history", {"run_id": "f" * 32, "metric_key": "x",
                                           "max_results": 10})
    # MLflow answers an empty history here; a not-found error is acceptable too.
    if resp.status_code == 200:
        assert not resp.json().get("metrics"), resp.text
    else:
        assert_client_error(resp, "RESOURCE_DOES_NOT_EXIST")


# ---------------------------------------------------------------------- bulk interval


@pytest.fixture
def chart_runs(tracking):
    """Three runs of one chart: long, long with sparse steps, short."""
    client = MlflowClient()
    exp_id = mlflow.set_experiment(unique("charts")).experiment_id
    t0 = now_ms() - 10_000_000
    layouts = {
        "long": list(range(1000)),
        "sparse": list(range(0, 3000, 3)),
        "short": list(range(200)),
    }
    runs = {}
    for name, steps in layouts.items():
        run_id = client.create_run(exp_id, run_name=name).info.run_id
        metrics = [Metric("loss", 1.0 / (s + 1) + len(name), t0 + s, s) for s in steps]
        for i in range(0, len(metrics), 1000):
            client.log_batch(run_id, metrics=metrics[i:i + 1000])
        runs[name] = (run_id, steps)
    return runs


def fetch_interval(api, run_ids, prefix="/api/2.0", **params):
    query = [("run_ids", r) for r in run_ids] + [("metric_key", "loss")]
    query += [(k, v) for k, v in params.items()]
    body = api.ok(api.get(f"{prefix}/mlflow/metrics/get-history-bulk-interval", query))
    by_run = {}
    for m in body.get("metrics", []):
        assert m["key"] == "loss"
        by_run.setdefault(m["run_id"], []).append(m)
    return by_run


def assert_spread_sample(sample, steps, max_results, name):
    got = [m["step"] for m in sample]
    expect_count = min(max_results, len(steps))
    assert len(got) <= max_results, name
    assert len(got) >= min(expect_count, max(2, max_results // 2)), (name, got)
    assert got == sorted(got) and len(set(got)) == len(got), name
    assert got[0] == steps[0] and got[-1] == steps[-1], (name, got[:3], got[-3:])
    assert set(got) <= set(steps), name
    if len(steps) > max_results:
        ideal_gap = (steps[-1] - steps[0]) / (max_results - 1)
        widest = max(b - a for a, b in zip(got, got[1:]))
        assert widest <= 3 * ideal_gap, (name, widest, ideal_gap)
    for m in sample:
        assert m["value"] == 1.0 / (m["step"] + 1) + len(name), name


@pytest.mark.parametrize("prefix", ["/api/2.0", "/ajax-api/2.0"])
def test_bulk_interval_samples_each_run_over_its_whole_range(tracking, chart_runs, prefix):
    api = tracking.api
    ids = {name: run_id for name, (run_id, _) in chart_runs.items()}
    by_run = fetch_interval(api, list(ids.values()), prefix=prefix, max_results=50)
    assert set(by_run) == set(ids.values())
    for name, (run_id, steps) in chart_runs.items():
        assert_spread_sample(by_run[run_id], steps, 50, name)


def test_bulk_interval_returns_everything_when_under_the_limit(tracking, chart_runs):
    run_id, steps = chart_runs["short"]
    by_run = fetch_interval(tracking.api, [run_id], max_results=500)
    assert [m["step"] for m in by_run[run_id]] == steps


def test_bulk_interval_single_point_is_the_last(tracking, chart_runs):
    """MLflow 3.17: with max_results=1 each run answers with its last point."""
    ids = [run_id for run_id, _ in chart_runs.values()]
    by_run = fetch_interval(tracking.api, ids, max_results=1)
    for name, (run_id, steps) in chart_runs.items():
        assert [m["step"] for m in by_run[run_id]] == [steps[-1]], name


def test_bulk_interval_bounds_rows_when_steps_repeat(tracking):
    """log_metric without a step puts every point at step 0: sampling goes by row, so the
    answer stays within max_results and still spans first to last point."""
    client = MlflowClient()
    exp_id = mlflow.set_experiment(unique("step-zero")).experiment_id
    run_id = client.create_run(exp_id).info.run_id
    t0 = now_ms() - 100_000
    client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (i + 1), t0 + i, 0)
                                      for i in range(1000)])
    by_run = fetch_interval(tracking.api, [run_id], max_results=40)
    sample = by_run[run_id]
    assert 20 <= len(sample) <= 40
    stamps = [m["timestamp"] for m in sample]
    assert stamps == sorted(stamps)
    assert stamps[0] == t0 and stamps[-1] == t0 + 999
    assert max(b - a for a, b in zip(stamps, stamps[1:])) <= 3 * 999 / 39


def test_bulk_interval_step_window(tracking, chart_runs):
    run_id, steps = chart_runs["long"]
    by_run = fetch_interval(tracking.api, [run_id], max_results=20, start_step=100, end_step=300)
    window = [s for s in steps if 100 <= s <= 300]
    assert_spread_sample(by_run[run_id], window, 20, "long")


@pytest.mark.parametrize("params", [
    {"max_results": 0},
    {"max_results": 2501},
    {"max_results": 10, "start_step": 5},
    {"max_results": 10, "start_step": 50, "end_step": 10},
], ids=["max0", "max2501", "start-only", "start-after-end"])
def test_bulk_interval_rejects_bad_arguments(tracking, chart_runs, params):
    run_id, _ = chart_runs["short"]
    query = [("run_ids", run_id), ("metric_key", "loss")] + list(params.items())
    resp = tracking.api.get("metrics/get-history-bulk-interval", query)
    assert_client_error(resp, "INVALID_PARAMETER_VALUE")


def test_bulk_interval_requires_run_ids_and_key(tracking, chart_runs):
    run_id, _ = chart_runs["short"]
    api = tracking.api
    assert_client_error(api.get("metrics/get-history-bulk-interval", {"metric_key": "loss"}))
    assert_client_error(api.get("metrics/get-history-bulk-interval", {"run_ids": run_id}))
    too_many = [("run_ids", run_id)] * 101 + [("metric_key", "loss")]
    assert_client_error(api.get("metrics/get-history-bulk-interval", too_many))


# ---------------------------------------------------------------------- legacy bulk


def test_legacy_get_history_bulk(tracking):
    client = MlflowClient()
    exp_id = mlflow.set_experiment(unique("legacy-bulk")).experiment_id
    t0 = now_ms() - 100_000
    expected = []
    run_ids = []
    for n in (5, 4):
        run_id = client.create_run(exp_id).info.run_id
        run_ids.append(run_id)
        pts = [(t0 + 10 * (n - i), i, float(i * n)) for i in range(n)]  # time runs backwards
        client.log_batch(run_id, metrics=[Metric("acc", v, ts, s) for ts, s, v in pts])
        expected += [(run_id, ts, s, v) for ts, s, v in pts]
    # Ordered by run id, then timestamp, step, value.
    expected.sort(key=lambda p: (p[0], p[1], p[2], p[3]))

    api = tracking.api
    url = "/ajax-api/2.0/mlflow/metrics/get-history-bulk"
    query = [("run_id", r) for r in run_ids] + [("metric_key", "acc")]
    body = api.ok(api.get(url, query))
    got = [(m["run_id"], m["timestamp"], m["step"], m["value"]) for m in body["metrics"]]
    assert got == expected
    assert all(m["key"] == "acc" for m in body["metrics"])

    body = api.ok(api.get(url, query + [("max_results", 6)]))
    assert [(m["run_id"], m["timestamp"], m["step"], m["value"])
            for m in body["metrics"]] == expected[:6]

    assert_client_error(api.get(url, {"metric_key": "acc"}))
    # Larger limits are clipped to 25,000, not refused.
    body = api.ok(api.get(url, query + [("max_results", 100_000)]))
    assert len(body["metrics"]) == len(expected)
