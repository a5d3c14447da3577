"""Sweeps: generate, classify and score every (pair, alpha, seed), resumably.

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
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from genreblender.classification.listeners import DEFAULT_LISTENER, validate_listener
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, validate_alpha, validate_genre

STRATEGIES = ("plain", "best_of_n", "calibrate")
RESULTS_FILE = "results.csv"
SUMMARY_FILE = "summary.json"
PLAN_FILE = "plan.json"


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


@dataclass(frozen=True)
class SweepSpec:
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

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise InvalidInputError(
                f"unknown strategy {self.strategy!r}; accepted: {', '.join(STRATEGIES)}"
            )
        if self.seeds < 1:
            raise InvalidInputError(f"seeds must be >= 1, got {self.seeds}")
        object.__setattr__(self, "listener", validate_listener(self.listener))
        if not 0 < self.seconds <= 600:
            raise InvalidInputError(f"seconds must be in (0, 600], got {self.seconds}")

    def jobs(self) -> list[dict[str, Any]]:
        out = []
        for (a, b), alpha, seed in itertools.product(self.pairs, self.alphas, range(self.seeds)):
            job = {
                "engine": self.engine,
                "engine_options": json.dumps(dict(self.engine_options), sort_keys=True),
                "genre_a": a,
                "genre_b": b,
                "alpha": float(alpha),
                "seed": int(seed),
                "seconds": float(self.seconds),
                "strategy": self.strategy,
                "n_candidates": int(self.n_candidates),
                "judge": self.judge or "",
                "listener": self.listener,
            }
            job["key"] = job_key(job)
            out.append(job)
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["pairs"] = [list(p) for p in self.pairs]
        d["engine_options"] = dict(self.engine_options)
        return d


def job_key(job: dict[str, Any]) -> str:
    fields = (
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
    return "|".join(f"{job[f]:.6g}" if isinstance(job[f], float) else str(job[f]) for f in fields)


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


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Generate, classify and score one job; return its result row (inputs + outputs)."""
    from genreblender import __version__
    from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
    from genreblender.evaluation.track import evaluate_track, judge_view

    generator, classifier, judge = _worker_parts(
        job["engine"], job["engine_options"], job["judge"], job["listener"]
    )
    a, b, alpha, seed, seconds = (
        job["genre_a"],
        job["genre_b"],
        job["alpha"],
        job["seed"],
        job["seconds"],
    )
    started = time.perf_counter()
    internal_alpha, n_generations = alpha, 1
    if job["strategy"] == "plain":
        result = generator.generate(a, b, alpha, seconds, seed)
        evaluation = evaluate_track(
            result.audio, result.sample_rate, a, b, alpha, classifier=classifier
        )
    else:
        if job["strategy"] == "best_of_n":
            seeds = [seed * 1000 + i for i in range(job["n_candidates"])]
            loop = best_of_n(generator, a, b, alpha, seconds, seeds, classifier=classifier)
        else:
            loop = calibrate_alpha(generator, a, b, alpha, seconds, seed, classifier=classifier)
        result, evaluation = loop.result, loop.evaluation
        internal_alpha, n_generations = loop.internal_alpha, len(loop.trials)
    row = dict(job)
    row.update(evaluation.metrics.to_dict())
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
    row["model_version"] = result.metadata.get("model_version", "")
    row["classifier"] = json.dumps(evaluation.classification.model, sort_keys=True)
    row["code_version"] = __version__
    if judge is not None:
        mono = result.audio.mean(axis=1) if result.audio.ndim == 2 else result.audio
        view = judge_view(judge, mono, result.sample_rate, a, b, alpha)
        row["judge_alpha_hat"] = "" if view["alpha_hat"] is None else float(view["alpha_hat"])
        row["judge_scores"] = json.dumps(view["scores"], sort_keys=True)
    else:
        row["judge_alpha_hat"] = ""
        row["judge_scores"] = ""
    row["seconds_taken"] = round(time.perf_counter() - started, 3)
    return row


# -- the store ------------------------------------------------------------------------------------
class ResultStore:
    """Append-only CSV of result rows, safe to resume after a kill."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.columns: list[str] | None = None
        self.done: set[str] = set()
        if self.path.exists():
            self._recover()

    def _recover(self) -> None:
        raw = self.path.read_bytes()
        if raw and not raw.endswith(b"\n"):
            # the process died mid-write: cut the torn line so it is neither lost twice nor parsed
            raw = raw[: raw.rfind(b"\n") + 1]
            with open(self.path, "r+b") as handle:
                handle.truncate(len(raw))
        reader = csv.DictReader(io.StringIO(raw.decode()))
        self.columns = reader.fieldnames
        for row in reader:
            if row.get("key"):
                self.done.add(row["key"])

    def append(self, row: dict[str, Any]) -> None:
        if row["key"] in self.done:
            return
        new_file = self.columns is None
        if new_file:
            self.columns = list(row)
        extra = set(row) - set(self.columns)
        if extra:
            raise ValueError(f"row has columns the results file lacks: {sorted(extra)}")
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
        previous = json.loads(plan_path.read_text())
        if previous != plan:
            raise InvalidInputError(
                f"{out_dir} holds a sweep with different settings ({plan_path}); "
                "use another --out folder or delete it"
            )
    else:
        plan_path.write_text(json.dumps(plan, indent=1) + "\n")
    store = ResultStore(out_dir / RESULTS_FILE)
    jobs = spec.jobs()
    todo = [job for job in jobs if job["key"] not in store.done]
    executor = executor or LocalExecutor()
    with tqdm(
        total=len(jobs),
        initial=len(jobs) - len(todo),
        desc="sweep",
        unit="track",
        disable=not progress,
    ) as bar:
        for row in executor.map_unordered(run_job, todo):
            store.append(row)
            bar.update(1)
    summary = summarize_file(out_dir / RESULTS_FILE)
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n")
    if report:
        from genreblender.evaluation.report import write_report

        write_report(out_dir)
    return summary
