"""The closed loop in one call: generate a blend, classify it, score it, optionally write it.

This is the Python API behind ``genreblender blend``, and what a program embedding GenreBlender
calls::

    from genreblender.pipeline import blend
    outcome = blend("jazz", "metal", alpha=0.7, seconds=30, seed=1, output="out.wav")
    print(outcome.evaluation.metrics.alpha_hat)
    outcome = blend(mix="jazz=0.5,metal=0.3,reggae=0.2", seconds=30)   # a mix of k genres
    print(outcome.evaluation.metrics.heard_weights)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from genreblender import defaults
from genreblender.errors import InvalidInputError
from genreblender.generation.base import (
    GenerationResult,
    generate_blend,
    validate_mix_request,
    validate_morph_request,
)
from genreblender.generation.registry import DEFAULT_ENGINE, get_generator
from genreblender.mixes import Mix, Morph, resolve_target

#: How the classifier's verdict steers generation.
STRATEGIES = ("plain", "best_of_n", "calibrate")


@dataclass
class BlendOutcome:
    """A generated track with its measurement.

    ``mix`` is the target asked for; ``requested_alpha`` is the α asked for (None for a mix of
    more than two genres), ``internal_alpha`` the weight α' the engine was given for the kept
    track (they differ after calibration; for a mix, the first genre's weight). ``loop`` is the
    closed loop's record (objective, goal, whether it was reached, every trial) or None for
    ``plain``.
    """

    result: GenerationResult
    evaluation: Any  # genreblender.evaluation.track.TrackEvaluation
    strategy: str
    internal_alpha: float
    trials: list[dict]
    written: Any = None  # genreblender.generation.writer.WrittenTrack when an output was given
    requested_alpha: float | None = None
    loop: dict[str, Any] | None = None
    mix: Mix | None = None
    #: the curve of a blend that moves (``mix`` is then its time average)
    morph: Morph | None = None

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
            "requested_mix": self.mix.to_dict() if self.mix else None,
            "requested_morph": self.morph.to_dict() if self.morph else None,
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
    genre_a: str | None = None,
    genre_b: str | None = None,
    alpha: float | None = None,
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
    mix: Any = None,
    morph: Morph | None = None,
) -> BlendOutcome:
    """Generate ``alpha·A + (1−alpha)·B`` (or ``mix``), classify it and score it against the
    target.

    Parameters
    ----------
    genre_a, genre_b, alpha : the two-genre blend; or
    mix : a :class:`~genreblender.mixes.Mix`, its text (``"jazz=0.5,metal=0.3,reggae=0.2"``) or
        a ``{genre: weight}`` mapping: 2 to 10 genres, weights normalised. Give one or the other.
    morph : a :class:`~genreblender.mixes.Morph`, a blend that moves (``parse_alpha_curve``,
        ``parse_mix_curve``), instead of both; measured against its time average and, over
        time, against its curve (``evaluation.morph``). Plain strategy only.
    strategy : {"plain", "best_of_n", "calibrate"}
        ``plain`` generates once with ``seed``; ``best_of_n`` generates ``n_candidates`` seeds
        (``seed``, ``seed+1``, ...) and keeps the one closest to the target (JS divergence);
        ``calibrate`` searches the engine's internal weight so the measured blend matches ``alpha``
        (for a mix, its internal weights so the heard weights match the asked ones).
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
    from genreblender.evaluation.closed_loop import best_of_n_mix, calibrate_alpha, calibrate_mix
    from genreblender.evaluation.track import evaluate_mix, evaluate_morph
    from genreblender.generation.base import WithControls
    from genreblender.generation.controls import Controls
    from genreblender.generation.registry import check_stems
    from genreblender.generation.writer import check_output_path, write_track

    if morph is not None:
        if any(x is not None for x in (genre_a, genre_b, alpha, mix)):
            raise InvalidInputError("give a morph, a mix or genre A, genre B and alpha, not two")
        if not isinstance(morph, Morph):
            raise InvalidInputError(f"morph must be a Morph, got {type(morph).__name__}")
        request = validate_morph_request(morph, seconds, seed)
        if strategy != "plain":
            raise InvalidInputError(
                f"a morph is generated once (strategy plain); {strategy} steers a fixed blend"
            )
        target = request.mix  # the curve's time average: what the whole track is scored against
    else:
        target = resolve_target(genre_a, genre_b, alpha, mix)
        request = validate_mix_request(target, seconds, seed)
    if strategy not in STRATEGIES:
        raise InvalidInputError(f"unknown strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}")
    if strategy == "best_of_n" and not 1 <= int(n_candidates) <= 64:
        raise InvalidInputError(f"n_candidates must be in [1, 64], got {n_candidates}")
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

    # the pair's alpha as given (A = B ignores it), else the first genre's weight
    asked = float(alpha) if mix is None and morph is None else None
    weight = asked if asked is not None else target.weights[0]
    dur = request.duration_s
    if strategy == "plain":
        result = generate_blend(
            generator, morph or target, dur, request.seed, **({"stems": True} if stems else {})
        )
        if morph is not None:
            evaluation = evaluate_morph(
                result.audio, result.sample_rate, morph, dur, classifier=classifier, ears=ears
            )
        else:
            evaluation = evaluate_mix(
                result.audio, result.sample_rate, target, classifier=classifier, ears=ears
            )
        outcome = BlendOutcome(result, evaluation, strategy, weight, [])
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
            loop = best_of_n_mix(generator, target, dur, seeds, internal_alpha=weight, **listening)
            made = target
        elif target.is_pair:
            a, b, _ = target.as_pair()
            loop = calibrate_alpha(generator, a, b, weight, dur, request.seed, **listening)
            made = Mix.pair(a, b, loop.internal_alpha)
        else:
            loop = calibrate_mix(generator, target, dur, request.seed, **listening)
            given = tuple(loop.internal_weights.values())
            made = Mix(target.genres, given, given)
        outcome = BlendOutcome(
            loop.result,
            loop.evaluation,
            strategy,
            float(loop.internal_alpha),
            list(loop.trials),
            loop=loop.to_dict(),
        )
        if stems:
            outcome.result = _with_stems(generator, outcome.result, made, dur)
    outcome.mix, outcome.morph = target, morph
    outcome.requested_alpha = weight if target.is_pair else None
    if out_path is not None:
        # the engine's metadata is written first; drop its "alpha" (= α', not α) from it
        meta = {k: v for k, v in outcome.result.metadata.items() if k != "alpha"}
        to_write = replace(outcome.result, metadata=meta)
        outcome.written = write_track(to_write, out_path, extra_metadata=outcome.blend_record())
    return outcome


def _with_stems(generator, kept: GenerationResult, made: Mix, duration_s):
    """The kept trial (made from ``made``) made again with its stems; it must be the very track
    that was measured."""
    import numpy as np

    again = generate_blend(generator, made, duration_s, int(kept.metadata["seed"]), stems=True)
    if not np.array_equal(again.audio, kept.audio):
        raise RuntimeError("the track made again with its stems differs from the one measured")
    return again
