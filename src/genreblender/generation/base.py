"""The one interface every generation engine implements.

An engine turns a target :class:`~genreblender.mixes.Mix` (genres with weights), a duration and
a seed into audio plus metadata (``generate_mix``); ``generate(genre_a, genre_b, alpha,
duration_s, seed)`` is the same call for the two-genre mix ``{A: alpha, B: 1 − alpha}`` (1 gives
pure A, 0 pure B). Engines validate nothing themselves beyond their own options:
:func:`validate_request` / :func:`validate_mix_request` are the boundary checks, and
:func:`generate_blend` is how the pipeline asks any engine for any mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from genreblender.audio import MIN_DURATION_S as AUDIO_MIN_DURATION_S
from genreblender.errors import InvalidInputError
from genreblender.mixes import Mix, Morph

#: Longest track any engine is asked for (seconds); longer requests are refused at the boundary.
MAX_DURATION_S = 600.0
#: Shortest track: the shortest audio the classifier measures (``audio.MIN_DURATION_S``), so a
#: track that cannot be measured is never generated.
MIN_DURATION_S = AUDIO_MIN_DURATION_S


@dataclass(frozen=True)
class BlendRequest:
    """A validated generation request: the target mix, a duration and a seed; for a blend that
    moves, its ``morph`` (and ``mix`` is then the morph's time average over the track)."""

    mix: Mix
    duration_s: float
    seed: int
    morph: Morph | None = None

    # the two-genre view (A, B, alpha) of a mix of at most two genres (InvalidInputError for
    # a mix of more: read ``mix`` there)
    @property
    def genre_a(self) -> str:
        return self.mix.as_pair()[0]

    @property
    def genre_b(self) -> str:
        return self.mix.as_pair()[1]

    @property
    def alpha(self) -> float:
        return self.mix.as_pair()[2]


@dataclass
class GenerationResult:
    """What an engine returns: mono or ``(n, channels)`` float32 audio, its rate, and metadata.

    ``metadata`` always holds ``engine``, ``mix`` (the requested weights, the normalised ones and
    whether they were normalised), ``seed``, ``duration_s`` and ``model_version``, and for a mix
    of at most two genres ``genre_a``, ``genre_b`` and ``alpha``; engines add their own keys
    (prompt, sampling...).
    ``midi`` holds the MIDI bytes of what was played when the engine has them (the composer).
    ``stems``, when asked for and the engine makes them, maps each part to audio of the same
    shape and rate whose sum is ``audio`` (to the bound in ``metadata["stems"]``).
    """

    audio: np.ndarray
    sample_rate: int
    metadata: dict[str, Any]
    midi: bytes | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    stems: dict[str, np.ndarray] | None = None

    def __iter__(self):
        # Allows ``audio, sr, metadata = engine.generate(...)`` as the interface reads.
        return iter((self.audio, self.sample_rate, self.metadata))


@runtime_checkable
class Generator(Protocol):
    """A generation engine."""

    name: str
    #: Licence of the audio this engine produces, shown to the user where the engine is chosen.
    output_licence: str

    def generate(
        self, genre_a: str, genre_b: str, alpha: float, duration_s: float, seed: int
    ) -> GenerationResult: ...

    # engines that blend more than two genres also offer
    # ``generate_mix(mix, duration_s, seed) -> GenerationResult`` (see :func:`generate_blend`)


def validate_request(
    genre_a: object,
    genre_b: object,
    alpha: object,
    duration_s: object,
    seed: object,
    min_duration_s: float = MIN_DURATION_S,
) -> BlendRequest:
    """Check a two-genre generation request at the boundary (:func:`validate_mix_request` of
    ``{A: alpha, B: 1 − alpha}``); raise :class:`InvalidInputError` if bad."""
    return validate_mix_request(Mix.pair(genre_a, genre_b, alpha), duration_s, seed, min_duration_s)


def validate_mix_request(
    mix: Mix, duration_s: object, seed: object, min_duration_s: float = MIN_DURATION_S
) -> BlendRequest:
    """Check a generation request at the boundary; raise :class:`InvalidInputError` if bad.

    The front ends (CLI, pipeline, HTTP API, sweeps) keep the default ``min_duration_s``, so no
    track is made that is too short to be measured; engines check their own calls with
    ``min_duration_s=0`` (any positive length) so that sub-clips and tiny test models stay cheap.
    """
    if not isinstance(mix, Mix):
        raise InvalidInputError(f"a request's target must be a Mix, got {type(mix).__name__}")
    try:
        duration = float(duration_s)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"duration must be a number of seconds, got {duration_s!r}"
        ) from None
    if not (duration > 0 and min_duration_s <= duration <= MAX_DURATION_S):  # NaN too
        low = f"[{min_duration_s:g}" if min_duration_s > 0 else "(0"
        raise InvalidInputError(
            f"duration must be in {low}, {MAX_DURATION_S:g}] seconds, got {duration_s!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidInputError(f"seed must be an integer, got {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise InvalidInputError(f"seed must be in [0, 2**32), got {seed}")
    return BlendRequest(mix, duration, int(seed))


def validate_morph_request(
    morph: Morph, duration_s: object, seed: object, min_duration_s: float = MIN_DURATION_S
) -> BlendRequest:
    """:func:`validate_mix_request` for a blend that moves: its mix is the morph's time average
    over the track, and the first keyframe must fall inside the track."""
    if not isinstance(morph, Morph):
        raise InvalidInputError(f"a morph request needs a Morph, got {type(morph).__name__}")
    placeholder = validate_mix_request(Mix.pure(morph.genres[0]), duration_s, seed, min_duration_s)
    if morph.times[0] >= placeholder.duration_s:
        raise InvalidInputError(
            f"the curve's first keyframe ({morph.times[0]:g} s) is not inside the "
            f"{placeholder.duration_s:g}-s track"
        )
    return BlendRequest(
        morph.mean_mix(placeholder.duration_s), placeholder.duration_s, placeholder.seed, morph
    )


def generate_blend(generator, mix, duration_s: float, seed: int, **options) -> GenerationResult:
    """Ask ``generator`` for ``mix``: its ``generate_mix`` when it has one, else (an engine of
    two genres only) its ``generate(A, B, alpha, ...)`` for a mix of at most two genres. A
    :class:`~genreblender.mixes.Morph` goes to the engine's ``generate_morph``. ``options``
    (``controls``, ``stems``) go to the engine as they are."""
    if isinstance(mix, Morph):
        if hasattr(generator, "generate_morph"):
            return generator.generate_morph(mix, duration_s, seed, **options)
        name = getattr(generator, "name", type(generator).__name__)
        raise InvalidInputError(
            f"the {name} engine cannot follow a curve (it makes one blend for the whole track); "
            "the composer can"
        )
    if hasattr(generator, "generate_mix"):
        return generator.generate_mix(mix, duration_s, seed, **options)
    if mix.is_pair:
        a, b, alpha = mix.as_pair()
        return generator.generate(a, b, alpha, duration_s, seed, **options)
    name = getattr(generator, "name", type(generator).__name__)
    raise InvalidInputError(f"the {name} engine blends two genres only; {mix.label} names {mix.k}")


def request_metadata(
    engine: str, request: BlendRequest, model_version: str, licence: str
) -> dict[str, Any]:
    """The sidecar keys every engine writes; engines add their own after these. A mix of at most
    two genres also gets its pair view (``genre_a``, ``genre_b``, ``alpha``)."""
    pair = {}
    if request.mix.is_pair:
        a, b, alpha = request.mix.as_pair()
        pair = {"genre_a": a, "genre_b": b, "alpha": alpha}
    morph = {} if request.morph is None else {"morph": request.morph.to_dict()}
    return {
        "engine": engine,
        **pair,
        "mix": request.mix.to_dict(),
        **morph,
        "seed": request.seed,
        "duration_s": request.duration_s,
        "model_version": model_version,
        "licence": licence,
    }


def fit_length(audio: np.ndarray, n_samples: int) -> np.ndarray:
    """Cut or zero-pad ``audio`` (samples on axis 0) to exactly ``n_samples``: engines render in
    frames, bars or tokens, while a request asks for seconds."""
    if len(audio) >= n_samples:
        return audio[:n_samples]
    pad = [(0, n_samples - len(audio))] + [(0, 0)] * (audio.ndim - 1)
    return np.pad(audio, pad)


class WithControls:
    """An engine that plays every generation with the same musical controls (tempo, key): a
    closed loop's trials all do. Engines take them as ``generate(..., controls=...)``."""

    def __init__(self, engine: Generator, controls: Any):
        self.engine, self.controls = engine, controls
        self.name = engine.name
        self.output_licence = engine.output_licence

    def generate(
        self, genre_a: str, genre_b: str, alpha: float, duration_s: float, seed: int, **options
    ) -> GenerationResult:
        return self.engine.generate(
            genre_a, genre_b, alpha, duration_s, seed, controls=self.controls, **options
        )

    def generate_mix(self, mix: Mix, duration_s: float, seed: int, **options):
        return generate_blend(self.engine, mix, duration_s, seed, controls=self.controls, **options)

    def generate_morph(self, morph: Morph, duration_s: float, seed: int, **options):
        return generate_blend(
            self.engine, morph, duration_s, seed, controls=self.controls, **options
        )
