#!/usr/bin/env bash
# The real mlflow client against live trackbridge processes (SQLite and PostgreSQL by default).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/compat-env.sh
[[ -f dist/src/cli/main.js ]] || npm run build
exec compat-tests/.venv/bin/python -m pytest compat-tests -q "$@"
