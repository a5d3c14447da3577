"""Sweeps: generate, classify and score every (pair, alpha, seed), or every (mix, seed),
resumably.

A sweep is a plan of jobs, each identified by a key built from every input that produced it.
Results are appended to ``DIR/results.csv`` one row per finished job, flushed and fsynced, so a
killed sweep loses at most the jobs in flight; on restart the rows already there are read
(a torn last line is cut off), their keys skipped, and nothing is counted twice. The runner
hands jobs to an executor (:mod:`genreblender.evaluation.executors`: local processes or Ray)
and does not care which.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from genreblender.classification.listeners import DEFAULT_LISTENER, validate_listener
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, validate_alpha, validate_genre
from genreblender.mixes import Mix, Morph, parse_mix, parse_mix_curve

STRATEGIES = ("plain", "best_of_n", "calibrate")
RESULTS_FILE = "results.csv"
SUMMARY_FILE = "summary.json"
PLAN_FILE = "plan.json"

log = logging.getLogger(__name__)


def all_pairs() -> list[tuple[str, str]]:
    """The 45 unordered pairs of distinct GTZAN genres, A before B alphabetically."""
    return list(itertools.combinations(GENRES, 2))


def parse_pairs(text: str | None) -> list[tuple[str, str]]:
    """``"jazz:metal,classical:hiphop"`` → pairs; None or empty → all 45."""
    if not text:
        return all_pairs()
    pairs = []
    for item in text.split(","):
        parts = item.strip().split(":")
        if len(parts) != 2:
            raise InvalidInputError(f"pair {item!r} must look like genreA:genreB (e.g. jazz:metal)")
        a, b = validate_genre(parts[0]), validate_genre(parts[1])
        if a == b:
            raise InvalidInputError(f"pair {item!r}: the two genres must differ")
        pairs.append((a, b))
    return list(dict.fromkeys(pairs))


def parse_alphas(text: str) -> list[float]:
    try:
        values = [validate_alpha(float(x)) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidInputError(
            f"alphas must be numbers in [0, 1] separated by commas: {text!r}"
        ) from None
    if not values:
        raise InvalidInputError("give at least one alpha")
    return sorted(set(values))


def parse_mixes(texts) -> tuple[str, ...]:
    """Mixes (each ``jazz=0.5,metal=0.3,reggae=0.2`` or a :class:`Mix`) → their canonical texts,
    each once, in the order given."""
    mixes = [parse_mix(t).text for t in texts]
    if not mixes:
        raise InvalidInputError("give at least one mix")
    return tuple(dict.fromkeys(mixes))


def parse_morphs(texts) -> tuple[str, ...]:
    """Curves (each ``0:jazz=1,metal=0;60:jazz=0,metal=1`` or a :class:`Morph`) → their canonical
    texts, each once, in the order given."""
    morphs = [parse_mix_curve(t).text for t in texts]
    if not morphs:
        raise InvalidInputError("give at least one curve")
    return tuple(dict.fromkeys(morphs))


@dataclass(frozen=True)
class SweepSpec:
    """A sweep's plan: ``pairs`` × ``alphas`` × seeds, or (when ``mixes`` is given: canonical
    mix texts, :func:`parse_mixes`) ``mixes`` × seeds, or (``morphs``: canonical curve texts,
    :func:`parse_morphs`) ``morphs`` × seeds."""

    engine: str = "composer"
    pairs: tuple[tuple[str, str], ...] = field(default_factory=lambda: tuple(all_pairs()))
    alphas: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    seeds: int = 3
    seconds: float = 10.0
    strategy: str = "plain"
    n_candidates: int = 4
    judge: str | None = None
    engine_options: tuple[tuple[str, Any], ...] = ()
    #: the listener that measures (and, for closed-loop strategies, steers) every track
    listener: str = DEFAULT_LISTENER
    #: mixes of several genres (canonical texts); when given, pairs and alphas are not used
    mixes: tuple[str, ...] = ()
    #: blends that move (canonical curve texts); when given, pairs, alphas and mixes are not
    morphs: tuple[str, ...] = ()

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise InvalidInputError(
                f"unknown strategy {self.strategy!r}; accepted: {', '.join(STRATEGIES)}"
            )
        if self.seeds < 1:
            raise InvalidInputError(f"seeds must be >= 1, got {self.seeds}")
        object.__setattr__(self, "listener", validate_listener(self.listener))
        from genreblender.generation.base import MAX_DURATION_S, MIN_DURATION_S

        if not MIN_DURATION_S <= self.seconds <= MAX_DURATION_S:
            raise InvalidInputError(
                f"seconds must be in [{MIN_DURATION_S:g}, {MAX_DURATION_S:g}], got {self.seconds}"
            )
        if self.mixes and self.morphs:
            raise InvalidInputError("a sweep takes mixes or curves, not both")
        if self.morphs:
            object.__setattr__(self, "morphs", parse_morphs(self.morphs))
            if self.strategy != "plain":
                raise InvalidInputError(
                    f"a curve is generated once (strategy plain); {self.strategy} steers a "
                    "fixed blend"
                )
            late = [m for m in self.morphs if parse_mix_curve(m).times[0] >= self.seconds]
            if late:
                raise InvalidInputError(
                    f"the curve {late[0]} starts after the {self.seconds:g}-s track ends"
                )
        if self.mixes:
            object.__setattr__(self, "mixes", parse_mixes(self.mixes))

    def jobs(self) -> list[dict[str, Any]]:
        if self.mixes:
            return self._mix_jobs()
        if self.morphs:
            return self._morph_jobs()
        return [
            self._job(a, b, alpha, seed)
            for (a, b), alpha, seed in itertools.product(self.pairs, self.alphas, range(self.seeds))
        ]

    def _mix_jobs(self) -> list[dict[str, Any]]:
        # genre_a, genre_b and alpha name the mix's first two genres and the first weight, so
        # every row reads like a pair's; the mix itself is the job's "mix"
        out = []
        for text, seed in itertools.product(self.mixes, range(self.seeds)):
            mix = parse_mix(text)
            out.append(self._job(mix.genres[0], mix.genres[1], mix.weights[0], seed, mix=text))
        return out

    def _morph_jobs(self) -> list[dict[str, Any]]:
        # genre_a, genre_b and alpha name the curve's first two genres and the first genre's
        # mean weight over the track; the curve itself is the job's "morph"
        out = []
        for text, seed in itertools.product(self.morphs, range(self.seeds)):
            morph = parse_mix_curve(text)
            alpha = morph.mean_mix(self.seconds).weights[0]
            out.append(self._job(morph.genres[0], morph.genres[1], alpha, seed, morph=text))
        return out

    def _job(self, genre_a, genre_b, alpha, seed, **target) -> dict[str, Any]:
        """One job's inputs and its key; ``target`` holds a mix sweep's ``mix`` or a sweep of
        curves' ``morph``."""
        job = {
            "engine": self.engine,
            "engine_options": json.dumps(dict(self.engine_options), sort_keys=True),
            **target,
            "genre_a": genre_a,
            "genre_b": genre_b,
            "alpha": float(alpha),
            "seed": int(seed),
            "seconds": float(self.seconds),
            "strategy": self.strategy,
            "n_candidates": int(self.n_candidates),
            "judge": self.judge or "",
            "listener": self.listener,
        }
        job["key"] = job_key(job)
        return job

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["pairs"] = [list(p) for p in self.pairs]
        d["engine_options"] = dict(self.engine_options)
        # a pair sweep's plan reads as it did before mixes and curves existed
        for name in ("mixes", "morphs"):
            if getattr(self, name):
                d[name] = list(getattr(self, name))
                d.pop("pairs", None), d.pop("alphas", None)
            else:
                d.pop(name)
        return d


