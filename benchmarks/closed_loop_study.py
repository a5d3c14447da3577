"""How much the closed loop helps: plain generation vs best-of-N vs blend calibration.

    .venv/bin/python benchmarks/closed_loop_study.py [--pairs 10] [--seconds 10] [--n 4]
        [--judge MSD_musicnn+MTT_musicnn] [--out out/bench/closed_loop.json]

Same pairs, alphas (0.25, 0.5, 0.75) and seed for every strategy. Reports mean |α̂ − α|, mean
JS divergence, the landed rate, mean on-target mass p(A) + p(B) and how often the loop reached
its goal, per strategy, from our classifier (which the loop optimises) and, for the same final
tracks, from the independent judge (which it never sees) over the pairs it can see.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common

import numpy as np

from genreblender import defaults
from genreblender.evaluation.sweep import all_pairs

_STATE = {}


def _init(judge_model):
    from genreblender.jit_cache import warm_librosa_kernels
    from genreblender.classification import GenreClassifier
    from genreblender.evaluation.judges import MusicnnJudge
    from genreblender.generation.composer import Composer

    _common.one_thread_torch()
    warm_librosa_kernels()  # one worker at a time (numba issue #10128)
    _STATE.update(
        composer=Composer(), classifier=GenreClassifier.load(), judge=MusicnnJudge(judge_model)
    )


def _one(job):
    from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
    from genreblender.evaluation.ears import as_ear, hear
    from genreblender.evaluation.track import as_mono, evaluate_track

    a, b, alpha, seed, seconds, n = job
    composer, classifier, judge = _STATE["composer"], _STATE["classifier"], _STATE["judge"]
    out = {"pair": f"{a}:{b}", "alpha": alpha}
    plain = composer.generate(a, b, alpha, seconds, seed)
    runs = {
        "plain": (
            plain,
            evaluate_track(plain.audio, plain.sample_rate, a, b, alpha, classifier=classifier),
            1,
            None,
        ),
    }
    loop = best_of_n(
        composer, a, b, alpha, seconds, [seed + 100 * i for i in range(n)], classifier=classifier
    )
    runs["best_of_n"] = (loop.result, loop.evaluation, len(loop.trials), loop.reached)
    loop = calibrate_alpha(composer, a, b, alpha, seconds, seed, classifier=classifier)
    runs["calibrate"] = (loop.result, loop.evaluation, len(loop.trials), loop.reached)
    for name, (result, evaluation, generations, reached) in runs.items():
        view = hear(as_ear(judge), as_mono(result.audio), result.sample_rate, a, b, alpha)
        judged = view["metrics"] or {}
        out[name] = {
            "abs_err": evaluation.metrics.abs_alpha_error,
            "js": evaluation.metrics.js,
            "landed": evaluation.metrics.landed,
            "on_target_mass": evaluation.metrics.on_target_mass,
            "generations": generations,
            "reached": reached,
            "judge_abs_err": judged.get("abs_alpha_error"),
            "judge_landed": judged.get("landed"),
            "judge_on_target_mass": judged.get("on_target_mass"),
        }
    return out


def _pct(value):
    return "n/a" if np.isnan(value) else f"{value:.0%}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10, help="first N of the 45 pairs, spread")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--judge", default=defaults.JUDGE)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="out/bench/closed_loop.json")
    args = parser.parse_args()
    pairs = all_pairs()[:: max(1, 45 // args.pairs)][: args.pairs]
    jobs = [(a, b, alpha, 0, args.seconds, args.n) for a, b in pairs for alpha in (0.25, 0.5, 0.75)]
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.judge,)) as pool:
        rows = list(pool.map(_one, jobs))
    print(f"{len(pairs)} pairs x 3 alphas, {args.seconds:g}-s tracks, seed 0\n")
    print(
        f"{'strategy':10s} {'|α̂−α|':>7s} {'JS':>6s} {'landed':>6s} {'mass':>5s} {'goal':>5s} "
        f"{'gens':>5s} | judge {'|α̂−α|':>7s} {'landed':>6s} {'mass':>5s}"
    )
    table = {}

    def mean(name, key):
        values = [r[name][key] for r in rows if r[name][key] is not None]
        return float(np.mean(values)) if values else float("nan")

    for name in ("plain", "best_of_n", "calibrate"):
        table[name] = {
            "mean_abs_alpha_error": mean(name, "abs_err"),
            "mean_js": mean(name, "js"),
            "landed_rate": mean(name, "landed"),
            "mean_on_target_mass": mean(name, "on_target_mass"),
            "goal_reached_rate": mean(name, "reached"),
            "mean_generations": mean(name, "generations"),
            "judge_mean_abs_alpha_error": mean(name, "judge_abs_err"),
            "judge_landed_rate": mean(name, "judge_landed"),
            "judge_mean_on_target_mass": mean(name, "judge_on_target_mass"),
            "judge_n_tracks": sum(r[name]["judge_abs_err"] is not None for r in rows),
        }
        t = table[name]
        print(
            f"{name:10s} {t['mean_abs_alpha_error']:7.3f} {t['mean_js']:6.3f} "
            f"{t['landed_rate']:6.0%} {t['mean_on_target_mass']:5.2f} "
            f"{_pct(t['goal_reached_rate']):>5s} {t['mean_generations']:5.1f} | judge "
            f"{t['judge_mean_abs_alpha_error']:7.3f} {t['judge_landed_rate']:6.0%} "
            f"{t['judge_mean_on_target_mass']:5.2f}"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "settings": vars(args),
                "pairs": [list(p) for p in pairs],
                "strategies": table,
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
