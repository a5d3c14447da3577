"""Does the musicnn judge hear the composer's singers as voices?

    .venv/bin/python benchmarks/vocal_tags.py [--genres pop,country,blues,rock,reggae,jazz]
        [--seeds 2] [--seconds 20]

Pure tracks of each genre; prints the MagnaTagATune and MSD tags about voices ("vocal",
"singing", "no vocals", "woman", "man", "female vocal", "male vocal", "female vocalists", "male
vocalists") averaged over the seeds, beside the kind of vocals the composer wrote. An
instrumental genre (jazz) is the baseline.
"""

import argparse

import _common  # noqa: F401

import numpy as np

from genreblender import defaults
from genreblender.evaluation.judges import MusicnnJudge
from genreblender.generation.composer import Composer

TAGS = (
    "MTT_musicnn:vocal",
    "MTT_musicnn:singing",
    "MTT_musicnn:no vocals",
    "MTT_musicnn:woman",
    "MTT_musicnn:man",
    "MTT_musicnn:female vocal",
    "MTT_musicnn:male vocal",
    "MSD_musicnn:female vocalists",
    "MSD_musicnn:male vocalists",
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--genres", default="pop,country,blues,rock,reggae,jazz")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    _common.one_thread_torch()
    judge = MusicnnJudge(defaults.JUDGE)
    composer = Composer()
    names = [t.split(":")[1] for t in TAGS]
    print(f"{'genre':8s} {'vocals':6s} " + " ".join(f"{n[:12]:>12s}" for n in names))
    for genre in args.genres.split(","):
        rows, kind = [], None
        for seed in range(args.seeds):
            result = composer.generate(genre, genre, 1.0, args.seconds, seed)
            kind = (result.metadata.get("vocals") or {}).get("kind", "none")
            tags = judge.tags(result.audio.mean(axis=1), result.sample_rate)
            rows.append([tags[t] for t in TAGS])
        mean = np.mean(rows, axis=0)
        print(f"{genre:8s} {kind:6s} " + " ".join(f"{v:12.2f}" for v in mean))


if __name__ == "__main__":
    main()
