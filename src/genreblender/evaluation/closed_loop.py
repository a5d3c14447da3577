"""Closed loop: the steering listener's verdict chooses among generated tracks.

Both strategies optimise one objective, :data:`OBJECTIVE`, and keep the best trial by it out of
every trial they ran (never one worse than another they saw):

1. a trial that meets the strategy's goal beats one that does not;
2. then a trial that landed (:data:`~genreblender.evaluation.metrics.LANDING_RULE`) beats one
   that did not;
3. then the smaller shortfall from the goal wins: the sum of how far each of its conditions was
   missed (rank gap + on-target mass short of 0.5 + |α̂ − α| beyond the goal's tolerance), which
   counts leakage as well as a wrong α̂ (α̂ alone looks perfect when neither genre is heard);
4. then the lower JS divergence to the target, then the earlier trial.

Why not JS alone: JS rewards a track that collapses onto one genre (a pure-A track at α = 0.5
has JS 0.31 bits, less than most leaky blends), and keeping by it made calibration's mean
|α̂ − α| worse than plain generation's on the closed-loop study; keeping by |α̂ − α| alone (as
main did) chased leaky tracks (mean on-target mass 0.54 → 0.37). The shortfall improves both.

Goals: ``best_of_n`` — the track landed; ``calibrate`` — it landed and |α̂ − α| ≤
:data:`CALIBRATION_TOLERANCE`. When the goal is not reached within the budget, the result says
so and by how much (:attr:`LoopResult.missed_by`, :attr:`LoopResult.message`).

- :func:`best_of_n` generates one track per seed (all N of them) at the requested α
  (:func:`best_of_n_mix`: at the requested mix of any number of genres).
- :func:`calibrate_alpha` searches the engine's internal weight α' with one seed. The measured
  response to α' is not monotone (on the composer it jumps: α' 0.35 → α̂ 0.10, 0.39 → 0.67), so
  there is no bisection: it tries α' = α, then a coarse grid over [0, 1] (nearest to α first),
  then refines inside the best bracket where α̂ crosses α (or around the best trial when there
  is none), and stops as soon as the goal is reached.
- :func:`calibrate_mix` does the same for a mix of any number of genres (a pair goes to
  :func:`calibrate_alpha`): with k weights there is no grid to walk, so each step starts from
  the best trial so far and multiplies every internal weight by asked / heard (at most
  :data:`MAX_WEIGHT_STEP` either way; halfway there when that point was tried), one seed
  throughout.

Other ears (listeners, the judge) may score the kept track, and optionally every trial; they are
reported beside the steering listener's figures and never choose anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.evaluation.ears import as_ears, hear_mix
from genreblender.evaluation.metrics import LANDING_ALPHA_TOLERANCE, LANDING_RULE
from genreblender.evaluation.track import TrackEvaluation, as_mono, evaluate_mix
from genreblender.generation.base import (
    GenerationResult,
    generate_blend,
    validate_mix_request,
    validate_request,
)
from genreblender.genres import validate_alpha
from genreblender.mixes import Mix

#: calibration's goal: the track landed and |α̂ − α| is at most this
CALIBRATION_TOLERANCE = 0.03
#: calibration: points of the coarse grid over α' (0, 0.25, 0.5, 0.75, 1)
CALIBRATION_GRID = 5
#: calibration: generations at most (α' = α, the grid, then refinement)
CALIBRATION_MAX_TRIALS = 9
#: two α' closer than this count as the same trial (the response is not smoother than that)
_MIN_ALPHA_GAP = 0.002
#: calibrating a mix: one step multiplies or divides an internal weight by at most this (the
#: heard weights of a sectioned blend move in whole bars, so one reading can overshoot)
MAX_WEIGHT_STEP = 2.0
#: calibrating a mix: the least internal weight an asked genre keeps; one given no time is not
#: heard at all, and no later step could bring it back
MIN_INTERNAL_WEIGHT = 0.02

OBJECTIVE = (
    "keep the trial that (1) meets the goal, then (2) landed, then (3) has the smallest "
    "shortfall from the goal (rank gap + on-target mass short of 0.5 + |α̂ − α| beyond the "
    "goal's tolerance), then (4) the lowest JS divergence to the target, then came first; the "
    "kept trial is the best by this order of all trials run"
)
GOALS = {
    "best_of_n": "landed",
    "calibrate": f"landed and |α̂ − α| ≤ {CALIBRATION_TOLERANCE:g}",
}
#: the goals as said of a mix of more than two genres, whose |α̂ − α| is the weight error
MIX_GOALS = {
    "best_of_n": "landed",
    "calibrate": f"landed and weight error ≤ {CALIBRATION_TOLERANCE:g}",
}
#: the |α̂ − α| each goal accepts
GOAL_ALPHA_TOLERANCE = {"best_of_n": LANDING_ALPHA_TOLERANCE, "calibrate": CALIBRATION_TOLERANCE}


@dataclass
class LoopResult:
    """The kept track, and every trial that was run (``trials``: JSON-ready dicts in run order,
    the kept one marked ``"kept": True``)."""

    result: GenerationResult
    evaluation: TrackEvaluation
    internal_alpha: float
    strategy: str
    trials: list[dict[str, Any]] = field(default_factory=list)
    goal: str = ""
    reached: bool = False
    missed_by: dict[str, float] = field(default_factory=dict)
    message: str = ""
    #: the weights the engine was given for the kept track, for a calibrated mix of more than
    #: two genres (``internal_alpha`` is then the first of them)
    internal_weights: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The closed loop's record (sidecar, ``--json``, API): objective, goal, outcome, trials."""
        return {
            "strategy": self.strategy,
            "objective": OBJECTIVE,
            "goal": self.goal,
            "reached": self.reached,
            "missed_by": dict(self.missed_by),
            "message": self.message,
            "internal_alpha": self.internal_alpha,
            **(
                {} if self.internal_weights is None else {"internal_weights": self.internal_weights}
            ),
            "trials": [dict(t) for t in self.trials],
        }


