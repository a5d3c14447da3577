"""How well one track's predicted genre distribution matches the blend that was asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, validate_alpha, validate_genre

#: Smoothing of the predicted distribution inside KL: p' = (p + eps) / (1 + n * eps).
KL_EPS = 1e-6

#: One line per metric with its formula (shown in the README, the CLI and the app).
METRIC_DOCS: dict[str, str] = {
    "kl": "KL(t‖p) = Σ_g t_g · log(t_g / p'_g) in nats, p' = (p + 1e-6) / (1 + 10·1e-6): "
    "information lost describing the target with the prediction (0 = perfect)",
    "js": "JS(t, p) = ½ KL(t‖m) + ½ KL(p‖m) in bits, m = (t + p) / 2: symmetric, in [0, 1]",
    "tv": "TV(t, p) = ½ Σ_g |t_g − p_g|: probability mass in the wrong place, in [0, 1]",
    "alpha_hat": "α̂ = p(A) / (p(A) + p(B)): the blend the classifier heard (1 when A = B)",
    "leakage": "leakage = 1 − p(A) − p(B): mass on genres that were not asked for",
    "top2_match": "top-2 match: A and B are the two most probable genres (A on top when A = B)",
}


def target_distribution(genre_a: str, genre_b: str, alpha: float, genres=GENRES) -> np.ndarray:
    """``alpha`` on A, ``1 - alpha`` on B, 0 elsewhere (1 on A when A = B)."""
    a, b = validate_genre(genre_a), validate_genre(genre_b)
    alpha = validate_alpha(alpha)
    target = np.zeros(len(genres))
    target[list(genres).index(a)] += alpha
    target[list(genres).index(b)] += 1.0 - alpha
    if a == b:
        target[list(genres).index(a)] = 1.0
    return target


def _as_distribution(predicted: Any, genres) -> np.ndarray:
    if isinstance(predicted, dict):
        unknown = set(predicted) - set(genres)
        if unknown:
            raise InvalidInputError(f"unknown genres in prediction: {sorted(unknown)}")
        predicted = [float(predicted.get(g, 0.0)) for g in genres]
    p = np.asarray(predicted, dtype=np.float64)
    if p.shape != (len(genres),) or not np.isfinite(p).all() or (p < 0).any():
        raise InvalidInputError(
            f"prediction must be {len(genres)} non-negative probabilities, got shape {p.shape}"
        )
    total = p.sum()
    if total <= 0:
        raise InvalidInputError("prediction sums to 0")
    return p / total


def _kl(p: np.ndarray, q: np.ndarray, base: float = np.e) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])) / np.log(base))


@dataclass(frozen=True)
class BlendMetrics:
    kl: float
    js: float
    tv: float
    alpha_hat: float
    leakage: float
    top2_match: bool
    target: np.ndarray
    predicted: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "kl": self.kl,
            "js": self.js,
            "tv": self.tv,
            "alpha_hat": self.alpha_hat,
            "leakage": self.leakage,
            "top2_match": self.top2_match,
        }


def blend_metrics(
    predicted: Any, genre_a: str, genre_b: str, alpha: float, genres=GENRES, eps: float = KL_EPS
) -> BlendMetrics:
    """All blend metrics of a predicted distribution (array in ``genres`` order or a dict)."""
    target = target_distribution(genre_a, genre_b, alpha, genres)
    p = _as_distribution(predicted, genres)
    a, b = validate_genre(genre_a), validate_genre(genre_b)
    ia, ib = list(genres).index(a), list(genres).index(b)
    smoothed = (p + eps) / (1.0 + len(p) * eps)
    m = 0.5 * (target + p)
    js = 0.5 * _kl(target, m, 2) + 0.5 * _kl(p, m, 2)
    if a == b:
        alpha_hat, leakage = 1.0, 1.0 - p[ia]
        top2 = int(np.argmax(p)) == ia
    else:
        mass = p[ia] + p[ib]
        alpha_hat = float(p[ia] / mass) if mass > 0 else 0.5
        leakage = 1.0 - mass
        top2 = set(np.argsort(p)[::-1][:2].tolist()) == {ia, ib}
    return BlendMetrics(
        kl=_kl(target, smoothed),
        js=float(np.clip(js, 0.0, 1.0)),
        tv=float(0.5 * np.abs(target - p).sum()),
        alpha_hat=float(alpha_hat),
        leakage=float(max(leakage, 0.0)),
        top2_match=bool(top2),
        target=target,
        predicted=p,
    )
