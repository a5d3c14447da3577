"""Did a change to the composer make its blends land better? All 45 pairs at one α, on
development seeds, every ear; then, against another run on the same seeds, track by track.

    .venv/bin/python benchmarks/blend_compare.py --seeds 700-704 --out out/bench/blend_700
        [--alpha 0.5] [--seconds 20] [--no-judge] [--compare OTHER_OUT] [--analyse-only]

For each seed and pair it composes the blend (the composer's seed, as the plain sweep behind
``landing_study.py`` does: its standard seeds are 0..8, so keep development seeds away from
them) and records each ear's on-target mass p(A) + p(B) and whether A and B are
its two most probable genres (the judge only on the pairs it can hear: no reggae). Prints each
ear's mean mass (± the sd over seeds) and top-two rate. ``--compare OTHER_OUT`` sets this run
against another on the same pairs and seeds (another composer version: run this script with
``PYTHONPATH=<checkout>/src``), track by track: each ear's mean before and after and the
paired difference ± its standard error. A change is worth keeping when the default listener
and the judge gain and no ear loses, on seeds it was not chosen on.

Writes one JSON line per track to ``<out>/tracks.jsonl``; a killed run picks up where it
stopped (tracks already there are kept, not composed again).
"""

import argparse
import itertools
import json
from collections import defaultdict
from pathlib import Path

import _common

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.generation.base import MIN_DURATION_S
from genreblender.genres import GENRES, validate_alpha


def parse_seeds(text: str) -> list[int]:
    """``700-704`` or ``700,703,900``: the seeds, in order, each once."""
    seeds = []
    for part in text.split(","):
        lo, dash, hi = part.strip().partition("-")
        try:
            span = range(int(lo), int(hi) + 1) if dash else [int(lo)]
        except ValueError:
            raise InvalidInputError(
                f"seeds: {part!r} is not a seed or a range (e.g. 700-704 or 700,703)"
            ) from None
        if not span or min(span) < 0:
            raise InvalidInputError(f"seeds: {part!r} holds no seed >= 0")
        seeds.extend(span)
    return list(dict.fromkeys(seeds))


def score(distribution: dict[str, float], a: str, b: str) -> dict:
    """One ear's figures for a blend of ``a`` and ``b``: on-target mass and top two."""
    top = sorted(distribution, key=distribution.get, reverse=True)[:2]
    return {"mass": float(distribution[a] + distribution[b]), "top2": set(top) == {a, b}}


def compose_pairs(seeds, alpha, seconds, path: Path, hear) -> None:
    """Compose the 45 pairs at ``alpha`` on each seed and append one JSON line per track to
    ``path``: the pair, seed, α, length and composer version, and what ``hear(result, a, b)``
    returns (a dict). Tracks already in ``path`` are kept, not composed again, so a killed run
    picks up where it stopped."""
    from genreblender.generation.composer import Composer

    done = {(r["a"], r["b"], r["seed"]) for r in read_rows(path)} if path.is_file() else set()
    composer = Composer()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        for seed in seeds:
            for a, b in itertools.combinations(GENRES, 2):
                if (a, b, seed) in done:
                    continue
                result = composer.generate(a, b, alpha, seconds, seed)
                row = {"a": a, "b": b, "seed": seed, "alpha": alpha, "seconds": seconds}
                row["model_version"] = result.metadata["model_version"]
                row |= hear(result, a, b)
                out.write(json.dumps(row) + "\n")
                out.flush()
            print(f"seed {seed}: 45 pairs heard", flush=True)


def compose_and_hear(seeds, alpha, seconds, judge, path: Path) -> None:
    ears = _common.genre_ears(judge)

    def hear(result, a, b):
        mono = result.audio.mean(axis=1)
        return {
            "ears": {
                name: score(ear(mono, result.sample_rate), a, b)
                for name, (ear, can) in ears.items()
                if a in can and b in can
            }
        }

    compose_pairs(seeds, alpha, seconds, path, hear)


