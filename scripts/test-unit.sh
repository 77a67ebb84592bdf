#!/usr/bin/env bash
# TypeScript tests: the query grammar, the store conformance suite on every database
# named in TRACKBRIDGE_TEST_DBS (default sqlite,postgres,mysql), and the MLflow routes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shopt -s nullglob
files=(test/*.test.ts)
exec node --import tsx --test --test-concurrency=1 "${files[@]}"
