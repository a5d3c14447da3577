"""GenreBlender's JSON HTTP API (``genreblender serve``); OpenAPI at ``/docs``, ``/redoc`` and
``/openapi.json``. Same services as the web page, so the same request gives the same numbers.

The documentation pages load Swagger UI and ReDoc from the ``fastapi-offline`` package, not
from a CDN, so they work on a machine without internet."""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, WithJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

from genreblender import __version__, defaults
from genreblender.app import services, workers
from genreblender.audio import MIN_DURATION_S
from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES
from genreblender.errors import (
    ArtifactError,
    BusyError,
    EngineUnavailableError,
    GenreBlenderError,
    InvalidInputError,
    TooLargeError,
    UnsupportedFormatError,
    one_line,
)
from genreblender.generation.controls import BPM_RANGE, KEY_HELP
from genreblender.genres import GENRES
from genreblender.mixes import MAX_KEYFRAMES, Morph

log = logging.getLogger(__name__)

#: Largest JSON body (``/generate``): a request is a few hundred bytes.
MAX_JSON_BYTES = 64 * 1024
#: Largest multipart body: the upload limit plus room for the form's framing and fields.
MAX_MULTIPART_BYTES = services.MAX_UPLOAD_BYTES + 64 * 1024
# Upload bytes copied per await, so a large upload never sits in memory whole.
_COPY_BLOCK = 1 << 20


# -- the worker pool ------------------------------------------------------------------------------
def _env_int(name: str) -> int | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < (0 if name.endswith("QUEUE") else 1):
        raise InvalidInputError(f"{name} must be a whole number >= 1 (queue: >= 0), got {text!r}")
    return int(text)


_pool: workers.WorkPool | None = None
_pool_lock = threading.Lock()


