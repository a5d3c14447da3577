"""Input transform and standardisation applied before the MLP (fit on training rows only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Transforms a model may declare in its artifacts.
INPUT_TRANSFORMS = ("none", "log_var")

# Variances and tempo are positive and heavy-tailed (spanning orders of magnitude between quiet
# classical and loud metal), so a standard scaler alone lets a few tracks dominate their columns.
_LOG_FLOOR = 1e-10


def log_columns(feature_names) -> np.ndarray:
    """Columns that the ``log_var`` transform takes the log of: every ``*_var`` and tempo."""
    return np.array([n.endswith("_var") or n == "tempo" for n in feature_names])


def apply_input_transform(x: np.ndarray, feature_names, transform: str) -> np.ndarray:
    if transform not in INPUT_TRANSFORMS:
        raise ValueError(f"unknown input transform {transform!r}; known: {INPUT_TRANSFORMS}")
    x = np.array(x, dtype=np.float64, copy=True)
    if transform == "log_var":
        cols = log_columns(feature_names)
        x[:, cols] = np.log(np.maximum(x[:, cols], 0.0) + _LOG_FLOOR)
    return x


@dataclass
class Standardizer:
    """``(x - mean) / scale`` as sklearn's StandardScaler, stored as plain arrays (JSON-safe)."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardizer:
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(x)
        return cls(scaler.mean_.astype(np.float64), scaler.scale_.astype(np.float64))

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
