"""The ten GTZAN genres and validation of genre names and blend weights."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from genreblender.errors import InvalidInputError

if TYPE_CHECKING:
    import numpy as np

#: Label order used everywhere (alphabetical, as in GTZAN and the shipped model).
GENRES: tuple[str, ...] = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)

# Spellings people type for the genres; the canonical name is the GTZAN one.
_ALIASES = {
    "hip hop": "hiphop",
    "hip-hop": "hiphop",
    "hip_hop": "hiphop",
    "rap": "hiphop",
}


def validate_genre(name: object) -> str:
    """Return the canonical GTZAN genre name for ``name`` or raise :class:`InvalidInputError`."""
    if not isinstance(name, str):
        raise InvalidInputError(
            f"genre must be a string, got {type(name).__name__}; accepted: {', '.join(GENRES)}"
        )
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in GENRES:
        raise InvalidInputError(f"unknown genre {name!r}; accepted: {', '.join(GENRES)}")
    return key


def label_indices(labels) -> np.ndarray:
    """Genre names or indices → int64 indices into :data:`GENRES` (InvalidInputError if not)."""
    import numpy as np

    y = np.asarray(labels)
    if y.dtype.kind in "iu":
        if y.size and (y.min() < 0 or y.max() >= len(GENRES)):
            raise InvalidInputError(f"label indices must be in [0, {len(GENRES)})")
        return y.astype(np.int64)
    try:
        return np.array([GENRES.index(str(label)) for label in y], dtype=np.int64)
    except ValueError:
        bad = sorted(set(map(str, y)) - set(GENRES))
        raise InvalidInputError(f"unknown labels {bad}; accepted: {', '.join(GENRES)}") from None


def validate_alpha(alpha: object) -> float:
    """Return ``alpha`` as a float in [0, 1] or raise :class:`InvalidInputError`."""
    try:
        value = float(alpha)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(f"alpha must be a number in [0, 1], got {alpha!r}") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidInputError(f"alpha must be a number in [0, 1], got {alpha!r}")
    return value


def blend_label(genre_a: str, genre_b: str, alpha: float) -> str:
    """Human label of a blend, e.g. ``"70% jazz · 30% metal"``."""
    pa = round(100 * alpha)
    if genre_a == genre_b:
        return f"100% {genre_a}"
    return f"{pa}% {genre_a} · {100 - pa}% {genre_b}"
