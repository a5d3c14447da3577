"""Does a 50:50 blend land? All 45 pairs at α = 0.5, N seeds, scored by every ear.

    .venv/bin/python benchmarks/landing_study.py [--seeds 3] [--seconds 20] [--strategy plain]
        [--no-judge] [--jobs N] [--out out/bench/landing]

Runs ``genreblender sweep --alphas 0.5`` (the same machinery, resumable: run it again to finish
a killed study) and prints, for the steering listener and for every other ear in the results
(the musicnn judge on the 36 pairs without reggae; any other listener the sweep scored), the
landed rate and the mean on-target mass p(A) + p(B) beside mean |α̂ − α|; then each seed's top-two
rate and the mean ± sd of each figure over the seeds (one seed draws all ten genres' songs for
every pair, so seeds differ more than tracks do); then the same per pair.
The rate at which A and B are the two most probable genres (issue 10's "landed") is printed beside
the stricter landed rate of the landing rule, with issue 10's targets: A and B the top two for
>= 70% of tracks by the default listener and >= 50% by the judge, mean on-target mass >= 0.6. Writes the figures as JSON
(``OUT/landing_study.json``) beside the sweep's results.csv, summary.json and report.html.
"""

import argparse
import json
import statistics
from pathlib import Path

import _common  # noqa: F401  (one thread per process, before numpy/torch load)

from genreblender import defaults
from genreblender.evaluation.executors import LocalExecutor
from genreblender.evaluation.sweep import SweepSpec, all_pairs, run_sweep

JUDGE = defaults.JUDGE
#: issue 10's targets at α = 0.5 over the 45 pairs
TARGETS = {"listener_landed_rate": 0.7, "judge_landed_rate": 0.5, "mean_on_target_mass": 0.6}
#: the figures whose spread over seeds is printed
SEED_FIGURES = ("top2_rate", "landed_rate", "mean_on_target_mass")


def _fmt(value, spec=".3f", width=0):
    return f"{'n/a' if value is None else format(value, spec):>{width}}"


def ear_table(summary):
    """``{name: figures at α = 0.5}`` for the steering listener and every other ear."""
    overall = summary["overall"]
    views = {f"{overall.get('listener') or 'listener'} (steering)": overall}
    views.update(overall.get("ears", {}))
    table = {}
    for name, view in views.items():
        at_half = view.get("by_alpha", {}).get("0.5", {})
        table[name] = {
            "landed_rate": at_half.get("landed_rate"),
            "top2_rate": at_half.get("top2_rate"),
            "mean_on_target_mass": at_half.get("mean_on_target_mass"),
            "mean_abs_alpha_error": at_half.get("mean_abs_alpha_error"),
            "n_pairs": view.get("n_pairs"),
            "n_tracks": at_half.get("n_tracks", 0),
        }
    return table


def pair_table(summary):
    rows = {}
    for key, entry in summary["pairs"].items():
        row = {
            "landed_rate": entry.get("landed_rate"),
            "top2_rate": entry.get("top2_rate"),
            "mean_on_target_mass": entry.get("mean_on_target_mass"),
            "mean_abs_alpha_error": entry.get("mean_abs_alpha_error"),
        }
        for name, view in entry.get("ears", {}).items():
            row[name] = {
                "landed_rate": view.get("landed_rate"),
                "top2_rate": view.get("top2_rate"),
                "mean_on_target_mass": view.get("mean_on_target_mass"),
            }
        rows[key] = row
    return rows


