#!/usr/bin/env bash
# Fresh machine → set up, then run the main job on the embedded default engine.
# Usage: scripts/quickstart.sh [AUDIO_FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -gt 0 ]; then
    exec .venv/bin/genreblender classify "$@"
fi
echo "quickstart: composing the first blend: genreblender blend (70% jazz · 30% metal, 20 s)"
exec .venv/bin/genreblender blend
