"""Speed of the embedded composer: seconds to compose and render a 30-s track, one core.

    .venv/bin/python benchmarks/bench_composer.py [--seconds 30] [--runs 2]

Prints the median over genres x runs and the real-time factor (target: <= 1 s, >= 30x).
"""

import argparse
import statistics
import time

import _common  # noqa: F401  (sets one thread before numpy is imported)
from genreblender.generation.composer import Composer
from genreblender.genres import GENRES


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    composer = Composer()
    composer.generate("jazz", "metal", 0.5, 5, 0)  # warm-up: imports, SoundFont load
    times = {}
    for genre in GENRES:
        other = GENRES[(GENRES.index(genre) + 3) % len(GENRES)]
        for run in range(args.runs):
            t0 = time.perf_counter()
            composer.generate(genre, other, 0.6, args.seconds, run)
            times.setdefault(genre, []).append(time.perf_counter() - t0)
    all_times = [t for ts in times.values() for t in ts]
    for genre, ts in times.items():
        print(f"{genre:10s} median {statistics.median(ts):.3f} s")
    med = statistics.median(all_times)
    print(
        f"\n{args.seconds:g}-s track, {len(all_times)} runs: median {med:.3f} s, "
        f"max {max(all_times):.3f} s, real-time factor {args.seconds / med:.0f}x "
        f"(soundfont {composer.soundfont.name})"
    )


if __name__ == "__main__":
    main()
