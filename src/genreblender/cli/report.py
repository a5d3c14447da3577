"""``genreblender report DIR``: (re)write the HTML report of a sweep folder."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="write DIR/report.html for a sweep folder")
    parser.add_argument("dir", metavar="DIR", help="a folder written by genreblender sweep")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from genreblender.errors import InvalidInputError
    from genreblender.evaluation.report import write_report

    if not (Path(args.dir) / "results.csv").is_file():
        raise InvalidInputError(f"{args.dir} has no results.csv; run genreblender sweep first")
    print(f"wrote {write_report(args.dir)}")
    return 0
