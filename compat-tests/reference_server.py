"""Stand-in for `trackbridge serve` that runs the real `mlflow server` instead.

It lets the suite be checked against MLflow itself, to tell a wrong test from a
wrong server:

    TRACKBRIDGE_CMD="compat-tests/.venv/bin/python compat-tests/reference_server.py" \
    TRACKBRIDGE_COMPAT_BACKENDS=sqlite compat-tests/.venv/bin/pytest compat-tests

Only SQLite works this way (the venv has no PostgreSQL driver for MLflow).
Where trackbridge deliberately differs from MLflow (it keeps ±inf instead of
clamping them, answers 4xx where MLflow answers 5xx), those tests fail here.
"""

import argparse
import os
import sys

parser = argparse.ArgumentParser()
sub = parser.add_subparsers(dest="command", required=True)
serve = sub.add_parser("serve")
serve.add_argument("--port", required=True)
serve.add_argument("--host", default="127.0.0.1")
serve.add_argument("--db", required=True)
serve.add_argument("--artifacts-root", required=True)
args = parser.parse_args()

os.execv(sys.executable, [
    sys.executable, "-m", "mlflow", "server",
    "--backend-store-uri", args.db,
    "--artifacts-destination", args.artifacts_root,
    "--host", args.host, "--port", args.port, "--workers", "1",
])
