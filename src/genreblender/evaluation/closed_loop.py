"""Closed loop: the classifier's verdict steers generation.

- :func:`best_of_n` generates N seeds and keeps the track closest to the target (JS divergence).
- :func:`calibrate_alpha` searches the engine's internal weight α' so that the measured blend α̂
  matches the requested α, by bisection (α̂ is assumed to rise with α'; the same seed is used
  throughout so that only α' changes between trials).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from genreblender.evaluation.track import TrackEvaluation, evaluate_track
from genreblender.generation.base import GenerationResult, validate_request

#: calibration stops once |α̂ − α| is below this
CALIBRATION_TOLERANCE = 0.03


@dataclass
class LoopResult:
    result: GenerationResult
    evaluation: TrackEvaluation
    internal_alpha: float
    strategy: str
    trials: list[dict[str, Any]] = field(default_factory=list)


def _trial(generator, a, b, internal_alpha, requested_alpha, duration_s, seed, classifier):
    result = generator.generate(a, b, internal_alpha, duration_s, seed)
    # scored against the *requested* blend: that is what the user asked for
    evaluation = evaluate_track(
        result.audio, result.sample_rate, a, b, requested_alpha, classifier=classifier
    )
    record = {
        "seed": seed,
        "internal_alpha": internal_alpha,
        "alpha_hat": evaluation.metrics.alpha_hat,
        "js": evaluation.metrics.js,
    }
    return result, evaluation, record


def best_of_n(
    generator,
    genre_a: str,
    genre_b: str,
    alpha: float,
    duration_s: float,
    seeds,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
) -> LoopResult:
    """Generate one track per seed and keep the one with the lowest JS divergence."""
    seeds = list(seeds)
    request = validate_request(genre_a, genre_b, alpha, duration_s, seeds[0] if seeds else 0)
    best = None
    trials = []
    for i, seed in enumerate(seeds):
        result, evaluation, record = _trial(
            generator,
            request.genre_a,
            request.genre_b,
            request.alpha,
            request.alpha,
            duration_s,
            seed,
            classifier,
        )
        trials.append(record)
        if best is None or evaluation.metrics.js < best[1].metrics.js:
            best = (result, evaluation)
        if progress:
            progress(i + 1, len(seeds))
    if best is None:
        raise ValueError("best_of_n needs at least one seed")
    return LoopResult(best[0], best[1], request.alpha, "best_of_n", trials)


def calibrate_alpha(
    generator,
    genre_a: str,
    genre_b: str,
    alpha: float,
    duration_s: float,
    seed: int,
    classifier=None,
    max_steps: int = 6,
    progress: Callable[[int, int], None] | None = None,
) -> LoopResult:
    """Find α' in [0, 1] whose measured α̂ is closest to ``alpha`` (at most ``max_steps``
    generations); return the best trial."""
    request = validate_request(genre_a, genre_b, alpha, duration_s, seed)
    a, b, target = request.genre_a, request.genre_b, request.alpha
    trials: list[dict[str, Any]] = []
    best = None

    def run(internal: float):
        nonlocal best
        result, evaluation, record = _trial(
            generator, a, b, internal, target, duration_s, request.seed, classifier
        )
        trials.append(record)
        key = (abs(record["alpha_hat"] - target), record["js"])
        if best is None or key < best[0]:
            best = (key, result, evaluation, internal)
        if progress:
            progress(len(trials), max_steps)
        return record["alpha_hat"]

    measured = run(target)
    if a != b and abs(measured - target) > CALIBRATION_TOLERANCE:
        lo, hi = (target, 1.0) if measured < target else (0.0, target)
        for _ in range(max_steps - 1):
            mid = 0.5 * (lo + hi)
            measured = run(mid)
            if abs(measured - target) <= CALIBRATION_TOLERANCE:
                break
            if measured < target:
                lo = mid
            else:
                hi = mid
    if progress:
        progress(max_steps, max_steps)
    _, result, evaluation, internal = best
    return LoopResult(result, evaluation, internal, "calibrate", trials)
