"""Scores of a classifier on labelled rows: accuracy (per window and per track), per-genre
precision/recall/F1, calibration, and a confusion-matrix picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from genreblender.classification.calibration import expected_calibration_error
from genreblender.genres import GENRES


def track_probabilities(probs: np.ndarray, tracks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean window distribution per track (as :meth:`GenreClassifier.classify_windows` does).

    Returns the track ids (sorted) and their distributions.
    """
    unique, inverse = np.unique(tracks, return_inverse=True)
    sums = np.zeros((len(unique), probs.shape[1]))
    np.add.at(sums, inverse, probs)
    counts = np.bincount(inverse, minlength=len(unique))[:, None]
    return unique, sums / counts


def score(
    probs: np.ndarray, labels: np.ndarray, tracks: np.ndarray | None = None
) -> dict[str, Any]:
    """Metrics of window distributions ``probs`` against label indices ``labels``.

    When ``tracks`` groups several rows into one track, ``segment_accuracy`` is per row and
    ``track_accuracy`` per track (mean of its window distributions); otherwise both are per row.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = np.asarray(labels)
    out: dict[str, Any] = {"n_rows": int(len(labels))}
    segment_acc = float((probs.argmax(1) == labels).mean())
    if tracks is not None and len(np.unique(tracks)) < len(tracks):
        ids, track_probs = track_probabilities(probs, np.asarray(tracks))
        first_row = {t: i for i, t in reversed(list(enumerate(tracks)))}
        track_labels = labels[[first_row[t] for t in ids]]
        out["segment_accuracy"] = segment_acc
    else:
        track_probs, track_labels = probs, labels
    predicted = track_probs.argmax(1)
    out["n_tracks"] = int(len(track_labels))
    out["track_accuracy"] = float((predicted == track_labels).mean())
    out["ece"] = expected_calibration_error(track_probs, track_labels)
    out["nll"] = float(
        -np.mean(np.log(track_probs[np.arange(len(track_labels)), track_labels] + 1e-12))
    )
    p, r, f, support = precision_recall_fscore_support(
        track_labels, predicted, labels=range(len(GENRES)), zero_division=0
    )
    out["per_genre"] = {
        g: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(support[i]),
        }
        for i, g in enumerate(GENRES)
    }
    out["confusion_matrix"] = confusion_matrix(
        track_labels, predicted, labels=range(len(GENRES))
    ).tolist()
    return out


def plot_confusion(matrix, path: str | Path, title: str) -> Path:
    """Save a labelled confusion-matrix heat map (rows: true genre, columns: predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=110)
    im = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(GENRES)), GENRES, rotation=45, ha="right")
    ax.set_yticks(range(len(GENRES)), GENRES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if matrix[i, j]:
                color = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", color=color, fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
