"""What the front ends do, without the front ends: engine availability, blend, classify, a
small alpha sweep, and the downloadable files. The Streamlit page and the HTTP API both call
these, so their numbers are the same by construction."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.audio import MAX_DURATION_S, MIN_DURATION_S
from genreblender.errors import AudioError, EngineUnavailableError, InvalidInputError

#: Limits of the web front ends (stricter than the library's: a server is shared).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_GENERATE_SECONDS = 60.0
MAX_SWEEP_POINTS = 11
UPLOAD_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".au", ".aiff", ".aif")

MUSICGEN_LICENCE = (
    "MusicGen's weights are licensed CC-BY-NC 4.0: its output is for non-commercial use only."
)


@dataclass(frozen=True)
class EngineStatus:
    name: str
    available: bool
    reason: str
    licence: str


def engine_status(name: str) -> EngineStatus:
    """Whether an engine can run here, without loading a model when that can be avoided."""
    if name == "composer":
        from genreblender.generation.composer import Composer

        return EngineStatus(name, True, "embedded, offline", Composer.output_licence)
    if name == "musicgen":
        try:
            from genreblender.generation.musicgen import MusicGenGenerator
        except ImportError as exc:
            return EngineStatus(name, False, f"not installed ({exc})", MUSICGEN_LICENCE)
        check = getattr(MusicGenGenerator, "availability", None)
        if check is None:
            return EngineStatus(name, False, "availability check not provided", MUSICGEN_LICENCE)
        try:
            ok, reason = check()
        except Exception as exc:  # a broken cache must not take the page down
            ok, reason = False, str(exc)
        return EngineStatus(name, bool(ok), str(reason), MUSICGEN_LICENCE)
    raise InvalidInputError(f"unknown engine {name!r}; accepted: composer, musicgen")


@dataclass
class BlendRun:
    """One generation with its measurement and its downloadable files (all in memory)."""

    request: dict[str, Any]
    evaluation: dict[str, Any]
    metadata: dict[str, Any]
    wav: bytes
    midi: bytes | None
    sidecar: bytes
    trials: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        from genreblender.genres import blend_label

        r = self.request
        return f"{blend_label(r['genre_a'], r['genre_b'], r['alpha'])} · {r['engine']} · seed {r['seed']}"


def wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    import soundfile as sf

    buffer = io.BytesIO()
    audio = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    sf.write(
        buffer, audio / peak if peak > 1 else audio, sample_rate, format="WAV", subtype="PCM_16"
    )
    return buffer.getvalue()


def run_blend(
    genre_a: str,
    genre_b: str,
    alpha: float,
    seconds: float,
    seed: int,
    engine: str = "composer",
    strategy: str = "plain",
    n_candidates: int = 4,
    generator=None,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
) -> BlendRun:
    """Generate, classify and score one blend (see :func:`genreblender.pipeline.blend`)."""
    from genreblender.pipeline import blend

    seconds = float(seconds)
    if not 0 < seconds <= MAX_GENERATE_SECONDS:
        raise InvalidInputError(
            f"duration must be in (0, {MAX_GENERATE_SECONDS:g}] seconds here, got {seconds:g}"
        )
    outcome = blend(
        genre_a,
        genre_b,
        alpha,
        seconds=seconds,
        seed=seed,
        engine=engine,
        strategy=strategy,
        n_candidates=n_candidates,
        generator=generator,
        classifier=classifier,
        progress=progress,
    )
    result = outcome.result
    meta = dict(result.metadata)
    evaluation = outcome.evaluation.to_dict()
    meta.update(
        {
            "requested_alpha": float(alpha),
            "strategy": strategy,
            "internal_alpha": outcome.internal_alpha,
            "measurement": evaluation,
        }
    )
    request = {
        "genre_a": meta["genre_a"],
        "genre_b": meta["genre_b"],
        "alpha": float(alpha),
        "seconds": seconds,
        "seed": int(meta["seed"]),
        "engine": engine,
        "strategy": strategy,
    }
    return BlendRun(
        request=request,
        evaluation=evaluation,
        metadata=meta,
        wav=wav_bytes(result.audio, result.sample_rate),
        midi=result.midi,
        sidecar=(json.dumps(meta, indent=2, default=str) + "\n").encode(),
        trials=outcome.trials,
    )


def check_upload(name: str, size: int) -> None:
    """Refuse uploads the server will not analyse, before reading them."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_EXTENSIONS:
        raise AudioError(
            f"{name}: unsupported format {suffix or '(none)'!r}; accepted: "
            + ", ".join(e.lstrip(".") for e in UPLOAD_EXTENSIONS)
        )
    if size > MAX_UPLOAD_BYTES:
        raise AudioError(
            f"{name}: {size / 2**20:.1f} MiB is over the {MAX_UPLOAD_BYTES / 2**20:.0f} MiB limit"
        )
    if size == 0:
        raise AudioError(f"{name}: the file is empty")


def classify_upload(name: str, data: bytes, classifier=None):
    """Classify uploaded bytes (written to a private temporary file for the decoders)."""
    import tempfile

    from genreblender.classification.listeners import get_listener

    check_upload(name, len(data))
    classifier = classifier or get_listener()
    suffix = Path(name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        return classifier.classify(handle.name)


def limits_text() -> str:
    return (
        f"Uploads: {', '.join(e.lstrip('.') for e in UPLOAD_EXTENSIONS)}; up to "
        f"{MAX_UPLOAD_BYTES // 2**20} MiB and {MAX_DURATION_S / 60:.0f} minutes; at least "
        f"{MIN_DURATION_S:g} s."
    )


def alpha_sweep(
    genre_a: str,
    genre_b: str,
    alphas,
    seconds: float,
    seed: int,
    generator=None,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """α → α̂ for one pair (one seed): the response curve shown in the Sweep tab."""
    from genreblender.evaluation.track import evaluate_track
    from genreblender.generation import get_generator

    alphas = [float(a) for a in alphas]
    if not 2 <= len(alphas) <= MAX_SWEEP_POINTS:
        raise InvalidInputError(f"a sweep here takes 2 to {MAX_SWEEP_POINTS} alpha values")
    generator = generator or get_generator("composer")
    rows = []
    for i, alpha in enumerate(alphas):
        result = generator.generate(genre_a, genre_b, alpha, seconds, seed)
        ev = evaluate_track(
            result.audio, result.sample_rate, genre_a, genre_b, alpha, classifier=classifier
        )
        rows.append(
            {"alpha": alpha, **ev.metrics.to_dict(), "predicted": ev.classification.distribution}
        )
        if progress:
            progress(i + 1, len(alphas))
    return rows


def engine_unavailable_message(exc: EngineUnavailableError) -> str:
    return f"{exc} — the embedded composer works offline."
