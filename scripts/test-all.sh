#!/usr/bin/env bash
# Every test: type check, TypeScript suites, the compatibility suite with the real clients, and the
# side-by-side benchmark at a tiny size with its result checks (no timing is ever asserted).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run --silent build
npm run --silent typecheck
bash scripts/test-unit.sh
bash scripts/test-compat.sh
bench_out="$(mktemp -d)"
bash scripts/bench/run.sh --scale 0.01 --check --out "$bench_out/bench.json"
rm -rf "$bench_out"
