"""Does the shipped classifier hear the genre the composer was asked for?

    .venv/bin/python benchmarks/composer_genre_recognition.py [--seeds 10] [--seconds 30]
        [--jobs 2] [--judge MSD_musicnn+MTT_musicnn] [--out out/bench/recognition.json]

Pure tracks (alpha = 1) of each genre x seeds 0..N-1: per-genre top-1 rate and mean probability
of the intended genre, from our classifier and (with --judge) from the independent musicnn
tagger over the genres it can see. Prints a table and writes JSON.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common  # noqa: F401

import numpy as np

from genreblender.genres import GENRES

_STATE = {}


def _init(judge_model):
    from genreblender.classification import GenreClassifier
    from genreblender.generation.composer import Composer

    _common.one_thread_torch()
    _STATE["composer"] = Composer()
    _STATE["classifier"] = GenreClassifier.load()
    if judge_model:
        from genreblender.evaluation.judges import MusicnnJudge

        _STATE["judge"] = MusicnnJudge(judge_model)


def _one(job):
    genre, seed, seconds = job
    result = _STATE["composer"].generate(genre, genre, 1.0, seconds, seed)
    mono = result.audio.mean(axis=1)
    probs = _STATE["classifier"].classify(mono, sr=result.sample_rate).distribution
    row = {"genre": genre, "seed": seed, "probabilities": probs}
    judge = _STATE.get("judge")
    if judge is not None and genre in judge.visible_genres:
        row["judge_scores"] = judge.genre_scores(mono, result.sample_rate)
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--judge", default=None, help="e.g. MSD_musicnn+MTT_musicnn")
    parser.add_argument("--out", default="out/bench/recognition.json")
    args = parser.parse_args()
    jobs = [(g, s, args.seconds) for g in GENRES for s in range(args.seeds)]
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.judge,)) as pool:
        rows = list(pool.map(_one, jobs))
    table = {}
    for genre in GENRES:
        mine = [r for r in rows if r["genre"] == genre]
        top = [max(r["probabilities"], key=r["probabilities"].get) for r in mine]
        entry = {
            "top1_rate": float(np.mean([t == genre for t in top])),
            "mean_p_intended": float(np.mean([r["probabilities"][genre] for r in mine])),
            "most_common_top": max(set(top), key=top.count),
        }
        judged = [r["judge_scores"] for r in mine if "judge_scores" in r]
        if judged:
            jtop = [max(s, key=s.get) for s in judged]
            entry["judge_top1_rate"] = float(np.mean([t == genre for t in jtop]))
            entry["judge_mean_p_intended"] = float(np.mean([s[genre] for s in judged]))
        table[genre] = entry
    n_on_top = sum(e["top1_rate"] >= 0.5 for e in table.values())
    print(
        f"{'genre':10s} {'top-1':>6s} {'p(genre)':>8s}  most often heard as"
        + ("   judge top-1  judge p" if args.judge else "")
    )
    for genre, e in table.items():
        line = (
            f"{genre:10s} {e['top1_rate']:6.0%} {e['mean_p_intended']:8.2f}  {e['most_common_top']}"
        )
        if "judge_top1_rate" in e:
            line += f"{'':10s}{e['judge_top1_rate']:6.0%} {e['judge_mean_p_intended']:8.2f}"
        print(line)
    print(
        f"\nintended genre on top in >= half the seeds for {n_on_top}/10 genres "
        f"({args.seeds} seeds, {args.seconds:g} s)"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"settings": vars(args), "per_genre": table, "genres_on_top": n_on_top, "rows": rows},
            indent=1,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