def seed_table(summary: dict, steering: str) -> dict[str, dict]:
    """Per ear, each seed's top-two rate, landed rate and mean on-target mass over the pairs it
    can see (the summary's ``by_seed``: one seed draws every genre's song for all 45 pairs, so
    seeds differ far more than tracks of one seed), with their mean and standard deviation over
    the seeds."""
    overall = summary["overall"]
    table = {}
    for name, view in {steering: overall, **overall.get("ears", {})}.items():
        per_seed = {int(seed): v for seed, v in view.get("by_seed", {}).items()}
        spread = {}
        for figure in SEED_FIGURES:
            values = [v[figure] for v in per_seed.values() if v[figure] is not None]
            spread[figure] = {
                "mean": statistics.fmean(values) if values else None,
                "sd": statistics.stdev(values) if len(values) > 1 else None,
            }
        table[name] = {"per_seed": per_seed, "over_seeds": spread}
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--strategy", default="plain", choices=("plain", "best_of_n", "calibrate"))
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--jobs", type=int, default=None, help="local processes (default: cores)")
    parser.add_argument("--out", default=None, help="default out/bench/landing_<settings>")
    args = parser.parse_args()
    out = Path(args.out or f"out/bench/landing_{args.seeds}seeds_{args.seconds:g}s_{args.strategy}")
    spec = SweepSpec(
        pairs=tuple(all_pairs()),
        alphas=(0.5,),
        seeds=args.seeds,
        seconds=args.seconds,
        strategy=args.strategy,
        judge=JUDGE if args.judge else None,
    )
    summary = run_sweep(spec, out, LocalExecutor(args.jobs))
    ears, pairs = ear_table(summary), pair_table(summary)
    print(
        f"\n45 pairs at α = 0.5, {args.seeds} seed(s), {args.seconds:g}-s tracks, "
        f"strategy {args.strategy}\n"
    )
    print(
        f"{'ear':36s} {'landed':>7s} {'A,B top-2':>9s} {'on-target':>9s} {'|α̂−α|':>7s} "
        f"{'pairs':>5s} {'tracks':>6s}"
    )
    for name, row in ears.items():
        print(
            f"{name:36s} {_fmt(row['landed_rate'], '.1%', 7)} {_fmt(row['top2_rate'], '.1%', 9)} "
            f"{_fmt(row['mean_on_target_mass'], '.3f', 9)} "
            f"{_fmt(row['mean_abs_alpha_error'], '.3f', 7)} {row['n_pairs']:>5} "
            f"{row['n_tracks']:>6}"
        )
    print(
        f"targets: A and B the top two for >= {TARGETS['listener_landed_rate']:.0%} of tracks "
        f"(default listener), >= {TARGETS['judge_landed_rate']:.0%} (judge, pairs it can see); "
        f"mean on-target mass >= {TARGETS['mean_on_target_mass']:g}\n"
    )
    ear_names = list(summary["overall"].get("ears", {}))
    steering = f"{summary['overall'].get('listener') or 'listener'} (steering)"
    seeds = seed_table(summary, steering)
    if args.seeds > 1:
        print("per seed (one seed draws all ten genres' songs): top two, then mean ± sd over seeds")
        for name, entry in seeds.items():
            rates = " ".join(f"{v['top2_rate']:.0%}" for v in entry["per_seed"].values())
            over = entry["over_seeds"]
            print(
                f"  {name:34s} {rates} | top two {over['top2_rate']['mean']:.1%} "
                f"± {over['top2_rate']['sd']:.1%}, landed {over['landed_rate']['mean']:.1%} "
                f"± {over['landed_rate']['sd']:.1%}, mass {over['mean_on_target_mass']['mean']:.3f} "
                f"± {over['mean_on_target_mass']['sd']:.3f}"
            )
        print()
    head = "".join(f" | {n[:10]:>10s} {'top-2':>5s} {'mass':>5s}" for n in ear_names)
    print(f"{'pair':18s} {'landed':>6s} {'top-2':>5s} {'mass':>5s} {'|α̂−α|':>6s}{head}")
    for key, row in pairs.items():
        cells = "".join(
            f" | {_fmt(row.get(n, {}).get('landed_rate'), '.0%', 10)}"
            f" {_fmt(row.get(n, {}).get('top2_rate'), '.0%', 5)}"
            f" {_fmt(row.get(n, {}).get('mean_on_target_mass'), '.2f', 5)}"
            for n in ear_names
        )
        print(
            f"{key:18s} {_fmt(row['landed_rate'], '.0%', 6)} {_fmt(row['top2_rate'], '.0%', 5)} "
            f"{_fmt(row['mean_on_target_mass'], '.2f', 5)} "
            f"{_fmt(row['mean_abs_alpha_error'], '.3f', 6)}{cells}"
        )
    path = out / "landing_study.json"
    path.write_text(
        json.dumps(
            {
                "settings": vars(args),
                "targets": TARGETS,
                "ears": ears,
                "seeds": seeds,
                "pairs": pairs,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"\nwrote {path} (sweep: {out}/results.csv, summary.json, report.html)")


if __name__ == "__main__":
    main()
