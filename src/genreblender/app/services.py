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
from genreblender.errors import (
    AudioError,
    AudioTooLargeError,
    EngineUnavailableError,
    InvalidInputError,
    UnsupportedAudioFormatError,
)

#: Limits of the web front ends (stricter than the library's: a server is shared).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_GENERATE_SECONDS = 60.0
MAX_SWEEP_POINTS = 11
MAX_SWEEP_SEEDS = 3
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


def check_engine(name: str) -> None:
    """Raise :class:`EngineUnavailableError` at once (in ~2 s at most, without loading a model)
    when ``name`` cannot run here: MusicGen without its weights and without a reachable hub."""
    if name == "musicgen":
        try:
            from genreblender.generation.musicgen import loading
        except ImportError as exc:
            raise EngineUnavailableError(f"MusicGen is not installed ({exc})") from None
        loading.check_loadable()


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
    #: a zip of the stems, the mix, the MIDI and the sidecar (when stems were asked for)
    stems_zip: bytes | None = None
    #: "landed" or "did not land; missed by ..." (the steering classifier's verdict)
    verdict: str = ""
    #: the closed loop's record (objective, goal, reached, missed_by, trials) or None for plain
    closed_loop: dict[str, Any] | None = None
    #: Set by the page when the run joins a session's history; it never changes after that.
    run_id: int | None = None

    @property
    def target(self):
        """The :class:`~genreblender.mixes.Mix` asked for."""
        from genreblender.mixes import Mix, mix_from_dict

        r = self.request
        if r.get("genre_a") is not None:
            return Mix.pair(r["genre_a"], r["genre_b"], r["alpha"])
        return mix_from_dict(r["mix"])

    @property
    def morph(self):
        """The curve of a blend that moves (:class:`~genreblender.mixes.Morph`), else None."""
        from genreblender.mixes import parse_mix_curve

        record = self.request.get("morph")
        return parse_mix_curve(record["text"]) if record else None

    @property
    def label(self) -> str:
        r = self.request
        morph = self.morph
        what = self.target.label if morph is None else morph.short_label
        return f"{what} · {r['engine']} · seed {r['seed']}"

    @property
    def heading(self) -> str:
        """The label with how it was made: the strategy and, when the closed loop moved it, the
        internal weight the engine was given."""
        strategy = self.request["strategy"]
        internal = self.metadata.get("internal_alpha")
        if strategy == "calibrate":
            from genreblender.evaluation.closed_loop import internal_weight_text

            given = internal_weight_text(self.closed_loop, internal)
            how = "calibrated" + (f", {given}" if given else "")
        elif strategy == "best_of_n":
            how = f"best of {len(self.trials) or '?'}"
        else:
            how = "one take"
        return f"{self.label} · {how}"


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
    genre_a: str | None = None,
    genre_b: str | None = None,
    alpha: float | None = None,
    seconds: float = 20.0,
    seed: int = 0,
    engine: str = "composer",
    strategy: str = "plain",
    n_candidates: int = 4,
    generator=None,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
    ears=(),
    bpm: float | None = None,
    key: str | None = None,
    stems: bool = False,
    mix=None,
    morph=None,
) -> BlendRun:
    """Generate, classify and score one blend of two genres, or of a ``mix`` (a
    :class:`~genreblender.mixes.Mix`, its text or ``{genre: weight}``); see
    :func:`genreblender.pipeline.blend`; or of a blend that moves (``morph``: a
    :class:`~genreblender.mixes.Morph` or its curve text). ``bpm`` and ``key`` are checked here
    (:func:`~genreblender.generation.controls.validate_controls`), ``stems`` adds
    :attr:`BlendRun.stems_zip`."""
    from genreblender.generation.controls import validate_controls
    from genreblender.generation.writer import stems_zip
    from genreblender.mixes import parse_mix_curve, resolve_target
    from genreblender.pipeline import blend

    controls = validate_controls(bpm, key)
    seconds = float(seconds)
    # the shortest track is the shortest audio the classifier measures: never generate in vain
    if not MIN_DURATION_S <= seconds <= MAX_GENERATE_SECONDS:
        raise InvalidInputError(
            f"duration must be in [{MIN_DURATION_S:g}, {MAX_GENERATE_SECONDS:g}] seconds here, "
            f"got {seconds:g}"
        )
    if morph is not None:
        morph = parse_mix_curve(morph)
        if any(x is not None for x in (genre_a, genre_b, alpha, mix)):
            raise InvalidInputError("give a curve, a mix or genre A, genre B and alpha, not two")
        target, pair = morph.mean_mix(seconds), {}
    else:
        target = resolve_target(genre_a, genre_b, alpha, mix)
        pair = {"genre_a": genre_a, "genre_b": genre_b, "alpha": alpha} if mix is None else {}
    outcome = blend(
        seconds=seconds,
        seed=seed,
        engine=engine,
        strategy=strategy,
        n_candidates=n_candidates,
        generator=generator,
        classifier=classifier,
        progress=progress,
        ears=ears,
        controls=controls,
        stems=stems,
        **(pair or ({"morph": morph} if morph is not None else {"mix": target})),
    )
    result = outcome.result
    meta = outcome.sidecar_metadata()  # requested α and internal α' under separate names
    evaluation = outcome.evaluation.to_dict()
    request = {
        "genre_a": meta.get("genre_a") if pair else None,
        "genre_b": meta.get("genre_b") if pair else None,
        "alpha": float(alpha) if pair else None,
        "mix": target.to_dict(),
        "morph": morph.to_dict() if morph is not None else None,
        "seconds": seconds,
        "seed": int(meta["seed"]),
        "engine": engine,
        "strategy": strategy,
        "bpm": controls.bpm,
        "key": controls.key.name if controls.key else None,
        "stems": bool(stems),
    }
    return BlendRun(
        request=request,
        evaluation=evaluation,
        metadata=meta,
        wav=wav_bytes(result.audio, result.sample_rate),
        midi=result.midi,
        sidecar=(json.dumps(meta, indent=2, default=str) + "\n").encode(),
        trials=outcome.trials,
        verdict=outcome.verdict,
        closed_loop=outcome.loop,
        stems_zip=stems_zip(result, "blend", meta) if stems else None,
    )


