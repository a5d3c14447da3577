"""How well one track's predicted genre distribution matches the blend that was asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, validate_alpha, validate_genre

#: Smoothing of the predicted distribution inside KL: p' = (p + eps) / (1 + n * eps).
KL_EPS = 1e-6

#: Landing rule: the genres asked for must hold at least this much of the predicted mass.
LANDING_MIN_MASS = 0.5
#: Landing rule: |α̂ − α| may be at most this. It is also the weight below which a genre asked
#: for need not be heard on top: at α = 0.9 a track with no B at all has α̂ = 1, within 0.15.
LANDING_ALPHA_TOLERANCE = 0.15

#: The landing rule in one sentence (README, CLI help, report).
LANDING_RULE = (
    f"landed = (1) every genre the target gives more than {LANDING_ALPHA_TOLERANCE:g} is more "
    "probable than every genre not asked for (at 0.15 < α < 0.85: A and B are the two most "
    "probable genres; near α = 0 or 1, and when A = B, only the dominant genre must be on top), "
    f"(2) the on-target mass p(A) + p(B) is at least {LANDING_MIN_MASS:g}, and "
    f"(3) |α̂ − α| ≤ {LANDING_ALPHA_TOLERANCE:g}"
)

#: One line per metric with its formula (shown in the README, the CLI and the app).
METRIC_DOCS: dict[str, str] = {
    "kl": "KL(t‖p) = Σ_g t_g · log(t_g / p'_g) in nats, p' = (p + 1e-6) / (1 + 10·1e-6): "
    "information lost describing the target with the prediction (0 = perfect)",
    "js": "JS(t, p) = ½ KL(t‖m) + ½ KL(p‖m) in bits, m = (t + p) / 2: symmetric, in [0, 1]",
    "tv": "TV(t, p) = ½ Σ_g |t_g − p_g|: probability mass in the wrong place, in [0, 1]",
    "alpha_hat": "α̂ = p(A) / (p(A) + p(B)): the blend the classifier heard (1 when A = B)",
    "abs_alpha_error": "|α̂ − α|: how far the heard blend is from the asked one (0 when A = B)",
    "on_target_mass": "on-target mass = p(A) + p(B) (p(A) when A = B): how much of what the "
    "classifier heard is a genre that was asked for; α̂ means little when it is small",
    "leakage": "leakage = 1 − p(A) − p(B): mass on genres that were not asked for",
    "top2_match": "top-2 match: A and B are the two most probable genres (A on top when A = B)",
    "landed": LANDING_RULE,
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
class Landing:
    """The landing verdict of one track (see :data:`LANDING_RULE`).

    ``missed_by`` holds, for each condition that failed, how far short it fell (always > 0
    except for a tie in rank, which is 0 and still a miss): ``rank`` the probability by which
    the strongest genre not asked for beats the weakest genre that had to be on top, ``mass``
    ``LANDING_MIN_MASS − p(A) − p(B)``, ``alpha`` ``|α̂ − α| − LANDING_ALPHA_TOLERANCE``.
    ``reasons`` says the same in words.
    """

    landed: bool
    missed_by: dict[str, float]
    reasons: tuple[str, ...]

    @property
    def summary(self) -> str:
        """``"landed"`` or ``"did not land; missed by ..."``, one line for people."""
        if self.landed:
            return "landed"
        return "did not land; missed by " + "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "landed": self.landed,
            "missed_by": dict(self.missed_by),
            "reasons": list(self.reasons),
            "summary": self.summary,
            "rule": LANDING_RULE,
        }


def landing(
    p: np.ndarray, target: np.ndarray, genre_a: str, genre_b: str, alpha_error: float, genres
) -> Landing:
    """Apply the landing rule to a normalised prediction ``p`` against ``target``."""
    names = list(genres)
    ia, ib = names.index(genre_a), names.index(genre_b)
    missed: dict[str, float] = {}
    reasons: list[str] = []
    # (1) rank: the genres that carry real weight must beat everything not asked for
    required = [i for i in dict.fromkeys((ia, ib)) if target[i] > LANDING_ALPHA_TOLERANCE]
    others = [i for i in range(len(names)) if i not in (ia, ib)]
    if others:
        weakest = min(required, key=lambda i: p[i])
        strongest = max(others, key=lambda i: p[i])
        if p[strongest] >= p[weakest]:
            missed["rank"] = float(p[strongest] - p[weakest])
            where = "the two most probable genres" if len(required) == 2 else "on top"
            reasons.append(
                f"{names[weakest]} ({p[weakest]:.2f}) is not among {where}: "
                f"{names[strongest]} ({p[strongest]:.2f}) is above it by {missed['rank']:.2f}"
            )
    # (2) on-target mass
    mass = float(p[ia] + (p[ib] if ib != ia else 0.0))
    if mass < LANDING_MIN_MASS:
        missed["mass"] = float(LANDING_MIN_MASS - mass)
        reasons.append(
            f"on-target mass {mass:.2f} < {LANDING_MIN_MASS:g} (short by {missed['mass']:.2f})"
        )
    # (3) the heard blend
    if alpha_error > LANDING_ALPHA_TOLERANCE:
        missed["alpha"] = float(alpha_error - LANDING_ALPHA_TOLERANCE)
        reasons.append(
            f"|α̂ − α| {alpha_error:.2f} > {LANDING_ALPHA_TOLERANCE:g} (by {missed['alpha']:.2f})"
        )
    return Landing(not missed, missed, tuple(reasons))


@dataclass(frozen=True)
class BlendMetrics:
    kl: float
    js: float
    tv: float
    alpha_hat: float
    abs_alpha_error: float
    on_target_mass: float
    leakage: float
    top2_match: bool
    landing: Landing
    target: np.ndarray
    predicted: np.ndarray

    @property
    def landed(self) -> bool:
        return self.landing.landed

    def to_dict(self) -> dict[str, Any]:
        return {
            "kl": self.kl,
            "js": self.js,
            "tv": self.tv,
            "alpha_hat": self.alpha_hat,
            "abs_alpha_error": self.abs_alpha_error,
            "on_target_mass": self.on_target_mass,
            "leakage": self.leakage,
            "top2_match": self.top2_match,
            "landed": self.landed,
        }


def blend_metrics(
    predicted: Any, genre_a: str, genre_b: str, alpha: float, genres=GENRES, eps: float = KL_EPS
) -> BlendMetrics:
    """All blend metrics of a predicted distribution (array in ``genres`` order or a dict).

    ``genres`` may be a subset of the GTZAN genres (a judge that cannot see some of them) as long
    as it holds A and B.
    """
    a, b = validate_genre(genre_a), validate_genre(genre_b)
    for g in (a, b):
        if g not in genres:
            raise InvalidInputError(f"{g} is not among the genres scored: {', '.join(genres)}")
    target = target_distribution(a, b, alpha, genres)
    alpha = validate_alpha(alpha)
    p = _as_distribution(predicted, genres)
    ia, ib = list(genres).index(a), list(genres).index(b)
    smoothed = (p + eps) / (1.0 + len(p) * eps)
    m = 0.5 * (target + p)
    js = 0.5 * _kl(target, m, 2) + 0.5 * _kl(p, m, 2)
    if a == b:
        alpha_hat, mass = 1.0, float(p[ia])
        alpha_error = 0.0  # α has no effect when both genres are the same
        top2 = int(np.argmax(p)) == ia
    else:
        mass = float(p[ia] + p[ib])
        alpha_hat = float(p[ia] / mass) if mass > 0 else 0.5
        alpha_error = abs(alpha_hat - alpha)
        top2 = set(np.argsort(p)[::-1][:2].tolist()) == {ia, ib}
    return BlendMetrics(
        kl=_kl(target, smoothed),
        js=float(np.clip(js, 0.0, 1.0)),
        tv=float(0.5 * np.abs(target - p).sum()),
        alpha_hat=float(alpha_hat),
        abs_alpha_error=float(alpha_error),
        on_target_mass=float(min(mass, 1.0)),
        leakage=float(max(1.0 - mass, 0.0)),
        top2_match=bool(top2),
        landing=landing(p, target, a, b, alpha_error, genres),
        target=target,
        predicted=p,
    )
