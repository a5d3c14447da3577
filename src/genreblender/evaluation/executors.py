"""Where sweep jobs run: in this process, in a local process pool, or on a Ray cluster.

Each executor offers ``map_unordered(fn, items)``, yielding results as they finish; the sweep
runner knows nothing else about them. ``fn`` must be a module-level function (picklable).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from genreblender.cores import mark_pool_worker
from genreblender.errors import EngineUnavailableError, InvalidInputError
from genreblender.jit_cache import warm_librosa_kernels

#: How often a worker checks that the process that started it is still alive (seconds).
PARENT_POLL_S = 0.5


def _exit_when_orphaned(parent_pid: int, poll_s: float) -> None:
    while True:
        time.sleep(poll_s)
        # a dead parent re-parents us (to init or a subreaper): getppid changes
        if os.getppid() != parent_pid:
            os._exit(1)


def worker_initializer() -> None:
    """Run in each pool worker: one math thread, exit as soon as the parent is gone, and
    librosa's numba kernels compiled one worker at a time (:mod:`genreblender.jit_cache`).

    Each worker is one core's worth of work (nested BLAS/torch threads only fight each other).
    A parent that is killed (SIGKILL, OOM) cannot tell its workers to stop; without the watchdog
    they would finish their jobs and linger, holding hundreds of MB each.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    mark_pool_worker()  # e.g. the composer renders on one thread here, not on every core
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    watchdog = threading.Thread(
        target=_exit_when_orphaned,
        args=(os.getppid(), PARENT_POLL_S),
        name="parent-watchdog",
        daemon=True,
    )
    watchdog.start()
    warm_librosa_kernels()


def _warmed_call(fn: Callable, item: Any) -> Any:
    """``fn(item)`` on a Ray worker, after the worker's kernels are warm (once per worker)."""
    mark_pool_worker()  # a task has one CPU of the cluster
    warm_librosa_kernels()
    return fn(item)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers now (the pool's own shutdown would wait for
    every running job, which for MusicGen can be minutes)."""
    # the pool forgets its processes on shutdown: take them first
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


class InlineExecutor:
    """Runs jobs one after another in this process (tests, debugging)."""

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[Any]:
        for item in items:
            yield fn(item)


class LocalExecutor:
    """A process pool on this machine; all cores by default."""

    def __init__(self, n_jobs: int | None = None):
        n_jobs = n_jobs or os.cpu_count() or 1
        if n_jobs < 1:
            raise InvalidInputError(f"jobs must be >= 1, got {n_jobs}")
        self.n_jobs = n_jobs

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[Any]:
        items = list(items)
        if self.n_jobs == 1 or len(items) <= 1:
            yield from InlineExecutor().map_unordered(fn, items)
            return
        pool = ProcessPoolExecutor(self.n_jobs, initializer=worker_initializer)
        finished_cleanly = False
        try:
            pending = set()
            queue = iter(items)
            # keep a few jobs per worker in flight, not the whole plan (memory, quick stop)
            for item in queue:
                pending.add(pool.submit(fn, item))
                if len(pending) >= 2 * self.n_jobs:
                    break
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(fn, nxt))
            finished_cleanly = True
        finally:
            # on an error, Ctrl-C or an abandoned generator, the workers stop with the sweep
            if finished_cleanly:
                pool.shutdown(wait=True)
            else:
                _stop_workers(pool)


class RayExecutor:
    """Jobs as Ray tasks on the cluster at ``address`` ("auto", "ray://host:10001", or
    "local" for a Ray started in this process). Needs the ``ray`` extra."""

    def __init__(self, address: str = "auto", num_cpus: int | None = None):
        try:
            import ray
        except ImportError:
            raise EngineUnavailableError(
                "Ray is not installed: pip install 'genreblender[ray]' (or run without --ray)"
            ) from None
        self._ray = ray
        if not ray.is_initialized():
            if address == "local":
                ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=address, log_to_driver=False)

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[Any]:
        ray = self._ray
        remote = ray.remote(num_cpus=1)(_warmed_call)
        pending = [remote.remote(fn, item) for item in items]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
