"""GenreBlender's JSON HTTP API (``genreblender serve``); OpenAPI at ``/docs``, ``/redoc`` and
``/openapi.json``. Same services as the web page, so the same request gives the same numbers.

The documentation pages load Swagger UI and ReDoc from the ``fastapi-offline`` package, not
from a CDN, so they work on a machine without internet."""

from __future__ import annotations

import base64
import functools
from typing import Annotated, Any, Literal

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from genreblender import __version__, defaults
from genreblender.app import services
from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES
from genreblender.errors import (
    ArtifactError,
    AudioError,
    EngineUnavailableError,
    GenreBlenderError,
)
from genreblender.genres import GENRES

app = FastAPIOffline(
    title="GenreBlender API",
    version=__version__,
    description="Blend two music genres at a weight alpha, and measure the blend with a genre "
    "classifier. MusicGen output (engine=musicgen) is CC-BY-NC 4.0: non-commercial use only.",
)

#: A genre name. The schema lists the ten GTZAN names; the server also accepts the usual
#: spellings ("hip-hop", "rap") and answers 400 with the accepted names for anything else.
GenreName = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": list(GENRES), "title": "Genre", "description": "a GTZAN genre"}
    ),
]


#: the listener names as a schema enum (one source: the registry)
ListenerName = Literal[LISTENER_NAMES]  # type: ignore[valid-type]


def _classifier(name: str | None = None):
    from genreblender.classification.listeners import get_listener

    return get_listener(name)  # cached per process


def _other_listeners(steering: str):
    """The listeners that did not steer score the track too (the judge does not: it costs
    seconds per request; ``genreblender blend`` and sweeps with ``--judge`` add it)."""
    from genreblender.evaluation.ears import other_listener_ears

    return other_listener_ears(steering)


@functools.lru_cache(maxsize=2)
def _generator(engine: str):
    from genreblender.generation import get_generator

    return get_generator(engine)


@app.exception_handler(GenreBlenderError)
async def _genreblender_error(request: Request, exc: GenreBlenderError) -> JSONResponse:
    if isinstance(exc, EngineUnavailableError):
        status = 503
    elif isinstance(exc, AudioError) and "limit" in str(exc):
        status = 413
    elif isinstance(exc, AudioError) and "unsupported format" in str(exc):
        status = 415
    elif isinstance(exc, ArtifactError):
        status = 500
    else:
        status = 400
    return JSONResponse(status_code=status, content={"detail": str(exc)})


class GenerateRequest(BaseModel):
    genre_a: GenreName = Field(defaults.GENRE_A, description="genre A")
    genre_b: GenreName = Field(defaults.GENRE_B, description="genre B")
    alpha: float = Field(defaults.ALPHA, ge=0.0, le=1.0, description="weight of genre A")
    seconds: float = Field(
        defaults.SECONDS, gt=0.0, le=services.MAX_GENERATE_SECONDS, description="duration"
    )
    seed: int = Field(defaults.SEED, ge=0, lt=2**32)
    engine: Literal["composer", "musicgen"] = "composer"
    strategy: Literal["plain", "best_of_n", "calibrate"] = defaults.STRATEGY
    n_candidates: int = Field(defaults.N_CANDIDATES, ge=1, le=8)
    include_audio: bool = Field(True, description="return the WAV (and MIDI) as base64")
    listener: ListenerName = Field(DEFAULT_LISTENER, description="the genre listener that measures")


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


class GenresResponse(BaseModel):
    genres: list[GenreName] = Field(description="the ten GTZAN genres, in label order")


class Metrics(_Open):
    kl: float = Field(description="KL(target‖predicted) in nats; 0 = perfect")
    js: float = Field(description="Jensen-Shannon divergence in bits, in [0, 1]")
    tv: float = Field(description="total variation: probability mass in the wrong place")
    alpha_hat: float = Field(description="p(A) / (p(A) + p(B)): the blend the classifier heard")
    leakage: float = Field(description="1 − p(A) − p(B): mass on genres not asked for")
    top2_match: bool = Field(description="A and B are the two most probable genres")
    on_target_mass: float = Field(description="p(A) + p(B): the mass on the genres asked for")
    abs_alpha_error: float = Field(description="|α̂ − α|")
    landed: bool = Field(description="the landing rule's verdict (README, Blend metrics)")


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


class BlendEcho(_Open):
    genre_a: GenreName
    genre_b: GenreName
    alpha: float
    seconds: float
    seed: int
    engine: str
    strategy: str


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


class ClassifyResponse(_Open):
    top_genre: GenreName
    probabilities: dict[str, float] = Field(description="track-level distribution")
    duration_s: float
    segments: list[Segment]
    model: dict[str, Any] = Field(description="the classifier that listened")


class EvaluateResponse(BaseModel):
    target: dict[str, float]
    predicted: dict[str, float]
    metrics: Metrics
    landing: Landing
    verdict: str = Field(description="'landed' or 'did not land; missed by ...'")
    segments: list[Segment]


@app.get("/health")
def health() -> HealthResponse:
    engines = {}
    for name in ("composer", "musicgen"):
        status = services.engine_status(name)
        engines[name] = {
            "available": status.available,
            "reason": status.reason,
            "licence": status.licence,
        }
    return HealthResponse(status="ok", version=__version__, engines=engines)


@app.get("/genres")
def genres() -> GenresResponse:
    return GenresResponse(genres=list(GENRES))


# exclude_unset: the audio fields are absent (not null) when include_audio is false
@app.post("/generate", response_model=GenerateResponse, response_model_exclude_unset=True)
def generate(body: GenerateRequest) -> dict[str, Any]:
    run = services.run_blend(
        body.genre_a,
        body.genre_b,
        body.alpha,
        body.seconds,
        body.seed,
        engine=body.engine,
        strategy=body.strategy,
        n_candidates=body.n_candidates,
        generator=_generator(body.engine),
        classifier=_classifier(body.listener),
        ears=_other_listeners(body.listener),
    )
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
    return out


async def _read_upload(file: UploadFile) -> bytes:
    # read one byte past the limit: enough to know it is too big without holding more
    data = await file.read(services.MAX_UPLOAD_BYTES + 1)
    services.check_upload(file.filename or "upload", len(data))
    return data


@app.post("/classify", response_model=ClassifyResponse)
async def classify(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    listener: Annotated[ListenerName, Form()] = DEFAULT_LISTENER,
) -> dict[str, Any]:
    data = await _read_upload(file)
    result = services.classify_upload(file.filename or "upload.wav", data, _classifier(listener))
    return result.to_dict()


@app.post("/evaluate", response_model=EvaluateResponse)
async def evaluate(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    genre_a: Annotated[GenreName, Form()],
    genre_b: Annotated[GenreName, Form()],
    alpha: Annotated[float, Form()],
    listener: Annotated[ListenerName, Form()] = DEFAULT_LISTENER,
) -> dict[str, Any]:
    from genreblender.evaluation.metrics import blend_metrics
    from genreblender.genres import validate_alpha, validate_genre

    a, b, w = validate_genre(genre_a), validate_genre(genre_b), validate_alpha(alpha)
    data = await _read_upload(file)
    result = services.classify_upload(file.filename or "upload.wav", data, _classifier(listener))
    metrics = blend_metrics(result.probabilities, a, b, w, result.genres)
    return {
        "target": dict(zip(result.genres, metrics.target.tolist(), strict=True)),
        "predicted": result.distribution,
        "metrics": metrics.to_dict(),
        "landing": metrics.landing.to_dict(),
        "verdict": metrics.landing.summary,
        "segments": result.to_dict()["segments"],
    }
