"""How much the closed loop helps: plain generation vs best-of-N vs blend calibration.

    .venv/bin/python benchmarks/closed_loop_study.py [--pairs 10] [--seconds 10] [--n 4]
        [--judge MSD_musicnn+MTT_musicnn] [--out out/bench/closed_loop.json]

Same pairs, alphas (0.25, 0.5, 0.75) and seed for every strategy. Reports mean |α̂ − α| and mean
JS divergence per strategy from our classifier (which the loop optimises) and, for the same
final tracks, from the independent judge (which it never sees) over the pairs it can see.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common

import numpy as np

from genreblender.evaluation.sweep import all_pairs

_STATE = {}


def _init(judge_model):
    from genreblender.classification import GenreClassifier
    from genreblender.evaluation.judges import MusicnnJudge
    from genreblender.generation.composer import Composer

    _common.one_thread_torch()
    _STATE.update(
        composer=Composer(), classifier=GenreClassifier.load(), judge=MusicnnJudge(judge_model)
    )


def _one(job):
    from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
    from genreblender.evaluation.track import evaluate_track, judge_view

    a, b, alpha, seed, seconds, n = job
    composer, classifier, judge = _STATE["composer"], _STATE["classifier"], _STATE["judge"]
    out = {"pair": f"{a}:{b}", "alpha": alpha}
    plain = composer.generate(a, b, alpha, seconds, seed)
    runs = {
        "plain": (
            plain,
            evaluate_track(plain.audio, plain.sample_rate, a, b, alpha, classifier=classifier),
            1,
        ),
    }
    loop = best_of_n(
        composer, a, b, alpha, seconds, [seed + 100 * i for i in range(n)], classifier=classifier
    )
    runs["best_of_n"] = (loop.result, loop.evaluation, len(loop.trials))
    loop = calibrate_alpha(composer, a, b, alpha, seconds, seed, classifier=classifier)
    runs["calibrate"] = (loop.result, loop.evaluation, len(loop.trials))
    for name, (result, evaluation, generations) in runs.items():
        view = judge_view(judge, result.audio.mean(axis=1), result.sample_rate, a, b, alpha)
        out[name] = {
            "abs_err": abs(evaluation.metrics.alpha_hat - alpha),
            "js": evaluation.metrics.js,
            "generations": generations,
            "judge_abs_err": view["abs_alpha_error"],
        }
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10, help="first N of the 45 pairs, spread")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--judge", default="MSD_musicnn+MTT_musicnn")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="out/bench/closed_loop.json")
    args = parser.parse_args()
    pairs = all_pairs()[:: max(1, 45 // args.pairs)][: args.pairs]
    jobs = [(a, b, alpha, 0, args.seconds, args.n) for a, b in pairs for alpha in (0.25, 0.5, 0.75)]
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.judge,)) as pool:
        rows = list(pool.map(_one, jobs))
    print(f"{len(pairs)} pairs x 3 alphas, {args.seconds:g}-s tracks, seed 0\n")
    print(f"{'strategy':10s} {'|α̂−α|':>8s} {'JS':>6s} {'gens':>5s} {'judge |α̂−α|':>13s}")
    table = {}
    for name in ("plain", "best_of_n", "calibrate"):
        err = np.mean([r[name]["abs_err"] for r in rows])
        js = np.mean([r[name]["js"] for r in rows])
        gens = np.mean([r[name]["generations"] for r in rows])
        judged = [r[name]["judge_abs_err"] for r in rows if r[name]["judge_abs_err"] is not None]
        jerr = float(np.mean(judged)) if judged else float("nan")
        table[name] = {
            "mean_abs_alpha_error": float(err),
            "mean_js": float(js),
            "mean_generations": float(gens),
            "judge_mean_abs_alpha_error": jerr,
            "judge_n_tracks": len(judged),
        }
        print(f"{name:10s} {err:8.3f} {js:6.3f} {gens:5.1f} {jerr:13.3f}")
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
