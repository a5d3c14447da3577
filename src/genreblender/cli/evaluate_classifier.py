"""``genreblender evaluate-classifier PATH``: score a listener on labelled GTZAN-layout data."""

from __future__ import annotations

import argparse
import json

from genreblender.cli.listener_option import add_listener_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate-classifier",
        help="score a listener on a labelled feature table, mel-image folder or audio folder",
        description="PATH is a GTZAN-layout feature table (.csv; the features-mlp listener), a "
        "folder of GTZAN mel images <genre>/<track>.png (the mel-cnn listener), or a folder "
        "of audio <genre>/<track>.wav (either). Unreadable files are reported and skipped.",
    )
    parser.add_argument("path", metavar="PATH", help="table .csv, mel-image folder or audio folder")
    add_listener_argument(parser, model_alias=True)
    parser.add_argument("--json", action="store_true", help="print the full JSON report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from genreblender.classification.evaluate import evaluate

    report = evaluate(args.path, listener=args.listener, progress=not args.json)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    line = (
        f"{report['listener']['listener']}: track accuracy {report['track_accuracy']:.1%} on "
        f"{report['n_tracks']} tracks, ECE {report['ece']:.3f}"
    )
    if "segment_accuracy" in report:
        line += f"; segment accuracy {report['segment_accuracy']:.1%} on {report['n_rows']} rows"
    print(line)
    if report["skipped"]:
        print(f"skipped {len(report['skipped'])} file(s) (see above)")
    if report["missing_genres"]:
        print(f"no data for: {', '.join(report['missing_genres'])}")
    return 0
