"""Speed of the composer's morphs (blends that move), one core, beside a fixed blend.

    .venv/bin/python benchmarks/bench_morph.py [--seconds 60] [--runs 2] [--genres ...]

Each genre morphs into another (α from 1 to 0 over the track: ``--alpha-curve 0:1,<s>:0``) for
each run's seed, and the same pair is also made as a fixed 50/50 blend of the same length.
Prints the median wall time and process CPU time (one thread: on a machine shared with other
jobs the CPU time is the steadier figure) of each and their real-time factors (target for
morphs: >= 30x).
"""

import argparse
import statistics
import time

import _common  # noqa: F401  (sets one thread before numpy is imported)
from genreblender.generation.base import generate_blend
from genreblender.generation.composer import Composer
from genreblender.genres import GENRES
from genreblender.mixes import Mix, parse_alpha_curve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--genres", default=",".join(GENRES))
    args = parser.parse_args()
    composer = Composer()
    composer.generate("jazz", "metal", 0.5, 5, 0)  # warm-up: imports, SoundFont
    times = {"morph": ([], []), "fixed 50/50": ([], [])}
    for genre in args.genres.split(","):
        other = GENRES[(GENRES.index(genre) + 3) % len(GENRES)]
        morph = parse_alpha_curve(f"0:1,{args.seconds:g}:0", genre, other)
        targets = {"morph": morph, "fixed 50/50": Mix.pair(genre, other, 0.5)}
        for run in range(args.runs):
            for name, target in targets.items():
                t0, c0 = time.perf_counter(), time.process_time()
                generate_blend(composer, target, args.seconds, run)
                times[name][0].append(time.perf_counter() - t0)
                times[name][1].append(time.process_time() - c0)
    for name, (wall, cpu) in times.items():
        w, c = statistics.median(wall), statistics.median(cpu)
        print(
            f"{name:12s} {args.seconds:g}-s track, {len(wall)} runs: wall median {w:.3f} s "
            f"(max {max(wall):.3f} s, {args.seconds / w:.0f}x real time); cpu median {c:.3f} s "
            f"(max {max(cpu):.3f} s, {args.seconds / c:.0f}x)"
        )
    print(f"(soundfont {composer.soundfont.name})")


if __name__ == "__main__":
    main()
