"""Input transform and standardisation applied before the MLP (fit on training rows only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Transforms a model may declare in its artifacts.
INPUT_TRANSFORMS = ("none", "log_var", "log_var_no_dc")

#: The mean of the harmonic and of the percussive waveform: a DC offset, which says something about
#: the recording chain and nothing about the music. ``log_var_no_dc`` sets them to 0 (they then
#: standardise to 0), so a DC offset in a user's file cannot move the prediction.
DC_FEATURES = ("harmony_mean", "perceptr_mean")

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
    if transform in ("log_var", "log_var_no_dc"):
        cols = log_columns(feature_names)
        x[:, cols] = np.log(np.maximum(x[:, cols], 0.0) + _LOG_FLOOR)
    if transform == "log_var_no_dc":
        x[:, [list(feature_names).index(n) for n in DC_FEATURES]] = 0.0
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
