#!/usr/bin/env bash
# Creates scripts/bench/.venv with the pinned MLflow (server and client); skips the install when up to date.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
wanted="$( { cat "$here/requirements.txt"; "$venv/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then exit 0; fi
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$here/requirements.txt"
"$venv/bin/python" -c 'import mlflow, requests'
echo "$wanted" > "$stamp"