#: The inputs of a job, as written in its row: its key is built from these.
JOB_FIELDS = (
    "engine",
    "engine_options",
    "genre_a",
    "genre_b",
    "alpha",
    "seed",
    "seconds",
    "strategy",
    "n_candidates",
    "judge",
    "listener",
)


def job_fields(job: dict[str, Any]) -> tuple[str, ...]:
    """The input fields of ``job``: a mix sweep's jobs also have their ``mix``, a sweep of
    curves' their ``morph``."""
    return (*JOB_FIELDS, *(f for f in ("mix", "morph") if f in job))


def job_key(job: dict[str, Any]) -> str:
    return "|".join(
        f"{job[f]:.6g}" if isinstance(job[f], float) else str(job[f]) for f in job_fields(job)
    )


# -- the work of one job (runs in a worker process) ----------------------------------------------
_WORKER: dict[str, Any] = {}


def _worker_parts(engine: str, engine_options: str, judge: str, listener: str):
    """Engine, listener and judge, built once per worker process."""
    key = (engine, engine_options, judge, listener)
    if _WORKER.get("key") != key:
        from genreblender.classification.listeners import get_listener
        from genreblender.generation import get_generator

        _WORKER.clear()
        _WORKER["key"] = key
        _WORKER["generator"] = get_generator(engine, **json.loads(engine_options))
        _WORKER["classifier"] = get_listener(listener)
        if judge:
            from genreblender.evaluation.judges import MusicnnJudge

            _WORKER["judge"] = MusicnnJudge(judge)
    return _WORKER["generator"], _WORKER["classifier"], _WORKER.get("judge")


