"""``genreblender evaluate-classifier TABLE``: score a model on a labelled feature table."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate-classifier",
        help="score the shipped (or a given) model on a labelled GTZAN-layout feature table",
    )
    parser.add_argument("table", metavar="TABLE", help="feature table .csv in the GTZAN layout")
    parser.add_argument("--model", default=None, help="a model .pth (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print the full JSON report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from genreblender.errors import InvalidInputError

    if not Path(args.table).is_file():  # before the model loads
        raise InvalidInputError(f"{args.table}: no such feature table")
    from genreblender.classification import GenreClassifier
    from genreblender.classification.features import FEATURE_NAMES
    from genreblender.classification.report import score
    from genreblender.classification.table import read_table, table_tracks

    model = GenreClassifier.load(args.model)
    table = read_table(args.table)
    probs = model.predict_proba(table[list(FEATURE_NAMES)].to_numpy(dtype=float))
    labels = model._label_indices(table["label"].to_numpy())
    report = score(probs, labels, table_tracks(table))
    report["model"] = model.describe()
    report["table"] = args.table
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        line = f"track accuracy {report['track_accuracy']:.1%} on {report['n_tracks']} tracks"
        if "segment_accuracy" in report:
            line += (
                f"; segment accuracy {report['segment_accuracy']:.1%} on {report['n_rows']} rows"
            )
        print(line)
    return 0