@dataclass
class _Trial:
    index: int
    seed: int
    internal_alpha: float
    result: GenerationResult
    evaluation: TrackEvaluation
    goal_met: bool
    shortfall: float
    #: the mix the engine was given, when a mix of more than two genres was calibrated
    internal: Mix | None = None

    def key(self):
        m = self.evaluation.metrics
        return (not self.goal_met, not m.landed, self.shortfall, m.js, self.index)

    def record(self) -> dict[str, Any]:
        m = self.evaluation.metrics
        out = {
            "trial": self.index,
            "seed": self.seed,
            "internal_alpha": float(self.internal_alpha),
            **({} if self.internal is None else {"internal_weights": _weights(self.internal)}),
            **m.to_dict(),
            "missed_by": dict(m.landing.missed_by),
            "goal_met": self.goal_met,
            "shortfall": self.shortfall,
            "kept": False,
        }
        if self.evaluation.ears:
            out["ears"] = list(self.evaluation.ears)
        return out


def _weights(mix: Mix) -> dict[str, float]:
    return {g: float(w) for g, w in zip(mix.genres, mix.weights, strict=True)}


def internal_weight_text(loop: dict[str, Any] | None, internal_alpha: float | None) -> str:
    """What a calibrated track was made from, for a heading: ``"internal weights jazz 0.51 ·
    metal 0.29 · reggae 0.20"`` for a mix, ``"internal weight 0.62"`` for a pair, ``""`` when
    not known. ``loop`` is :meth:`LoopResult.to_dict`."""
    given = (loop or {}).get("internal_weights")
    if given:
        return "internal weights " + " · ".join(f"{g} {w:.2f}" for g, w in given.items())
    return "" if internal_alpha is None else f"internal weight {internal_alpha:.2f}"


def _trial_budget(max_trials) -> int:
    if not 1 <= int(max_trials) <= 64:
        raise InvalidInputError(f"max_trials must be in [1, 64], got {max_trials}")
    return int(max_trials)


def _goal_met(strategy: str, evaluation: TrackEvaluation) -> bool:
    m = evaluation.metrics
    return m.landed and m.abs_alpha_error <= GOAL_ALPHA_TOLERANCE[strategy]


def _shortfall(strategy: str, evaluation: TrackEvaluation) -> float:
    """How far a trial is from the goal: 0 exactly when it meets it."""
    m = evaluation.metrics
    missed = m.landing.missed_by
    excess = max(m.abs_alpha_error - GOAL_ALPHA_TOLERANCE[strategy], 0.0)
    return float(missed.get("rank", 0.0) + missed.get("mass", 0.0) + excess)


