"""The training recipe behind ``genreblender train`` and ``scripts/build_classifier.py``.

1. Split without leakage (artist-filtered lists, or GroupShuffleSplit by track).
2. For each direction (the filtered split is scored both ways: train -> valid and
   valid -> train) and seed: fit transform, standardiser and MLP on one part, fit the softmax
   temperature by cross-fitting inside that part (:func:`cross_fitted_temperature`), score on
   the other part. The regularised linear model (:func:`evaluate_linear`) is scored the same way
   beside it. Nothing that is scored chooses anything, unless ``keep_epoch="best_valid_loss"``,
   whose epoch is chosen on the scored rows (the old practice; the report says so).
3. The final model (``final="all"``): trained on all rows with the same settings, its
   temperature cross-fitted on all rows. The figures reported are those of step 2, on rows the
   scored models never saw. ``final="train"`` keeps the seed-0 model trained on the training
   part instead.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genreblender.classification.artifacts import weights_file_name
from genreblender.classification.calibration import fit_temperature, softmax
from genreblender.classification.classifier import GenreClassifier
from genreblender.classification.features import EXTRACTOR_VERSION, FEATURE_NAMES
from genreblender.classification.preprocessing import Standardizer, apply_input_transform
from genreblender.classification.report import plot_confusion, score
from genreblender.classification.table import (
    Split,
    artist_proxy_folds,
    filtered_split,
    group_split,
    table_tracks,
)
from genreblender.classification.training import (
    LinearSolution,
    TrainConfig,
    fit_linear,
)
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES

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


TEMPERATURE_FROM = (
    "cross-fitting inside the training part: out-of-fold logits of models trained on the other "
    "folds, 5 folds of contiguous track numbers per genre (table.artist_proxy_folds, so most "
    "artists stay in one fold), never the scored rows"
)


def directions(parts: Split) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Training and scored rows per direction. The artist-filtered lists are scored both ways
    (each part's artists unseen by the other), so one lucky or unlucky list cannot decide a
    recipe; a random group split only forward (its reverse would train on 20% of the tracks)."""
    out = {"train->valid": (parts.train, parts.valid)}
    if parts.name == "filtered":
        out["valid->train"] = (parts.valid, parts.train)
    return out


def cross_fitted_temperature(fold_logits, y_idx: np.ndarray, folds: np.ndarray) -> float:
    """The temperature fitted on out-of-fold logits: for each fold id in ``folds``,
    ``fold_logits(fit_rows, held_rows)`` trains on the other folds' rows (indices into
    ``y_idx``) and returns logits of that fold's rows. With a single fold (too few tracks to
    hold any out) the temperature stays 1."""
    if len(np.unique(folds)) < 2:
        return 1.0
    logits = np.zeros((len(y_idx), len(GENRES)))
    for fold in np.unique(folds):
        held_rows = np.flatnonzero(folds == fold)
        fit_rows = np.flatnonzero(folds != fold)
        logits[held_rows] = fold_logits(fit_rows, held_rows)
    return fit_temperature(logits, y_idx)


def _scores(logits, temperature, y_idx, tracks) -> dict[str, Any]:
    return {
        "temperature": temperature,
        "uncalibrated": score(softmax(logits), y_idx, tracks),
        "calibrated": score(softmax(logits, temperature), y_idx, tracks),
    }


def fit_mlp(
    x: np.ndarray,
    y_idx: np.ndarray,
    tracks: np.ndarray,
    rows: np.ndarray,
    config: TrainConfig,
    window_s: float = 30.0,
    valid_rows: np.ndarray | None = None,
    on_epoch=None,
    provenance: dict | None = None,
) -> GenreClassifier:
    """The MLP fitted on ``rows``; ``valid_rows`` are given to it only when its config keeps the
    best-validation-loss epoch (they then choose the model)."""
    model = GenreClassifier(window_s, config)
    select = config.keep_epoch == "best_valid_loss" and valid_rows is not None
    model.fit(
        x[rows],
        y_idx[rows],
        x[valid_rows] if select else None,
        y_idx[valid_rows] if select else None,
        on_epoch=on_epoch,
        provenance=provenance,
        groups=artist_proxy_folds(tracks[rows], y_idx[rows]),
    )
    return model


