#!/usr/bin/env bash
# Fresh machine → set up, then run the main job on the embedded default engine.
# Usage: scripts/quickstart.sh [AUDIO_FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -gt 0 ]; then
    exec .venv/bin/genreblender classify "$@"
fi
exec .venv/bin/genreblender blend --a jazz --b metal --alpha 0.7 --seconds 30 --seed 1
