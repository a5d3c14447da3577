"""The closed loop in one call: generate a blend, classify it, score it, optionally write it.

This is the Python API behind ``genreblender blend``, and what a program embedding GenreBlender
calls::

    from genreblender.pipeline import blend
    outcome = blend("jazz", "metal", alpha=0.7, seconds=30, seed=1, output="out.wav")
    print(outcome.evaluation.metrics.alpha_hat)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genreblender.errors import InvalidInputError
from genreblender.generation.base import GenerationResult, validate_request
from genreblender.generation.registry import DEFAULT_ENGINE, get_generator

#: How the classifier's verdict steers generation.
STRATEGIES = ("plain", "best_of_n", "calibrate")


@dataclass
class BlendOutcome:
    """A generated track with its measurement."""

    result: GenerationResult
    evaluation: Any  # genreblender.evaluation.track.TrackEvaluation
    strategy: str
    internal_alpha: float
    trials: list[dict]
    written: Any = None  # genreblender.generation.writer.WrittenTrack when an output was given


def blend(
    genre_a: str,
    genre_b: str,
    alpha: float,
    seconds: float = 30.0,
    seed: int = 0,
    engine: str = DEFAULT_ENGINE,
    strategy: str = "plain",
    n_candidates: int = 4,
    output: str | Path | None = None,
    engine_options: dict[str, Any] | None = None,
    generator: Any = None,
    classifier: Any = None,
    listener: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BlendOutcome:
    """Generate ``alpha·A + (1−alpha)·B``, classify it and score it against the target.

    Parameters
    ----------
    strategy : {"plain", "best_of_n", "calibrate"}
        ``plain`` generates once with ``seed``; ``best_of_n`` generates ``n_candidates`` seeds
        (``seed``, ``seed+1``, ...) and keeps the one closest to the target (JS divergence);
        ``calibrate`` searches the engine's internal weight so the measured blend matches ``alpha``.
    output : path, optional
        Where to write the WAV (+ MIDI + JSON sidecar, which then also holds the measurement).
    listener : str, optional
        Which listener measures (and steers) the blend: ``"mel-cnn"``, ``"features-mlp"`` or a
        model path; default the default listener. Ignored when ``classifier`` is given.
    generator, classifier : optional
        Already-built engine and listener (front ends cache them); built on demand otherwise.
    """
    from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
    from genreblender.evaluation.track import evaluate_track
    from genreblender.generation.writer import check_output_path, write_track

    request = validate_request(genre_a, genre_b, alpha, seconds, seed)
    if strategy not in STRATEGIES:
        raise InvalidInputError(f"unknown strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}")
    if strategy == "best_of_n" and not 1 <= int(n_candidates) <= 64:
        raise InvalidInputError(f"n_candidates must be in [1, 64], got {n_candidates}")
    out_path = check_output_path(output) if output is not None else None
    if generator is None:
        generator = get_generator(engine, **(engine_options or {}))
    if classifier is None:
        from genreblender.classification.listeners import get_listener

        classifier = get_listener(listener)

    a, b, w, dur = request.genre_a, request.genre_b, request.alpha, request.duration_s
    if strategy == "plain":
        result = generator.generate(a, b, w, dur, request.seed)
        evaluation = evaluate_track(
            result.audio, result.sample_rate, a, b, w, classifier=classifier
        )
        outcome = BlendOutcome(result, evaluation, strategy, w, [])
        if progress:
            progress(1, 1)
    else:
        if strategy == "best_of_n":
            seeds = [request.seed + i for i in range(int(n_candidates))]
            loop = best_of_n(
                generator, a, b, w, dur, seeds, classifier=classifier, progress=progress
            )
        else:
            loop = calibrate_alpha(
                generator, a, b, w, dur, request.seed, classifier=classifier, progress=progress
            )
        outcome = BlendOutcome(
            loop.result, loop.evaluation, strategy, float(loop.internal_alpha), list(loop.trials)
        )
    if out_path is not None:
        extra = {
            "requested_alpha": w,
            "strategy": strategy,
            "internal_alpha": outcome.internal_alpha,
            "measurement": outcome.evaluation.to_dict(),
        }
        outcome.written = write_track(outcome.result, out_path, extra_metadata=extra)
    return outcome
