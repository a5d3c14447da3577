"""GenreBlender's JSON HTTP API (``genreblender serve``); OpenAPI at ``/docs`` and
``/openapi.json``. Same services as the web page, so the same request gives the same numbers."""

from __future__ import annotations

import base64
import functools
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from genreblender import __version__
from genreblender.app import services
from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES
from genreblender.errors import (
    ArtifactError,
    AudioError,
    EngineUnavailableError,
    GenreBlenderError,
)
from genreblender.genres import GENRES

app = FastAPI(
    title="GenreBlender API",
    version=__version__,
    description="Blend two music genres at a weight alpha, and measure the blend with a genre "
    "classifier. MusicGen output (engine=musicgen) is CC-BY-NC 4.0: non-commercial use only.",
)


#: the listener names as a schema enum (one source: the registry)
ListenerName = Literal[LISTENER_NAMES]  # type: ignore[valid-type]


def _classifier(name: str | None = None):
    from genreblender.classification.listeners import get_listener

    return get_listener(name)  # cached per process


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
    genre_a: str = Field("jazz", description=f"one of {', '.join(GENRES)}")
    genre_b: str = Field("metal", description="the second genre")
    alpha: float = Field(0.7, ge=0.0, le=1.0, description="weight of genre A")
    seconds: float = Field(20.0, gt=0.0, le=services.MAX_GENERATE_SECONDS)
    seed: int = Field(0, ge=0, lt=2**32)
    engine: Literal["composer", "musicgen"] = "composer"
    strategy: Literal["plain", "best_of_n", "calibrate"] = "plain"
    n_candidates: int = Field(4, ge=1, le=8)
    include_audio: bool = Field(True, description="return the WAV as base64")
    listener: ListenerName = Field(DEFAULT_LISTENER, description="the genre listener that measures")


@app.get("/health")
def health() -> dict[str, Any]:
    engines = {}
    for name in ("composer", "musicgen"):
        status = services.engine_status(name)
        engines[name] = {
            "available": status.available,
            "reason": status.reason,
            "licence": status.licence,
        }
    return {"status": "ok", "version": __version__, "engines": engines}


@app.get("/genres")
def genres() -> dict[str, Any]:
    return {"genres": list(GENRES)}


@app.post("/generate")
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
    )
    out = {
        "request": run.request,
        "metadata": run.metadata,
        "evaluation": run.evaluation,
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


@app.post("/classify")
async def classify(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    listener: Annotated[ListenerName, Form()] = DEFAULT_LISTENER,
) -> dict[str, Any]:
    data = await _read_upload(file)
    result = services.classify_upload(file.filename or "upload.wav", data, _classifier(listener))
    return result.to_dict()


@app.post("/evaluate")
async def evaluate(
    file: Annotated[UploadFile, File(description="audio: wav flac ogg mp3 au aiff")],
    genre_a: Annotated[str, Form()],
    genre_b: Annotated[str, Form()],
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
        "segments": result.to_dict()["segments"],
    }
