#!/usr/bin/env bash
# The real clients against live trackbridge processes (SQLite and PostgreSQL by default):
#   mlflow            compat-tests/ with the mlflow client (compat-tests/.venv)
#   wandb-0.31.0      compat-tests/wandb/ with wandb 0.31.0 (compat-tests/.venv-wandb-0.31.0)
#   wandb-0.30.0      compat-tests/wandb/ with wandb 0.30.0 (compat-tests/.venv-wandb-0.30.0)
# TRACKBRIDGE_COMPAT_SUITES picks some of them (comma list, default all three); extra arguments go to
# every pytest. The mlflow suite runs first; the wandb suites then run side by side (their scripts mostly
# wait on the client, so together they take little longer than the slower one alone), each with its own
# pytest temp dir, and their output is printed one after the other; TRACKBRIDGE_COMPAT_SEQUENTIAL=1 runs
# them one at a time instead. Every suite runs even when another fails; the script fails if any did.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/compat-env.sh || exit 1
[[ -f dist/src/cli/main.js ]] || npm run build || exit 1

suites="${TRACKBRIDGE_COMPAT_SUITES:-mlflow,wandb-0.31.0,wandb-0.30.0}"
for suite in ${suites//,/ }; do
    case "$suite" in
        mlflow|wandb-0.31.0|wandb-0.30.0) ;;
        *) echo "test-compat: unknown suite '$suite' (choose from mlflow, wandb-0.31.0, wandb-0.30.0)" >&2; exit 2 ;;
    esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=()

run_suite() {  # run_suite SUITE [pytest args…]: the suite's pytest, with its own temp dir
    local suite="$1"
    shift
    case "$suite" in
        mlflow)
            compat-tests/.venv/bin/python -m pytest compat-tests -q --ignore=compat-tests/wandb "$@" ;;
        wandb-0.31.0)
            compat-tests/.venv-wandb-0.31.0/bin/python -m pytest compat-tests/wandb -q \
                --basetemp="$work/$suite" "$@" ;;
        wandb-0.30.0)
            compat-tests/.venv-wandb-0.30.0/bin/python -m pytest compat-tests/wandb -q \
                --basetemp="$work/$suite" "$@" ;;
    esac
}

finish() {  # finish SUITE CODE SECONDS
    echo "test-compat: $1 finished with code $2 in $3 s" >&2
    (( $2 == 0 )) || failed+=("$1")
}

pending=()
for suite in ${suites//,/ }; do
    if [[ "$suite" == mlflow || "${TRACKBRIDGE_COMPAT_SEQUENTIAL:-0}" == 1 ]]; then
        started=$SECONDS
        run_suite "$suite" "$@"
        finish "$suite" $? $((SECONDS - started))
    else
        ( started=$SECONDS; run_suite "$suite" "$@" > "$work/$suite.log" 2>&1; code=$?
          echo "$code $((SECONDS - started))" > "$work/$suite.code" ) &
        pending+=("$suite:$!")
    fi
done
for entry in "${pending[@]}"; do
    suite="${entry%%:*}"
    wait "${entry#*:}"
    echo "test-compat: ===== $suite =====" >&2
    cat "$work/$suite.log"
    read -r code seconds < "$work/$suite.code"
    finish "$suite" "$code" "$seconds"
done
if (( ${#failed[@]} )); then
    echo "test-compat: failed: ${failed[*]}" >&2
    exit 1
fi
