"""What bounds a 50:50 blend's on-target mass? The measured mass beside the mass the same seed's
pure songs would give, and where the default listener's windows lose the difference.

    .venv/bin/python benchmarks/blend_bound_study.py [--seeds 9] [--seed-offset 0]
        [--seconds 20] [--jobs 2] [--no-judge] [--out out/bench/blend_bound.json]

For each seed: a pure track of every genre and all 45 pairs at alpha = 0.5, every track
``--seconds`` long. Per ear:

- *measured*: the mean on-target mass p(A) + p(B) of the blends (``landing_study.py``'s figure);
- *from pure songs*: the mean of ``(pA(A) + pA(B) + pB(A) + pB(B)) / 2`` with ``pG`` the ear's
  distribution of genre G's pure song of the same seed: the mass of a blend heard, half its time
  each, exactly as its two genres' own songs are heard. A sectioned blend's pieces are stretches
  of each genre's own song, so this is what it would reach if nothing were lost in the joins; the
  on-target mass cannot be raised above it without making the genres themselves better
  recognised.

For the default listener, each blend window (3 s) is put in one of three kinds: the opening
window, a window inside one piece, a window across a section change; the table gives each
kind's share of the windows and mean on-target mass, and per genre the mean p(own genre) of the
windows inside its pieces, of the same pieces cut out and heard on their own (each then
referenced to its own loudest moment, as a clip of that genre is, instead of the blend's), and of
its pure song's windows. (A pure song of seed s is the
genre's own song for that seed; inside a blend its song is in the opening genre's key, at the
blend's loudness and planned to the blend's length, so it is a comparison, not an identity.)
"""

import argparse
import itertools
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common  # noqa: F401

import numpy as np
from composer_genre_recognition import _STATE, _init

from genreblender import defaults
from genreblender.classification.listeners import DEFAULT_LISTENER
from genreblender.generation.base import MAX_DURATION_S, MIN_DURATION_S
from genreblender.genres import GENRES

JUDGE = defaults.JUDGE
#: a piece is heard on its own only if it holds one listening window
MIN_PIECE_ALONE_S = 3.0


def _one(job):
    genre_a, genre_b, seed, seconds = job
    alpha = 1.0 if genre_a == genre_b else 0.5
    result = _STATE["composer"].generate(genre_a, genre_b, alpha, seconds, seed)
    mono = result.audio.mean(axis=1)
    row = {"a": genre_a, "b": genre_b, "seed": seed, "ears": {}}
    for name, listener in _STATE["listeners"].items():
        heard = listener.classify(mono, sr=result.sample_rate)
        row["ears"][name] = heard.distribution
        if name == DEFAULT_LISTENER:
            row["windows"] = {
                "starts_s": heard.segment_starts_s.tolist(),
                "ends_s": heard.segment_ends_s.tolist(),
                "probabilities": heard.segment_probabilities.tolist(),
            }
    judge = _STATE.get("judge")
    if judge is not None and {genre_a, genre_b} <= set(judge.visible_genres):
        row["ears"]["judge"] = judge.genre_scores(mono, result.sample_rate)
    row["sections"] = (result.metadata.get("blend") or {}).get("sections")
    if genre_a != genre_b:
        row["pieces_alone"] = _pieces_alone(mono, result.sample_rate, row["sections"])
    return row


def _pieces_alone(mono, sr, sections) -> list[dict]:
    """Each piece of a blend cut out and heard on its own by the default listener (referenced
    to its own loudest moment, as a clip of its genre is, instead of to the whole blend's):
    its genre and p(that genre) in each of its windows."""
    listener = _STATE["listeners"][DEFAULT_LISTENER]
    heard = []
    for section in sections:
        if section["end_s"] - section["start_s"] < MIN_PIECE_ALONE_S:
            continue
        piece = mono[int(section["start_s"] * sr) : int(section["end_s"] * sr)]
        g = GENRES.index(section["genre"])
        windows = listener.classify(piece, sr=sr).segment_probabilities
        heard.append({"genre": section["genre"], "p_own": windows[:, g].tolist()})
    return heard


def mass_bound(pure: dict, blends: list[dict], ear: str) -> dict:
    """The blends' measured mean on-target mass by ``ear`` beside the mass from pure songs."""
    measured, from_pure = [], []
    for row in blends:
        a, b, seed = row["a"], row["b"], row["seed"]
        if ear not in row["ears"]:
            continue
        pa, pb = pure[a, seed]["ears"].get(ear), pure[b, seed]["ears"].get(ear)
        if pa is None or pb is None:
            continue
        measured.append(row["ears"][ear][a] + row["ears"][ear][b])
        from_pure.append(0.5 * (pa[a] + pa[b] + pb[a] + pb[b]))
    return {
        "measured": float(np.mean(measured)),
        "from_pure_songs": float(np.mean(from_pure)),
        "n_tracks": len(measured),
    }


def _piece_of(sections, start, end):
    """The section holding the window ``[start, end)`` whole, or None if it straddles two."""
    for section in sections:
        if section["start_s"] - 1e-6 <= start and end <= section["end_s"] + 1e-6:
            return section
    return None


