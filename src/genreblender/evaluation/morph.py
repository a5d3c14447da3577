"""How well a blend that moves follows its curve: the heard weights over time against the asked.

A listener's timeline is its analysis windows (mel-cnn: 3 s every 1.47 s). In each window the
heard weights are its distribution restricted to the morph's genres, renormalised (for two
genres, α̂(t) = p(A) / (p(A) + p(B))). A morph is made of sections of each genre's own music
(at least one window long, a frame of :data:`~genreblender.generation.composer.sections.
MORPH_FRAME_S` holding each genre for its share), so one window mostly hears one genre: its α̂
is near 0 or 1 wherever α(t) is. What follows α(t) is the *local share*, so the figures are
computed on the heard weights smoothed over :data:`SPAN_S` (the windows whose centres lie within
half a span of a window's centre, their distributions averaged before restricting, as a track's
own distribution is the mean of its windows'); the raw per-window figures are given beside them.

- **tracking error**: the mean over windows of ½ Σ_g |ŵ_g(t) − w_g(t)| (for two genres
  |α̂(t) − α(t)|), α(t) taken at the window's centre;
- **Spearman**: for two genres Spearman(α(t), α̂(t)) over the windows; for more, the mean over
  genres of Spearman(w_g(t), ŵ_g(t)) (genres whose asked weight does not move are left out).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.mixes import Morph

#: The span (seconds) the heard weights are smoothed over before they are compared to the curve:
#: one morph frame, about eight 3-s windows
SPAN_S = 12.0


#: Fewer windows than this give no Spearman: over 3 or 4 points it is ±1 or ±0.5 by chance
#: (the features MLP's 30-s windows give a 60-s track 3)
MIN_WINDOWS_FOR_SPEARMAN = 5


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    from scipy.stats import spearmanr

    if len(x) < MIN_WINDOWS_FOR_SPEARMAN or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(spearmanr(x, y).statistic)


def _restricted(p: np.ndarray) -> np.ndarray:
    """Rows renormalised over the morph's genres (even weights where a row has none of them)."""
    total = p.sum(axis=1, keepdims=True)
    even = np.full_like(p, 1.0 / p.shape[1])
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), even)


def morph_timeline(
    starts_s, ends_s, probabilities, genres, morph: Morph, span_s: float = SPAN_S
) -> dict[str, Any]:
    """The curve asked for and heard over a listener's (or judge's) windows, and the figures.

    ``probabilities`` is ``(n_windows, len(genres))``; ``genres`` must hold every genre of the
    morph (a judge that cannot see one gets no figures: see :func:`hear_morph`).
    """
    starts = np.asarray(starts_s, dtype=float)
    ends = np.asarray(ends_s, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    names = list(genres)
    columns = [names.index(g) for g in morph.genres]
    on = p[:, columns]
    centres = 0.5 * (starts + ends)
    asked = np.array([morph.weights_at(c) for c in centres])
    heard = _restricted(on)
    near = np.abs(centres[:, None] - centres[None, :]) <= span_s / 2 + 1e-9
    smoothed = _restricted(near.astype(float) @ on / near.sum(axis=1, keepdims=True))

    def figures(h: np.ndarray) -> tuple[float, float | None]:
        error = float(np.mean(0.5 * np.abs(h - asked).sum(axis=1)))
        if morph.k == 2:
            rho = _spearman(asked[:, 0], h[:, 0])
        else:
            rhos = [_spearman(asked[:, g], h[:, g]) for g in range(morph.k)]
            rhos = [r for r in rhos if r is not None]
            rho = float(np.mean(rhos)) if rhos else None
        return error, rho

    error, rho = figures(smoothed)
    error_raw, rho_raw = figures(heard)
    return {
        "genres": list(morph.genres),
        "span_s": float(span_s),
        "times_s": [round(float(c), 3) for c in centres],
        "asked": [[round(float(x), 4) for x in row] for row in asked],
        "heard": [[round(float(x), 4) for x in row] for row in heard],
        "heard_smoothed": [[round(float(x), 4) for x in row] for row in smoothed],
        "on_target_mass": [round(float(x), 4) for x in on.sum(axis=1)],
        "tracking_error": error,
        "spearman": rho,
        "tracking_error_raw": error_raw,
        "spearman_raw": rho_raw,
        "n_windows": int(len(centres)),
    }


def classification_timeline(classification, morph: Morph, span_s: float = SPAN_S):
    """:func:`morph_timeline` over a :class:`ClassificationResult`'s own windows."""
    return morph_timeline(
        classification.segment_starts_s,
        classification.segment_ends_s,
        classification.segment_probabilities,
        classification.genres,
        morph,
        span_s,
    )


def judge_windows(judge, mono: np.ndarray, sr: int, starts_s, ends_s):
    """A judge's genre scores on each of the given windows (the listener's, so both timelines
    share their time base): ``(genres, (n_windows, n_genres) scores)``."""
    rows, genres = [], None
    for s, e in zip(starts_s, ends_s, strict=True):
        piece = mono[int(round(s * sr)) : int(round(e * sr))]
        scores = judge.genre_scores(piece, sr)
        genres = genres or tuple(scores)
        rows.append([scores[g] for g in genres])
    return genres, np.asarray(rows, dtype=float)


def hear_morph(ear, mono, sr, morph: Morph, windows, span_s: float = SPAN_S) -> dict[str, Any]:
    """One ear's timeline figures (:func:`morph_timeline`) of a morph, or a note saying why it
    has none. A listener uses its own windows; a judge scores ``windows`` (``(starts, ends)``,
    the steering listener's) one by one."""
    from genreblender.errors import AudioError
    from genreblender.evaluation.ears import JUDGE

    view: dict[str, Any] = {"name": ear.name, "kind": ear.kind, "timeline": None, "note": None}
    if ear.model is None:
        view["note"] = ear.note or f"{ear.name} cannot listen"
        return view
    try:
        if ear.kind == JUDGE:
            starts, ends = windows
            genres, probs = judge_windows(ear.model, mono, sr, starts, ends)
        else:
            result = ear.model.classify(mono, sr=sr)
            starts, ends = result.segment_starts_s, result.segment_ends_s
            genres, probs = result.genres, result.segment_probabilities
    except AudioError as exc:
        view["note"] = f"{ear.name} cannot score this audio: {exc}"
        return view
    blind = [g for g in morph.genres if g not in genres]
    if blind:
        view["note"] = f"{ear.name} cannot see {' or '.join(blind)}"
        return view
    view["timeline"] = morph_timeline(starts, ends, probs, genres, morph, span_s)
    return view


def sections_timeline(sections, starts_s, ends_s, morph: Morph, span_s: float = SPAN_S):
    """The figures an ideal listener would give the composer's plan: each window hears exactly
    the share of its time each genre's sections fill (``sections``: the sidecar's
    ``blend.sections``, ``{"genre", "start_s", "end_s"}``). What the plan itself allows, with
    the same windows and span as the real listener's."""
    starts = np.asarray(starts_s, dtype=float)
    ends = np.asarray(ends_s, dtype=float)
    shares = np.zeros((len(starts), morph.k))
    for s in sections:
        g = morph.genres.index(s["genre"])
        overlap = np.clip(np.minimum(ends, s["end_s"]) - np.maximum(starts, s["start_s"]), 0, None)
        shares[:, g] += overlap
    return morph_timeline(starts, ends, shares, morph.genres, morph, span_s)
