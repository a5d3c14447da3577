"""``genreblender sweep``: generate, classify and score over genre pairs, alphas and seeds."""

from __future__ import annotations

import argparse

from genreblender import defaults
from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="measure blends over genre pairs x alphas x seeds, or mixes x seeds (resumable)",
        description="Writes DIR/results.csv (one row per track), DIR/summary.json and "
        "DIR/report.html. Run it again with the same arguments to resume a killed sweep.",
    )
    parser.add_argument("--engine", default="composer", choices=("composer", "musicgen"))
    parser.add_argument(
        "--pairs", default=None, help="e.g. jazz:metal,classical:hiphop (default: all 45 pairs)"
    )
    parser.add_argument(
        "--alphas", default=None, help="comma-separated (default 0,0.25,0.5,0.75,1)"
    )
    parser.add_argument(
        "--mix",
        dest="mixes",
        action="append",
        default=None,
        metavar="G=W,...",
        help="sweep this mix of 2 to 10 genres (e.g. jazz=0.5,metal=0.3,reggae=0.2) instead of "
        "pairs x alphas; repeat for several mixes",
    )
    parser.add_argument(
        "--mix-curve",
        dest="morphs",
        action="append",
        default=None,
        metavar="T:G=W,...;...",
        help="sweep this blend that moves (keyframes time_s:mix, e.g. "
        "'0:jazz=1,metal=0;60:jazz=0,metal=1') instead; repeat for several curves",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds per (pair, alpha)")
    parser.add_argument("--seconds", type=float, default=10.0, help="track length")
    parser.add_argument("--strategy", default="plain", choices=("plain", "best_of_n", "calibrate"))
    parser.add_argument("--n", type=int, default=4, help="candidates for best_of_n")
    parser.add_argument(
        "--judge",
        default=None,
        const=defaults.JUDGE,
        nargs="?",
        help=f"also score with the independent musicnn judge (default model {defaults.JUDGE})",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="run on a Ray cluster ('auto', 'ray://host:10001', or 'local')",
    )
    parser.add_argument(
        "--listener",
        default=None,
        choices=LISTENER_NAMES,
        help=f"the listener that measures and steers (default {DEFAULT_LISTENER})",
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from genreblender.errors import InvalidInputError
    from genreblender.evaluation.executors import LocalExecutor, RayExecutor
    from genreblender.evaluation.sweep import (
        SweepSpec,
        parse_alphas,
        parse_mixes,
        parse_morphs,
        parse_pairs,
        run_sweep,
    )

    judge = args.judge
    if judge == "musicnn":
        judge = defaults.JUDGE
    mixes, morphs = (), ()
    if args.mixes or args.morphs:
        if args.pairs or args.alphas:
            given = "--mix" if args.mixes else "--mix-curve"
            raise InvalidInputError(f"give either {given} or --pairs/--alphas, not both")
        if args.mixes and args.morphs:
            raise InvalidInputError("give either --mix or --mix-curve, not both")
        mixes = parse_mixes(args.mixes) if args.mixes else ()
        morphs = parse_morphs(args.morphs) if args.morphs else ()
    spec = SweepSpec(
        engine=args.engine,
        pairs=tuple(parse_pairs(args.pairs)),
        alphas=tuple(parse_alphas(args.alphas or "0,0.25,0.5,0.75,1")),
        mixes=mixes,
        morphs=morphs,
        seeds=args.seeds,
        seconds=args.seconds,
        strategy=args.strategy,
        n_candidates=args.n,
        judge=judge,
        listener=args.listener or DEFAULT_LISTENER,
    )
    executor = RayExecutor(args.ray) if args.ray else LocalExecutor(args.jobs)
    summary = run_sweep(spec, args.out, executor)
    print(json.dumps(summary["overall"], indent=2))
    print(f"wrote {args.out}/results.csv, summary.json, report.html")
    return 0
