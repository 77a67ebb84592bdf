"""The model-registry workload: many registered models and versions, then the searches and reads a registry UI
and a deployment script make. Populated and measured the same way on both servers, through the REST API."""
from __future__ import annotations

import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait, FIRST_EXCEPTION

from workloads import Api

VERSIONS_PER_MODEL = 10
MODELS_PER_RUN = 10  # each run is the source of VERSIONS_PER_MODEL * MODELS_PER_RUN versions
TEAMS = 5
PAGES = 3  # pages read of each registered-model search, each timed
NAME_PART = "7"
# What MlflowClient.search_registered_models adds to every filter so that prompts stay hidden.
NOT_PROMPT = "tag.`mlflow.prompt.is_prompt` != 'true'"


def model_name(i: int) -> str:
    return f"bench-model-{i:05d}"


def team_of(i: int) -> str | None:
    """A quarter of the models carry a `team` tag."""
    return f"team-{i // 4 % TEAMS}" if i % 4 == 0 else None


class Plan:
    """What the population holds, known ahead so that every answer can be checked against it."""

    def __init__(self, models: int):
        self.models = models
        self.runs = max(1, models // MODELS_PER_RUN)
        self._of_run: dict[int, list[tuple[str, int]]] = {}
        for m in range(models):
            for v in range(VERSIONS_PER_MODEL):
                self._of_run.setdefault(self.run_index(m, v), []).append((model_name(m), v + 1))

    def run_index(self, model: int, version: int) -> int:
        return (model * VERSIONS_PER_MODEL + version) % self.runs

    def versions_of_run(self, run: int) -> list[tuple[str, int]]:
        return sorted(self._of_run.get(run, []))


def _registry_unserved(api: Api) -> None:
    """Fail at once, with the reason, when the server has no registry (a 404), instead of 10,000 errors later."""
    r = api.s.get(api.base + "registered-models/search", params={"max_results": 1}, timeout=30)
    if r.status_code == 404:
        raise RuntimeError(f"the server does not serve the model registry: GET registered-models/search answered 404 {r.text[:200]}")


def populate(url: str, plan: Plan, threads: int = 16) -> dict:
    setup = Api(url)
    _registry_unserved(setup)
    exp = setup.experiment("bench-registry")
    local = threading.local()

    def api() -> Api:
        if not hasattr(local, "api"):
            local.api = Api(url)
        return local.api

    t = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        run_ids = list(pool.map(lambda r: api().run(exp, f"train-{r}"), range(plan.runs)))

    lock, registered = threading.Lock(), [0]

    def register(i: int) -> None:
        a = api()
        body = {"name": model_name(i), "description": f"benchmark model {i}"}
        if team := team_of(i):
            body["tags"] = [{"key": "team", "value": team}, {"key": "owner", "value": f"owner-{i % 13}"}]
        a.post("registered-models/create", body)
        for v in range(VERSIONS_PER_MODEL):
            rid = run_ids[plan.run_index(i, v)]
            mv = {"name": model_name(i), "source": f"runs:/{rid}/model", "run_id": rid}
            if v % 3 == 0:
                mv["tags"] = [{"key": "validated", "value": "true" if v % 2 == 0 else "false"}]
            got = a.post("model-versions/create", mv)["model_version"]
            if int(got["version"]) != v + 1:
                raise RuntimeError(f"{model_name(i)}: version {got['version']} where {v + 1} was due")
        with lock:
            registered[0] += 1
            if registered[0] % max(1, plan.models // 10) == 0:
                print(f"[bench]     {registered[0]:,} of {plan.models:,} models registered, {time.perf_counter() - t:,.0f} s",
                      file=sys.stderr, flush=True)

    pool = ThreadPoolExecutor(threads)
    futures = [pool.submit(register, i) for i in range(plan.models)]
    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
    failed = next((f for f in done if f.exception()), None)
    pool.shutdown(wait=True, cancel_futures=True)
    if failed:
        raise failed.exception()
    dt = time.perf_counter() - t
    writes = plan.models * (1 + VERSIONS_PER_MODEL)
    return {"run_ids": run_ids, "seconds": dt, "writes_per_s": writes / dt}


def _timed(times: list[float], fn):
    t = time.perf_counter()
    out = fn()
    times.append((time.perf_counter() - t) * 1000)
    return out


def _summary(times: list[float]) -> dict:
    times = sorted(times)
    return {"requests": len(times), "p50_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))]}


def _pages(api: Api, body: dict, pages: int, times: list[float]) -> list[str]:
    """The first `pages` pages of a registered-model search, each page timed on its own."""
    names, token = [], None
    for _ in range(pages):
        page = _timed(times, lambda: api.get("registered-models/search", {**body, **({"page_token": token} if token else {})}))
        names += [m["name"] for m in page.get("registered_models", [])]
        token = page.get("next_page_token")
        if not token:
            break
    return names


def measure(url: str, plan: Plan, run_ids: list[str], repeats: int, page: int) -> dict:
    api = Api(url)
    rng = random.Random(9)
    out: dict = {}

    # The UI's search box (a name containing the text), a tag filter, and the UI's default list; all with the client's prompt clause.
    by_name = {"filter": f"name LIKE '%{NAME_PART}%' AND {NOT_PROMPT}", "order_by": ["name DESC"], "max_results": page}
    by_tag = {"filter": f"tags.team = 'team-3' AND {NOT_PROMPT}", "order_by": ["name ASC"], "max_results": page}
    newest = {"filter": NOT_PROMPT, "order_by": ["last_updated_timestamp DESC"], "max_results": page}
    for label, body in (("rm_search_name_like", by_name), ("rm_search_tag", by_tag), ("rm_search_newest", newest)):
        _pages(api, body, 1, [])  # warm-up
        times: list[float] = []
        for _ in range(repeats):
            names = _pages(api, body, PAGES, times)
        out[label] = {**_summary(times), "names": names}

    times, by_model = [], {}
    for _ in range(repeats):
        m = rng.randrange(plan.models)
        got = _timed(times, lambda: api.get("model-versions/search", {"filter": f"name='{model_name(m)}'", "max_results": 100}))
        by_model[m] = sorted(int(v["version"]) for v in got.get("model_versions", []))
    out["mv_search_name"] = {**_summary(times), "wrong": sorted(model_name(m) for m, vs in by_model.items()
                                                                if vs != list(range(1, VERSIONS_PER_MODEL + 1)))}

    times, by_run = [], {}
    for _ in range(repeats):
        r = rng.randrange(plan.runs)
        got = _timed(times, lambda: api.get("model-versions/search", {"filter": f"run_id='{run_ids[r]}'", "max_results": 1000}))
        by_run[r] = sorted((v["name"], int(v["version"])) for v in got.get("model_versions", []))
    out["mv_search_run"] = {**_summary(times), "wrong": sorted(r for r, vs in by_run.items() if vs != plan.versions_of_run(r)),
                            "rows_per_run": max(map(len, by_run.values()), default=0)}

    times, wrong = [], []
    for _ in range(repeats):
        m = rng.randrange(plan.models)
        got = _timed(times, lambda: api.get("registered-models/get", {"name": model_name(m)}))["registered_model"]
        if got["name"] != model_name(m) or ({t["key"]: t["value"] for t in got.get("tags", [])}.get("team") != team_of(m)):
            wrong.append(model_name(m))
    out["rm_get"] = {**_summary(times), "wrong": wrong}

    times, wrong = [], []
    for _ in range(repeats):
        m = rng.randrange(plan.models)
        got = _timed(times, lambda: api.post("registered-models/get-latest-versions", {"name": model_name(m)}))
        if [int(v["version"]) for v in got.get("model_versions", [])] != [VERSIONS_PER_MODEL]:
            wrong.append(model_name(m))
    out["rm_latest"] = {**_summary(times), "wrong": wrong}
    return out


def registry(url: str, models: int, repeats: int, page: int) -> dict:
    """`page` is the search page size: 100 (the UI's) at full size, smaller at tiny sizes so that paging is exercised."""
    plan = Plan(models)
    pop = populate(url, plan)
    res = measure(url, plan, pop["run_ids"], repeats, page)
    return {"models": models, "versions": models * VERSIONS_PER_MODEL, "populate_seconds": pop["seconds"],
            "populate_writes_per_s": pop["writes_per_s"], **res}


def expected_pages(plan_models: int, page: int) -> dict[str, list[str]]:
    """The names each registered-model search must return (the newest-first one depends on timing, so only its size)."""
    names = [model_name(i) for i in range(plan_models)]
    like = sorted((n for n in names if NAME_PART in n), reverse=True)[:PAGES * page]
    tag = sorted(model_name(i) for i in range(plan_models) if team_of(i) == "team-3")[:PAGES * page]
    return {"rm_search_name_like": like, "rm_search_tag": tag, "rm_search_newest_rows": min(plan_models, PAGES * page)}
