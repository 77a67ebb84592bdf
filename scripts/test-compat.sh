#!/usr/bin/env bash
# The real clients against live trackbridge processes (SQLite and PostgreSQL by default):
#   mlflow            compat-tests/ with the mlflow client (compat-tests/.venv)
#   wandb-0.31.0      compat-tests/wandb/ with wandb 0.31.0 (compat-tests/.venv-wandb-0.31.0), every scenario
#   wandb-0.30.0      compat-tests/wandb/ with wandb 0.30.0, the scenarios marked `core` (see compat-tests/README.md)
# TRACKBRIDGE_COMPAT_SUITES picks some of them (comma list, default all three); extra arguments go to
# every pytest. Every suite runs even when an earlier one fails; the script fails if any did.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/compat-env.sh || exit 1
[[ -f dist/src/cli/main.js ]] || npm run build || exit 1

suites="${TRACKBRIDGE_COMPAT_SUITES:-mlflow,wandb-0.31.0,wandb-0.30.0}"
failed=()
for suite in ${suites//,/ }; do
    started=$SECONDS
    case "$suite" in
        mlflow)
            compat-tests/.venv/bin/python -m pytest compat-tests -q --ignore=compat-tests/wandb "$@" ;;
        wandb-0.31.0)
            compat-tests/.venv-wandb-0.31.0/bin/python -m pytest compat-tests/wandb -q "$@" ;;
        wandb-0.30.0)
            compat-tests/.venv-wandb-0.30.0/bin/python -m pytest compat-tests/wandb -q -m core "$@" ;;
        *)
            echo "test-compat: unknown suite '$suite' (choose from mlflow, wandb-0.31.0, wandb-0.30.0)" >&2
            exit 2 ;;
    esac
    code=$?
    echo "test-compat: $suite finished with code $code in $((SECONDS - started)) s" >&2
    (( code == 0 )) || failed+=("$suite")
done
if (( ${#failed[@]} )); then
    echo "test-compat: failed: ${failed[*]}" >&2
    exit 1
fi