#: Figures written for every ear beside the steering listener, as ``<prefix><figure>`` columns
#: (``judge_alpha_hat``...); empty when the ear cannot see A or B.
EAR_FIGURES = (
    "alpha_hat",
    "abs_alpha_error",
    "on_target_mass",
    "js",
    "top2_match",
    "landed",
    "weight_error",
    "topk_match",
)


def ear_columns(prefix: str, view: dict[str, Any]) -> dict[str, Any]:
    """One ear's result columns from its :func:`~genreblender.evaluation.ears.hear` view (and,
    for a curve, its timeline figures)."""
    metrics = view["metrics"] or {}
    row = {f"{prefix}{name}": metrics.get(name, "") for name in EAR_FIGURES}
    row[f"{prefix}scores"] = json.dumps(view["predicted"], sort_keys=True)
    if "morph" in view:
        row.update(morph_columns(prefix, view["morph"]))
    return row


#: A curve's figures, as ``<prefix>morph_<figure>`` columns (empty when undefined: Spearman
#: over a curve that does not move, or an ear that cannot see a genre of it)
MORPH_FIGURES = ("tracking_error", "spearman", "tracking_error_raw", "spearman_raw")


def morph_columns(prefix: str, timeline: dict[str, Any] | None) -> dict[str, Any]:
    """One ear's curve columns: its figures, and its timeline (window centres, asked, heard per
    window and over spans) as JSON for the report."""
    timeline = timeline or {}
    row = {
        f"{prefix}morph_{name}": "" if timeline.get(name) is None else timeline[name]
        for name in MORPH_FIGURES
    }
    keep = ("times_s", "asked", "heard", "heard_smoothed", "span_s")
    row[f"{prefix}morph_timeline"] = json.dumps({k: timeline[k] for k in keep if k in timeline})
    return row


def _job_target(job: dict[str, Any]) -> Mix | Morph:
    if job.get("morph"):
        return parse_mix_curve(job["morph"])
    if job.get("mix"):
        return parse_mix(job["mix"])
    return Mix.pair(job["genre_a"], job["genre_b"], job["alpha"])


