#!/usr/bin/env bash
# Prepare the Python environment for compat-tests/: a venv holding the real
# mlflow client, pytest and requests at the versions pinned in
# compat-tests/requirements.txt.
#
# Idempotent and fast on reruns: the install is skipped when the stamp file in
# the venv holds the same hash of (requirements.txt, interpreter version).
#
#   scripts/compat-env.sh            # create or update compat-tests/.venv
#   PYTHON=python3.11 scripts/compat-env.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/compat-tests/.venv"
requirements="$repo/compat-tests/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "compat-env: creating $venv" >&2
    "$python" -m venv "$venv"
fi

wanted="$( { cat "$requirements"; "$venv/bin/python" -c 'import sys; print(sys.version)'; } \
    | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "compat-env: $venv is up to date" >&2
    exit 0
fi

echo "compat-env: installing $requirements" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
# Fail here, not halfway through the suite, if the client cannot be imported.
"$venv/bin/python" -c 'import mlflow, pytest, requests'
echo "$wanted" > "$stamp"
echo "compat-env: ready ($("$venv/bin/python" -c 'import mlflow; print("mlflow", mlflow.__version__)'))" >&2
