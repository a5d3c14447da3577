"""Do blends that move follow their curve? 60-s morphs from A to B over 10 pairs × N seeds.

    .venv/bin/python benchmarks/morph_study.py [--pairs 10] [--pair-seed 7] [--seeds 3]
        [--seconds 60] [--no-judge] [--jobs N] [--out out/bench/morph_study]

Draws ``--pairs`` distinct genre pairs at random with ``--pair-seed`` (fixed, so the list is the
same on every run; each in a random order, A first), asks for the curve ``0:1,<seconds>:0``
(α from 1 to 0: pure A to pure B, linear), and runs them as a sweep of curves (``genreblender
sweep --mix-curve ...``: the same machinery, resumable) with ``--seeds`` seeds each. Prints,
for the steering listener (mel-cnn by default, its 3-s windows), the musicnn judge (scoring the
same windows one by one; pairs with reggae, which it cannot see, left out), the other listener
(its 30-s windows: too few for a Spearman) and the plan itself (an ideal listener hearing each
window's time share of A: the bound the composer's sections set): the mean tracking error
(mean |α̂(t) − α(t)|) and mean Spearman(α(t), α̂(t)) over the windows, on the heard weights
over 12-s spans and per window, each with its spread over seeds (mean ± sd of the per-seed
means), and the share of tracks meeting issue 13's bounds (Spearman ≥ 0.8, tracking error ≤
0.2 by the default listener). Then the same per pair. Writes ``OUT/morph_study.json`` beside
the sweep's results.csv, summary.json and report.html (which draws both curves of every pair).
"""

import argparse
import itertools
import json
import statistics
from pathlib import Path

import _common  # noqa: F401  (one thread per process, before numpy/torch load)

from genreblender import defaults
from genreblender.evaluation.executors import LocalExecutor
from genreblender.evaluation.sweep import SweepSpec, run_sweep
from genreblender.genres import GENRES
from genreblender.mixes import parse_alpha_curve

JUDGE = defaults.JUDGE
#: issue 13's targets for 60-s morphs by the default listener (the judge is reported too)
TARGETS = {"spearman": 0.8, "tracking_error": 0.2}
FIGURES = (
    "mean_tracking_error",
    "mean_spearman",
    "mean_tracking_error_raw",
    "mean_spearman_raw",
)


def random_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` distinct unordered pairs of the ten genres, drawn with ``seed``, each in a random
    order (its first genre is A, where the curve starts)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pool = list(itertools.combinations(GENRES, 2))
    picked = rng.choice(len(pool), size=n, replace=False)
    return [tuple(str(g) for g in rng.permutation(pool[i])) for i in picked]


def _fmt(value, spec=".3f", width=0):
    return f"{'n/a' if value is None else format(value, spec):>{width}}"


def _spread(view: dict, figure: str) -> float | None:
    values = [v.get(figure) for v in view.get("by_seed", {}).values()]
    values = [v for v in values if v is not None]
    return statistics.stdev(values) if len(values) > 1 else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--pair-seed", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--jobs", type=int, default=None, help="local processes (default: cores)")
    parser.add_argument("--out", default=None, help="default out/bench/morph_study_<settings>")
    args = parser.parse_args()
    pairs = random_pairs(args.pairs, args.pair_seed)
    curve = f"0:1,{args.seconds:g}:0"
    morphs = [parse_alpha_curve(curve, a, b).text for a, b in pairs]
    out = Path(
        args.out
        or f"out/bench/morph_study_{args.pairs}x{args.seeds}_{args.seconds:g}s_s{args.pair_seed}"
    )
    spec = SweepSpec(
        morphs=tuple(morphs),
        seeds=args.seeds,
        seconds=args.seconds,
        judge=JUDGE if args.judge else None,
    )
    summary = run_sweep(spec, out, LocalExecutor(args.jobs))
    overall = summary["overall"]
    views = {f"{overall.get('listener') or 'listener'} (steering)": overall}
    views.update(overall.get("ears", {}))
    print(
        f"\n{args.pairs} random pairs (seed {args.pair_seed}), curve α {curve} (A to B), "
        f"{args.seeds} seed(s), {args.seconds:g}-s tracks\n"
    )
    print(
        f"{'ear':28s} {'error (12 s)':>14s} {'Spearman':>14s} {'error (window)':>14s} "
        f"{'Spearman':>14s} {'ρ≥0.8':>6s} {'err≤0.2':>7s} {'tracks':>6s}"
    )
    table = {}
    for name, view in views.items():
        cells = " ".join(f"{_fmt(view.get(f))}±{_fmt(_spread(view, f))}".rjust(14) for f in FIGURES)
        print(
            f"{name:28s} {cells} {_fmt(view.get('spearman_at_least_0.8_rate'), '.0%', 6)} "
            f"{_fmt(view.get('tracking_error_at_most_0.2_rate'), '.0%', 7)} "
            f"{view.get('n_tracks', 0):>6}"
        )
        table[name] = {f: view.get(f) for f in FIGURES} | {
            "seed_spread": {f: _spread(view, f) for f in FIGURES},
            "spearman_at_least_0.8_rate": view.get("spearman_at_least_0.8_rate"),
            "tracking_error_at_most_0.2_rate": view.get("tracking_error_at_most_0.2_rate"),
            "n_tracks": view.get("n_tracks"),
        }
    print(
        "(± is the standard deviation of the per-seed means; 'plan' is an ideal listener that "
        "hears each window's time share of A exactly) targets: Spearman >= "
        f"{TARGETS['spearman']:g} and mean tracking error <= {TARGETS['tracking_error']:g} by "
        "the default listener\n"
    )
    names = list(overall.get("ears", {}))
    head = "".join(f" | {n[:12]:>12s} {'err':>5s} {'ρ':>5s}" for n in names)
    print(f"{'pair':22s} {'err':>5s} {'ρ':>5s}{head}")
    per_curve = {}
    for text, entry in summary["morphs"].items():
        pair = " → ".join(parse_alpha_curve_genres(text))
        cells = "".join(
            f" | {'':>12s} {_fmt(entry['ears'].get(n, {}).get('mean_tracking_error'), '.2f', 5)}"
            f" {_fmt(entry['ears'].get(n, {}).get('mean_spearman'), '.2f', 5)}"
            for n in names
        )
        print(
            f"{pair:22s} {_fmt(entry.get('mean_tracking_error'), '.2f', 5)} "
            f"{_fmt(entry.get('mean_spearman'), '.2f', 5)}{cells}"
        )
        per_curve[pair] = {f: entry.get(f) for f in FIGURES} | {
            "ears": {n: {f: v.get(f) for f in FIGURES} for n, v in entry["ears"].items()}
        }
    path = out / "morph_study.json"
    record = {
        "settings": vars(args),
        "pairs": [list(p) for p in pairs],
        "curve": curve,
        "targets": TARGETS,
        "ears": table,
        "curves": per_curve,
    }
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwrote {path} (sweep: {out}/results.csv, summary.json, report.html)")


def parse_alpha_curve_genres(text: str) -> tuple[str, ...]:
    from genreblender.mixes import parse_mix_curve

    return parse_mix_curve(text).genres


if __name__ == "__main__":
    main()