class _Loop:
    """Runs trials for one request, keeps the best by the objective, writes the outcome."""

    def __init__(self, strategy, generator, request, classifier, ears, ears_on_trials, progress):
        self.strategy, self.generator, self.request = strategy, generator, request
        self.classifier, self.ears = classifier, as_ears(ears)
        self.ears_on_trials, self.progress = ears_on_trials, progress
        self.trials: list[_Trial] = []

    @property
    def goal(self) -> str:
        return (GOALS if self.request.mix.is_pair else MIX_GOALS)[self.strategy]

    @property
    def best(self) -> _Trial | None:
        return min(self.trials, key=_Trial.key) if self.trials else None

    def tried(self, internal_alpha: float) -> bool:
        return any(abs(t.internal_alpha - internal_alpha) < _MIN_ALPHA_GAP for t in self.trials)

    def run(
        self, internal_alpha: float, seed: int, budget: int, internal: Mix | None = None
    ) -> bool:
        """Generate and score one trial of the engine's weight ``internal_alpha`` (A's weight
        of the pair ``internal``; the requested mix itself when ``internal`` is None); True
        when it met the goal."""
        r = self.request
        result = generate_blend(self.generator, internal or r.mix, r.duration_s, seed)
        # scored against the *requested* blend: that is what the user asked for
        evaluation = evaluate_mix(
            result.audio,
            result.sample_rate,
            r.mix,
            classifier=self.classifier,
            ears=self.ears if self.ears_on_trials else (),
        )
        trial = _Trial(
            len(self.trials),
            int(seed),
            float(internal_alpha),
            result,
            evaluation,
            _goal_met(self.strategy, evaluation),
            _shortfall(self.strategy, evaluation),
            internal if internal is not None and internal.k > 2 else None,
        )
        self.trials.append(trial)
        if self.progress:
            self.progress(len(self.trials), budget)
        return trial.goal_met

    def finish(self, budget: int) -> LoopResult:
        best = self.best
        if best is None:
            raise InvalidInputError(f"{self.strategy} ran no trial")
        r = self.request
        evaluation = best.evaluation
        if self.ears and not self.ears_on_trials:
            mono = as_mono(best.result.audio)
            evaluation.ears = [
                hear_mix(ear, mono, best.result.sample_rate, r.mix) for ear in self.ears
            ]
        records = [t.record() for t in self.trials]
        records[best.index]["kept"] = True
        if records[best.index].get("ears") is None and evaluation.ears:
            records[best.index]["ears"] = list(evaluation.ears)
        missed = {} if best.goal_met else self._missed_by(best)
        if self.progress:
            self.progress(budget, budget)
        return LoopResult(
            result=best.result,
            evaluation=evaluation,
            internal_alpha=best.internal_alpha,
            strategy=self.strategy,
            trials=records,
            goal=self.goal,
            reached=best.goal_met,
            missed_by=missed,
            message=self._message(best, missed),
            internal_weights=None if best.internal is None else _weights(best.internal),
        )

    def _missed_by(self, best: _Trial) -> dict[str, float]:
        m = best.evaluation.metrics
        missed = dict(m.landing.missed_by)
        if self.strategy == "calibrate" and m.abs_alpha_error > CALIBRATION_TOLERANCE:
            missed["alpha_tolerance"] = float(m.abs_alpha_error - CALIBRATION_TOLERANCE)
        return missed

    def _message(self, best: _Trial, missed: dict[str, float]) -> str:
        m, mix = best.evaluation.metrics, self.request.mix
        if mix.is_pair:
            heard = f"α̂ {m.alpha_hat:.3f} for α {mix.as_pair()[2]:.3f}"
            trial = f"α' {best.internal_alpha:.3f}, seed {best.seed}"
        else:
            heard = f"weight error {m.weight_error:.3f} for {mix.label}"
            trial = f"seed {best.seed}"
            if best.internal is not None:
                given = ", ".join(f"{g} {w:.2f}" for g, w in _weights(best.internal).items())
                trial = f"internal weights {given}, {trial}"
        where = (
            f"trial {best.index + 1} of {len(self.trials)} ({trial}): {heard}, "
            f"on-target mass {m.on_target_mass:.2f}, JS {m.js:.3f} bits"
        )
        if best.goal_met:
            return f"goal reached ({self.goal}) by {where}"
        parts = list(m.landing.reasons)
        if "alpha_tolerance" in missed:
            what = "|α̂ − α|" if mix.is_pair else "weight error"
            parts.append(
                f"{what} {m.abs_alpha_error:.3f} > {CALIBRATION_TOLERANCE:g} "
                f"(by {missed['alpha_tolerance']:.3f})"
            )
        return f"goal ({self.goal}) not reached; missed by {'; '.join(parts)}; best was {where}"


