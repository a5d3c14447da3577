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


# -- morphs: a blend that moves ------------------------------------------------------------------
#: A morph names at least two keyframes (one is a fixed blend) and at most this many.
MAX_KEYFRAMES = 200
ALPHA_CURVE_SYNTAX = "time_s:alpha keyframes separated by commas, e.g. 0:1,30:0"
MIX_CURVE_SYNTAX = (
    "time_s:mix keyframes separated by semicolons, e.g. 0:jazz=1,metal=0;30:jazz=0,metal=1 "
    "(a genre a keyframe leaves out has weight 0 there)"
)


@dataclass(frozen=True)
class Morph:
    """A blend whose weights move: keyframes ``(time_s, weights)`` over one set of genres,
    linear between keyframes and held before the first and after the last.

    ``weights[i]`` are keyframe ``i``'s weights in :attr:`genres` order, normalised.
    """

    genres: tuple[str, ...]
    times: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]

    @property
    def k(self) -> int:
        return len(self.genres)

    @property
    def is_pair(self) -> bool:
        return self.k == 2

    def weights_at(self, t: float) -> tuple[float, ...]:
        """The weights at ``t`` seconds (linear between keyframes)."""
        times = self.times
        if t <= times[0]:
            return self.weights[0]
        if t >= times[-1]:
            return self.weights[-1]
        i = next(j for j in range(1, len(times)) if times[j] >= t)
        u = (t - times[i - 1]) / (times[i] - times[i - 1])
        return tuple(
            (1 - u) * a + u * b for a, b in zip(self.weights[i - 1], self.weights[i], strict=True)
        )

    def mix_at(self, t: float) -> Mix:
        w = self.weights_at(t)
        return Mix(self.genres, w, w)

    def alpha_at(self, t: float) -> float:
        """A's weight at ``t`` (the first genre's)."""
        return self.weights_at(t)[0]

    def integral(self, t0: float, t1: float) -> tuple[float, ...]:
        """∫ weights dt over ``[t0, t1]``, exactly (the curve is piecewise linear)."""
        if t1 <= t0:
            return (0.0,) * self.k
        points = sorted({t0, t1, *(t for t in self.times if t0 < t < t1)})
        total = [0.0] * self.k
        for a, b in zip(points, points[1:], strict=False):
            wa, wb = self.weights_at(a), self.weights_at(b)
            for g in range(self.k):
                total[g] += 0.5 * (wa[g] + wb[g]) * (b - a)
        return tuple(total)

    def mean_mix(self, duration_s: float) -> Mix:
        """The time average of the weights over ``[0, duration_s]``: the whole track's target."""
        total = self.integral(0.0, float(duration_s))
        s = math.fsum(total)
        w = tuple(x / s for x in total)
        return Mix(self.genres, w, w)

    @property
    def text(self) -> str:
        """The canonical ``--mix-curve`` text (parses back to this morph)."""
        return ";".join(
            f"{t:.10g}:" + ",".join(f"{g}={x:.10g}" for g, x in zip(self.genres, w, strict=True))
            for t, w in zip(self.times, self.weights, strict=True)
        )

    @property
    def label(self) -> str:
        """Each keyframe's mix at its time, in words."""
        return " → ".join(f"{self.mix_at(t).label} at {t:g} s" for t in self.times)

    @property
    def short_label(self) -> str:
        """``"jazz · metal morph, α 1 → 0 at 0 · 60 s"`` (a curve of more genres: the count of
        its keyframes)."""
        times = " · ".join(f"{t:g}" for t in self.times)
        if self.is_pair:
            alphas = " → ".join(f"{w[0]:.2g}" for w in self.weights)
            return f"{self.genres[0]} · {self.genres[1]} morph, α {alphas} at {times} s"
        return f"{' · '.join(self.genres)} morph, {len(self.times)} keyframes at {times} s"

    def to_dict(self) -> dict[str, Any]:
        return {
            "genres": list(self.genres),
            "keyframes": [
                {"time_s": t, "weights": dict(zip(self.genres, w, strict=True))}
                for t, w in zip(self.times, self.weights, strict=True)
            ],
            "interpolation": "linear between keyframes, held before the first and after the last",
            "text": self.text,
        }


def _keyframe_time(text: str, syntax: str) -> float:
    try:
        t = float(text)
    except ValueError:
        raise InvalidInputError(f"keyframe time {text!r} is not a number; {syntax}") from None
    if not math.isfinite(t) or t < 0:
        raise InvalidInputError(f"keyframe time {text!r} must be a number >= 0 seconds; {syntax}")
    return t


