#!/usr/bin/env bash
# Set up if needed (with the test tools), lint, and run the whole test suite (slow end-to-end
# tests included). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --extras dev
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/python -m pytest "$@"
