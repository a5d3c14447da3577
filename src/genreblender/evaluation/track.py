"""Evaluate one track: classify it and score the prediction against the requested blend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genreblender.classification.result import ClassificationResult
from genreblender.evaluation.metrics import BlendMetrics, blend_metrics


@dataclass
class TrackEvaluation:
    classification: ClassificationResult
    metrics: BlendMetrics
    judge: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": dict(
                zip(self.classification.genres, self.metrics.target.tolist(), strict=True)
            ),
            "predicted": self.classification.distribution,
            "metrics": self.metrics.to_dict(),
            "segments": self.classification.to_dict()["segments"],
            "judge": self.judge,
        }


def evaluate_track(
    audio: np.ndarray,
    sr: int,
    genre_a: str,
    genre_b: str,
    alpha: float,
    classifier=None,
    judge=None,
) -> TrackEvaluation:
    """Classify ``audio`` (mono or ``(n, channels)``) and compute the blend metrics.

    ``judge`` is an optional independent model (e.g. :class:`MusicnnJudge`); its view is
    reported beside ours and never used to choose anything.
    """
    from genreblender.classification.listeners import get_listener

    classifier = classifier or get_listener()
    mono = np.asarray(audio, dtype=np.float32)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    classification = classifier.classify(mono, sr=sr)
    metrics = blend_metrics(
        classification.probabilities, genre_a, genre_b, alpha, classification.genres
    )
    judged = None
    if judge is not None:
        judged = judge_view(judge, mono, sr, genre_a, genre_b, alpha)
    return TrackEvaluation(classification, metrics, judged)


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
