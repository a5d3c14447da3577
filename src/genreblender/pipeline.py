"""The closed loop in one call: generate a blend, classify it, score it, optionally write it.

This is the Python API behind ``genreblender blend``, and what a program embedding GenreBlender
calls::

    from genreblender.pipeline import blend
    outcome = blend("jazz", "metal", alpha=0.7, seconds=30, seed=1, output="out.wav")
    print(outcome.evaluation.metrics.alpha_hat)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from genreblender import defaults
from genreblender.errors import InvalidInputError
from genreblender.generation.base import GenerationResult, validate_request
from genreblender.generation.registry import DEFAULT_ENGINE, get_generator

#: How the classifier's verdict steers generation.
STRATEGIES = ("plain", "best_of_n", "calibrate")


@dataclass
class BlendOutcome:
    """A generated track with its measurement.

    ``requested_alpha`` is the α asked for, ``internal_alpha`` the weight α' the engine was
    given for the kept track (they differ after calibration). ``loop`` is the closed loop's
    record (objective, goal, whether it was reached, every trial) or None for ``plain``.
    """

    result: GenerationResult
    evaluation: Any  # genreblender.evaluation.track.TrackEvaluation
    strategy: str
    internal_alpha: float
    trials: list[dict]
    written: Any = None  # genreblender.generation.writer.WrittenTrack when an output was given
    requested_alpha: float | None = None
    loop: dict[str, Any] | None = None

    @property
    def landed(self) -> bool:
        return self.evaluation.metrics.landed

    @property
    def verdict(self) -> str:
        """One line: "landed" or "did not land; missed by ..." (the steering listener's)."""
        return self.evaluation.metrics.landing.summary

    def blend_record(self) -> dict[str, Any]:
        """The sidecar's blend fields. The engine's own ``alpha`` key is the weight it was given,
        which after calibration is not the α asked for: the sidecar names both instead."""
        return {
            "requested_alpha": self.requested_alpha,
            "internal_alpha": self.internal_alpha,
            "strategy": self.strategy,
            "verdict": self.verdict,
            "measurement": self.evaluation.to_dict(),
            "closed_loop": self.loop,
        }

    def sidecar_metadata(self) -> dict[str, Any]:
        """The engine's metadata without its ambiguous ``alpha``, plus :meth:`blend_record`."""
        meta = {k: v for k, v in self.result.metadata.items() if k != "alpha"}
        meta.update(self.blend_record())
        return meta


def blend(
    genre_a: str,
    genre_b: str,
    alpha: float,
    seconds: float = defaults.SECONDS,
    seed: int = defaults.SEED,
    engine: str = DEFAULT_ENGINE,
    strategy: str = defaults.STRATEGY,
    n_candidates: int = defaults.N_CANDIDATES,
    output: str | Path | None = None,
    engine_options: dict[str, Any] | None = None,
    generator: Any = None,
    classifier: Any = None,
    listener: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    ears: Any = (),
    ears_on_trials: bool = False,
    controls: Any = None,
    stems: bool = False,
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
        Already-built engine and steering listener (any object with ``.classify(samples,
        sr=...)``; front ends cache them); built on demand otherwise.
    ears : sequence, optional
        Other listeners and judges that score the kept track (and every trial with
        ``ears_on_trials``) beside the steering listener, without choosing anything.
    controls : Controls, optional
        Tempo and key imposed on every generation (:func:`genreblender.generation.controls.
        validate_controls`); the sidecar records them.
    stems : bool
        Also make the kept track's stems (one per part, summing to the mix; the composer only).
        A closed loop's trials are made without them and the kept one is made again with them:
        the same seed and weight give the same mix, which is checked.
    """
    from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
    from genreblender.evaluation.track import evaluate_track
    from genreblender.generation.writer import check_output_path, write_track

    request = validate_request(genre_a, genre_b, alpha, seconds, seed)
    if strategy not in STRATEGIES:
        raise InvalidInputError(f"unknown strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}")
    if strategy == "best_of_n" and not 1 <= int(n_candidates) <= 64:
        raise InvalidInputError(f"n_candidates must be in [1, 64], got {n_candidates}")
    from genreblender.generation.base import WithControls
    from genreblender.generation.controls import Controls
    from genreblender.generation.registry import check_stems

    controls = controls if controls is not None else Controls()
    if not isinstance(controls, Controls):
        raise InvalidInputError("controls must be a Controls (see generation.controls)")
    check_stems(getattr(generator, "name", engine), stems)
    out_path = check_output_path(output) if output is not None else None
    if generator is None:
        generator = get_generator(engine, **(engine_options or {}))
    if not controls.empty:
        generator = WithControls(generator, controls)
    if classifier is None:
        from genreblender.classification.listeners import get_listener

        classifier = get_listener(listener)

    a, b, w, dur = request.genre_a, request.genre_b, request.alpha, request.duration_s
    if strategy == "plain":
        result = generator.generate(
            a, b, w, dur, request.seed, **({"stems": True} if stems else {})
        )
        evaluation = evaluate_track(
            result.audio, result.sample_rate, a, b, w, classifier=classifier, ears=ears
        )
        outcome = BlendOutcome(result, evaluation, strategy, w, [], requested_alpha=w)
        if progress:
            progress(1, 1)
    else:
        listening = {
            "classifier": classifier,
            "progress": progress,
            "ears": ears,
            "ears_on_trials": ears_on_trials,
        }
        if strategy == "best_of_n":
            seeds = [request.seed + i for i in range(int(n_candidates))]
            loop = best_of_n(generator, a, b, w, dur, seeds, **listening)
        else:
            loop = calibrate_alpha(generator, a, b, w, dur, request.seed, **listening)
        outcome = BlendOutcome(
            loop.result,
            loop.evaluation,
            strategy,
            float(loop.internal_alpha),
            list(loop.trials),
            requested_alpha=w,
            loop=loop.to_dict(),
        )
        if stems:
            outcome.result = _with_stems(generator, outcome.result, a, b, dur, loop.internal_alpha)
    if out_path is not None:
        # the engine's metadata is written first; drop its "alpha" (= α', not α) from it
        meta = {k: v for k, v in outcome.result.metadata.items() if k != "alpha"}
        to_write = replace(outcome.result, metadata=meta)
        outcome.written = write_track(to_write, out_path, extra_metadata=outcome.blend_record())
    return outcome


def _with_stems(generator, kept: GenerationResult, a, b, duration_s, internal_alpha):
    """The kept trial made again with its stems; it must be the very track that was measured."""
    import numpy as np

    again = generator.generate(
        a, b, internal_alpha, duration_s, int(kept.metadata["seed"]), stems=True
    )
    if not np.array_equal(again.audio, kept.audio):
        raise RuntimeError("the track made again with its stems differs from the one measured")
    return again
