"""What a classification returns: the track-level distribution and the per-window timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ClassificationResult:
    """Genre distribution of one piece of audio.

    Attributes
    ----------
    genres : tuple of str
        Label order of every probability vector here.
    probabilities : np.ndarray, shape (n_genres,)
        Track-level P(genre | audio), sums to 1.
    segment_probabilities : np.ndarray, shape (n_windows, n_genres)
        P(genre | window) for each analysis window, in time order.
    segment_starts_s, segment_ends_s : np.ndarray, shape (n_windows,)
        Where each window lies in the audio (seconds).
    duration_s : float
        Length of the analysed audio.
    model : dict
        Identity of the model that produced this (name, window, version...).
    """

    genres: tuple[str, ...]
    probabilities: np.ndarray
    segment_probabilities: np.ndarray
    segment_starts_s: np.ndarray
    segment_ends_s: np.ndarray
    duration_s: float
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def top_genre(self) -> str:
        return self.genres[int(np.argmax(self.probabilities))]

    @property
    def distribution(self) -> dict[str, float]:
        """``{genre: probability}`` in label order."""
        return {g: float(p) for g, p in zip(self.genres, self.probabilities, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by ``--json`` output and the HTTP API)."""
        return {
            "top_genre": self.top_genre,
            "probabilities": self.distribution,
            "duration_s": float(self.duration_s),
            "segments": [
                {
                    "start_s": float(s),
                    "end_s": float(e),
                    "probabilities": {g: float(p) for g, p in zip(self.genres, row, strict=True)},
                }
                for s, e, row in zip(
                    self.segment_starts_s,
                    self.segment_ends_s,
                    self.segment_probabilities,
                    strict=True,
                )
            ],
            "model": self.model,
        }
