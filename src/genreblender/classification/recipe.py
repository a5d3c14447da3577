"""The training recipe behind ``genreblender train`` and ``scripts/build_classifier.py``.

1. Split without leakage (artist-filtered lists, or GroupShuffleSplit by track).
2. For each seed: fit transform + standardiser on the training part, train the MLP keeping the
   best-validation-loss epoch, fit the temperature on the validation part, score it there.
3. The final model: by default (``final="all"``) retrain on training + validation rows for the
   median best epoch count of step 2 and carry over the median temperature, because more
   artists teach more than a held-out part does once the recipe is fixed; the figures reported
   are those of step 2, measured on rows the scored model never saw. ``final="train"`` keeps
   the seed-0 model of step 2 instead.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genreblender.classification.artifacts import weights_file_name
from genreblender.classification.classifier import GenreClassifier
from genreblender.classification.features import EXTRACTOR_VERSION, FEATURE_NAMES
from genreblender.classification.report import plot_confusion, score
from genreblender.classification.table import Split, filtered_split, group_split, table_tracks
from genreblender.classification.training import TrainConfig
from genreblender.errors import InvalidInputError

FINAL_CHOICES = ("all", "train")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def table_sha256(table: pd.DataFrame) -> str:
    return hashlib.sha256(
        pd.util.hash_pandas_object(table, index=False).values.tobytes()
    ).hexdigest()


def make_split(
    table: pd.DataFrame, split: str, splits_dir: str | Path | None, seed: int = 0
) -> Split:
    if split == "filtered":
        if splits_dir is None:
            raise InvalidInputError(
                "--split filtered needs the GTZAN split lists (train_filtered.txt, "
                "valid_filtered.txt): pass --splits-dir, or use --split group"
            )
        return filtered_split(table, splits_dir)
    if split == "group":
        return group_split(table, seed=seed)
    raise InvalidInputError(f"unknown split {split!r}; accepted: filtered, group")


def run(
    table: pd.DataFrame,
    out_dir: str | Path,
    window_s: float = 30.0,
    split: str = "filtered",
    splits_dir: str | Path | None = None,
    seeds: int = 5,
    config: TrainConfig | None = None,
    final: str = "all",
    data_source: str = "",
    progress: bool = True,
) -> dict[str, Any]:
    """Train, score and write a model with its report; return the report dict."""
    from tqdm import tqdm

    config = config or TrainConfig()
    if final not in FINAL_CHOICES:
        raise InvalidInputError(f"unknown final {final!r}; accepted: {', '.join(FINAL_CHOICES)}")
    if seeds < 1:
        raise InvalidInputError(f"seeds must be >= 1, got {seeds}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = make_split(table, split, splits_dir)
    x = table[list(FEATURE_NAMES)].to_numpy(dtype=np.float64)
    labels = table["label"].to_numpy()
    tracks = table_tracks(table)

    runs = []
    bar = tqdm(total=seeds * config.epochs, desc="training", unit="epoch", disable=not progress)
    for seed in range(seeds):
        model = GenreClassifier(window_s, replace(config, seed=seed))
        model.fit(
            x[parts.train],
            labels[parts.train],
            x[parts.valid],
            labels[parts.valid],
            on_epoch=lambda *_: bar.update(1),
        )
        y_valid = model._label_indices(labels[parts.valid])
        raw = score(
            model.predict_proba(x[parts.valid], calibrated=False), y_valid, tracks[parts.valid]
        )
        cal = score(model.predict_proba(x[parts.valid]), y_valid, tracks[parts.valid])
        runs.append({"seed": seed, "model": model, "uncalibrated": raw, "calibrated": cal})
    bar.close()

    def spread(key: str, which: str = "calibrated") -> dict[str, float]:
        values = np.array([r[which][key] for r in runs])
        return {
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)) if seeds > 1 else 0.0,
            "values": values.tolist(),
        }

    # the epoch-selected figures above choose each run's epoch on the rows they are scored on
    # (by loss, not accuracy); the accuracy after the last epoch involves no such choice
    last_epoch_accuracy = [r["model"].history_[-1].get("valid_accuracy") for r in runs]
    best_epochs = [r["model"].best_epoch_ for r in runs]
    temperatures = [r["model"].artifacts_.temperature for r in runs]
    provenance = {
        "data": data_source,
        "data_sha256": table_sha256(table),
        "n_rows": len(table),
        "split": parts.description,
        "code_commit": _git_commit(),
        "extractor_version": EXTRACTOR_VERSION,
    }
    if final == "all":
        final_config = replace(config, seed=0, epochs=int(np.median(best_epochs)))
        final_model = GenreClassifier(window_s, final_config)
        final_model.fit(x, labels, provenance=provenance | {"trained_on": "train + valid rows"})
        final_model.artifacts_.temperature = float(np.median(temperatures))
        final_model.artifacts_.provenance["temperature_from"] = (
            "median of the temperatures fitted on the validation part over seeds"
        )
    else:
        final_model = runs[0]["model"]
        final_model.artifacts_.provenance |= provenance | {"trained_on": "train rows, seed 0"}
    weights = out_dir / weights_file_name(window_s)
    final_model.save(weights)

    report = {
        "model": weights.name,
        "window_s": window_s,
        "split": parts.description,
        "n_train_rows": int(len(parts.train)),
        "n_valid_rows": int(len(parts.valid)),
        "seeds": seeds,
        "train_config": config.to_dict(),
        "validation": {
            "track_accuracy": spread("track_accuracy"),
            "segment_accuracy": spread("segment_accuracy")
            if "segment_accuracy" in runs[0]["calibrated"]
            else None,
            "track_accuracy_after_last_epoch": {
                "mean": float(np.mean(last_epoch_accuracy)),
                "sd": float(np.std(last_epoch_accuracy, ddof=1)) if seeds > 1 else 0.0,
                "values": last_epoch_accuracy,
                "epochs": config.epochs,
            }
            if None not in last_epoch_accuracy and window_s >= 30.0
            else None,
            "ece_before_calibration": spread("ece", "uncalibrated"),
            "ece_after_calibration": spread("ece"),
            "nll_before_calibration": spread("nll", "uncalibrated"),
            "nll_after_calibration": spread("nll"),
            "per_genre_seed0": runs[0]["calibrated"]["per_genre"],
            "confusion_matrix_seed0": runs[0]["calibrated"]["confusion_matrix"],
        },
        "best_epochs": best_epochs,
        "temperatures": temperatures,
        "final_model": {
            "trained_on": final_model.artifacts_.provenance.get("trained_on"),
            "epochs": final_model.config.epochs if final == "all" else best_epochs[0],
            "temperature": final_model.artifacts_.temperature,
        },
        "provenance": provenance,
    }
    stem = weights.stem
    (out_dir / f"{stem}_metrics.json").write_text(json.dumps(report, indent=1) + "\n")
    acc = report["validation"]["track_accuracy"]
    plot_confusion(
        runs[0]["calibrated"]["confusion_matrix"],
        out_dir / f"{stem}_confusion.png",
        f"{stem}: validation ({parts.name} split), seed 0\n"
        f"track accuracy {acc['mean']:.1%} ± {acc['sd']:.1%} over {seeds} seeds",
    )
    return report
