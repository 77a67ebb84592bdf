"""A key made by `trackbridge keys create` logs in; a wrong one is refused the way the client
reports it: `wandb login` fails and `wandb.init` stops with the client's own auth error."""

from __future__ import annotations

import re
import secrets
import sys
import uuid
from pathlib import Path

import pytest

WRONG_KEY = "local-" + secrets.token_hex(20)  # well-formed, so the client sends it


def wandb_cli() -> str:
    return str(Path(sys.executable).with_name("wandb"))


@pytest.mark.core
def test_wandb_login_with_the_key_succeeds(wb):
    d = wb.new_dir("login-ok")
    done = wb.run([wandb_cli(), "login", "--host", wb.url, wb.key], d)
    netrc = (d / "netrc").read_text()
    assert wb.key in netrc, f"`wandb login` did not store the key: {netrc!r}\n{done.stderr}"
    # The key's user owns the default entity, named after it.
    assert wb.api().default_entity == "alice"


@pytest.mark.core
def test_wandb_login_with_a_wrong_key_fails(wb):
    d = wb.new_dir("login-bad")
    done = wb.run([wandb_cli(), "login", "--host", wb.url, WRONG_KEY], d, expect_rc=None, key="")
    assert done.returncode != 0, f"`wandb login` accepted a wrong key\n{done.stdout}\n{done.stderr}"
    assert "Failed to authenticate" in done.stderr + done.stdout, done.stderr
    assert not (d / "netrc").exists() or WRONG_KEY not in (d / "netrc").read_text()


@pytest.mark.core
def test_wandb_init_with_a_wrong_key_stops_with_the_auth_error(wb):
    project = f"badkey-{uuid.uuid4().hex[:8]}"
    d = wb.new_dir("init-bad")
    done = wb.run(["train_short.py", project], d, expect_rc=1, key=WRONG_KEY)
    text = done.stderr + done.stdout
    # The client's own error class, carrying the server's reason.
    assert re.search(r"wandb\.errors\.errors\.(AuthenticationError|CommError): .*API key", text), text[-3000:]
    assert wb.mlflow().get_experiment_by_name(project) is None, "a refused key created the project"


@pytest.mark.core
def test_wandb_login_in_python_verifies_the_key_with_the_viewer(wb):
    """`wandb.login(verify=True)` asks the server's Viewer; a good key passes, a wrong one raises."""
    d = wb.new_dir("login-py")
    code = (
        "import sys, wandb\n"
        "ok = wandb.login(host=sys.argv[1], key=sys.argv[2], verify=True, relogin=True)\n"
        "print('LOGIN', ok)\n"
        "try:\n"
        "    wandb.login(host=sys.argv[1], key=sys.argv[3], verify=True, relogin=True)\n"
        "    print('WRONG-ACCEPTED')\n"
        "except Exception as e:\n"
        "    print('WRONG-REFUSED', type(e).__name__)\n"
    )
    done = wb.run([sys.executable, "-c", code, wb.url, wb.key, WRONG_KEY], d, key="")
    assert "LOGIN True" in done.stdout, done.stdout + done.stderr
    assert "WRONG-REFUSED" in done.stdout, done.stdout + done.stderr
