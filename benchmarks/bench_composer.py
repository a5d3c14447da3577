"""Speed of the embedded composer: seconds to compose and render a track, one core.

    .venv/bin/python benchmarks/bench_composer.py [--seconds 30] [--runs 2] [--stems]
    .venv/bin/python benchmarks/bench_composer.py --seconds 600 --runs 1 --genres jazz,metal,pop
        [--workers 2]

Each genre is blended with another (alpha 0.6, a sectioned blend) for each run's seed. Prints
the median over genres x runs of the wall time and of the process's CPU time (one thread: on a
machine shared with other jobs the CPU time is the steadier figure), the real-time factor of
each (target: >= 30x), and with ``--stems`` how far the stems' sum is from the mix (dB).
``--workers`` (default 1: the one-core figures) is the composer's ``workers``: with more, its
renders run in child processes, whose CPU time is counted in the CPU figure. ``--breakdown``
(one worker only) also prints the median share of the CPU time spent in the synthesizer's renders
and on the master bus (with stems: the mix and every stem through it).
"""

import argparse
import os
import statistics
import time

import _common  # noqa: F401  (sets one thread before numpy is imported)
from genreblender.generation.composer import Composer
from genreblender.genres import GENRES


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the composer's renders)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed_stages() -> dict[str, float]:
    """Wrap the synthesizer's render and the master bus so that each adds its CPU seconds to the
    returned dict (one thread: the process's CPU time is the stage's)."""
    from genreblender.generation.composer import mix, render

    stages = {"renders": 0.0, "master bus": 0.0}

    def timed(module, name, stage):
        inner = getattr(module, name)

        def wrapper(*args, **kwargs):
            c0 = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                stages[stage] += time.process_time() - c0

        setattr(module, name, wrapper)

    timed(render, "render_midi", "renders")
    timed(mix, "master", "master bus")
    timed(mix, "master_with_stems", "master bus")
    return stages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--stems", action="store_true", help="render the stems too")
    parser.add_argument("--genres", default=",".join(GENRES))
    parser.add_argument("--workers", type=int, default=1, help="the composer's threads")
    parser.add_argument("--breakdown", action="store_true", help="time renders and master bus")
    args = parser.parse_args()
    if args.breakdown and args.workers != 1:
        parser.error("--breakdown times the renders in this process: use it with --workers 1")
    stages = _timed_stages() if args.breakdown else None
    composer = Composer(workers=args.workers)
    # only asked for when wanted: the script also times checkouts from before stems existed
    options = {"stems": True} if args.stems else {}
    composer.generate("jazz", "metal", 0.5, 5, 0, **options)  # warm-up: imports, SoundFont
    wall, cpu, residuals, shares = {}, {}, [], {}
    for genre in args.genres.split(","):
        other = GENRES[(GENRES.index(genre) + 3) % len(GENRES)]
        for run in range(args.runs):
            if stages is not None:
                stages.update(dict.fromkeys(stages, 0.0))
            t0, c0 = time.perf_counter(), _cpu_s()
            result = composer.generate(genre, other, 0.6, args.seconds, run, **options)
            wall.setdefault(genre, []).append(time.perf_counter() - t0)
            cpu.setdefault(genre, []).append(_cpu_s() - c0)
            for stage, spent in (stages or {}).items():
                shares.setdefault(stage, []).append(spent)
            if args.stems:
                residuals.append(result.metadata["stems"]["sum_residual_db"])
    for genre in wall:
        print(
            f"{genre:10s} median wall {statistics.median(wall[genre]):.3f} s, "
            f"cpu {statistics.median(cpu[genre]):.3f} s"
        )
    all_wall = [t for ts in wall.values() for t in ts]
    all_cpu = [t for ts in cpu.values() for t in ts]
    med_wall, med_cpu = statistics.median(all_wall), statistics.median(all_cpu)
    print(
        f"\n{args.seconds:g}-s track{' with stems' if args.stems else ''}, {len(all_wall)} runs: "
        f"wall median {med_wall:.3f} s (max {max(all_wall):.3f} s, {args.seconds / med_wall:.0f}x "
        f"real time); cpu median {med_cpu:.3f} s (max {max(all_cpu):.3f} s, "
        f"{args.seconds / med_cpu:.0f}x) (soundfont {composer.soundfont.name}, "
        f"workers {args.workers})"
    )
    if shares:
        staged = [sum(t) for t in zip(*shares.values(), strict=True)]
        rest = statistics.median(c - t for c, t in zip(all_cpu, staged, strict=True))
        print(
            "cpu median per track: "
            + ", ".join(f"{stage} {statistics.median(t):.3f} s" for stage, t in shares.items())
            + f", the rest {rest:.3f} s"
        )
    if residuals:
        print(
            f"stems' sum vs mix: {statistics.median(residuals):.1f} dB median, "
            f"worst {max(residuals):.1f} dB, best {min(residuals):.1f} dB ({len(residuals)} tracks)"
        )


if __name__ == "__main__":
    main()
