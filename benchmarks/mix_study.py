"""Are 3-genre mixes heard as their three genres? 20 random triples × N seeds, every ear.

    .venv/bin/python benchmarks/mix_study.py [--triples 20] [--triple-seed 13] [--seeds 3]
        [--seconds 20] [--weights 1,1,1] [--strategy plain|best_of_n|calibrate] [--no-judge]
        [--jobs N] [--out out/bench/mix_study]

Draws ``--triples`` distinct genre triples at random with ``--triple-seed`` (fixed, so the list
is the same on every run; printed), gives each the weights ``--weights`` in the triple's order
(default equal), and runs them as a sweep of mixes (``genreblender sweep --mix ...``: the same
machinery, resumable) with ``--seeds`` seeds each. Prints, for the steering listener (mel-cnn by
default), the other listener and the musicnn judge (on the triples without reggae, which it
cannot see): the rate at which the three asked genres are the three most probable (top-3), the
landed rate, the mean on-target mass, mean JS and mean weight error, each with its spread over
seeds (mean ± standard deviation of the per-seed figures), then the same per triple, beside
issue 13's targets (top three for >= 50% of tracks by the default listener; mean on-target mass
>= 0.6). Writes the figures as JSON (``OUT/mix_study.json``) beside the sweep's results.csv,
summary.json and report.html.
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
from genreblender.mixes import make_mix

JUDGE = defaults.JUDGE
#: issue 13's targets for 3-genre mixes
TARGETS = {"listener_top3_rate": 0.5, "mean_on_target_mass": 0.6}
FIGURES = ("topk_rate", "landed_rate", "mean_on_target_mass", "mean_js", "mean_weight_error")


def random_triples(n: int, seed: int) -> list[tuple[str, str, str]]:
    """``n`` distinct unordered triples of the ten genres, drawn with ``seed``, each in a random
    order (its first genre is "A")."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pool = list(itertools.combinations(GENRES, 3))
    picked = rng.choice(len(pool), size=n, replace=False)
    return [tuple(str(g) for g in rng.permutation(pool[i])) for i in picked]


def _fmt(value, spec=".3f", width=0):
    return f"{'n/a' if value is None else format(value, spec):>{width}}"


def _spread(view: dict, figure: str) -> tuple[float | None, float | None]:
    """Mean and standard deviation over seeds of one figure (None when unscored)."""
    values = [v.get(figure) for v in view.get("by_seed", {}).values()]
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def ear_table(summary: dict) -> dict:
    overall = summary["overall"]
    views = {f"{overall.get('listener') or 'listener'} (steering)": overall}
    views.update(overall.get("ears", {}))
    table = {}
    for name, view in views.items():
        row = {f: view.get(f) for f in FIGURES}
        row["seed_spread"] = {f: _spread(view, f)[1] for f in FIGURES}
        row["n_mixes"], row["n_tracks"] = view.get("n_mixes"), view.get("n_tracks")
        table[name] = row
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=20)
    parser.add_argument("--triple-seed", type=int, default=13)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--weights", default="1,1,1", help="the triple's weights, in its order")
    parser.add_argument("--strategy", default="plain", choices=("plain", "best_of_n", "calibrate"))
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--jobs", type=int, default=None, help="local processes (default: cores)")
    parser.add_argument("--out", default=None, help="default out/bench/mix_study_<settings>")
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    if len(weights) != 3:
        parser.error("--weights takes three numbers")
    triples = random_triples(args.triples, args.triple_seed)
    mixes = [make_mix(list(zip(t, weights, strict=True))).text for t in triples]
    out = Path(
        args.out
        or f"out/bench/mix_study_{args.triples}x{args.seeds}_{args.seconds:g}s_"
        f"{args.weights.replace(',', '-')}_{args.strategy}"
    )
    spec = SweepSpec(
        mixes=tuple(mixes),
        seeds=args.seeds,
        seconds=args.seconds,
        strategy=args.strategy,
        judge=JUDGE if args.judge else None,
    )
    summary = run_sweep(spec, out, LocalExecutor(args.jobs))
    ears = ear_table(summary)
    print(
        f"\n{args.triples} random triples (seed {args.triple_seed}), weights {args.weights} in "
        f"each triple's order, {args.seeds} seed(s), {args.seconds:g}-s tracks, strategy "
        f"{args.strategy}\n"
    )
    print(
        f"{'ear':30s} {'top-3':>13s} {'landed':>13s} {'on-target':>13s} {'JS':>13s} "
        f"{'weight err':>13s} {'mixes':>5s} {'tracks':>6s}"
    )
    for name, row in ears.items():
        cells = " ".join(
            f"{_fmt(row[f], '.3f')}±{_fmt(row['seed_spread'][f], '.3f')}".rjust(13) for f in FIGURES
        )
        print(f"{name:30s} {cells} {row['n_mixes'] or 0:>5} {row['n_tracks'] or 0:>6}")
    print(
        f"(± is the standard deviation of the per-seed figures) targets: the three asked genres "
        f"the top three for >= {TARGETS['listener_top3_rate']:.0%} of tracks by the default "
        f"listener; mean on-target mass >= {TARGETS['mean_on_target_mass']:g}\n"
    )
    names = list(summary["overall"].get("ears", {}))
    head = "".join(f" | {n[:12]:>12s} {'top-3':>5s} {'mass':>5s}" for n in names)
    print(f"{'mix':44s} {'top-3':>5s} {'mass':>5s} {'JS':>5s}{head}")
    per_mix = {}
    for text, entry in summary["mixes"].items():
        cells = "".join(
            f" | {'':>12s} {_fmt(entry['ears'].get(n, {}).get('topk_rate'), '.0%', 5)}"
            f" {_fmt(entry['ears'].get(n, {}).get('mean_on_target_mass'), '.2f', 5)}"
            for n in names
        )
        print(
            f"{entry['label']:44s} {_fmt(entry.get('topk_rate'), '.0%', 5)} "
            f"{_fmt(entry.get('mean_on_target_mass'), '.2f', 5)} "
            f"{_fmt(entry.get('mean_js'), '.2f', 5)}{cells}"
        )
        per_mix[text] = {f: entry.get(f) for f in FIGURES} | {
            "ears": {n: {f: v.get(f) for f in FIGURES} for n, v in entry["ears"].items()}
        }
    path = out / "mix_study.json"
    record = {
        "settings": vars(args),
        "triples": [list(t) for t in triples],
        "targets": TARGETS,
        "ears": ears,
        "mixes": per_mix,
    }
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nwrote {path} (sweep: {out}/results.csv, summary.json, report.html)")


if __name__ == "__main__":
    main()