def _trial_summary(trial: dict[str, Any]) -> dict[str, Any]:
    keep = ("seed", "internal_alpha", "alpha_hat", "on_target_mass", "js", "landed", "goal_met")
    return {k: trial[k] for k in keep} | {"kept": trial["kept"]}


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Generate, classify and score one job; return its result row (inputs + outputs)."""
    from genreblender import __version__
    from genreblender.evaluation.closed_loop import best_of_n_mix, calibrate_mix
    from genreblender.evaluation.ears import as_ear, hear_mix, other_listener_ears
    from genreblender.evaluation.morph import sections_timeline
    from genreblender.evaluation.track import as_mono, evaluate_mix, evaluate_morph
    from genreblender.generation.base import generate_blend

    generator, classifier, judge = _worker_parts(
        job["engine"], job["engine_options"], job["judge"], job["listener"]
    )
    target = _job_target(job)
    alpha, seed, seconds = job["alpha"], job["seed"], job["seconds"]
    started = time.perf_counter()
    internal_alpha, n_generations, loop = alpha, 1, None
    morph = target if isinstance(target, Morph) else None
    # the other listeners hear the same track (they never steer); one not installed is left out
    ears = [
        ear
        for ear in other_listener_ears(getattr(classifier, "name", job["listener"]))
        if ear.model is not None
    ]
    if judge is not None:
        ears.append(as_ear(judge, "judge"))
    if morph is not None:
        # a curve: scored against its time average, and over time by every ear
        result = generate_blend(generator, morph, seconds, seed)
        evaluation = evaluate_morph(
            result.audio, result.sample_rate, morph, seconds, classifier=classifier, ears=ears
        )
        target = morph.mean_mix(seconds)
    elif job["strategy"] == "plain":
        result = generate_blend(generator, target, seconds, seed)
        evaluation = evaluate_mix(result.audio, result.sample_rate, target, classifier=classifier)
    else:
        if job["strategy"] == "best_of_n":
            seeds = [seed * 1000 + i for i in range(job["n_candidates"])]
            loop = best_of_n_mix(
                generator, target, seconds, seeds, classifier=classifier, internal_alpha=alpha
            )
        else:
            loop = calibrate_mix(generator, target, seconds, seed, classifier=classifier)
        result, evaluation = loop.result, loop.evaluation
        internal_alpha, n_generations = loop.internal_alpha, len(loop.trials)
    row = dict(job)
    row.update(evaluation.metrics.to_dict())
    row["heard_weights"] = json.dumps(row["heard_weights"])
    row.update(
        {
            f"p_{g}": float(p)
            for g, p in zip(
                evaluation.classification.genres,
                evaluation.classification.probabilities,
                strict=True,
            )
        }
    )
    # the listener's timeline (3-s windows for mel-cnn), for the report's per-track view
    row["segment_starts_s"] = json.dumps(
        [round(float(x), 2) for x in evaluation.classification.segment_starts_s]
    )
    row["segment_probabilities"] = json.dumps(
        [[round(float(p), 3) for p in r] for r in evaluation.classification.segment_probabilities]
    )
    row["internal_alpha"] = float(internal_alpha)
    row["n_generations"] = n_generations
    # the closed loop: did it reach its goal, by how much it missed, every trial it ran
    row["goal_reached"] = "" if loop is None else loop.reached
    row["missed_by"] = "" if loop is None else json.dumps(loop.missed_by, sort_keys=True)
    row["trials"] = "" if loop is None else json.dumps([_trial_summary(t) for t in loop.trials])
    row["model_version"] = result.metadata.get("model_version", "")
    row["classifier"] = json.dumps(evaluation.classification.model, sort_keys=True)
    row["code_version"] = __version__
    if morph is not None:
        row.update(morph_columns("", evaluation.morph["timeline"]))
        # what the plan itself allows: an ideal listener hearing each window's time shares
        sections = result.metadata.get("blend", {}).get("sections")
        plan = None
        if sections:
            c = evaluation.classification
            plan = sections_timeline(sections, c.segment_starts_s, c.segment_ends_s, morph)
        row.update(
            {
                f"plan_morph_{name}": "" if plan is None or plan[name] is None else plan[name]
                for name in MORPH_FIGURES
            }
        )
        views = evaluation.ears
    else:
        mono = as_mono(result.audio)
        views = [hear_mix(ear, mono, result.sample_rate, target) for ear in ears]
    for ear, view in zip(ears, views, strict=True):
        row.update(ear_columns(f"{ear.name}_", view))
    if judge is None:
        row.update({f"judge_{name}": "" for name in (*EAR_FIGURES, "scores")})
        if morph is not None:
            row.update(morph_columns("judge_", None))
    row["seconds_taken"] = round(time.perf_counter() - started, 3)
    return row


# -- the store ------------------------------------------------------------------------------------
#: What made a row, beside its inputs: the engine's version (a composer's styles included) and
#: the listener's model. A sweep's rows must all come from one of each to be one table.
VERSION_COLUMNS = ("model_version", "classifier")


def _versions(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row.get(column, "")) for column in VERSION_COLUMNS)


def _check_versions(store: ResultStore, row: dict[str, Any], out_dir: Path) -> None:
    """Refuse to add ``row`` to results made by another engine or listener version: the job
    keys hold only the inputs, so a resumed sweep would otherwise mix versions in one table."""
    _refuse_other_versions(store, _versions(row), out_dir)


def _check_versions_before_resuming(store: ResultStore, job: dict[str, Any], out_dir: Path):
    """Refuse, before any work, to resume results made by another version. A sweep whose rows
    are all done makes no new row to check, so without this a re-run after an engine or
    listener change would report the old version's figures as this one's."""
    if not store.versions:
        return
    generator, listener, _ = _worker_parts(
        job["engine"], job["engine_options"], "", job["listener"]
    )
    # None where a version is known only once a track is made (MusicGen's model revision):
    # the check of the first new row covers it
    engine_version = getattr(generator, "model_version", None)
    describe = getattr(listener, "describe", None)
    classifier = json.dumps(describe(), sort_keys=True) if describe else None
    _refuse_other_versions(store, (engine_version, classifier), out_dir)


def _refuse_other_versions(store: ResultStore, made: tuple, out_dir: Path) -> None:
    """``made``: this run's :data:`VERSION_COLUMNS` (None where not known)."""
    if not store.versions:
        return
    for stored in store.versions:
        if all(now is None or str(now) == was for was, now in zip(stored, made, strict=True)):
            return
    old = sorted(store.versions)[0]
    changed = [
        f"{column} {was!r}, this run {now!r}"
        for column, was, now in zip(VERSION_COLUMNS, old, made, strict=True)
        if now is not None and was != str(now)
    ]
    raise InvalidInputError(
        f"{out_dir} holds {len(store.done)} results made by another version ("
        + "; ".join(changed)
        + "); they are left as they are: use another --out folder (or delete this one) to "
        "sweep with the current version"
    )


