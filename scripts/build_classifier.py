"""Rebuild the shipped classifier from ../shared/data/gtzan in one command.

    .venv/bin/python scripts/build_classifier.py [--shared PATH]

Trains with the default recipe (genreblender.classification.recipe) on the 30-s table and
scores it, 5 seeds, in both directions of the artist-filtered split (train -> valid and
valid -> train) beside the regularised linear baseline; writes model_30sec.{pth,json} (trained
on all 640 rows) with its metrics JSON and confusion matrix into
src/genreblender/classification/models/. Also writes the --split group figures to
models/model_30sec_group_split_metrics.json for the report.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from genreblender.classification import recipe  # noqa: E402
from genreblender.classification.table import read_table  # noqa: E402
from genreblender.paths import MODELS_DIR, shared_data_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=None, help="the shared data folder (../shared/data)")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    shared = Path(args.shared) if args.shared else shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found; pass --shared PATH")
    gtzan = shared / "gtzan"
    table_path = gtzan / "features_30_sec.csv"
    table = read_table(table_path)
    report = recipe.run(
        table,
        MODELS_DIR,
        window_s=30.0,
        split="filtered",
        splits_dir=gtzan / "splits",
        seeds=args.seeds,
        data_source="../shared/data/gtzan/features_30_sec.csv",
    )
    with tempfile.TemporaryDirectory() as tmp:
        group = recipe.run(
            table,
            tmp,
            window_s=30.0,
            split="group",
            seeds=args.seeds,
            data_source="../shared/data/gtzan/features_30_sec.csv",
        )
    keep = {
        k: group[k]
        for k in ("split", "n_train_rows", "n_valid_rows", "seeds", "validation", "linear_baseline")
    }
    (MODELS_DIR / "model_30sec_group_split_metrics.json").write_text(
        json.dumps(keep, indent=1) + "\n"
    )
    for name, rep in (("filtered", report), ("group", group)):
        for way, v in rep["directions"].items():
            lin = rep["linear_baseline"]["directions"][way]
            print(
                f"{name:9s} {way:13s} MLP track accuracy {v['track_accuracy']['mean']:.3f} ± "
                f"{v['track_accuracy']['sd']:.3f} (linear {lin['track_accuracy']['mean']:.3f}); "
                f"blues recall {v['recall']['blues']['mean']:.2f} "
                f"(linear {lin['recall']['blues']['mean']:.2f}); "
                f"ECE {v['ece_before_calibration']['mean']:.3f} → "
                f"{v['ece_after_calibration']['mean']:.3f}"
            )


if __name__ == "__main__":
    main()
