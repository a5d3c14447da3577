"""GenreBlender: compose a blend of two music genres and measure how well it landed.

Public API (imported lazily so ``import genreblender`` stays light):

- :func:`classify` — genre distribution of an audio file or array (track and per segment).
- :data:`GENRES` — the ten GTZAN genres in the classifier's label order.
"""

from __future__ import annotations

from typing import Any

from genreblender.genres import GENRES

__version__ = "0.1.0"

__all__ = ["GENRES", "__version__", "classify"]


def classify(audio: Any, sr: int | None = None, **kwargs: Any):
    """Classify audio with the shipped model; see :func:`genreblender.classification.classify`."""
    from genreblender.classification import classify as _classify

    return _classify(audio, sr=sr, **kwargs)
