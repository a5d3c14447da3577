"""Where does a sectioned blend lose on-target mass: inside its sections, or at its joins?

    .venv/bin/python benchmarks/join_study.py [--seeds 0-8] [--alpha 0.5] [--seconds 20]
        [--no-judge] [--out out/bench/join_study] [--analyse-only]

A blend of A and B takes turns (``sections``): every listening window lies inside one genre's
section or straddles a join between two. For the 45 pairs at one α on the given seeds (the
composer's seeds; 0..8 are the landing study's), this records every ear's p(A) + p(B) for every
window and where the window lies, then prints per ear:

- the track mass (the mean over windows, as each listener averages them);
- the share of windows that straddle a join, and their mean mass, against the windows inside a
  section;
- the mass of a straddling window by how much of it lies before the join (a quarter, a half...),
  also drawn to ``<out>/join_study.png``;
- "joins free": the track mass if every straddling window were heard like the windows inside
  that track's sections: how far a blend of this form could get without losing anything at its
  joins, the bound on what any change to the joins can buy.

The default listener's track distribution is the mean of its windows (3 s, 1.5-s hop). The
features MLP hears 30-s windows, so a track of up to 30 s is one window with no join to place:
it is left out (``summary`` skips any ear that heard a track as one window). The musicnn
judge's track distribution is taken from its mean tags instead, so for the judge the window
figures are its 3-s patches' (no overlap) and the track mass here is the mean over patches, not
its track score.

Writes one JSON line per track to ``<out>/tracks.jsonl``; a killed run picks up where it stopped.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import _common

import numpy as np
from blend_compare import add_pair_run_arguments, checked_pair_run, compose_pairs, read_rows

from genreblender import defaults


#: How much of a straddling window may lie in a neighbour for it to count as inside (seconds):
#: the sections are joined by a 30-ms crossfade, and window edges are rounded to frames
EDGE_S = 0.05
#: Bins of "how much of the window lies before the join", for the table and the plot
SHARE_BINS = (0.0, 0.25, 0.5, 0.75, 1.0)


def place(start: float, end: float, sections: list[dict]) -> dict:
    """Where the window ``[start, end]`` lies in a blend of ``sections`` (each with ``genre``,
    ``start_s``, ``end_s``): ``{"in": genre}`` inside one section (within :data:`EDGE_S`),
    else ``{"in": "join", "before": share}`` with the share of the window before its first
    join."""
    for s in sections:
        if s["start_s"] - EDGE_S <= start and end <= s["end_s"] + EDGE_S:
            return {"in": s["genre"]}
    joins = [s["start_s"] for s in sections[1:] if start < s["start_s"] < end]
    if not joins:  # past the last section (a window padded beyond the track's end)
        return {"in": sections[-1]["genre"]}
    return {"in": "join", "before": round((joins[0] - start) / (end - start), 4)}


def _listener_windows(ear, mono, sr, a, b):
    result = ear.classify(mono, sr=sr)
    ia, ib = result.genres.index(a), result.genres.index(b)
    return [
        (float(s), float(e), float(p[ia] + p[ib]))
        for s, e, p in zip(
            result.segment_starts_s,
            result.segment_ends_s,
            result.segment_probabilities,
            strict=True,
        )
    ]


def _judge_windows(judge, mono, sr, a, b):
    from genreblender.evaluation.judges.judge import PATCH_SECONDS

    out = judge.judge(mono, sr)
    ia, ib = out.genres.index(a), out.genres.index(b)
    return [
        (i * PATCH_SECONDS, (i + 1) * PATCH_SECONDS, float(p[ia] + p[ib]))
        for i, p in enumerate(out.patch_scores)
    ]


def compose_and_hear(seeds, alpha, seconds, judge, path: Path) -> None:
    from genreblender.classification.listeners import LISTENER_NAMES, get_listener

    _common.one_thread_torch()
    ears = {}
    for name in LISTENER_NAMES:
        listener = get_listener(name)
        if float(listener.describe()["window_s"]) < seconds:  # else one window: no join in it
            ears[name] = (_listener_windows, listener)
    if judge:
        from genreblender.evaluation.judges import MusicnnJudge

        musicnn = MusicnnJudge(defaults.JUDGE)
        ears["judge"] = (_judge_windows, musicnn)

    def hear(result, a, b):
        sections = result.metadata["blend"]["sections"]
        mono = result.audio.mean(axis=1)
        heard = {}
        for name, (windows, ear) in ears.items():
            if name == "judge" and not {a, b} <= set(ear.visible_genres):
                continue
            heard[name] = [
                {"start_s": round(s, 3), "mass": round(m, 5), **place(s, e, sections)}
                for s, e, m in windows(ear, mono, result.sample_rate, a, b)
            ]
        return {"sections": sections, "ears": heard}

    compose_pairs(seeds, alpha, seconds, path, hear)


def summary(rows: list[dict]) -> dict[str, dict]:
    """Per ear: track mass, the windows inside sections and at joins, and the joins-free mass."""
    out = {}
    for ear in dict.fromkeys(e for r in rows for e in r["ears"]):
        tracks, free, inside, join = [], [], [], []
        by_share = defaultdict(list)
        for r in rows:
            windows = r["ears"].get(ear)
            if not windows or len(windows) < 2:
                continue
            mine_in = [w["mass"] for w in windows if w["in"] != "join"]
            mine_join = [w for w in windows if w["in"] == "join"]
            tracks.append(np.mean([w["mass"] for w in windows]))
            # a track with no window inside a section has nothing to stand in for its joins
            stand_in = np.mean(mine_in) if mine_in else np.mean([w["mass"] for w in windows])
            free.append(np.mean([w["mass"] if w["in"] != "join" else stand_in for w in windows]))
            inside.extend(mine_in)
            join.extend(w["mass"] for w in mine_join)
            for w in mine_join:
                nearest = min(SHARE_BINS, key=lambda b, s=w["before"]: abs(b - s))
                by_share[nearest].append(w["mass"])
        n_windows = len(inside) + len(join)
        if not tracks:
            continue
        out[ear] = {
            "tracks": len(tracks),
            "mass": float(np.mean(tracks)),
            "mass_joins_free": float(np.mean(free)),
            "windows": n_windows,
            "join_share": len(join) / n_windows,
            "mass_inside": float(np.mean(inside)) if inside else None,
            "mass_at_joins": float(np.mean(join)) if join else None,
            "mass_by_share_before_join": {
                f"{b:g}": {"n": len(v), "mass": float(np.mean(v))}
                for b, v in sorted(by_share.items())
            },
        }
    return out


def plot(figures: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for ear, f in figures.items():
        shares = f["mass_by_share_before_join"]
        xs = [float(b) for b in shares]
        (line,) = ax.plot(xs, [v["mass"] for v in shares.values()], "o-", label=ear)
        if f["mass_inside"] is not None:
            ax.axhline(f["mass_inside"], color=line.get_color(), ls=":", lw=1)
    ax.set_xlabel("share of the window before the join (0 and 1: a window touching it)")
    ax.set_ylabel("mean p(A) + p(B) of the window")
    ax.set_title("Windows across a join (dotted: windows inside a section)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_pair_run_arguments(parser, seeds="0-8", out="out/bench/join_study")
    args = parser.parse_args()
    seeds, alpha = checked_pair_run(parser, args)
    if not 0.0 < alpha < 1.0:
        parser.error(f"--alpha {alpha:g} is one genre alone: a blend has joins only in (0, 1)")
    out_dir = Path(args.out)
    path = out_dir / "tracks.jsonl"
    if not args.analyse_only:
        compose_and_hear(seeds, alpha, args.seconds, args.judge, path)
    if not path.is_file():
        raise SystemExit(f"no run at {path}: run join_study.py --out {args.out} first")
    rows = [r for r in read_rows(path) if r["seed"] in seeds and r["alpha"] == alpha]
    if not rows:
        raise SystemExit(f"{args.out} holds no track of seeds {args.seeds} at α = {alpha:g}")
    figures = summary(rows)
    (out_dir / "summary.json").write_text(json.dumps(figures, indent=1))
    plot(figures, out_dir / "join_study.png")
    print(f"\n{args.out}: 45 pairs at α = {alpha:g}, seeds {args.seeds}, {args.seconds:g} s")
    for ear, f in figures.items():
        at_joins = "none" if f["mass_at_joins"] is None else f"{f['mass_at_joins']:.3f}"
        inside = "none" if f["mass_inside"] is None else f"{f['mass_inside']:.3f}"
        print(
            f"  {ear:13s} mass {f['mass']:.3f}  joins free {f['mass_joins_free']:.3f}  |  "
            f"{f['join_share']:.0%} of {f['windows']} windows straddle a join: "
            f"{at_joins} there, {inside} inside a section"
        )
        cells = "  ".join(
            f"{b}: {v['mass']:.3f} (n {v['n']})" for b, v in f["mass_by_share_before_join"].items()
        )
        print(f"  {'':13s} at a join, by the share of the window before it: {cells}")
    print(f"\nplot: {out_dir / 'join_study.png'}")


if __name__ == "__main__":
    main()
