"""The one interface every generation engine implements.

An engine turns ``(genre_a, genre_b, alpha, duration_s, seed)`` into audio plus metadata.
``alpha`` is the weight of ``genre_a``: 1 gives pure A, 0 pure B. Engines validate nothing
themselves beyond their own options: :func:`validate_request` is the boundary check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from genreblender.audio import MIN_DURATION_S as AUDIO_MIN_DURATION_S
from genreblender.errors import InvalidInputError
from genreblender.genres import validate_alpha, validate_genre

#: Longest track any engine is asked for (seconds); longer requests are refused at the boundary.
MAX_DURATION_S = 600.0
#: Shortest track: the shortest audio the classifier measures (``audio.MIN_DURATION_S``), so a
#: track that cannot be measured is never generated.
MIN_DURATION_S = AUDIO_MIN_DURATION_S


@dataclass(frozen=True)
class BlendRequest:
    """A validated generation request."""

    genre_a: str
    genre_b: str
    alpha: float
    duration_s: float
    seed: int


@dataclass
class GenerationResult:
    """What an engine returns: mono or ``(n, channels)`` float32 audio, its rate, and metadata.

    ``metadata`` always holds ``engine``, ``genre_a``, ``genre_b``, ``alpha``, ``seed``,
    ``duration_s`` and ``model_version``; engines add their own keys (prompt, sampling...).
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


def validate_request(
    genre_a: object,
    genre_b: object,
    alpha: object,
    duration_s: object,
    seed: object,
    min_duration_s: float = MIN_DURATION_S,
) -> BlendRequest:
    """Check a generation request at the boundary; raise :class:`InvalidInputError` if bad.

    The front ends (CLI, pipeline, HTTP API, sweeps) keep the default ``min_duration_s``, so no
    track is made that is too short to be measured; engines check their own calls with
    ``min_duration_s=0`` (any positive length) so that sub-clips and tiny test models stay cheap.
    """
    a = validate_genre(genre_a)
    b = validate_genre(genre_b)
    w = validate_alpha(alpha)
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
    return BlendRequest(a, b, w, duration, int(seed))


def request_metadata(
    engine: str, request: BlendRequest, model_version: str, licence: str
) -> dict[str, Any]:
    """The sidecar keys every engine writes; engines add their own after these."""
    return {
        "engine": engine,
        "genre_a": request.genre_a,
        "genre_b": request.genre_b,
        "alpha": request.alpha,
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
