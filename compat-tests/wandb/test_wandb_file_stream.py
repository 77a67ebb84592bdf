"""The same file_stream chunk sent twice (and a third time gzipped, and once more after later lines,
as the client's retries do) is stored once. Raw requests, shaped as wandb-core sends them."""

from __future__ import annotations

import gzip
import json
import math
import time
import uuid

import pytest
import requests

from wb_compat import first_diff, metric_series, same

UPSERT = """mutation UpsertBucket ($id: String, $name: String, $project: String, $entity: String, $config: JSONString, $tags: [String!]) {
  upsertBucket(input: {id:$id,name:$name,modelName:$project,entityName:$entity,config:$config,tags:$tags}) {
    bucket { id name displayName config historyLineCount project { id name entity { id name } } }
    inserted
  }
}"""
T0 = time.time()


def line(step: int, value: float) -> str:
    # The client writes bare NaN/Infinity inside the line (the outer body stays valid JSON).
    v = "NaN" if math.isnan(value) else repr(value)
    return f'{{"_step":{step},"loss":{v},"_runtime":{step * 0.5},"_timestamp":{T0 + step}}}'


VALUES = [1.0, math.nan, 0.25, 0.125, 0.0625]


@pytest.fixture
def stream(wb):
    session = requests.Session()
    session.auth = ("api", wb.key)
    session.headers["User-Agent"] = "wandb-core"
    project, rid = f"fs-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    r = session.post(f"{wb.url}/graphql", json={
        "query": UPSERT, "operationName": "UpsertBucket",
        "variables": {"name": rid, "project": project, "entity": None, "config": json.dumps({"a": {"value": 1}}),
                      "tags": ["raw"]}}, timeout=30)
    assert r.status_code == 200, r.text
    bucket = r.json()["data"]["upsertBucket"]["bucket"]
    entity = bucket["project"]["entity"]["name"]
    url = f"{wb.url}/files/{entity}/{project}/{bucket['name']}/file_stream"

    def post(body: dict, gzipped: bool = False) -> None:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if gzipped:
            data, headers["Content-Encoding"] = gzip.compress(data), "gzip"
        resp = session.post(url, data=data, headers=headers, timeout=30)
        assert resp.status_code == 200, f"{resp.status_code} {resp.text}\n{wb.server.log_tail(3000)}"
        answer = resp.json() if resp.content.strip() else {}
        assert not answer.get("stopped"), f"file_stream answered {answer!r}: the client would kill the run"

    return {"post": post, "entity": entity, "project": project, "id": bucket["name"]}


def history(offset: int, steps: range) -> dict:
    return {"files": {"wandb-history.jsonl": {"offset": offset, "content": [line(s, VALUES[s]) for s in steps]}}}


@pytest.mark.core
def test_a_chunk_sent_twice_is_stored_once(wb, stream):
    post = stream["post"]
    first = history(0, range(0, 3))
    post(first)
    post(first)
    post(first, gzipped=True)
    post({})  # a heartbeat
    post({**history(3, range(3, 5)),
          "files": {**history(3, range(3, 5))["files"],
                    "wandb-summary.json": {"offset": 0, "content": ['{"loss":0.0625,"_step":4}']}}})
    post(first)  # a retry arriving late
    post({"complete": True, "exitcode": 0})

    want = list(enumerate(VALUES))
    got = metric_series(wb.mlflow(), stream["id"], "loss")
    assert same(got, want), first_diff(got, want, "MLflow points after repeated chunks")
    assert wb.mlflow().get_run(stream["id"]).info.status == "FINISHED"

    api_run = wb.api().run(f"{stream['entity']}/{stream['project']}/{stream['id']}")
    rows = [(r["_step"], r["loss"]) for r in api_run.scan_history(use_cache=False)]
    assert same(rows, want), first_diff(rows, want, "W&B history after repeated chunks")
    assert api_run.summary.get("loss") == 0.0625
    assert api_run.state == "finished"
