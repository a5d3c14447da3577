"""How well one track's predicted genre distribution matches the blend that was asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES
from genreblender.mixes import Mix

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
    f"(3) |α̂ − α| ≤ {LANDING_ALPHA_TOLERANCE:g}; for a mix of k genres the same with the mix's "
    "weights: (2) is the mass on the k genres and (3) the weight error ½ Σ |ŵ − w| of the "
    "heard weights ŵ (the prediction restricted to the k genres, renormalised), which for two "
    "genres is |α̂ − α|"
)

#: One line per metric with its formula (shown in the README, the CLI and the app).
METRIC_DOCS: dict[str, str] = {
    "kl": "KL(t‖p) = Σ_g t_g · log(t_g / p'_g) in nats, p' = (p + 1e-6) / (1 + 10·1e-6): "
    "information lost describing the target with the prediction (0 = perfect)",
    "js": "JS(t, p) = ½ KL(t‖m) + ½ KL(p‖m) in bits, m = (t + p) / 2: symmetric, in [0, 1]",
    "tv": "TV(t, p) = ½ Σ_g |t_g − p_g|: probability mass in the wrong place, in [0, 1]",
    "alpha_hat": "α̂ = p(A) / (p(A) + p(B)): the blend the classifier heard (1 when A = B); "
    "for a mix, the heard weight of its first genre",
    "abs_alpha_error": "|α̂ − α|: how far the heard blend is from the asked one (0 when A = B); "
    "for a mix, the weight error",
    "on_target_mass": "on-target mass = p(A) + p(B) (p(A) when A = B; for a mix, the sum over "
    "its genres): how much of what the classifier heard is a genre that was asked for; α̂ "
    "means little when it is small",
    "leakage": "leakage = 1 − on-target mass: mass on genres that were not asked for",
    "top2_match": "top-2 match: A and B are the two most probable genres (A on top when A = B); "
    "for a mix, the same as the top-k match",
    "topk_match": "top-k match: the k genres of the mix are the k most probable genres",
    "heard_weights": "heard weights ŵ_g = p(g) / Σ_{h in the mix} p(h): the prediction "
    "restricted to the genres asked for and renormalised (even when they get nothing); for "
    "two genres, (α̂, 1 − α̂)",
    "weight_error": "weight error = ½ Σ_g |ŵ_g − w_g| over the mix's genres: how far the heard "
    "weights are from the asked ones, in [0, 1] (|α̂ − α| for two genres)",
    "landed": LANDING_RULE,
}


def target_distribution(genre_a: str, genre_b: str, alpha: float, genres=GENRES) -> np.ndarray:
    """``alpha`` on A, ``1 - alpha`` on B, 0 elsewhere (1 on A when A = B)."""
    return np.asarray(Mix.pair(genre_a, genre_b, alpha).target(genres), dtype=np.float64)


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
    #: the genres that had to be on top and were not (condition 1), by name
    below: tuple[str, ...] = ()

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


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def landing(p: np.ndarray, target: np.ndarray, mix: Mix, weight_error: float, genres) -> Landing:
    """Apply the landing rule to a normalised prediction ``p`` against the ``mix``'s target."""
    names = list(genres)
    asked = [names.index(g) for g in mix.genres]
    missed: dict[str, float] = {}
    reasons: list[str] = []
    below: tuple[str, ...] = ()
    # (1) rank: the genres that carry real weight must beat everything not asked for
    required = [i for i in asked if target[i] > LANDING_ALPHA_TOLERANCE]
    others = [i for i in range(len(names)) if i not in asked]
    if others and required:
        weakest = min(required, key=lambda i: p[i])
        strongest = max(others, key=lambda i: p[i])
        below = tuple(names[i] for i in required if p[i] <= p[strongest])
        if p[strongest] >= p[weakest]:
            missed["rank"] = float(p[strongest] - p[weakest])
            n = len(required)
            where = f"the {_COUNT_WORDS.get(n, n)} most probable genres" if n > 1 else "on top"
            reasons.append(
                f"{names[weakest]} ({p[weakest]:.2f}) is not among {where}: "
                f"{names[strongest]} ({p[strongest]:.2f}) is above it by {missed['rank']:.2f}"
            )
    # (2) on-target mass
    mass = float(sum(p[i] for i in asked))
    if mass < LANDING_MIN_MASS:
        missed["mass"] = float(LANDING_MIN_MASS - mass)
        reasons.append(
            f"on-target mass {mass:.2f} < {LANDING_MIN_MASS:g} (short by {missed['mass']:.2f})"
        )
    # (3) the heard blend
    if weight_error > LANDING_ALPHA_TOLERANCE:
        missed["alpha"] = float(weight_error - LANDING_ALPHA_TOLERANCE)
        what = "|α̂ − α|" if mix.is_pair else "weight error"
        reasons.append(
            f"{what} {weight_error:.2f} > {LANDING_ALPHA_TOLERANCE:g} (by {missed['alpha']:.2f})"
        )
    return Landing(not missed, missed, tuple(reasons), below)