def evaluate_mlp(
    x, y_idx, tracks, train, test, config: TrainConfig, window_s=30.0, folds=5, on_epoch=None
) -> dict[str, Any]:
    """Fit on ``train``, temperature cross-fitted inside ``train``, score on ``test``."""
    model = fit_mlp(x, y_idx, tracks, train, config, window_s, test, on_epoch)

    def fold_logits(fit_rows, held_rows):
        fold = fit_mlp(x, y_idx, tracks, train[fit_rows], config, window_s, train[held_rows])
        return fold.decision_function(x[train[held_rows]])

    temperature = cross_fitted_temperature(
        fold_logits, y_idx[train], artist_proxy_folds(tracks[train], y_idx[train], folds)
    )
    model.artifacts_.temperature = temperature
    out = _scores(model.decision_function(x[test]), temperature, y_idx[test], tracks[test])
    return out | {"model": model}


@dataclass(frozen=True)
class LinearBaseline:
    """The regularised linear baseline with the MLP's preprocessing: input transform, standard
    scaler fitted on the training rows, L2 logistic regression (C cross-validated on them, in
    artist-proxy folds of ``tracks``)."""

    input_transform: str
    scaler: Standardizer
    linear: LinearSolution

    @classmethod
    def fit(cls, x, y_idx, tracks, input_transform="log_var_no_dc", seed=0) -> LinearBaseline:
        transformed = apply_input_transform(x, FEATURE_NAMES, input_transform)
        scaler = Standardizer.fit(transformed)
        groups = artist_proxy_folds(tracks, y_idx)
        linear = fit_linear(scaler.transform(transformed), y_idx, groups, seed, len(GENRES))
        return cls(input_transform, scaler, linear)

    def logits(self, x) -> np.ndarray:
        transformed = apply_input_transform(x, FEATURE_NAMES, self.input_transform)
        return self.linear.logits(self.scaler.transform(transformed))


