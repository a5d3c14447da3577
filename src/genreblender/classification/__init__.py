"""Genre classification: the listeners (mel-spectrogram CNN, feature MLP) → P(genre | audio)."""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "GenreClassifier": "genreblender.classification.classifier",
    "classify": "genreblender.classification.classifier",
    "MelCNNClassifier": "genreblender.classification.mel_listener",
    "get_listener": "genreblender.classification.listeners",
    "DEFAULT_LISTENER": "genreblender.classification.listeners",
    "LISTENER_NAMES": "genreblender.classification.listeners",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    # Lazy: importing the package must not import torch before a model is needed.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