# How each output column of a row must parse; every column not named here must be a finite
# number (the metrics, p_<genre>, internal_alpha, n_generations, seconds_taken...).
_TEXT_COLUMNS = frozenset({"key", "model_version", "code_version"})
_JSON_COLUMNS = frozenset(
    {"classifier", "segment_starts_s", "segment_probabilities", "heard_weights"}
)
#: empty for a plain strategy (no closed loop) or an ear that could not score the track
_OPTIONAL_JSON_COLUMNS = frozenset({"trials", "missed_by"})
_BOOL_COLUMNS = frozenset({"top2_match", "landed", "topk_match"})
_OPTIONAL_BOOL_COLUMNS = frozenset({"goal_reached"})


def _column_kind(column: str) -> tuple[str, bool]:
    """``(kind, may be empty)`` of a result column: text, json, bool or number. Every other
    ear's columns (``judge_landed``, ``features-mlp_js``...) may be empty: the judge cannot see
    reggae, and an ear may not be able to score a track."""
    if column in _TEXT_COLUMNS:
        return "text", True
    if column in _JSON_COLUMNS:
        return "json", False
    if column in _OPTIONAL_JSON_COLUMNS or column.endswith(("_scores", "morph_timeline")):
        return "json", True
    if "morph_" in column:  # a curve's figures: Spearman is undefined on a curve that is flat
        return "number", True
    if column in _BOOL_COLUMNS:
        return "bool", False
    if column in _OPTIONAL_BOOL_COLUMNS or column.endswith(
        ("_top2_match", "_landed", "_topk_match")
    ):
        return "bool", True
    ear_figure = any(column.endswith(f"_{name}") for name in EAR_FIGURES)
    return "number", ear_figure


