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


@dataclass
class Whitener:
    """ZCA whitening of standardised features by the pooled within-genre covariance.

    Fit on training rows only: the covariance of each row's deviation from its genre's mean,
    shrunk toward a multiple of the identity by Ledoit-Wolf, then ``(z - center) @ matrix`` with
    ``matrix = cov^-1/2`` (symmetric). Columns without variance (the zeroed DC features) stay 0.
    It is linear, so after training it is folded into the network's first layer
    (:meth:`fold_into_first_layer`) and inference keeps taking standardised features.
    """

    center: np.ndarray
    matrix: np.ndarray

    @classmethod
    def fit(cls, z: np.ndarray, y: np.ndarray) -> Whitener:
        from sklearn.covariance import LedoitWolf

        z = np.asarray(z, dtype=np.float64)
        keep = np.flatnonzero(z.std(axis=0) > 1e-12)
        zk = z[:, keep]
        resid = zk.copy()
        for c in np.unique(y):
            resid[y == c] -= zk[y == c].mean(axis=0)
        cov = LedoitWolf(assume_centered=True).fit(resid).covariance_
        w, v = np.linalg.eigh(cov)
        matrix = np.zeros((z.shape[1], z.shape[1]))
        matrix[np.ix_(keep, keep)] = v @ np.diag(w**-0.5) @ v.T
        center = np.zeros(z.shape[1])
        center[keep] = zk.mean(axis=0)
        return cls(center, matrix)

    def transform(self, z: np.ndarray) -> np.ndarray:
        return (np.asarray(z, dtype=np.float64) - self.center) @ self.matrix

    def fold_into_first_layer(self, state_dict: dict) -> dict:
        """The same network taking un-whitened inputs: W' = W M^T, b' = b - W' c."""
        import torch

        out = dict(state_dict)
        w = state_dict["0.weight"].double().numpy()
        b = state_dict["0.bias"].double().numpy()
        w2 = w @ self.matrix.T
        out["0.weight"] = torch.as_tensor(w2, dtype=state_dict["0.weight"].dtype)
        out["0.bias"] = torch.as_tensor(b - w2 @ self.center, dtype=state_dict["0.bias"].dtype)
        return out
