#!/usr/bin/env bash
# Side-by-side benchmark: `mlflow server` and `trackbridge serve`, both with their defaults, same workloads.
#   npm run bench                       # full size (about 20 minutes, most of it waiting on mlflow server)
#   npm run bench -- --scale 0.01       # tiny, to check the harness still works
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bash "$here/env.sh"
(cd "$repo" && npm run --silent build)
exec "$here/.venv/bin/python" "$here/bench.py" --repo "$repo" "$@"