def best_of_n(
    generator,
    genre_a: str,
    genre_b: str,
    alpha: float,
    duration_s: float,
    seeds,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
    ears=(),
    ears_on_trials: bool = False,
) -> LoopResult:
    """Generate one track per seed at α and keep the best by :data:`OBJECTIVE` (goal: landed)."""
    return best_of_n_mix(
        generator,
        Mix.pair(genre_a, genre_b, alpha),
        duration_s,
        seeds,
        classifier=classifier,
        progress=progress,
        ears=ears,
        ears_on_trials=ears_on_trials,
        internal_alpha=alpha,
    )


def best_of_n_mix(
    generator,
    mix: Mix,
    duration_s: float,
    seeds,
    classifier=None,
    progress: Callable[[int, int], None] | None = None,
    ears=(),
    ears_on_trials: bool = False,
    internal_alpha: float | None = None,
) -> LoopResult:
    """Generate one track per seed at ``mix`` and keep the best by :data:`OBJECTIVE` (goal:
    landed). Trials record ``internal_alpha``: the weight given to the first genre (the pair's
    α as asked, when given)."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InvalidInputError("best_of_n needs at least one seed")
    request = validate_mix_request(mix, duration_s, seeds[0])
    weight = float(mix.weights[0] if internal_alpha is None else internal_alpha)
    loop = _Loop("best_of_n", generator, request, classifier, ears, ears_on_trials, progress)
    for seed in seeds:
        validate_mix_request(mix, duration_s, seed)
        loop.run(weight, seed, len(seeds))
    return loop.finish(len(seeds))


def calibration_grid(n_points: int = CALIBRATION_GRID) -> list[float]:
    """An even grid over α' with both ends: 0, 1/(n−1), ..., 1. The ends matter: a listener
    that over-hears one genre may need the other genre's pure track to come near α."""
    return [float(x) for x in np.linspace(0.0, 1.0, n_points)]


def _refinement(trials: list[_Trial], alpha: float, step: float) -> tuple[float | None, float]:
    """The next α' to try after the grid, and the pattern step to use after it.

    Where two neighbouring tried α' put α̂ on either side of α, the response crosses α between
    them: the next α' interpolates linearly inside the best such bracket (by the objective of
    its ends), kept to its middle half so that a jump cannot push it onto an end (the midpoint
    when that would come within a gap of an end; brackets narrower than two gaps are done
    with). Without such a bracket (α̂ stays on one side of α everywhere tried) it steps around
    the best trial, halving the step each time. None when nothing new is left to try.
    """
    tried = sorted(trials, key=lambda t: t.internal_alpha)
    brackets = []
    for lo, hi in zip(tried, tried[1:], strict=False):
        e_lo = lo.evaluation.metrics.alpha_hat - alpha
        e_hi = hi.evaluation.metrics.alpha_hat - alpha
        if e_lo * e_hi < 0 and hi.internal_alpha - lo.internal_alpha > 2 * _MIN_ALPHA_GAP:
            brackets.append((min(lo.key(), hi.key()), lo, hi, e_lo, e_hi))
    if brackets:
        _, lo, hi, e_lo, e_hi = min(brackets, key=lambda b: b[0])
        share = float(np.clip(e_lo / (e_lo - e_hi), 0.25, 0.75))
        width = hi.internal_alpha - lo.internal_alpha
        candidate = lo.internal_alpha + share * width
        if min(candidate - lo.internal_alpha, hi.internal_alpha - candidate) <= _MIN_ALPHA_GAP:
            candidate = lo.internal_alpha + 0.5 * width  # more than a gap from both ends
        return candidate, step
    best = min(trials, key=_Trial.key).internal_alpha
    while step >= _MIN_ALPHA_GAP:
        for candidate in (best - step, best + step):
            candidate = float(np.clip(candidate, 0.0, 1.0))
            if not any(abs(t.internal_alpha - candidate) < _MIN_ALPHA_GAP for t in trials):
                return candidate, step
        step /= 2
    return None, step