def window_kinds(pure: dict, blends: list[dict]) -> dict:
    """The default listener's blend windows by kind, and each genre inside its pieces."""
    kinds = {"opening": [], "inside a piece": [], "across a section change": []}
    own = {g: {"inside blends": [], "piece alone": [], "pure song": []} for g in GENRES}
    # each pure song's mean p(own genre) over its windows, read once
    pure_own = {
        (genre, seed): float(
            np.asarray(row["windows"]["probabilities"])[:, GENRES.index(genre)].mean()
        )
        for (genre, seed), row in pure.items()
    }
    for row in blends:
        for piece in row.get("pieces_alone", []):
            own[piece["genre"]]["piece alone"].extend(piece["p_own"])
        a, b = GENRES.index(row["a"]), GENRES.index(row["b"])
        windows = row["windows"]
        for start, end, p in zip(
            windows["starts_s"], windows["ends_s"], windows["probabilities"], strict=True
        ):
            piece = _piece_of(row["sections"], start, end)
            if start == 0.0:
                kinds["opening"].append(p[a] + p[b])
            elif piece is None:
                kinds["across a section change"].append(p[a] + p[b])
            else:
                kinds["inside a piece"].append(p[a] + p[b])
                genre = piece["genre"]
                g = GENRES.index(genre)
                own[genre]["inside blends"].append(p[g])
                own[genre]["pure song"].append(pure_own[genre, row["seed"]])
    n = sum(len(v) for v in kinds.values())
    return {
        "kinds": {
            k: {"share": len(v) / n, "mean_on_target_mass": float(np.mean(v))}
            for k, v in kinds.items()
        },
        "own_genre_inside_pieces": {
            g: {k: float(np.mean(v)) if v else None for k, v in entry.items()}
            for g, entry in own.items()
            if entry["inside blends"]
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=9)
    parser.add_argument("--seed-offset", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    parser.add_argument("--out", default="out/bench/blend_bound.json")
    args = parser.parse_args()
    if args.seeds < 1 or args.jobs < 1:
        parser.error(f"--seeds and --jobs take 1 or more, got {args.seeds} and {args.jobs}")
    if not MIN_DURATION_S <= args.seconds <= MAX_DURATION_S:
        parser.error(
            f"--seconds takes {MIN_DURATION_S:g} to {MAX_DURATION_S:g}, got {args.seconds:g}"
        )
    seeds = range(args.seed_offset, args.seed_offset + args.seeds)
    jobs = [(g, g, s, args.seconds) for s in seeds for g in GENRES]
    jobs += [(a, b, s, args.seconds) for s in seeds for a, b in itertools.combinations(GENRES, 2)]
    with ProcessPoolExecutor(
        args.jobs, initializer=_init, initargs=(JUDGE if args.judge else None,)
    ) as pool:
        rows = []
        for i, row in enumerate(pool.map(_one, jobs, chunksize=4), 1):
            rows.append(row)
            if i % 50 == 0 or i == len(jobs):
                print(f"  {i}/{len(jobs)} tracks", flush=True)
    pure = {(r["a"], r["seed"]): r for r in rows if r["a"] == r["b"]}
    blends = [r for r in rows if r["a"] != r["b"]]
    ears = list(dict.fromkeys(e for r in blends for e in r["ears"]))
    bounds = {ear: mass_bound(pure, blends, ear) for ear in ears}
    windows = window_kinds(pure, blends)

    print(
        f"\n45 pairs at α = 0.5 and the ten pure songs, seeds {seeds.start}..{seeds.stop - 1}, "
        f"{args.seconds:g}-s tracks: mean on-target mass\n"
    )
    print(f"{'ear':14s} {'measured':>9s} {'from pure songs':>16s} {'lost':>7s} {'tracks':>7s}")
    for ear, b in bounds.items():
        lost = b["from_pure_songs"] - b["measured"]
        print(
            f"{ear:14s} {b['measured']:9.3f} {b['from_pure_songs']:16.3f} {lost:7.3f} "
            f"{b['n_tracks']:7d}"
        )
    print(f"\n{DEFAULT_LISTENER}'s windows in the blends")
    for kind, k in windows["kinds"].items():
        print(
            f"  {kind:26s} {k['share']:6.1%} of windows, mean mass {k['mean_on_target_mass']:.3f}"
        )
    print(
        "\n  p(own genre) in the windows inside its pieces; the same pieces heard on their own; "
        "its pure songs' windows"
    )
    print(f"  {'genre':10s} {'in the blend':>12s} {'piece alone':>12s} {'pure song':>10s}")
    for genre, k in windows["own_genre_inside_pieces"].items():
        alone = "n/a" if k["piece alone"] is None else f"{k['piece alone']:.3f}"
        print(f"  {genre:10s} {k['inside blends']:12.3f} {alone:>12s} {k['pure song']:10.3f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"settings": vars(args), "mass": bounds, "default_listener_windows": windows},
            indent=1,
        )
        + "\n"
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
