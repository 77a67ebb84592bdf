#!/usr/bin/env bash
# Prepare the Python environments for compat-tests/:
#   compat-tests/.venv                  the real mlflow client, pytest and requests (requirements.txt)
#   compat-tests/.venv-wandb-0.31.0     the real wandb client 0.31.0 beside mlflow (requirements-wandb-0.31.0.txt)
#   compat-tests/.venv-wandb-0.30.0     the same with wandb 0.30.0
#
# Idempotent and fast on reruns: a venv's install is skipped when the stamp file in it holds the
# same hash of (its requirements file, interpreter version). The three are prepared side by side.
#
#   scripts/compat-env.sh            # create or update every venv
#   PYTHON=python3.11 scripts/compat-env.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

# prepare VENV REQUIREMENTS MODULES...: the modules are imported once installed, so that a client
# that cannot load fails here, not halfway through the suite.
prepare() {
    local venv="$1" requirements="$2"
    shift 2
    local stamp="$venv/.requirements.sha256"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "compat-env: creating $venv" >&2
        "$python" -m venv "$venv"
    fi
    local wanted
    wanted="$( { cat "$requirements"; "$venv/bin/python" -c 'import sys; print(sys.version)'; } \
        | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        echo "compat-env: $venv is up to date" >&2
        return 0
    fi
    echo "compat-env: installing $requirements" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
    "$venv/bin/python" -c "import $(IFS=,; echo "$*")"
    echo "$wanted" > "$stamp"
    echo "compat-env: ready ($("$venv/bin/python" -c \
        'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("mlflow", "wandb") if any(d.metadata["Name"] == p for d in m.distributions())))'))" >&2
}

# The three installs are independent: side by side they take less time than one after the other.
pids=()
prepare "$repo/compat-tests/.venv" "$repo/compat-tests/requirements.txt" mlflow pytest requests &
pids+=($!)
for version in 0.31.0 0.30.0; do
    prepare "$repo/compat-tests/.venv-wandb-$version" "$repo/compat-tests/requirements-wandb-$version.txt" \
        wandb mlflow pytest requests &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done
exit "$status"
