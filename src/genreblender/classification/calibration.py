"""Temperature scaling (Guo et al. 2017) and expected calibration error."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T > 0 minimising the NLL of ``softmax(logits / T)`` on held-out rows.

    One scalar cannot change which class wins, so accuracy is untouched; only the confidence
    moves. See :func:`fit_temperature_of` for the search.
    """
    logits = np.asarray(logits, dtype=np.float64)
    return fit_temperature_of(lambda t: softmax(logits, t), labels)


def fit_temperature_of(probabilities_at, labels: np.ndarray) -> float:
    """The T minimising the NLL of ``probabilities_at(T)`` (rows of distributions) against
    ``labels``: optimised over log T, bounded to T in [0.05, 20], with scipy's bounded Brent
    search. Shared by row-level (:func:`fit_temperature`) and track-level calibration."""
    from scipy.optimize import minimize_scalar

    labels = np.asarray(labels)

    def nll(log_t: float) -> float:
        probs = probabilities_at(float(np.exp(log_t)))
        return float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> float:
    """ECE: the bin-weighted mean |accuracy − confidence| over ``n_bins`` equal-width bins of the
    top-class probability."""
    probs = np.asarray(probs, dtype=np.float64)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)
