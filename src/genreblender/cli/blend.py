"""``genreblender blend``: the main job — compose a blend, classify it, show target beside predicted."""

from __future__ import annotations

import argparse
import json
import sys

from genreblender.cli.generate import add_blend_arguments, engine_options
from genreblender.cli.listener_option import add_listener_argument


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
    add_blend_arguments(parser, default_a="jazz", default_b="metal")
    parser.set_defaults(alpha=0.7)
    parser.add_argument(
        "--strategy",
        choices=("plain", "best_of_n", "calibrate"),
        default="plain",
        help="plain: one generation; best_of_n: keep the closest of N seeds; "
        "calibrate: search the internal weight so the measured blend matches alpha",
    )
    parser.add_argument("--n", type=int, default=4, help="candidates for best_of_n (default 4)")
    parser.add_argument(
        "-o", "--output", default="out/blend.wav", help="output .wav (default out/blend.wav)"
    )
    add_listener_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the measurement as JSON")
    parser.set_defaults(func=run)


def _bar(p: float, width: int = 24) -> str:
    filled = int(round(p * width))
    return "█" * filled + "·" * (width - filled)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from genreblender.genres import blend_label
    from genreblender.pipeline import blend

    options = engine_options(args)
    if args.engine == "musicgen":
        print("note: MusicGen weights are CC-BY-NC 4.0 (non-commercial use only)", file=sys.stderr)
    total = args.n if args.strategy == "best_of_n" else (1 if args.strategy == "plain" else 7)
    with tqdm(total=total, desc="generating", unit="track", disable=args.json, leave=False) as bar:

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
            listener=args.listener,
            progress=progress,
        )
    evaluation = outcome.evaluation
    if args.json:
        print(json.dumps(evaluation.to_dict() | {"files": _files(outcome)}, indent=2))
        return 0
    metrics = evaluation.metrics
    meta = outcome.result.metadata
    print(
        f"\n{blend_label(meta['genre_a'], meta['genre_b'], args.alpha)}  "
        f"({args.engine}, seed {meta['seed']}, {args.seconds:g} s, strategy {args.strategy}, "
        f"heard by {evaluation.classification.model.get('listener', '?')})"
    )
    print(f"\n{'genre':<10} {'target':>7} {'predicted':>9}")
    genres = evaluation.classification.genres
    for g, t, p in zip(genres, metrics.target, metrics.predicted, strict=True):
        mark = " ◀" if t > 0 else ""
        print(f"{g:<10} {t:7.2f} {p:9.3f}  {_bar(p)}{mark}")
    print(
        f"\nalpha_hat {metrics.alpha_hat:.3f} (asked {args.alpha:.2f})   JS {metrics.js:.3f} bits   "
        f"KL {metrics.kl:.3f}   TV {metrics.tv:.3f}   leakage {metrics.leakage:.3f}   "
        f"A,B top-2: {'yes' if metrics.top2_match else 'no'}"
    )
    for kind, path in _files(outcome).items():
        print(f"wrote {kind}: {path}")
    return 0


def _files(outcome) -> dict[str, str]:
    written = outcome.written
    if written is None:
        return {}
    files = {"wav": str(written.audio_path), "sidecar": str(written.sidecar_path)}
    if written.midi_path:
        files["midi"] = str(written.midi_path)
    return files
