"""``genreblender blend``: the main job — compose a blend, classify it, show target beside predicted."""

from __future__ import annotations

import argparse
import json
import sys

from genreblender import defaults
from genreblender.cli.generate import add_blend_arguments, check_blend_arguments, engine_options
from genreblender.cli.listener_option import add_listener_argument

#: the independent judge that scores every blend beside the classifier (``--no-judge`` skips it)
JUDGE_MODEL = "MSD_musicnn+MTT_musicnn"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "blend",
        help="compose a blend, classify it and print target vs predicted (the main job)",
        description=(
            "Compose alpha*A + (1-alpha)*B with the chosen engine (the embedded composer by "
            "default), listen to it with the shipped genre classifier, and print the target "
            "distribution beside the predicted one with the blend metrics."
        ),
    )
    add_blend_arguments(parser)
    parser.add_argument(
        "--strategy",
        choices=("plain", "best_of_n", "calibrate"),
        default=defaults.STRATEGY,
        help="plain: one generation (default); best_of_n: keep the closest of N seeds; "
        "calibrate: search the internal weight so the measured blend matches alpha",
    )
    parser.add_argument(
        "--n",
        type=int,
        default=defaults.N_CANDIDATES,
        help=f"candidates for best_of_n (default {defaults.N_CANDIDATES})",
    )
    parser.add_argument(
        "-o", "--output", default="out/blend.wav", help="output .wav (default out/blend.wav)"
    )
    add_listener_argument(parser)
    parser.add_argument(
        "--no-judge",
        dest="judge",
        action="store_false",
        help="skip the independent musicnn judge (by default it scores the kept track beside "
        "the steering listener, as the other listeners do; no ear but the steering one steers)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the measurement, the verdict and every closed-loop trial as JSON",
    )
    parser.set_defaults(func=run)


def _bar(p: float, width: int = 24) -> str:
    filled = int(round(p * width))
    return "█" * filled + "·" * (width - filled)


def run(args: argparse.Namespace) -> int:
    check_blend_arguments(args)
    from tqdm import tqdm

    from genreblender.generation.base import validate_request
    from genreblender.generation.composer.composer import STEM_PARTS
    from genreblender.generation.writer import check_output_path
    from genreblender.genres import blend_label
    from genreblender.pipeline import blend

    # bad arguments are reported before the progress bar appears
    validate_request(args.genre_a, args.genre_b, args.alpha, args.seconds, args.seed)
    check_output_path(args.output, stems=STEM_PARTS if args.stems else ())
    options = engine_options(args)
    if args.engine == "musicgen":
        print("note: MusicGen weights are CC-BY-NC 4.0 (non-commercial use only)", file=sys.stderr)
    total = args.n if args.strategy == "best_of_n" else (1 if args.strategy == "plain" else 9)
    from genreblender.classification.listeners import get_listener
    from genreblender.evaluation.ears import other_listener_ears

    # the steering listener, and every other ear: the other listeners, then the judge
    classifier = get_listener(args.listener)
    ears = other_listener_ears(classifier.name)
    if args.judge:
        from genreblender.evaluation.judges import MusicnnJudge

        ears.append(MusicnnJudge(JUDGE_MODEL))
    # a bar only on a terminal: in a log or a pipe its carriage returns would run into the
    # next line (an error message); it stays on screen when done, as a record of the work
    show_bar = not args.json and sys.stderr.isatty()
    with tqdm(total=total, desc="generating", unit="track", disable=not show_bar) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        outcome = blend(
            args.genre_a,
            args.genre_b,
            args.alpha,
            seconds=args.seconds,
            seed=args.seed,
            engine=args.engine,
            strategy=args.strategy,
            n_candidates=args.n,
            output=args.output,
            engine_options=options,
            classifier=classifier,
            progress=progress,
            ears=ears,
            controls=args.controls,
            stems=args.stems,
        )
    evaluation = outcome.evaluation
    if args.json:
        record = {k: v for k, v in outcome.blend_record().items() if k != "measurement"}
        print(json.dumps(evaluation.to_dict() | record | {"files": _files(outcome)}, indent=2))
        return 0
    metrics = evaluation.metrics
    meta = outcome.result.metadata
    print(
        f"\n{blend_label(meta['genre_a'], meta['genre_b'], args.alpha)}  "
        f"({args.engine}, seed {meta['seed']}, {args.seconds:g} s, strategy {args.strategy}"
        + (
            f", internal weight {outcome.internal_alpha:.2f}"
            if args.strategy == "calibrate"
            else ""
        )
        + f", heard by {evaluation.classification.model.get('listener', '?')})"
    )
    print(f"\n{'genre':<10} {'target':>7} {'predicted':>9}")
    genres = evaluation.classification.genres
    for g, t, p in zip(genres, metrics.target, metrics.predicted, strict=True):
        mark = " ◀" if t > 0 else ""
        print(f"{g:<10} {t:7.2f} {p:9.3f}  {_bar(p)}{mark}")
    print(
        f"\nalpha_hat {metrics.alpha_hat:.3f} (asked {args.alpha:.2f})   JS {metrics.js:.3f} bits   "
        f"KL {metrics.kl:.3f}   TV {metrics.tv:.3f}   leakage {metrics.leakage:.3f}   "
        f"A,B top-2: {'yes' if metrics.top2_match else 'no'}   "
        f"on-target mass {metrics.on_target_mass:.2f}"
    )
    print(f"\n{_verdict_line(f'{classifier.name} (steering)', metrics.landing)}")
    for view in evaluation.ears:
        print(_ear_line(view, args.alpha))
    if outcome.loop is not None:
        _print_loop(outcome.loop)
    for kind, path in _files(outcome).items():
        print(f"wrote {kind}: {path}")
    return 0