def _column_error(column: str, value: str) -> str | None:
    """Why ``value`` cannot be the ``column`` of a result row, or None if it can."""
    kind, optional = _column_kind(column)
    if kind == "text" or (optional and value == ""):
        return None
    if kind == "bool":
        return None if value in ("True", "False") else f"{column}={value!r} is not True/False"
    if kind == "json":
        try:
            json.loads(value)
        except ValueError:
            return f"{column} is not JSON"
        return None
    try:
        number = float(value)
    except ValueError:
        return f"{column}={value[:40]!r} is not a number"
    return None if math.isfinite(number) else f"{column}={value!r} is not finite"


class ResultStore:
    """Append-only CSV of result rows, safe to resume after a kill.

    On opening an existing file every line is checked: valid UTF-8, as many fields as the
    header, a key not seen before, and, given the plan's ``jobs``, a key of the plan whose
    inputs match it and outputs that all parse. A line that fails (a torn or half-written row, a
    corrupted value, junk) is dropped with a warning, the file is rewritten without it, and its
    job is run again; a file whose header is unusable is set aside as ``results.csv.corrupt``.
    """

    def __init__(self, path: str | Path, jobs: list[dict[str, Any]] | None = None):
        self.path = Path(path)
        self.columns: list[str] | None = None
        self.done: set[str] = set()
        self.dropped: list[str] = []  # why each dropped line was dropped
        self._warned = False
        self._jobs = None if jobs is None else {job["key"]: job for job in jobs}
        #: the (engine version, listener) of each stored row, :data:`VERSION_COLUMNS`
        self.versions: set[tuple[str, ...]] = set()
        if self.path.exists():
            self._recover()

    def _row_error(self, fields: list[str]) -> str | None:
        assert self.columns is not None
        if len(fields) != len(self.columns):
            return f"{len(fields)} fields, the header has {len(self.columns)}"
        row = dict(zip(self.columns, fields, strict=True))
        key = row.get("key", "")
        if not key:
            return "no key"
        if key in self.done:
            return "a second row for a job already done"
        if self._jobs is None:
            return None
        job = self._jobs.get(key)
        if job is None:
            return "its key is not a job of this sweep"
        inputs = job_fields(job)
        for column in inputs:
            if row.get(column) != str(job[column]):
                return f"{column}={row.get(column)!r} does not match its key"
        for column, value in row.items():
            if column not in inputs and (problem := _column_error(column, value)):
                return problem
        return None

    def _recover(self) -> None:
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        torn = lines.pop()  # b"" after the final newline; else a row cut mid-write
        header = None
        if lines:
            try:
                header = next(csv.reader([lines[0].decode("utf-8")]))
            except (UnicodeDecodeError, csv.Error, StopIteration):
                header = None
        required = {"key"} | (set(JOB_FIELDS) if self._jobs is not None else set())
        if not header or len(set(header)) != len(header) or not required <= set(header):
            if not raw.strip():
                self.path.unlink()
                return
            aside = self.path.with_name(self.path.name + ".corrupt")
            os.replace(self.path, aside)
            log.warning(
                "%s: the header is unusable; set aside as %s, starting afresh", self.path, aside
            )
            return
        self.columns = header
        kept = [lines[0]]
        for number, line in enumerate(lines[1:], start=2):
            try:
                fields = next(csv.reader([line.decode("utf-8")]), [])
            except UnicodeDecodeError:
                problem = "not valid UTF-8"
            except csv.Error as exc:
                problem = f"not CSV ({exc})"
            else:
                problem = self._row_error(fields)
            if problem:
                self.dropped.append(f"line {number}: {problem}")
                continue
            kept.append(line)
            self.done.add(fields[self.columns.index("key")])
            self.versions.add(_versions(dict(zip(self.columns, fields, strict=True))))
        if torn:
            self.dropped.append(f"line {len(lines) + 1}: cut off mid-write")
        if self.dropped:
            for reason in self.dropped[:10]:
                log.warning("%s: dropped %s; that job runs again", self.path, reason)
            if len(self.dropped) > 10:
                log.warning("%s: dropped %d more lines", self.path, len(self.dropped) - 10)
            self._rewrite(b"".join(line + b"\n" for line in kept))

    def _rewrite(self, data: bytes) -> None:
        tmp = self.path.with_name(f".{self.path.name}.part")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def append(self, row: dict[str, Any]) -> None:
        if row["key"] in self.done:
            return
        new_file = self.columns is None
        if new_file:
            self.columns = list(row)
        extra = set(row) - set(self.columns)
        if extra:
            # a file begun by an earlier version (before the mix figures, say): its rows keep
            # its columns, so a resumed sweep reads as one table
            if not self._warned:
                log.warning(
                    "%s was begun without the columns %s; resumed rows leave them out",
                    self.path,
                    ", ".join(sorted(extra)),
                )
                self._warned = True
            row = {k: v for k, v in row.items() if k in self.columns}
        if any("\n" in str(v) or "\r" in str(v) for v in row.values()):
            raise ValueError("a result value holds a line break: rows must stay one line each")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n")
        if new_file:
            writer.writeheader()
        writer.writerow(row)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        self.done.add(row["key"])
        self.versions.add(_versions(row))