def calibrate_alpha(
    generator,
    genre_a: str,
    genre_b: str,
    alpha: float,
    duration_s: float,
    seed: int,
    classifier=None,
    max_trials: int = CALIBRATION_MAX_TRIALS,
    progress: Callable[[int, int], None] | None = None,
    ears=(),
    ears_on_trials: bool = False,
    grid_points: int = CALIBRATION_GRID,
) -> LoopResult:
    """Search the internal weight α' (same seed throughout, so only α' changes) for a track that
    meets the goal (landed, |α̂ − α| ≤ :data:`CALIBRATION_TOLERANCE`); keep the best by
    :data:`OBJECTIVE` of at most ``max_trials`` generations."""
    request = validate_request(genre_a, genre_b, alpha, duration_s, seed)
    asked = validate_alpha(alpha)  # as given: A = B makes the mix all A, whatever alpha
    budget = _trial_budget(max_trials)
    if not 2 <= int(grid_points) <= 33:
        raise InvalidInputError(f"grid_points must be in [2, 33], got {grid_points}")
    loop = _Loop("calibrate", generator, request, classifier, ears, ears_on_trials, progress)

    def attempts():
        yield asked
        if request.genre_a == request.genre_b:
            return  # α' changes nothing when both genres are the same
        yield from sorted(calibration_grid(grid_points), key=lambda x: abs(x - asked))
        step = 0.5 / max(grid_points - 1, 1)
        while True:
            internal, step = _refinement(loop.trials, asked, step)
            if internal is None:
                return
            yield internal

    for internal in attempts():
        if len(loop.trials) >= budget:
            break
        # never repeats: a refinement lies more than one gap from every α' tried
        if loop.tried(internal):
            continue
        pair = Mix.pair(request.genre_a, request.genre_b, internal)
        if loop.run(internal, request.seed, budget, pair):
            break
    return loop.finish(budget)


def calibrate_mix(
    generator,
    mix: Mix,
    duration_s: float,
    seed: int,
    classifier=None,
    max_trials: int = CALIBRATION_MAX_TRIALS,
    progress: Callable[[int, int], None] | None = None,
    ears=(),
    ears_on_trials: bool = False,
) -> LoopResult:
    """Search the internal weights of ``mix`` (same seed throughout) for a track that meets
    calibration's goal (landed, weight error ≤ :data:`CALIBRATION_TOLERANCE`); keep the best by
    :data:`OBJECTIVE` of at most ``max_trials`` generations. A pair (or a single genre) is
    :func:`calibrate_alpha`'s search.

    Each step starts from the best trial so far and multiplies each asked genre's internal
    weight by its asked over its heard weight (within :data:`MAX_WEIGHT_STEP`, at least
    :data:`MIN_INTERNAL_WEIGHT`; genres asked at 0 stay at 0), renormalised; a point already
    tried is replaced by the one halfway to it, and the search ends when that too was tried.
    """
    if mix.k <= 2:
        genre_a, genre_b, alpha = mix.as_pair()
        return calibrate_alpha(
            generator,
            genre_a,
            genre_b,
            alpha,
            duration_s,
            seed,
            classifier=classifier,
            max_trials=max_trials,
            progress=progress,
            ears=ears,
            ears_on_trials=ears_on_trials,
        )
    request = validate_mix_request(mix, duration_s, seed)
    budget = _trial_budget(max_trials)
    loop = _Loop("calibrate", generator, request, classifier, ears, ears_on_trials, progress)
    asked = np.asarray(mix.weights, dtype=np.float64)
    given = [asked]

    def seen(weights: np.ndarray) -> bool:
        return any(np.max(np.abs(weights - w)) < _MIN_ALPHA_GAP for w in given)

    internal = asked
    while True:
        weights = tuple(float(w) for w in internal)
        made = Mix(mix.genres, weights, weights)
        if loop.run(float(internal[0]), request.seed, budget, made) or len(loop.trials) >= budget:
            break
        best = loop.best
        base = np.asarray(best.internal.weights)
        heard = np.asarray(best.evaluation.metrics.heard, dtype=np.float64)
        step = np.clip(asked / np.maximum(heard, 1e-9), 1 / MAX_WEIGHT_STEP, MAX_WEIGHT_STEP)
        proposal = np.where(asked > 0, np.maximum(base * step, MIN_INTERNAL_WEIGHT), 0.0)
        proposal /= proposal.sum()
        if seen(proposal):
            proposal = 0.5 * (base + proposal)
            if seen(proposal):
                break
        given.append(proposal)
        internal = proposal
    return loop.finish(budget)


__all__ = [
    "CALIBRATION_TOLERANCE",
    "GOALS",
    "LANDING_RULE",
    "OBJECTIVE",
    "LoopResult",
    "best_of_n",
    "best_of_n_mix",
    "calibrate_alpha",
    "calibrate_mix",
    "calibration_grid",
]
