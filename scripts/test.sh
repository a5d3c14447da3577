#!/usr/bin/env bash
# Set up if needed, lint, and run the whole test suite (slow end-to-end tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/python -m pytest "$@"