def make_morph(keyframes) -> Morph:
    """A morph from ``[(time_s, {genre: weight} or [(genre, weight), ...]), ...]``: at least two
    keyframes at strictly increasing times >= 0; each keyframe's weights non-negative and not all
    zero (normalised); 2 to 10 genres over all keyframes (one a keyframe leaves out has weight
    0 there)."""
    keyframes = list(keyframes)
    if not 2 <= len(keyframes) <= MAX_KEYFRAMES:
        raise InvalidInputError(
            f"a morph takes 2 to {MAX_KEYFRAMES} keyframes, got {len(keyframes)} (for a blend "
            "that does not move, give a mix or alpha)"
        )
    parsed: list[tuple[float, dict[str, float]]] = []
    for t, items in keyframes:
        if isinstance(t, bool) or not isinstance(t, int | float):
            t = _keyframe_time(str(t), MIX_CURVE_SYNTAX)
        if not math.isfinite(float(t)) or t < 0:
            raise InvalidInputError(
                f"keyframe time {t!r} must be a number >= 0 seconds; {MIX_CURVE_SYNTAX}"
            )
        pairs = list(items.items() if isinstance(items, Mapping) else items)
        weights: dict[str, float] = {}
        for genre, value in pairs:
            genre = validate_genre(genre)
            if genre in weights:
                raise InvalidInputError(f"{genre} appears twice in the keyframe at {t:g} s")
            weights[genre] = _weight(genre, value)
        if math.fsum(weights.values()) <= 0:
            raise InvalidInputError(f"the weights of the keyframe at {t:g} s are all 0")
        parsed.append((float(t), weights))
    times = [t for t, _ in parsed]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise InvalidInputError(
            f"keyframe times must increase strictly, got {', '.join(f'{t:g}' for t in times)}"
        )
    genres = list(dict.fromkeys(g for _, w in parsed for g in w))
    if not MIN_MIX_GENRES <= len(genres) <= MAX_MIX_GENRES:
        raise InvalidInputError(
            f"a morph moves between {MIN_MIX_GENRES} to {MAX_MIX_GENRES} genres, got "
            f"{len(genres)} ({', '.join(genres)})"
        )
    rows = []
    for _, w in parsed:
        total = math.fsum(w.values())
        rows.append(tuple(w.get(g, 0.0) / total for g in genres))
    return Morph(tuple(genres), tuple(times), tuple(rows))


def parse_alpha_curve(text: object, genre_a: object, genre_b: object) -> Morph:
    """``"0:1,30:0"`` (α = A's weight at each time) for the genres A and B → :class:`Morph`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(f"an alpha curve is {ALPHA_CURVE_SYNTAX}; got {text!r}")
    keyframes = []
    for item in text.split(","):
        if item.count(":") != 1:
            raise InvalidInputError(
                f"keyframe {item.strip()!r} is not time_s:alpha; {ALPHA_CURVE_SYNTAX}"
            )
        t, alpha = (part.strip() for part in item.split(":"))
        keyframes.append((_keyframe_time(t, ALPHA_CURVE_SYNTAX), alpha))
    return alpha_morph(keyframes, genre_a, genre_b)


def alpha_morph(keyframes, genre_a: object, genre_b: object) -> Morph:
    """The morph of ``[(time_s, alpha), ...]`` between A and B (α = A's weight)."""
    a, b = validate_genre(genre_a), validate_genre(genre_b)
    if a == b:
        raise InvalidInputError(f"an alpha curve moves between two genres; A and B are both {a}")
    frames = []
    for t, alpha in keyframes:
        w = validate_alpha(alpha)
        frames.append((t, [(a, w), (b, 1.0 - w)]))
    return make_morph(frames)


def parse_mix_curve(text: object) -> Morph:
    """``"0:jazz=1,metal=0;30:jazz=0,metal=1"`` → :class:`Morph`."""
    if isinstance(text, Morph):
        return text
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(f"a mix curve is {MIX_CURVE_SYNTAX}; got {text!r}")
    keyframes = []
    for item in text.split(";"):
        if ":" not in item:
            raise InvalidInputError(
                f"keyframe {item.strip()!r} is not time_s:mix; {MIX_CURVE_SYNTAX}"
            )
        t, mix = item.split(":", 1)
        pairs = []
        for part in mix.split(","):
            if part.count("=") != 1:
                raise InvalidInputError(
                    f"{part.strip()!r} in the keyframe at {t.strip()} s is not genre=weight; "
                    f"{MIX_CURVE_SYNTAX}"
                )
            genre, weight = (x.strip() for x in part.split("="))
            pairs.append((genre, weight))
        keyframes.append((_keyframe_time(t.strip(), MIX_CURVE_SYNTAX), pairs))
    return make_morph(keyframes)
