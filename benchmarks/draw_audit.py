"""Which of a style's random draws make its pure songs less recognisable, by every ear?

    .venv/bin/python benchmarks/draw_audit.py [--genres reggae,rock] [--seeds 40]
        [--seed-offset 300] [--seconds 20] [--no-judge] [--out out/bench/draw_audit]

A style draws, per song, a tempo, a key and mode, a form and an instrument for each part (its
``programs``, weighted). Some draws may make a song less like its genre than others. For each
genre this composes ``--seeds`` pure songs on development seeds (300 and up: seeds 0..9 are the
recognition figure's, 100..141 the style probes'), records what was drawn (the track's
description) and each ear's p(genre), then prints, per drawn value that came up at least
``--min-count`` times, its mean p(genre) by each ear against the songs that drew something else.
A draw that every ear hears as less of the genre is a candidate for a smaller weight; only a
draw that a musician would also call untypical should be changed, and only after a second set
of seeds confirms it (``--seed-offset 400``).

Writes every song's draws and scores to ``<out>/songs.jsonl`` (the analysis re-reads it with
``--analyse-only``). ``--compare OTHER_OUT`` then sets this run's songs against another run's on
the same seeds (another composer version: run this script with ``PYTHONPATH=<checkout>/src``),
song by song: each genre's mean p(genre) by each ear before and after, and the paired
difference with its standard error.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import _common

import numpy as np
from scipy import stats

from genreblender.generation.composer import Composer
from genreblender.errors import InvalidInputError
from genreblender.generation.base import MAX_DURATION_S, MIN_DURATION_S
from genreblender.genres import GENRES, validate_genre


def draws(metadata: dict) -> dict[str, str]:
    """The categorical draws of one pure song, as ``{what: value}``."""
    out = {
        "mode": metadata["key"].split(" ", 1)[1],
        "ending": metadata["ending"],
        "form": "+".join(s.split(":")[0] for s in metadata["form"]),
    }
    for inst in metadata["instruments"]:
        # "comp:blues:answer" -> "comp:answer": the part and its layer, whichever genre's
        role = ":".join(p for i, p in enumerate(inst["part"].split(":")) if i != 1)
        out[f"program {role}"] = str(inst["program"])
    return out


def compose_and_hear(genres, seeds, seconds, judge, out_path: Path) -> None:
    ears = _common.genre_ears(judge)
    composer = Composer()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w") as out:
        for genre in genres:
            for seed in seeds:
                result = composer.generate(genre, genre, 1.0, seconds, seed)
                mono = result.audio.mean(axis=1)
                row = {
                    "genre": genre,
                    "seed": seed,
                    "tempo_bpm": result.metadata["tempo_bpm"],
                    "draws": draws(result.metadata),
                    "p_own": {
                        name: float(ear(mono, result.sample_rate)[genre])
                        for name, (ear, can) in ears.items()
                        if genre in can
                    },
                }
                out.write(json.dumps(row) + "\n")
                out.flush()
            print(f"{genre}: {len(seeds)} songs heard", flush=True)


def findings(songs: list[dict], min_count: int) -> list[dict]:
    """Per drawn value of one genre's songs (seen at least ``min_count`` times, and not by every
    song): each ear's mean p(genre) with it minus without it, the difference's standard error,
    and whether every ear is lower by more than its standard error."""
    ears = sorted(songs[0]["p_own"])
    values = defaultdict(lambda: defaultdict(list))
    for s in songs:
        for what, value in s["draws"].items():
            values[what][value].append(s)
    out = []
    for what in sorted(values):
        for value, having in sorted(values[what].items()):
            others = [s for s in songs if s["draws"].get(what) != value]
            if len(having) < max(min_count, 2) or len(others) < 2:  # each side needs a spread
                continue
            diffs = {}
            for e in ears:
                a = [s["p_own"][e] for s in having]
                b = [s["p_own"][e] for s in others]
                se = np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
                diffs[e] = (float(np.mean(a) - np.mean(b)), float(se))
            lower = all(d < -se for d, se in diffs.values())
            out.append(
                {
                    "what": what,
                    "value": value,
                    "n": len(having),
                    "diffs": diffs,
                    "every_ear_lower": lower,
                }
            )
    return out


def analyse(rows: list[dict], min_count: int) -> None:
    by_genre = defaultdict(list)
    for row in rows:
        by_genre[row["genre"]].append(row)
    for genre, songs in by_genre.items():
        ears = sorted(songs[0]["p_own"])
        means = "  ".join(f"{e} {np.mean([s['p_own'][e] for s in songs]):.3f}" for e in ears)
        print(f"\n{genre} ({len(songs)} songs): mean p({genre}) {means}")
        tempo = [s["tempo_bpm"] for s in songs]
        rhos = "  ".join(
            f"{e} {stats.spearmanr(tempo, [s['p_own'][e] for s in songs])[0]:+.2f}" for e in ears
        )
        print(f"  tempo {min(tempo):.0f}-{max(tempo):.0f} bpm, Spearman with p: {rhos}")
        for f in findings(songs, min_count):
            cells = "  ".join(f"{e} {d:+.3f}±{se:.3f}" for e, (d, se) in f["diffs"].items())
            flag = "  << every ear lower by more than its se" if f["every_ear_lower"] else ""
            print(f"  {f['what']} = {f['value']} (n {f['n']}): {cells}{flag}")


def paired(before: list[dict], after: list[dict]) -> dict[str, dict]:
    """Per genre and ear, over the songs both runs composed (the same genre and seed): the mean
    p(genre) before and after, and the mean paired difference with its standard error."""
    out = defaultdict(dict)
    for genre in dict.fromkeys(r["genre"] for r in after):
        mine = [r for r in after if r["genre"] == genre]
        for ear in sorted(mine[0]["p_own"]):
            figures = _common.paired_difference(
                {r["seed"]: r["p_own"][ear] for r in before if r["genre"] == genre},
                {r["seed"]: r["p_own"][ear] for r in mine},
            )
            if figures is not None:
                out[genre][ear] = figures
    return dict(out)


def _songs_path(out_dir: str) -> Path:
    return Path(out_dir) / "songs.jsonl"


def _rows(out_dir: str) -> list[dict]:
    path = _songs_path(out_dir)
    if not path.is_file():
        raise SystemExit(f"no audit at {path}: run draw_audit.py --out {out_dir} first")
    text = path.read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--genres", default=",".join(GENRES))
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--seed-offset", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--out", default="out/bench/draw_audit")
    parser.add_argument("--analyse-only", action="store_true")
    parser.add_argument(
        "--compare", metavar="OTHER_OUT", help="a run to compare with, song by song"
    )
    args = parser.parse_args()
    try:
        genres = [validate_genre(g) for g in args.genres.split(",")]
    except InvalidInputError as error:
        parser.error(str(error))
    if args.seeds < 2 or args.min_count < 1:
        parser.error("--seeds takes 2 or more (a spread to compare), --min-count 1 or more")
    if args.seed_offset < 0:
        parser.error(f"--seed-offset takes 0 or more, got {args.seed_offset}")
    if not MIN_DURATION_S <= args.seconds <= MAX_DURATION_S:
        parser.error(
            f"--seconds takes {MIN_DURATION_S:g} to {MAX_DURATION_S:g}, got {args.seconds:g}"
        )
    if args.compare:
        _rows(args.compare)  # a missing run is said before any song is composed
    if args.seed_offset < 200:
        print("note: seeds 0..9 are the recognition figure's and 100..141 the probes'")
    if not args.analyse_only:
        seeds = list(range(args.seed_offset, args.seed_offset + args.seeds))
        compose_and_hear(genres, seeds, args.seconds, args.judge, _songs_path(args.out))
    rows = [r for r in _rows(args.out) if r["genre"] in genres]
    analyse(rows, args.min_count)
    if args.compare:
        print(f"\n{args.compare} -> {args.out}, song by song: before -> after (difference ± se)")
        for genre, ears in paired(_rows(args.compare), rows).items():
            cells = "  ".join(_common.paired_cell(e, v) for e, v in ears.items())
            print(f"  {genre:9s} n {next(iter(ears.values()))['n']}  {cells}")


if __name__ == "__main__":
    main()
