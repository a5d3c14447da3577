"""The HTTP API's bounded worker pool: CPU work off the event loop, and a queue that cannot grow.

Decoding, feature extraction and generation are CPU-bound Python (the HPSS medians, the
composer) that holds the GIL, so threads would not run two requests at once: the work runs in
worker *processes*, one per core by default, each with one math thread and its own classifier
and engines (loaded on first use). At most ``workers + queue`` requests are admitted at once; the
next one gets :class:`~genreblender.errors.BusyError` (HTTP 503 with ``Retry-After``) instead of
waiting in an unbounded line, so memory stays bounded and the event loop stays free for
``/health``.

``kind="thread"`` runs the same jobs on threads in the server process: the tests use it so that
stand-ins patched into this process are seen by the jobs.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from genreblender.cores import available_cores
from genreblender.errors import BusyError

#: Seconds a client is asked to wait before retrying a request refused as busy.
RETRY_AFTER_S = 2
#: Requests that may wait per worker. A waiting upload is a file on disk, not memory, so the
#: queue can be deep enough for a burst of 8 clients on 2 cores.
QUEUE_PER_WORKER = 4


def default_workers() -> int:
    """One worker per core this process may use."""
    return available_cores()


# -- the jobs (module level: a process pool pickles them by name) --------------------------------
def _classifier(listener: str | None = None):
    from genreblender.classification.listeners import get_listener

    return get_listener(listener)  # cached per process


@functools.lru_cache(maxsize=2)
def _generator(engine: str):
    from genreblender.generation import get_generator

    return get_generator(engine)


def warm_job() -> None:
    """Import the analysis stack and load the classifier, so the first request does not wait."""
    _classifier()


def classify_job(path: str, name: str, listener: str | None = None):
    """Classify a file (a private copy of an upload called ``name``); a ClassificationResult."""
    from genreblender.app import services

    return services.classify_file(name, path, _classifier(listener))


def blend_job(request: dict[str, Any], listener: str | None = None):
    """Generate, classify and score one blend; a :class:`~genreblender.app.services.BlendRun`."""
    from genreblender.app import services
    from genreblender.evaluation.ears import other_listener_ears

    classifier = _classifier(listener)
    # the listeners that did not steer score the track too (the judge does not: it costs
    # seconds per request; ``genreblender blend`` and sweeps with ``--judge`` add it)
    return services.run_blend(
        **request,
        generator=_generator(request["engine"]),
        classifier=classifier,
        ears=other_listener_ears(classifier.name),
    )


def _process_initializer() -> None:
    from genreblender.evaluation.executors import worker_initializer

    worker_initializer()


class WorkPool:
    """At most ``workers`` jobs run at once and ``queue`` more wait; beyond that, BusyError."""

    def __init__(self, workers: int | None = None, queue: int | None = None, kind: str = "process"):
        if kind not in ("process", "thread"):
            raise ValueError(f"kind must be 'process' or 'thread', got {kind!r}")
        self.workers = workers or default_workers()
        self.queue = QUEUE_PER_WORKER * self.workers if queue is None else queue
        if self.workers < 1 or self.queue < 0:
            raise ValueError(f"workers must be >= 1 and queue >= 0, got {workers}, {queue}")
        self.kind = kind
        self._lock = threading.Lock()
        self._admitted = 0
        self._executor: Executor | None = None

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def _get_executor(self) -> Executor:
        if self._executor is None:
            if self.kind == "thread":
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="gb-work")
            else:
                # spawn, not fork: the server process has threads (event loop, uvicorn)
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_process_initializer,
                )
        return self._executor

    def _release(self, _future: Future | None = None) -> None:
        with self._lock:
            self._admitted -= 1

    async def run(self, fn: Callable, *args: Any) -> Any:
        """Run ``fn(*args)`` on a worker and return its result; raise BusyError when full."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise BusyError(
                    f"the server is busy ({self._admitted} requests running or queued); "
                    f"retry in {RETRY_AFTER_S} s",
                    retry_after_s=RETRY_AFTER_S,
                )
            self._admitted += 1
        try:
            future = self._get_executor().submit(fn, *args)
        except BaseException:
            self._release()
            raise
        # released when the job really ends, not when a disconnected client stops waiting
        future.add_done_callback(self._release)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # a worker died (killed, out of memory): start a fresh pool for the next requests
            self._reset()
            raise BusyError(
                "a worker process died while handling this request; it has been restarted, "
                f"retry in {RETRY_AFTER_S} s",
                retry_after_s=RETRY_AFTER_S,
            ) from None

    def warm(self, fn: Callable) -> None:
        """Start every worker now with ``fn`` (not awaited, not counted against the queue)."""
        executor = self._get_executor()
        for _ in range(self.workers):
            executor.submit(fn)

    def _reset(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the workers (pending jobs are cancelled)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
