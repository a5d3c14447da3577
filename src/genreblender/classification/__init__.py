"""Genre classification: GTZAN features per window → MLP → P(genre | audio)."""

from __future__ import annotations

from typing import Any

__all__ = ["GenreClassifier", "classify"]


def __getattr__(name: str) -> Any:
    # Lazy: importing the package must not import torch before a model is needed.
    if name in __all__:
        from genreblender.classification import classifier

        return getattr(classifier, name)
    raise AttributeError(name)