def evaluate_linear(
    x, y_idx, tracks, train, test, input_transform="log_var_no_dc", seed=0, folds=5
) -> dict[str, Any]:
    """:func:`evaluate_mlp` for :class:`LinearBaseline` (deterministic: its folds are fixed)."""
    model = LinearBaseline.fit(x[train], y_idx[train], tracks[train], input_transform, seed)

    def fold_logits(fit_rows, held_rows):
        rows = train[fit_rows]
        fold = LinearBaseline.fit(x[rows], y_idx[rows], tracks[rows], input_transform, seed)
        return fold.logits(x[train[held_rows]])

    temperature = cross_fitted_temperature(
        fold_logits, y_idx[train], artist_proxy_folds(tracks[train], y_idx[train], folds)
    )
    scores = _scores(model.logits(x[test]), temperature, y_idx[test], tracks[test])
    return scores | {"C": model.linear.C}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, sd (over seeds) and values of each figure of :func:`evaluate_mlp` runs."""

    def spread(values) -> dict[str, Any]:
        values = np.asarray(values, dtype=np.float64)
        return {
            "mean": float(values.mean()),
            "sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "values": values.tolist(),
        }

    cal = [r["calibrated"] for r in runs]
    raw = [r["uncalibrated"] for r in runs]
    return {
        "track_accuracy": spread([c["track_accuracy"] for c in cal]),
        "segment_accuracy": spread([c["segment_accuracy"] for c in cal])
        if "segment_accuracy" in cal[0]
        else None,
        "ece_before_calibration": spread([c["ece"] for c in raw]),
        "ece_after_calibration": spread([c["ece"] for c in cal]),
        "nll_before_calibration": spread([c["nll"] for c in raw]),
        "nll_after_calibration": spread([c["nll"] for c in cal]),
        "recall": {g: spread([c["per_genre"][g]["recall"] for c in cal]) for g in GENRES},
        "temperature": spread([r["temperature"] for r in runs]),
        "per_genre_seed0": cal[0]["per_genre"],
        "confusion_matrix_seed0": cal[0]["confusion_matrix"],
    }


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
    config.check()
    if final not in FINAL_CHOICES:
        raise InvalidInputError(f"unknown final {final!r}; accepted: {', '.join(FINAL_CHOICES)}")
    if seeds < 1:
        raise InvalidInputError(f"seeds must be >= 1, got {seeds}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = make_split(table, split, splits_dir)
    x = table[list(FEATURE_NAMES)].to_numpy(dtype=np.float64)
    y_idx = GenreClassifier._label_indices(table["label"].to_numpy())
    tracks = table_tracks(table)
    ways = directions(parts)

    mlp_runs: dict[str, list] = {name: [] for name in ways}
    linear_runs: dict[str, list] = {name: [] for name in ways}
    bar = tqdm(
        total=len(ways) * seeds * config.epochs, desc="training", unit="epoch", disable=not progress
    )
    for name, (fit_rows, scored_rows) in ways.items():
        for seed in range(seeds):
            mlp_runs[name].append(
                evaluate_mlp(
                    x,
                    y_idx,
                    tracks,
                    fit_rows,
                    scored_rows,
                    replace(config, seed=seed),
                    window_s,
                    on_epoch=lambda *_: bar.update(1),
                )
            )
            linear_runs[name].append(
                evaluate_linear(
                    x, y_idx, tracks, fit_rows, scored_rows, config.input_transform, seed
                )
            )
    bar.close()
    mlp = {name: summarise(r) for name, r in mlp_runs.items()}
    linear = {name: summarise(r) for name, r in linear_runs.items()}

    def over_directions(summary) -> float:
        return float(np.mean([s["track_accuracy"]["mean"] for s in summary.values()]))

    forward = mlp_runs["train->valid"]
    best_epochs = [r["model"].best_epoch_ for r in forward]
    provenance = {
        "data": data_source,
        "data_sha256": table_sha256(table),
        "n_rows": len(table),
        "split": parts.description,
        "code_commit": _git_commit(),
        "extractor_version": EXTRACTOR_VERSION,
    }
    if final == "all":
        # a fixed epoch count needs no held-out rows; the old best-loss recipe carries over the
        # median epoch its runs chose on the validation part
        epochs = config.epochs if config.keep_epoch == "last" else int(np.median(best_epochs))
        final_config = replace(config, seed=0, epochs=epochs, keep_epoch="last")
        everything = np.arange(len(table))
        final_model = fit_mlp(
            x,
            y_idx,
            tracks,
            everything,
            final_config,
            window_s,
            provenance=provenance | {"trained_on": "all rows (train + valid)"},
        )

        def fold_logits(fit_rows, held_rows):
            fold = fit_mlp(x, y_idx, tracks, fit_rows, final_config, window_s)
            return fold.decision_function(x[held_rows])

        final_model.artifacts_.temperature = cross_fitted_temperature(
            fold_logits, y_idx, artist_proxy_folds(tracks, y_idx)
        )
        final_model.artifacts_.provenance["temperature_from"] = TEMPERATURE_FROM.replace(
            "the training part", "all rows"
        )
    else:
        final_model = forward[0]["model"]
        final_model.artifacts_.provenance |= provenance | {
            "trained_on": "train rows, seed 0",
            "temperature_from": TEMPERATURE_FROM,
        }
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
        "epoch_chosen_on_scored_rows": config.keep_epoch == "best_valid_loss",
        "temperature_from": TEMPERATURE_FROM,
        # "validation" is the train -> valid direction (what a single-direction report showed)
        "validation": mlp["train->valid"],
        "directions": mlp,
        "linear_baseline": {
            "method": "L2 logistic regression on the same input transform and standardiser, C "
            "chosen by cross-validated log-loss inside the training part (the same artist-"
            "proxy folds)",
            "C": {name: [r["C"] for r in runs] for name, runs in linear_runs.items()},
            "directions": linear,
        },
        "track_accuracy_mean_over_directions": {
            "mlp": over_directions(mlp),
            "linear": over_directions(linear),
        },
        "best_epochs": best_epochs,
        "final_model": {
            "trained_on": final_model.artifacts_.provenance.get("trained_on"),
            "epochs": final_model.config.epochs,
            "temperature": final_model.artifacts_.temperature,
        },
        "provenance": provenance,
    }
    stem = weights.stem
    (out_dir / f"{stem}_metrics.json").write_text(json.dumps(report, indent=1) + "\n")
    acc = report["validation"]["track_accuracy"]
    plot_confusion(
        report["validation"]["confusion_matrix_seed0"],
        out_dir / f"{stem}_confusion.png",
        f"{stem}: validation ({parts.name} split, train -> valid), seed 0\n"
        f"track accuracy {acc['mean']:.1%} ± {acc['sd']:.1%} over {seeds} seeds",
    )
    return report