def _verdict_line(who: str, landing) -> str:
    if landing.landed:
        return f"{who}: LANDED"
    return f"{who}: DID NOT LAND; missed by " + "; ".join(landing.reasons)


def _ear_line(view: dict, alpha: float) -> str:
    """Another ear's view of the same track, one or two lines (it chose nothing)."""
    who = f"{view['name']} ({view['kind']}, did not steer)"
    if view["metrics"] is None:
        return f"{who}: {view['note']}"
    m, landing = view["metrics"], view["landing"]
    figures = (
        f"alpha_hat {m['alpha_hat']:.3f} (asked {alpha:.2f})   JS {m['js']:.3f}   "
        f"on-target mass {m['on_target_mass']:.2f}"
    )
    verdict = (
        "LANDED"
        if landing["landed"]
        else "DID NOT LAND; missed by " + "; ".join(landing["reasons"])
    )
    return f"{who}: {verdict}\n    {figures}"


def _print_loop(loop: dict) -> None:
    print(f"\nclosed loop ({loop['strategy']}): {loop['message']}")
    print(f"objective: {loop['objective']}")
    print(
        f"{'trial':>5} {'seed':>6} {'alpha_int':>9} {'alpha_hat':>9} {'mass':>5} {'JS':>6} "
        f"{'landed':>6} {'goal':>5}"
    )
    for t in loop["trials"]:
        print(
            f"{t['trial'] + 1:>5} {t['seed']:>6} {t['internal_alpha']:9.3f} {t['alpha_hat']:9.3f} "
            f"{t['on_target_mass']:5.2f} {t['js']:6.3f} {'yes' if t['landed'] else 'no':>6} "
            f"{'yes' if t['goal_met'] else 'no':>5}{'  ◀ kept' if t['kept'] else ''}"
        )


def _files(outcome) -> dict[str, str]:
    written = outcome.written
    if written is None:
        return {}
    files = {"wav": str(written.audio_path), "sidecar": str(written.sidecar_path)}
    if written.midi_path:
        files["midi"] = str(written.midi_path)
    files |= {f"stem {part}": str(path) for part, path in written.stem_paths.items()}
    return files