def check_upload(name: str, size: int | None) -> None:
    """Refuse uploads the server will not analyse, before reading them (``size`` None: not
    known yet, only the name is checked)."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_EXTENSIONS:
        raise UnsupportedAudioFormatError(
            f"{name}: unsupported format {suffix or '(none)'!r}; accepted: "
            + ", ".join(e.lstrip(".") for e in UPLOAD_EXTENSIONS)
        )
    if size is None:
        return
    if size > MAX_UPLOAD_BYTES:
        raise AudioTooLargeError(
            f"{name}: the upload is {size / 2**20:.1f} MiB; the limit is "
            f"{MAX_UPLOAD_BYTES / 2**20:g} MiB"
        )
    if size == 0:
        raise AudioError(f"{name}: the file is empty")


def classify_file(name: str, path: str | Path, classifier=None):
    """Classify the file at ``path`` (e.g. a private copy of an upload); messages call it
    ``name``, never by the server's path. Decoding is bounded (:func:`genreblender.audio.load_audio`)."""
    from genreblender.audio import load_audio
    from genreblender.classification.listeners import get_listener

    loaded = load_audio(path, max_bytes=MAX_UPLOAD_BYTES, name=name)
    classifier = classifier or get_listener()
    return classifier.classify(loaded.samples, sr=loaded.sr)


def classify_upload(name: str, data: bytes, classifier=None):
    """Classify uploaded bytes (written to a private temporary file for the decoders)."""
    import tempfile

    check_upload(name, len(data))
    suffix = Path(name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        return classify_file(name, handle.name, classifier)


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
    seeds=(0,),
    generator=None,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """α → α̂ for one pair over one or more seeds: the response curve shown in the Sweep tab.

    Each row carries its track as WAV bytes, so every point can be listened to."""
    from genreblender.evaluation.track import evaluate_track
    from genreblender.generation import get_generator

    alphas = [float(a) for a in alphas]
    seeds = [int(seeds)] if np.isscalar(seeds) else [int(s) for s in seeds]
    if not 2 <= len(alphas) <= MAX_SWEEP_POINTS:
        raise InvalidInputError(f"a sweep here takes 2 to {MAX_SWEEP_POINTS} alpha values")
    if not 1 <= len(seeds) <= MAX_SWEEP_SEEDS:
        raise InvalidInputError(f"a sweep here takes 1 to {MAX_SWEEP_SEEDS} seeds")
    generator = generator or get_generator("composer")
    rows, total = [], len(alphas) * len(seeds)
    for seed in seeds:
        for alpha in alphas:
            result = generator.generate(genre_a, genre_b, alpha, seconds, seed)
            ev = evaluate_track(
                result.audio, result.sample_rate, genre_a, genre_b, alpha, classifier=classifier
            )
            rows.append(
                {
                    "alpha": alpha,
                    "seed": seed,
                    **ev.metrics.to_dict(),
                    "predicted": ev.classification.distribution,
                    "wav": wav_bytes(result.audio, result.sample_rate),
                }
            )
            if progress:
                progress(len(rows), total)
    return rows


def engine_unavailable_message(exc: EngineUnavailableError) -> str:
    return f"{exc} — the embedded composer works offline."


def web_engine_message(status: EngineStatus) -> str:
    """Why an engine is unavailable, worded for someone using the web page (who cannot pass
    command-line options); the technical reason goes to the server's administrator."""
    if status.name == "musicgen":
        return (
            "MusicGen can't run on this server: its model weights (about 2 GB) aren't on this "
            "machine, and the server can't download them. Whoever runs the server can add them "
            "to the Hugging Face cache and restart the app. The embedded composer works here now."
        )
    return f"{status.name} can't run on this server. The embedded composer works here now."
