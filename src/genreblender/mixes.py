"""A blend's target: genres with weights, validated and normalised in one place.

Every front end and every part of the pipeline (generator interface, metrics, closed loop,
sweeps, API, app) works on a :class:`Mix`. The two-genre request ``(A, B, α)`` is the mix
``{A: α, B: 1 − α}`` (:meth:`Mix.pair`; ``{A: 1}`` when A = B), and a mix of at most two genres
converts back losslessly (:meth:`Mix.as_pair`), so the pair API and the k-genre API are one
thing. A user's mix (``--mix jazz=0.5,metal=0.3,reggae=0.2``) holds 2 to 10 distinct genres with
non-negative weights, not all zero; weights that do not sum to 1 are normalised, and the mix
says so (:attr:`Mix.normalised`, recorded in every sidecar).

The genres keep the order they were given in: the first is "A" wherever one genre must be
named first (the pair's α is A's weight).

Light at import (no numpy), so the CLI refuses a bad ``--mix`` at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, blend_label, validate_alpha, validate_genre

#: A user's mix names at least this many genres (one genre is the pair A = A)...
MIN_MIX_GENRES = 2
#: ... and at most this many (every GTZAN genre once).
MAX_MIX_GENRES = len(GENRES)
#: Weights whose sum is this close to 1 count as already normalised.
_SUM_TOLERANCE = 1e-9

MIX_SYNTAX = "genre=weight pairs separated by commas, e.g. jazz=0.5,metal=0.3,reggae=0.2"


@dataclass(frozen=True)
class Mix:
    """Genres and their weights (normalised to sum to 1), in the order they were given.

    Build one with :func:`parse_mix`, :func:`make_mix` or :meth:`Mix.pair`, which validate; the
    constructor itself trusts its arguments.
    """

    genres: tuple[str, ...]
    weights: tuple[float, ...]
    #: the weights as they were asked for, before normalisation
    requested: tuple[float, ...]

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def pair(cls, genre_a: object, genre_b: object, alpha: object) -> Mix:
        """The two-genre blend ``α·A + (1 − α)·B``; all on A when A = B (α changes nothing)."""
        a, b, w = validate_genre(genre_a), validate_genre(genre_b), validate_alpha(alpha)
        if a == b:
            return cls((a,), (1.0,), (1.0,))
        return cls((a, b), (w, 1.0 - w), (w, 1.0 - w))

    @classmethod
    def pure(cls, genre: object) -> Mix:
        g = validate_genre(genre)
        return cls((g,), (1.0,), (1.0,))

    # -- views ----------------------------------------------------------------------------------
    @property
    def k(self) -> int:
        """How many genres the mix names (zero weights included)."""
        return len(self.genres)

    @property
    def normalised(self) -> bool:
        """True when the requested weights did not sum to 1 and were rescaled."""
        return abs(math.fsum(self.requested) - 1.0) > _SUM_TOLERANCE

    @property
    def is_pair(self) -> bool:
        """At most two genres: the mix is an ``(A, B, α)`` request (:meth:`as_pair`)."""
        return self.k <= 2

    def as_pair(self) -> tuple[str, str, float]:
        """``(A, B, α)`` of a mix of one or two genres (one genre: ``(A, A, 1.0)``)."""
        if self.k == 1:
            return self.genres[0], self.genres[0], 1.0
        if self.k == 2:
            return self.genres[0], self.genres[1], self.weights[0]
        raise InvalidInputError(
            f"{self.label} is a mix of {self.k} genres, not a two-genre blend (A, B, alpha)"
        )

    def items(self) -> list[tuple[str, float]]:
        return list(zip(self.genres, self.weights, strict=True))

    def weight(self, genre: str) -> float:
        """The weight of ``genre`` (0 for a genre the mix does not name)."""
        return dict(self.items()).get(genre, 0.0)

    @property
    def active(self) -> tuple[str, ...]:
        """The genres with a weight above 0 (a pair at α = 1 names B with weight 0)."""
        return tuple(g for g, w in self.items() if w > 0)

    @property
    def heaviest(self) -> int:
        """Index of the genre with the largest weight (the first of them on a tie)."""
        return max(range(self.k), key=lambda i: (self.weights[i], -i))

    def target(self, genres=GENRES) -> list[float]:
        """The target distribution over ``genres`` (a genre the mix names must be among them)."""
        names = list(genres)
        missing = [g for g in self.genres if g not in names]
        if missing:
            raise InvalidInputError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not among the "
                f"genres scored: {', '.join(names)}"
            )
        out = [0.0] * len(names)
        for g, w in self.items():
            out[names.index(g)] += w
        return out

    @property
    def label(self) -> str:
        """``"70% jazz · 30% metal"``; a k-genre mix in whole percentages that sum to 100."""
        if self.is_pair:
            return blend_label(*self.as_pair())
        return " · ".join(f"{p}% {g}" for g, p in zip(self.genres, self.percentages(), strict=True))

    def percentages(self) -> list[int]:
        """The weights in whole percent summing to 100 (largest remainders round up)."""
        raw = [100.0 * w for w in self.weights]
        floors = [math.floor(x) for x in raw]
        order = sorted(range(self.k), key=lambda i: (floors[i] - raw[i], i))
        for i in order[: 100 - sum(floors)]:
            floors[i] += 1
        return floors

    @property
    def text(self) -> str:
        """The canonical ``--mix`` text of the normalised weights (parses back to this mix)."""
        return ",".join(f"{g}={w:.10g}" for g, w in self.items())

    def to_dict(self) -> dict[str, Any]:
        """What a sidecar records: the normalised weights, the weights asked for, and whether
        they were normalised."""
        return {
            "weights": dict(self.items()),
            "requested": dict(zip(self.genres, self.requested, strict=True)),
            "normalised": self.normalised,
            "label": self.label,
        }


def _weight(genre: str, value: object) -> float:
    if isinstance(value, bool):
        raise InvalidInputError(f"weight of {genre} must be a number, got {value!r}")
    try:
        w = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"weight of {genre} must be a non-negative number, got {value!r}"
        ) from None
    if not math.isfinite(w) or w < 0:
        raise InvalidInputError(f"weight of {genre} must be a non-negative number, got {value!r}")
    return w


def make_mix(items: Mapping[str, object] | Iterable[tuple[object, object]]) -> Mix:
    """A user's mix from ``{genre: weight}`` or ``[(genre, weight), ...]``: 2 to 10 distinct
    genres (usual spellings accepted), non-negative weights, not all zero; normalised to sum 1."""
    pairs = list(items.items() if isinstance(items, Mapping) else items)
    if not MIN_MIX_GENRES <= len(pairs) <= MAX_MIX_GENRES:
        raise InvalidInputError(
            f"a mix names {MIN_MIX_GENRES} to {MAX_MIX_GENRES} genres, got {len(pairs)}; "
            f"accepted: {MIX_SYNTAX}"
        )
    genres: list[str] = []
    weights: list[float] = []
    for item in pairs:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise InvalidInputError(f"{item!r} is not a (genre, weight) pair; {MIX_SYNTAX}")
        genre = validate_genre(item[0])
        if genre in genres:
            raise InvalidInputError(f"{genre} appears twice in the mix; name each genre once")
        genres.append(genre)
        weights.append(_weight(genre, item[1]))
    total = math.fsum(weights)
    if total <= 0:
        raise InvalidInputError("the weights of a mix are all 0; give at least one a weight > 0")
    normalised = tuple(w / total for w in weights)
    return Mix(tuple(genres), normalised, tuple(weights))


def parse_mix(text: object) -> Mix:
    """``"jazz=0.5,metal=0.3,reggae=0.2"`` (or ``jazz=5,metal=3,reggae=2``) → :class:`Mix`."""
    if isinstance(text, Mix):
        return text
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(f"a mix must be {MIX_SYNTAX}; got {text!r}")
    pairs = []
    for item in text.split(","):
        if item.count("=") != 1:
            raise InvalidInputError(f"mix item {item.strip()!r} is not genre=weight; {MIX_SYNTAX}")
        genre, weight = (part.strip() for part in item.split("="))
        pairs.append((genre, weight))
    return make_mix(pairs)


def resolve_target(
    genre_a: object = None,
    genre_b: object = None,
    alpha: object = None,
    mix: object = None,
) -> Mix:
    """The one target of a request that gives either ``(genre_a, genre_b, alpha)`` or ``mix``
    (a :class:`Mix`, its text, or a ``{genre: weight}`` mapping), never both."""
    pair_given = any(x is not None for x in (genre_a, genre_b, alpha))
    if mix is not None:
        if pair_given:
            raise InvalidInputError("give either a mix or genre A, genre B and alpha, not both")
        if isinstance(mix, Mix):
            return mix
        return make_mix(mix) if isinstance(mix, Mapping) else parse_mix(mix)
    if genre_a is None or genre_b is None or alpha is None:
        raise InvalidInputError("give genre A, genre B and alpha, or a mix")
    return Mix.pair(genre_a, genre_b, alpha)


def mix_from_dict(record: Mapping[str, Any]) -> Mix:
    """The mix a sidecar recorded (:meth:`Mix.to_dict`)."""
    requested = record.get("requested") or record["weights"]
    pairs = list(requested.items())
    if len(pairs) == 1:
        return Mix.pure(pairs[0][0])
    return make_mix(pairs)
