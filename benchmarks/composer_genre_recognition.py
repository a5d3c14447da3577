"""Do the listeners (and the judge) hear the genre the composer was asked for?

    .venv/bin/python benchmarks/composer_genre_recognition.py [--seeds 10] [--seconds 30]
        [--jobs 2] [--judge MSD_musicnn+MTT_musicnn] [--out out/bench/recognition.json]
        [--seed-offset 0] [--genres blues,pop,reggae]

Pure tracks (alpha = 1) of each genre x seeds OFFSET..OFFSET+N-1 (develop on seeds 100 and up with
--seed-offset 100 and keep seeds 0..9, the default, for the final figure): per-genre top-1 rate, mean probability of
the intended genre and the genre most often heard instead, from every shipped listener and (with
--judge) from the independent musicnn tagger over the genres it can see, and the two genres that
take the most of the rest of the mass (what each genre's music leaks into a blend). Prints a table
per ear and writes JSON.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common  # noqa: F401

import numpy as np

from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES
from genreblender.genres import GENRES

_STATE = {}


def _init(judge_model):
    from genreblender.jit_cache import warm_librosa_kernels
    from genreblender.classification.listeners import get_listener
    from genreblender.generation.composer import Composer

    _common.one_thread_torch()
    warm_librosa_kernels()  # one worker at a time (numba issue #10128)
    _STATE["composer"] = Composer()
    _STATE["listeners"] = {name: get_listener(name) for name in LISTENER_NAMES}
    if judge_model:
        from genreblender.evaluation.judges import MusicnnJudge

        _STATE["judge"] = MusicnnJudge(judge_model)


def _one(job):
    genre, seed, seconds = job
    result = _STATE["composer"].generate(genre, genre, 1.0, seconds, seed)
    mono = result.audio.mean(axis=1)
    row = {"genre": genre, "seed": seed}
    for name, listener in _STATE["listeners"].items():
        row[name] = listener.classify(mono, sr=result.sample_rate).distribution
    judge = _STATE.get("judge")
    if judge is not None and genre in judge.visible_genres:
        row["judge"] = judge.genre_scores(mono, result.sample_rate)
    return row


def _ear_table(rows, ear):
    table = {}
    for genre in GENRES:
        scored = [r[ear] for r in rows if r["genre"] == genre and ear in r]
        if not scored:
            continue
        top = [max(p, key=p.get) for p in scored]
        mean = {g: float(np.mean([p[g] for p in scored])) for g in scored[0]}
        table[genre] = {
            "top1_rate": float(np.mean([t == genre for t in top])),
            "mean_p_intended": mean[genre],
            "most_common_top": max(set(top), key=top.count),
            # where the rest of the mass goes: in a blend, these genres are its leakage
            "mean_distribution": mean,
        }
    return table


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--judge", default=None, help="e.g. MSD_musicnn+MTT_musicnn")
    parser.add_argument("--out", default="out/bench/recognition.json")
    parser.add_argument(
        "--seed-offset", type=int, default=0, help="first seed (probe on 100 and up; default 0)"
    )
    parser.add_argument(
        "--genres", default=",".join(GENRES), help="comma-separated genres (default: all ten)"
    )
    args = parser.parse_args()
    genres = [g.strip() for g in args.genres.split(",") if g.strip()]
    unknown = sorted(set(genres) - set(GENRES))
    if unknown:
        parser.error(f"unknown genres: {', '.join(unknown)}")
    seeds = range(args.seed_offset, args.seed_offset + args.seeds)
    jobs = [(g, s, args.seconds) for g in GENRES if g in genres for s in seeds]
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.judge,)) as pool:
        rows = list(pool.map(_one, jobs))
    ears = [*LISTENER_NAMES] + (["judge"] if args.judge else [])
    result = {"settings": vars(args), "default_listener": DEFAULT_LISTENER, "ears": {}}
    for ear in ears:
        table = _ear_table(rows, ear)
        n_on_top = sum(e["top1_rate"] >= 0.5 for e in table.values())
        result["ears"][ear] = {
            "per_genre": table,
            "genres_on_top": n_on_top,
            "genres_scored": len(table),
        }
        label = f"{ear} (default)" if ear == DEFAULT_LISTENER else ear
        print(
            f"\n{label}\n{'genre':10s} {'top-1':>6s} {'p(genre)':>8s}  "
            f"{'most often heard as':20s} the most mass elsewhere (mean p)"
        )
        for genre, e in table.items():
            elsewhere = sorted(
                ((g, p) for g, p in e["mean_distribution"].items() if g != genre),
                key=lambda item: -item[1],
            )[:2]
            print(
                f"{genre:10s} {e['top1_rate']:6.0%} {e['mean_p_intended']:8.2f}  "
                f"{e['most_common_top']:20s} " + ", ".join(f"{g} {p:.2f}" for g, p in elsewhere)
            )
        print(
            f"intended genre on top in >= half the seeds for {n_on_top}/{len(table)} genres "
            f"({args.seeds} seeds from {args.seed_offset}, {args.seconds:g} s)"
        )
    result["rows"] = rows
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
