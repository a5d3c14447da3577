"""The listeners behind one interface: pick one by name (or by model file) and classify.

Every listener has ``classify(audio, sr=None) -> ClassificationResult`` (a file path or samples),
``describe() -> dict`` and a ``name``. Two ship:

- ``mel-cnn``: the spectrogram CNN on 3-s windows of the GTZAN mel-image representation
  (:mod:`~genreblender.classification.mel_listener`, ``models/model_3sec.*``);
- ``features-mlp``: the original design's MLP on the 57 GTZAN table features over 30-s windows
  (:mod:`~genreblender.classification.classifier`, ``models/model_30sec.*``).

:data:`DEFAULT_LISTENER` is the one with the best artist-disjoint accuracy (README, "Listeners").
A path to a model ``.pth`` (with its ``.json``) loads that file with the listener its JSON names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from genreblender.errors import InvalidInputError

#: Names accepted by :func:`get_listener`, in the order menus show them.
LISTENER_NAMES: tuple[str, ...] = ("mel-cnn", "features-mlp")
#: The default: higher artist-disjoint accuracy in both split directions (README, "Listeners").
DEFAULT_LISTENER = "mel-cnn"

_DESCRIPTIONS = {
    "mel-cnn": "spectrogram CNN on 3-s windows (GTZAN mel images)",
    "features-mlp": "MLP on the 57 GTZAN table features (30-s windows)",
}


class Listener(Protocol):
    """What every listener offers (structural: any object with these fits)."""

    name: str

    def classify(self, audio: Any, sr: int | None = None): ...

    def describe(self) -> dict[str, Any]: ...


def describe_listener(name: str) -> str:
    """One line saying what the listener ``name`` is."""
    return _DESCRIPTIONS[validate_listener(name)]


def validate_listener(name: object) -> str:
    """The canonical listener name, or :class:`InvalidInputError` saying what is accepted."""
    if not isinstance(name, str) or name.strip().lower() not in LISTENER_NAMES:
        raise InvalidInputError(
            f"unknown listener {name!r}; accepted: {', '.join(LISTENER_NAMES)} "
            "(or the path of a model .pth)"
        )
    return name.strip().lower()


def _kind_of_model_file(path: Path) -> str:
    json_path = path.with_suffix(".json")
    try:
        fmt = json.loads(json_path.read_text()).get("format")
    except (OSError, ValueError, AttributeError):
        fmt = None
    from genreblender.classification import artifacts, mel_listener

    if fmt == mel_listener.FORMAT:
        return "mel-cnn"
    if fmt == artifacts.FORMAT:
        return "features-mlp"
    from genreblender.errors import ArtifactError

    raise ArtifactError(
        f"{path}: not a GenreBlender model (its {json_path.name} is missing, unreadable or of "
        f"an unknown format); pass one of {', '.join(LISTENER_NAMES)} or a model .pth"
    )


def get_listener(name: str | Path | None = None):
    """A loaded listener (cached per process): a name of :data:`LISTENER_NAMES`, the path of a
    model ``.pth`` or ``.json``, or ``None`` for :data:`DEFAULT_LISTENER`."""
    if name is None:
        name = DEFAULT_LISTENER
    text = str(name)
    looks_like_path = isinstance(name, Path) or text.endswith((".pth", ".json")) or "/" in text
    if looks_like_path:
        path = Path(text)
        if path.suffix == ".json":
            path = path.with_suffix(".pth")
        kind = _kind_of_model_file(path)
        return _load(kind, path)
    return _load(validate_listener(text), None)


def _load(kind: str, path: Path | None):
    if kind == "mel-cnn":
        from genreblender.classification.mel_listener import MelCNNClassifier

        listener = MelCNNClassifier.load(path)
    else:
        from genreblender.classification.classifier import GenreClassifier

        listener = GenreClassifier.load(path)
    if path is None:
        # the shipped model's own artist-disjoint evaluation: how far to trust a miss (a model
        # the user trained has none, and gets no such caution)
        from genreblender.classification.reliability import held_out_recall

        listener.held_out_recall = held_out_recall(kind)
    return listener