def run_sweep(
    spec: SweepSpec, out_dir: str | Path, executor=None, progress: bool = True, report: bool = True
) -> dict[str, Any]:
    """Run (or resume) ``spec`` into ``out_dir``; write the summary (and report); return it."""
    from tqdm import tqdm

    from genreblender.evaluation.executors import LocalExecutor
    from genreblender.evaluation.summary import summarize_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan_path = out_dir / PLAN_FILE
    plan = json.loads(json.dumps(spec.to_dict()))  # as it reads back from disk
    if plan_path.exists():
        try:
            previous = json.loads(plan_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise InvalidInputError(
                f"{plan_path} is damaged (not JSON); use another --out folder or delete it"
            ) from None
        if previous != plan:
            raise InvalidInputError(
                f"{out_dir} holds a sweep with different settings ({plan_path}); "
                "use another --out folder or delete it"
            )
    else:
        plan_path.write_text(json.dumps(plan, indent=1) + "\n")
    jobs = spec.jobs()
    store = ResultStore(out_dir / RESULTS_FILE, jobs)
    todo = [job for job in jobs if job["key"] not in store.done]
    if jobs:
        _check_versions_before_resuming(store, jobs[0], out_dir)
    executor = executor or LocalExecutor()
    with tqdm(
        total=len(jobs),
        initial=len(jobs) - len(todo),
        desc="sweep",
        unit="track",
        disable=not progress,
    ) as bar:
        for row in executor.map_unordered(run_job, todo):
            _check_versions(store, row, out_dir)
            store.append(row)
            bar.update(1)
    summary = summarize_file(out_dir / RESULTS_FILE)
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n")
    if report:
        from genreblender.evaluation.report import write_report

        write_report(out_dir)
    return summary
