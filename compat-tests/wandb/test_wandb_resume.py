"""resume="allow" and resume="must" continue the same run, steps going on where they stopped;
resume="must" of a run that does not exist fails as it fails against W&B (exit 1, nothing created)."""

from __future__ import annotations

import secrets
import uuid

import pytest

from wb_compat import first_diff, metric_series
from wb_series import resume_value

STEPS = 10


def run_id() -> str:
    # The shape of the ids the client makes: 8 lowercase letters and digits.
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@pytest.mark.core
def test_allow_then_must_continue_the_same_run(wb):
    project, rid = f"resume-{uuid.uuid4().hex[:8]}", run_id()
    # Each script logs the values of the steps it should continue at; the steps themselves are the client's.
    first, _ = wb.script("train_resume.py", project, rid, "allow", "0", str(STEPS), label="resume-new")
    assert first["id"] == rid
    again, _ = wb.script("train_resume.py", project, rid, "allow", str(STEPS), str(STEPS), label="resume-allow")
    assert again["id"] == rid
    last, _ = wb.script("train_resume.py", project, rid, "must", str(2 * STEPS), str(STEPS), label="resume-must")
    assert last["id"] == rid

    total = 3 * STEPS
    want = [(s, resume_value(s)) for s in range(total)]
    client = wb.mlflow()
    got = metric_series(client, rid, "loss")
    assert got == want, first_diff(got, want, "MLflow metric history across the resumes")
    run = client.get_run(rid)
    assert run.info.status == "FINISHED"
    exp = client.get_experiment_by_name(project)
    assert [r.info.run_id for r in client.search_runs([exp.experiment_id])] == [rid], "a resume made a second run"

    api_run = wb.api().run(f"{first['entity']}/{project}/{rid}")
    rows = list(api_run.scan_history(use_cache=False))
    got = [(r["_step"], r["loss"]) for r in rows]
    assert got == want, first_diff(got, want, "scan_history across the resumes")
    assert api_run.state == "finished"
    assert api_run.summary.get("loss") == resume_value(total - 1)
    assert api_run.summary.get("_step") == total - 1
    assert api_run.config.get("seed") == 7


@pytest.mark.core
def test_must_of_an_unknown_run_fails_and_creates_nothing(wb):
    project, rid = f"resume-missing-{uuid.uuid4().hex[:8]}", run_id()
    _, d = wb.script("train_resume.py", project, rid, "must", "0", "3", label="resume-missing",
                     expect_rc=1)
    client = wb.mlflow()
    exp = client.get_experiment_by_name(project)
    runs = client.search_runs([exp.experiment_id]) if exp else []
    assert not runs, f"resume='must' of an unknown run created {[r.info.run_id for r in runs]}"
    with pytest.raises(Exception):
        wb.api().run(f"{wb.api().default_entity}/{project}/{rid}").state