def get_pool() -> workers.WorkPool:
    """The server's pool: ``GENREBLENDER_API_WORKERS`` processes (default: one per core) and
    ``GENREBLENDER_API_QUEUE`` waiting requests (default: four per worker)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = workers.WorkPool(
                workers=_env_int("GENREBLENDER_API_WORKERS"),
                queue=_env_int("GENREBLENDER_API_QUEUE"),
                kind=os.environ.get("GENREBLENDER_API_POOL", "process"),
            )
        return _pool


def set_pool(pool: workers.WorkPool | None) -> workers.WorkPool | None:
    """Replace the pool (tests use a thread pool); returns the previous one."""
    global _pool
    with _pool_lock:
        previous, _pool = _pool, pool
    return previous


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI):
    # the first engine check imports transformers (seconds): do it now, off the event loop
    threading.Thread(target=_engine_statuses, daemon=True).start()
    get_pool().warm(workers.warm_job)
    yield
    pool = set_pool(None)
    if pool is not None:
        pool.shutdown()


app = FastAPIOffline(
    title="GenreBlender API",
    version=__version__,
    description="Blend two music genres at a weight alpha (or a mix of several genres), and "
    "measure the blend with a genre classifier. MusicGen output (engine=musicgen) is CC-BY-NC "
    "4.0: non-commercial use only.",
    lifespan=_lifespan,
)

#: A genre name. The schema lists the ten GTZAN names; the server also accepts the usual
#: spellings ("hip-hop", "rap") and answers 400 with the accepted names for anything else.
GenreName = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": list(GENRES), "title": "Genre", "description": "a GTZAN genre"}
    ),
]


#: A form field that may be left out (the pair of /evaluate, when a mix is given instead); the
#: schema still lists the ten names.
OptionalGenreName = Annotated[
    str | None,
    WithJsonSchema(
        {"type": "string", "enum": list(GENRES), "title": "Genre", "description": "a GTZAN genre"}
    ),
]

#: A mix: genre → non-negative weight (2 to 10 genres; normalised when they do not sum to 1).
MixWeights = Annotated[
    dict[str, float],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"enum": list(GENRES)},
            "additionalProperties": {"type": "number", "minimum": 0},
            "minProperties": 2,
            "maxProperties": len(GENRES),
            "title": "Mix",
            "description": 'genre → weight, e.g. {"jazz": 0.5, "metal": 0.3, '
            '"reggae": 0.2}; 2 to 10 genres, non-negative weights, normalised when they do '
            "not sum to 1",
        }
    ),
]

_PAIR_FIELDS = ("genre_a", "genre_b", "alpha")


class Keyframe(BaseModel):
    """One keyframe of a mix that moves: the mix at ``time_s`` seconds."""

    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="forbid")

    time_s: float = Field(ge=0, description="seconds from the track's start")
    mix: MixWeights


#: ``[time_s, alpha]``: A's weight at a time (an alpha curve's keyframe)
AlphaKeyframe = Annotated[list[float], Field(min_length=2, max_length=2)]


class BodyLimit:
    """ASGI middleware: a byte limit per path, checked from Content-Length before the body is
    read (the 413 is sent at once), then counted as the body streams in (for chunked bodies).

    (Starlette's own ``max_body_size`` answers in plain text, outside the JSON error shape.)
    """

    def __init__(self, app, limits: dict[str, int], default: int):
        self.app, self.limits, self.default = app, limits, default

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                response = error_response(400, "invalid_value", "Content-Length is not a number")
                return await response(scope, receive, send)
            if int(declared) > limit:
                message = _body_limit_message(limit, int(declared))
                return await error_response(413, "too_large", message)(scope, receive, send)
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # re-raised by FastAPI's body parsing, answered by the handler below
                    raise StarletteHTTPException(413, _body_limit_message(limit, None))
            return message

        await self.app(scope, counted_receive, send)


#: the listener names as a schema enum (one source: the registry)
ListenerName = Literal[LISTENER_NAMES]  # type: ignore[valid-type]


def _body_limit_message(limit: int, size: int | None) -> str:
    of = f" of {size / 2**20:.1f} MiB" if size is not None else ""
    if limit > MAX_JSON_BYTES:
        return (
            f"the request body{of} is over the limit: uploads of up to "
            f"{services.MAX_UPLOAD_BYTES / 2**20:g} MiB are accepted"
        )
    return f"the request body{of} is over the {limit // 1024} KiB limit of this endpoint"


app.add_middleware(
    BodyLimit,
    limits={"/classify": MAX_MULTIPART_BYTES, "/evaluate": MAX_MULTIPART_BYTES},
    default=MAX_JSON_BYTES,
)


# -- errors: one status table, one JSON shape -----------------------------------------------------
#: Error type -> (HTTP status, ``error`` field); the first match (in this order) wins.
ERROR_STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (BusyError, 503, "busy"),
    (EngineUnavailableError, 503, "unavailable"),
    (TooLargeError, 413, "too_large"),
    (UnsupportedFormatError, 415, "unsupported_format"),
    (InvalidInputError, 400, "invalid_value"),
    (ArtifactError, 500, "server_error"),
    (GenreBlenderError, 400, "invalid_value"),
)
_HTTP_KINDS = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "schema"}


def error_response(status: int, kind: str, message: str, headers=None) -> JSONResponse:
    """Every 4xx/5xx body: ``{"status": 413, "error": "too_large", "detail": "..."}``."""
    body = {"status": status, "error": kind, "detail": message}
    return JSONResponse(status_code=status, content=body, headers=headers)


def status_of(exc: Exception) -> tuple[int, str]:
    for cls, status, kind in ERROR_STATUS:
        if isinstance(exc, cls):
            return status, kind
    return 500, "server_error"


@app.exception_handler(GenreBlenderError)
async def _genreblender_error(request: Request, exc: GenreBlenderError) -> JSONResponse:
    status, kind = status_of(exc)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, BusyError) else None
    return error_response(status, kind, one_line(exc), headers)


@app.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # built from the locations and messages only: the input itself may be NaN, huge or binary
    parts = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            reason = str((error.get("ctx") or {}).get("error", "")).strip()
            parts.append("the body is not valid JSON" + (f" ({reason})" if reason else ""))
            continue
        loc = ".".join(str(x) for x in error.get("loc", ()) if x != "body")
        msg = str(error.get("msg", "invalid value"))
        parts.append(f"{loc}: {msg}" if loc else msg)
    return error_response(422, "schema", "; ".join(parts) or "the request is not valid")


@app.exception_handler(StarletteHTTPException)
async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    message = one_line(Exception(exc.detail))
    return error_response(status, _HTTP_KINDS.get(status, "http_error"), message, exc.headers)


@app.exception_handler(Exception)
async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "server_error", "internal server error (logged on the server)")


class GenerateRequest(BaseModel):
    # strict: true is not a seed, "0.7" is not a number; NaN and infinity are not numbers either
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="forbid")

    genre_a: GenreName = Field(defaults.GENRE_A, description="genre A")
    genre_b: GenreName = Field(defaults.GENRE_B, description="genre B")
    alpha: float = Field(defaults.ALPHA, ge=0.0, le=1.0, description="weight of genre A")
    seconds: float = Field(
        defaults.SECONDS,
        ge=MIN_DURATION_S,
        le=services.MAX_GENERATE_SECONDS,
        description="duration",
    )
    seed: StrictInt = Field(defaults.SEED, ge=0, lt=2**32)
    engine: Literal["composer", "musicgen"] = "composer"
    strategy: Literal["plain", "best_of_n", "calibrate"] = defaults.STRATEGY
    n_candidates: StrictInt = Field(defaults.N_CANDIDATES, ge=1, le=8)
    include_audio: StrictBool = Field(True, description="return the WAV (and MIDI) as base64")
    listener: ListenerName = Field(DEFAULT_LISTENER, description="the genre listener that measures")
    bpm: float | None = Field(
        None,
        ge=BPM_RANGE[0],
        le=BPM_RANGE[1],
        description="tempo in beats per minute (default: the style's); MusicGen: prompt words",
    )
    key: str | None = Field(
        None,
        max_length=32,
        description=f"key: {KEY_HELP} (default: the style's); MusicGen: prompt words",
    )
    stems: StrictBool = Field(
        False,
        description="also return a zip of one WAV per part (drums, bass, comp, pad, lead, "
        "voice) that sum to the mix, with the mix, MIDI and sidecar (composer only; needs "
        "include_audio)",
    )
    mix: MixWeights | None = Field(
        None,
        description="a mix of 2 to 10 genres instead of genre_a, genre_b and alpha (give one or "
        "the other)",
    )
    alpha_curve: list[AlphaKeyframe] | None = Field(
        None,
        max_length=MAX_KEYFRAMES,
        description="a blend that moves: keyframes [time_s, alpha of genre_a] (with genre_a and "
        "genre_b, instead of alpha), linear between, held after the last; strategy plain",
    )
    mix_curve: list[Keyframe] | None = Field(
        None,
        max_length=MAX_KEYFRAMES,
        description="a mix that moves: keyframes {time_s, mix} (instead of genre_a, genre_b, "
        "alpha and mix; a genre a keyframe leaves out weighs 0 there); strategy plain",
    )

    def target(self):
        """The :class:`~genreblender.mixes.Mix` or :class:`~genreblender.mixes.Morph` asked for
        (InvalidInputError when two ways of asking are mixed)."""
        from genreblender.mixes import Mix, alpha_morph, make_mix, make_morph

        given = self.model_fields_set
        ways = [f for f in ("mix", "alpha_curve", "mix_curve") if getattr(self, f) is not None]
        if len(ways) > 1:
            raise InvalidInputError(f"give one of {', '.join(ways)}, not both")
        clash = {
            "mix": _PAIR_FIELDS,
            "alpha_curve": ("alpha",),
            "mix_curve": _PAIR_FIELDS,
        }.get(ways[0] if ways else "", ())
        if clashing := [f for f in clash if f in given]:
            raise InvalidInputError(f"give either {ways[0]} or {', '.join(clashing)}, not both")
        if self.alpha_curve is not None:
            return alpha_morph([tuple(k) for k in self.alpha_curve], self.genre_a, self.genre_b)
        if self.mix_curve is not None:
            return make_morph([(k.time_s, k.mix) for k in self.mix_curve])
        if self.mix is not None:
            return make_mix(self.mix)
        return Mix.pair(self.genre_a, self.genre_b, self.alpha)


# Response models. They name every field a client reads; ``extra="allow"`` lets fields added
# later (new metrics, the listener used) through before they are typed here.
class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EngineInfo(BaseModel):
    available: bool
    reason: str
    licence: str


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    engines: dict[str, EngineInfo]
    workers: dict[str, int] = Field(description="worker pool: size, queue, requests admitted")


class GenresResponse(BaseModel):
    genres: list[GenreName] = Field(description="the ten GTZAN genres, in label order")


class Metrics(_Open):
    """The figures of :data:`~genreblender.evaluation.metrics.METRIC_DOCS`."""

    kl: float = Field(description="KL(target‖predicted) in nats; 0 = perfect")
    js: float = Field(description="Jensen-Shannon divergence in bits, in [0, 1]")
    tv: float = Field(description="total variation: probability mass in the wrong place")
    alpha_hat: float = Field(description="p(A) / (p(A) + p(B)): the blend the classifier heard")
    leakage: float = Field(description="1 − p(A) − p(B): mass on genres not asked for")
    top2_match: bool = Field(description="A and B are the two most probable genres")
    on_target_mass: float = Field(description="p(A) + p(B): the mass on the genres asked for")
    abs_alpha_error: float = Field(description="|α̂ − α|")
    landed: bool = Field(description="the landing rule's verdict (README, Blend metrics)")
    topk_match: bool | None = Field(
        None, description="the k genres asked for are the k most probable"
    )
    heard_weights: dict[str, float] | None = Field(
        None, description="the prediction restricted to the genres asked for, renormalised"
    )
    weight_error: float | None = Field(
        None, description="½ Σ |heard weight − asked weight| (|α̂ − α| for two genres)"
    )


class Landing(_Open):
    landed: bool
    summary: str = Field(description="'landed' or 'did not land; missed by ...'")


class Segment(BaseModel):
    start_s: float
    end_s: float
    probabilities: dict[str, float]


class Evaluation(_Open):
    target: dict[str, float] = Field(description="the requested blend as a distribution")
    predicted: dict[str, float] = Field(description="the classifier's track-level distribution")
    metrics: Metrics
    segments: list[Segment] = Field(description="the classifier's analysis windows")
    landing: Landing | None = Field(None, description="the landing rule, per condition")
    ears: list[dict[str, Any]] = Field(
        default_factory=list, description="other listeners (and the judge) that did not steer"
    )
    morph: dict[str, Any] | None = Field(
        None,
        description="a blend that moves: the curve, and its timeline (asked, heard per window "
        "and over 12-s spans, tracking error and Spearman)",
    )
    caution: str | None = Field(
        None,
        description="a blend that did not land on genres the listener seldom names right even "
        "in real music (its artist-disjoint recall below 50%): how far to trust the miss",
    )


class MixRecord(_Open):
    weights: dict[str, float] = Field(description="the weights, normalised to sum to 1")
    requested: dict[str, float] = Field(description="the weights as asked for")
    normalised: bool = Field(description="the weights asked for did not sum to 1")
    label: str


class BlendEcho(_Open):
    genre_a: GenreName | None = Field(None, description="null for a mix")
    genre_b: GenreName | None = None
    alpha: float | None = None
    mix: MixRecord = Field(
        description="the target (a pair is the mix {A: α, B: 1 − α}; a curve's time average)"
    )
    morph: dict[str, Any] | None = Field(None, description="the curve of a blend that moves")
    seconds: float
    seed: int
    engine: str
    strategy: str
    bpm: float | None = None
    key: str | None = None
    stems: bool = False


class GenerateResponse(BaseModel):
    request: BlendEcho = Field(description="the request as the server understood it")
    metadata: dict[str, Any] = Field(description="the JSON sidecar: engine, versions, choices")
    evaluation: Evaluation
    verdict: str = Field("", description="'landed' or 'did not land; missed by ...'")
    closed_loop: dict[str, Any] | None = Field(
        None, description="objective, goal, whether it was reached and by how much it missed"
    )
    trials: list[dict[str, Any]] = Field(description="closed-loop candidates (empty for plain)")
    audio_wav_base64: str | None = Field(None, description="16-bit WAV, with include_audio")
    midi_base64: str | None = Field(None, description="the score as MIDI (composer only)")
    stems_zip_base64: str | None = Field(
        None, description="with stems and include_audio: a zip of the stems, mix, MIDI, sidecar"
    )


class ClassifyResponse(_Open):
    top_genre: GenreName
    probabilities: dict[str, float] = Field(description="track-level distribution")
    duration_s: float
    segments: list[Segment]
    model: dict[str, Any] = Field(description="the classifier that listened")


class EvaluateResponse(BaseModel):
    mix: MixRecord
    target: dict[str, float]
    predicted: dict[str, float]
    metrics: Metrics
    landing: Landing
    verdict: str = Field(description="'landed' or 'did not land; missed by ...'")
    segments: list[Segment]


_STATUS_TTL_S = 30.0
_status_cache: dict[str, Any] = {}
_status_lock = threading.Lock()


def _fresh_statuses() -> dict[str, Any] | None:
    if time.monotonic() - _status_cache.get("at", -_STATUS_TTL_S) < _STATUS_TTL_S:
        return _status_cache["engines"]
    return None


def _engine_statuses() -> dict[str, Any]:
    """Engine availability, re-checked at most every 30 s (the check reads the model cache)."""
    with _status_lock:
        if time.monotonic() - _status_cache.get("at", -_STATUS_TTL_S) < _STATUS_TTL_S:
            return _status_cache["engines"]
        engines = {}
        for name in ("composer", "musicgen"):
            status = services.engine_status(name)
            engines[name] = {
                "available": status.available,
                "reason": status.reason,
                "licence": status.licence,
            }
        _status_cache.update(at=time.monotonic(), engines=engines)
        return engines


@app.get("/health")
async def health() -> HealthResponse:
    # on the event loop, from the cache when it is fresh: no thread hop, no file read; the CPU
    # work of other requests is in the worker processes
    engines = _fresh_statuses() or await run_in_threadpool(_engine_statuses)
    pool = get_pool()
    return HealthResponse(
        status="ok",
        version=__version__,
        engines=engines,
        workers={"size": pool.workers, "queue": pool.queue, "admitted": pool.admitted},
    )


@app.get("/genres")
def genres() -> GenresResponse:
    return GenresResponse(genres=list(GENRES))


# exclude_unset: the audio fields are absent (not null) when include_audio is false
@app.post("/generate", response_model=GenerateResponse, response_model_exclude_unset=True)
async def generate(body: GenerateRequest) -> dict[str, Any]:
    from genreblender.generation.base import validate_mix_request, validate_morph_request
    from genreblender.generation.controls import validate_controls
    from genreblender.generation.registry import check_stems

    # bad genres, weights, curves, tempo or key, stems from an engine without them and an
    # engine that cannot load fail here, before a worker is taken
    target = body.target()
    if isinstance(target, Morph):
        validate_morph_request(target, body.seconds, body.seed)
        if body.strategy != "plain":
            raise InvalidInputError(
                f"a curve is generated once (strategy plain); {body.strategy} steers a fixed blend"
            )
        if body.engine != "composer":
            raise InvalidInputError(
                f"the {body.engine} engine cannot follow a curve; the composer can"
            )
    else:
        validate_mix_request(target, body.seconds, body.seed)
    validate_controls(body.bpm, body.key)
    check_stems(body.engine, body.stems)
    if body.stems and not body.include_audio:
        raise InvalidInputError("stems are audio: ask for them with include_audio true")
    await run_in_threadpool(services.check_engine, body.engine)
    request = {
        "seconds": body.seconds,
        "seed": body.seed,
        "engine": body.engine,
        "strategy": body.strategy,
        "n_candidates": body.n_candidates,
        "bpm": body.bpm,
        "key": body.key,
        "stems": body.stems,
    }
    if isinstance(target, Morph):
        request["morph"] = target.text
    elif body.mix is None:
        request |= {"genre_a": body.genre_a, "genre_b": body.genre_b, "alpha": body.alpha}
    else:
        request["mix"] = dict(body.mix)  # as asked: the sidecar says whether it was normalised
    run = await get_pool().run(workers.blend_job, request, body.listener)
    out = {
        "request": run.request,
        "metadata": run.metadata,
        "evaluation": run.evaluation,
        "verdict": run.verdict,
        "closed_loop": run.closed_loop,
        "trials": run.trials,
    }
    if body.include_audio:
        out["audio_wav_base64"] = base64.b64encode(run.wav).decode()
        if run.midi:
            out["midi_base64"] = base64.b64encode(run.midi).decode()
        if run.stems_zip:
            out["stems_zip_base64"] = base64.b64encode(run.stems_zip).decode()
    return out


async def _classify_upload(file: UploadFile, listener: str):
    """Copy the upload to a private file in blocks and classify it on a worker."""
    name = Path(file.filename or "upload").name or "upload"
    services.check_upload(name, file.size)
    fd, tmp = tempfile.mkstemp(prefix="genreblender-upload-", suffix=Path(name).suffix.lower())
    try:
        with os.fdopen(fd, "wb") as handle:
            copied = 0
            while block := await file.read(_COPY_BLOCK):
                copied += len(block)
                # file.size is None when the client sent no part length: count while copying
                if copied > services.MAX_UPLOAD_BYTES:
                    services.check_upload(name, copied)
                handle.write(block)
        services.check_upload(name, copied)
        return await get_pool().run(workers.classify_job, tmp, name, listener)
    finally:
        Path(tmp).unlink(missing_ok=True)


@app.post("/classify", response_model=ClassifyResponse)
async def classify(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    listener: Annotated[ListenerName, Form()] = DEFAULT_LISTENER,
) -> dict[str, Any]:
    result = await _classify_upload(file, listener)
    return result.to_dict()


@app.post("/evaluate", response_model=EvaluateResponse)
async def evaluate(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    genre_a: Annotated[OptionalGenreName, Form()] = None,
    genre_b: Annotated[OptionalGenreName, Form()] = None,
    alpha: Annotated[float | None, Form()] = None,
    listener: Annotated[ListenerName, Form()] = DEFAULT_LISTENER,
    mix: Annotated[
        str | None,
        Form(description="instead of genre_a, genre_b and alpha: jazz=0.5,metal=0.3,reggae=0.2"),
    ] = None,
) -> dict[str, Any]:
    from genreblender.evaluation.metrics import mix_metrics
    from genreblender.mixes import resolve_target

    target = resolve_target(genre_a, genre_b, alpha, mix)
    result = await _classify_upload(file, listener)
    metrics = mix_metrics(result.probabilities, target, result.genres)
    return {
        "mix": target.to_dict(),
        "target": dict(zip(result.genres, metrics.target.tolist(), strict=True)),
        "predicted": result.distribution,
        "metrics": metrics.to_dict(),
        "landing": metrics.landing.to_dict(),
        "verdict": metrics.landing.summary,
        "segments": result.to_dict()["segments"],
    }
