"""``genreblender train DATA``: train the genre classifier on a feature table or an audio folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the classifier on a GTZAN feature table (CSV) or audio folder",
        description=(
            "DATA is a feature table in the GTZAN layout (features_30_sec.csv or "
            "features_3_sec.csv) or a folder <genre>/<track>.wav|.au whose features are computed "
            "per window. Writes model_<window>sec.pth + .json, a metrics JSON and a confusion "
            "matrix PNG."
        ),
    )
    parser.add_argument("data", metavar="DATA", help="feature table .csv or GTZAN audio folder")
    parser.add_argument(
        "--window",
        type=float,
        default=None,
        help="analysis window in seconds for an audio folder (default 3, as the "
        "original design; 30 matches features_30_sec.csv); for a table it is "
        "read from the rows (30 for one row per track)",
    )
    parser.add_argument(
        "--split",
        choices=("filtered", "group"),
        default="filtered",
        help="filtered: the artist-disjoint GTZAN lists (default); group: "
        "GroupShuffleSplit by track",
    )
    parser.add_argument(
        "--splits-dir",
        default=None,
        help="folder with train_filtered.txt / valid_filtered.txt "
        "(default: ../shared/data/gtzan/splits when present)",
    )
    parser.add_argument("--seeds", type=int, default=5, help="training runs to report (default 5)")
    parser.add_argument("--epochs", type=int, default=100, help="maximum epochs (default 100)")
    parser.add_argument(
        "--final",
        choices=("all", "train"),
        default="all",
        help="all: retrain on train+valid with the chosen epoch count (default); "
        "train: keep the seed-0 model trained on the training part",
    )
    parser.add_argument("--out", default="out/model", help="output folder (default out/model)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for feature extraction")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from genreblender.errors import InvalidInputError

    if not Path(args.data).exists():  # before torch and the training code load
        raise InvalidInputError(
            f"{args.data} does not exist; give a feature table .csv or a folder"
        )
    from genreblender.classification import recipe
    from genreblender.classification.table import read_table
    from genreblender.classification.training import TrainConfig
    from genreblender.paths import shared_data_dir

    data = Path(args.data)
    if data.is_dir():
        from genreblender.classification.audio_dataset import extract_folder

        window = args.window or 3.0
        extraction = extract_folder(data, window_s=window, n_jobs=args.jobs)
        for path, reason in extraction.skipped:
            print(f"skipped {path}: {reason}", file=sys.stderr)
        if extraction.missing_genres:
            print(
                f"warning: no files for genres {', '.join(extraction.missing_genres)}",
                file=sys.stderr,
            )
        table = extraction.table
        if table.empty:
            raise InvalidInputError(f"{data}: no file could be analysed")
    elif data.is_file():
        table = read_table(data)
        from genreblender.classification.table import table_tracks

        one_row_per_track = len(set(table_tracks(table))) == len(table)
        window = args.window or (30.0 if one_row_per_track else 3.0)
    else:
        raise InvalidInputError(f"{data} does not exist; give a feature table .csv or a folder")
    splits_dir = args.splits_dir
    if splits_dir is None and args.split == "filtered" and shared_data_dir() is not None:
        splits_dir = shared_data_dir() / "gtzan" / "splits"
    report = recipe.run(
        table,
        args.out,
        window_s=window,
        split=args.split,
        splits_dir=splits_dir,
        seeds=args.seeds,
        config=TrainConfig(epochs=args.epochs),
        final=args.final,
        data_source=str(data),
    )
    v = report["validation"]
    acc, ece0, ece1 = (v["track_accuracy"], v["ece_before_calibration"], v["ece_after_calibration"])
    print(
        f"split: {report['split']}  ({report['n_train_rows']} train / "
        f"{report['n_valid_rows']} valid rows)"
    )
    print(
        f"validation track accuracy {acc['mean']:.1%} ± {acc['sd']:.1%} over "
        f"{report['seeds']} seeds; ECE {ece0['mean']:.3f} → {ece1['mean']:.3f} after calibration"
    )
    print(f"wrote {Path(args.out) / report['model']} (+ .json, _metrics.json, _confusion.png)")
    return 0
