#!/usr/bin/env bash
# Every test: type check, TypeScript suites, then the compatibility suite with the real clients.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run --silent build
npm run --silent typecheck
bash scripts/test-unit.sh
bash scripts/test-compat.sh
