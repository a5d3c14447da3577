"""Evaluate one track: classify it and score the prediction against the requested blend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genreblender.classification.result import ClassificationResult
from genreblender.evaluation.metrics import BlendMetrics, mix_metrics
from genreblender.mixes import Mix


@dataclass
class TrackEvaluation:
    """The steering listener's view of a track, and every other ear's view beside it.

    ``ears`` holds one :func:`genreblender.evaluation.ears.hear` dict per extra ear (other
    listeners, the judge): they scored the same audio and chose nothing.
    """

    classification: ClassificationResult
    metrics: BlendMetrics
    ears: list[dict[str, Any]] = field(default_factory=list)
    #: for a blend that moves: the curve and the steering listener's timeline figures
    #: (:func:`genreblender.evaluation.morph.morph_timeline`); each ear's are in its view
    morph: dict[str, Any] | None = None
    #: for a blend that did not land on genres the steering listener seldom recognises even in
    #: real music: how far to trust the miss (``classification.reliability.miss_caution``)
    caution: str | None = None

    @property
    def landing(self):
        return self.metrics.landing

    def to_dict(self) -> dict[str, Any]:
        return {
            "listener": self.classification.model.get("listener")
            or self.classification.model.get("name"),
            "mix": self.metrics.mix.to_dict() if self.metrics.mix else None,
            "target": dict(
                zip(self.classification.genres, self.metrics.target.tolist(), strict=True)
            ),
            "predicted": self.classification.distribution,
            "metrics": self.metrics.to_dict(),
            "landing": self.metrics.landing.to_dict(),
            "segments": self.classification.to_dict()["segments"],
            "ears": list(self.ears),
            "morph": self.morph,
            "caution": self.caution,
        }


def evaluate_track(
    audio: np.ndarray,
    sr: int,
    genre_a: str,
    genre_b: str,
    alpha: float,
    classifier=None,
    ears=(),
) -> TrackEvaluation:
    """:func:`evaluate_mix` of the two-genre target ``alpha·A + (1 − alpha)·B``."""
    return evaluate_mix(audio, sr, Mix.pair(genre_a, genre_b, alpha), classifier, ears)


def evaluate_mix(audio: np.ndarray, sr: int, mix: Mix, classifier=None, ears=()) -> TrackEvaluation:
    """Classify ``audio`` (mono or ``(n, channels)``) and compute the blend metrics against
    ``mix``.

    ``classifier`` is the steering listener (any object with ``.classify(samples, sr=...)``;
    the default listener when None). ``ears`` are other listeners and judges (or
    :class:`~genreblender.evaluation.ears.Ear`) whose views are reported beside its figures and
    never used to choose anything.
    """
    from genreblender.evaluation.ears import as_ears, hear_mix

    if classifier is None:
        from genreblender.classification.listeners import get_listener

        classifier = get_listener()
    mono = as_mono(audio)
    classification = classifier.classify(mono, sr=sr)
    metrics = mix_metrics(classification.probabilities, mix, classification.genres)
    views = [hear_mix(ear, mono, sr, mix) for ear in as_ears(ears)]
    caution = None
    if not metrics.landed:
        from genreblender.classification.reliability import miss_caution

        name = classification.model.get("listener") or "the listener"
        recall = getattr(classifier, "held_out_recall", None)
        caution = miss_caution(name, _missed_genres(metrics), recall)
    return TrackEvaluation(classification, metrics, views, caution=caution)


def _missed_genres(metrics: BlendMetrics) -> list[str]:
    """The asked genres a blend that did not land missed: those the landing rule wanted on top
    and found below another genre, else those heard less than asked."""
    if metrics.landing.below:
        return list(metrics.landing.below)
    mix = metrics.mix
    heard = dict(zip(mix.genres, metrics.heard, strict=True))
    return [g for g, w in mix.items() if w > 0 and heard[g] < w]


def evaluate_morph(
    audio: np.ndarray, sr: int, morph, duration_s: float, classifier=None, ears=()
) -> TrackEvaluation:
    """:func:`evaluate_mix` against the morph's time average, plus how the heard weights follow
    the curve over time, for the steering listener and every ear
    (:mod:`genreblender.evaluation.morph`)."""
    from genreblender.evaluation.ears import as_ears
    from genreblender.evaluation.morph import classification_timeline, hear_morph

    ears = as_ears(ears)
    evaluation = evaluate_mix(audio, sr, morph.mean_mix(duration_s), classifier, ears)
    c = evaluation.classification
    mono = as_mono(audio)
    windows = (c.segment_starts_s, c.segment_ends_s)
    evaluation.morph = {"curve": morph.to_dict(), "timeline": classification_timeline(c, morph)}
    for ear, view in zip(ears, evaluation.ears, strict=True):
        heard = hear_morph(ear, mono, sr, morph, windows)
        view["morph"] = heard["timeline"]
        if heard["note"] and not view.get("note"):
            view["note"] = heard["note"]
    return evaluation


def as_mono(audio: np.ndarray) -> np.ndarray:
    mono = np.asarray(audio, dtype=np.float32)
    return mono.mean(axis=1) if mono.ndim == 2 else mono


def judge_view(judge, mono: np.ndarray, sr: int, genre_a: str, genre_b: str, alpha: float):
    """The independent judge's genre scores and its α̂ (None when it cannot see A or B)."""
    scores = judge.genre_scores(mono, sr)
    alpha_hat = judge.alpha_hat(mono, sr, genre_a, genre_b)
    return {
        "name": f"musicnn:{judge.model}" if hasattr(judge, "model") else type(judge).__name__,
        "scores": scores,
        "alpha_hat": alpha_hat,
        "abs_alpha_error": None if alpha_hat is None else abs(alpha_hat - alpha),
    }