@dataclass(frozen=True)
class BlendMetrics:
    """Every figure of one prediction against one target (:data:`METRIC_DOCS`).

    The pair figures (``alpha_hat``, ``abs_alpha_error``, ``top2_match``) are those of the
    general ones for two genres: α̂ is A's heard weight, |α̂ − α| the weight error, top-2 the
    top-k match; for a mix of more genres they keep that reading (first genre, weight error,
    top k)."""

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
    mix: Mix | None = None
    #: ŵ in the mix's genre order
    heard: tuple[float, ...] = ()
    weight_error: float = 0.0
    topk_match: bool = False

    @property
    def landed(self) -> bool:
        return self.landing.landed

    @property
    def heard_weights(self) -> dict[str, float]:
        return dict(zip(self.mix.genres, self.heard, strict=True)) if self.mix else {}

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
            "topk_match": self.topk_match,
            "heard_weights": self.heard_weights,
            "weight_error": self.weight_error,
            "landed": self.landed,
        }


def blend_metrics(
    predicted: Any, genre_a: str, genre_b: str, alpha: float, genres=GENRES, eps: float = KL_EPS
) -> BlendMetrics:
    """All blend metrics of a predicted distribution (array in ``genres`` order or a dict)
    against the two-genre target ``alpha·A + (1 − alpha)·B`` (see :func:`mix_metrics`)."""
    return mix_metrics(predicted, Mix.pair(genre_a, genre_b, alpha), genres, eps)


def mix_metrics(predicted: Any, mix: Mix, genres=GENRES, eps: float = KL_EPS) -> BlendMetrics:
    """All blend metrics of a predicted distribution (array in ``genres`` order or a dict)
    against the target of ``mix``.

    ``genres`` may be a subset of the GTZAN genres (a judge that cannot see some of them) as long
    as it holds every genre of the mix.
    """
    target = np.asarray(mix.target(genres), dtype=np.float64)
    p = _as_distribution(predicted, genres)
    names = list(genres)
    asked = [names.index(g) for g in mix.genres]
    weights = np.asarray(mix.weights, dtype=np.float64)
    smoothed = (p + eps) / (1.0 + len(p) * eps)
    m = 0.5 * (target + p)
    js = 0.5 * _kl(target, m, 2) + 0.5 * _kl(p, m, 2)
    on_asked = p[asked]
    mass = float(on_asked.sum())
    # what was heard of the asked genres, as weights; undefined when none of them was heard,
    # reported as even (a pair's alpha_hat 0.5)
    heard = on_asked / mass if mass > 0 else np.full(mix.k, 1.0 / mix.k)
    weight_error = float(0.5 * np.abs(heard - weights).sum())
    if mix.k == 1:
        weight_error = 0.0  # one genre: its weight is 1 whatever was heard
    topk = set(np.argsort(p)[::-1][: mix.k].tolist()) == set(asked)
    return BlendMetrics(
        kl=_kl(target, smoothed),
        js=float(np.clip(js, 0.0, 1.0)),
        tv=float(0.5 * np.abs(target - p).sum()),
        alpha_hat=float(heard[0]),
        abs_alpha_error=weight_error,
        on_target_mass=float(min(mass, 1.0)),
        leakage=float(max(1.0 - mass, 0.0)),
        top2_match=bool(topk),
        landing=landing(p, target, mix, weight_error, genres),
        target=target,
        predicted=p,
        mix=mix,
        heard=tuple(float(x) for x in heard),
        weight_error=weight_error,
        topk_match=bool(topk),
    )