def summary(rows: list[dict]) -> dict[str, dict]:
    """Per ear: tracks, mean mass, its sd over the seeds' means, and the top-two rate."""
    out = {}
    for ear in dict.fromkeys(e for r in rows for e in r["ears"]):
        mine = [r for r in rows if ear in r["ears"]]
        per_seed = defaultdict(list)
        for r in mine:
            per_seed[r["seed"]].append(r["ears"][ear]["mass"])
        seed_means = [np.mean(v) for v in per_seed.values()]
        out[ear] = {
            "n": len(mine),
            "mass": float(np.mean([r["ears"][ear]["mass"] for r in mine])),
            "mass_sd_over_seeds": float(np.std(seed_means, ddof=1))
            if len(seed_means) > 1
            else None,
            "top2_rate": float(np.mean([r["ears"][ear]["top2"] for r in mine])),
        }
    return out


def _values(rows: list[dict], ear: str, figure: str) -> dict[tuple, float]:
    return {
        (r["a"], r["b"], r["seed"]): float(r["ears"][ear][figure]) for r in rows if ear in r["ears"]
    }


def paired(before: list[dict], after: list[dict]) -> dict[str, dict]:
    """Per ear and figure (mass, top two), track by track over the tracks both runs hold."""
    out = {}
    for ear in dict.fromkeys(e for r in after for e in r["ears"]):
        out[ear] = {}
        for figure in ("mass", "top2"):
            figures = _common.paired_difference(
                _values(before, ear, figure), _values(after, ear, figure)
            )
            if figures is not None:
                out[ear][figure] = figures
    return out


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _run(out_dir: str) -> list[dict]:
    path = Path(out_dir) / "tracks.jsonl"
    if not path.is_file():
        raise SystemExit(f"no run at {path}: run blend_compare.py --out {out_dir} first")
    return read_rows(path)


def add_pair_run_arguments(parser: argparse.ArgumentParser, seeds: str, out: str) -> None:
    """The options of a run over the 45 pairs (this script's and ``join_study.py``'s)."""
    parser.add_argument("--seeds", default=seeds, help=f"e.g. {seeds} or 700,703")
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--out", default=out)
    parser.add_argument("--analyse-only", action="store_true")


def checked_pair_run(parser: argparse.ArgumentParser, args) -> tuple[list[int], float]:
    """The seeds and α of a run, or the parser's error (before any work) saying what is wrong."""
    try:
        seeds = parse_seeds(args.seeds)
        alpha = validate_alpha(args.alpha)
    except InvalidInputError as error:
        parser.error(str(error))
    if not MIN_DURATION_S <= args.seconds <= 120.0:  # the shortest a listener measures
        parser.error(f"--seconds takes {MIN_DURATION_S:g} to 120, got {args.seconds:g}")
    return seeds, alpha


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_pair_run_arguments(parser, seeds="700-704", out="out/bench/blend_compare")
    parser.add_argument("--compare", metavar="OTHER_OUT", help="a run to compare with")
    args = parser.parse_args()
    seeds, alpha = checked_pair_run(parser, args)
    if args.compare:
        _run(args.compare)  # a missing run is said before any track is composed
    if not args.analyse_only:
        path = Path(args.out) / "tracks.jsonl"
        compose_and_hear(seeds, alpha, args.seconds, args.judge, path)
    rows = [r for r in _run(args.out) if r["seed"] in seeds]
    if not rows:
        raise SystemExit(f"{args.out} holds no track of seeds {args.seeds}")
    print(f"\n{args.out}: 45 pairs at α = {alpha:g}, seeds {args.seeds}")
    for ear, s in summary(rows).items():
        spread = "" if s["mass_sd_over_seeds"] is None else f" ± {s['mass_sd_over_seeds']:.3f}"
        print(
            f"  {ear:13s} {s['n']:4d} tracks  mass {s['mass']:.3f}{spread} (sd over seeds)  "
            f"top two {s['top2_rate']:.1%}"
        )
    if args.compare:
        print(f"\n{args.compare} -> {args.out}, track by track: before -> after (difference ± se)")
        for ear, figures in paired(_run(args.compare), rows).items():
            cells = "  ".join(_common.paired_cell(name, v, 4) for name, v in figures.items())
            n = next(iter(figures.values()))["n"] if figures else 0
            print(f"  {ear:13s} n {n:4d}  {cells}")


if __name__ == "__main__":
    main()
