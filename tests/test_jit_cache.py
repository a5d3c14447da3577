"""librosa's numba kernels are compiled under a machine-wide lock, in every pool worker."""

import os

import pytest
from filelock import FileLock, Timeout

from genreblender import jit_cache
from genreblender.cores import POOL_WORKER_ENV
from genreblender.evaluation import executors


def test_warm_holds_the_lock_while_it_compiles(monkeypatch):
    seen = []

    def fake_extract(y, sr, window_s):
        # another holder (another process, or another open of the file) must be refused now
        with pytest.raises(Timeout):
            FileLock(jit_cache.LOCK_PATH, timeout=0).acquire()
        seen.append((len(y), sr, window_s))

    monkeypatch.setattr("genreblender.classification.features.extract_windows", fake_extract)
    jit_cache.warm_librosa_kernels.cache_clear()
    try:
        jit_cache.warm_librosa_kernels()
        jit_cache.warm_librosa_kernels()  # once per process
    finally:
        jit_cache.warm_librosa_kernels.cache_clear()
    assert seen == [(int(4.0 * 22050), 22050, 3.0)]
    # released afterwards: the next process may take it
    lock = FileLock(jit_cache.LOCK_PATH, timeout=0)
    lock.acquire()
    lock.release()


def test_pool_workers_warm_the_kernels(monkeypatch):
    import torch

    calls = []
    monkeypatch.setattr(executors, "warm_librosa_kernels", lambda: calls.append("warm"))
    monkeypatch.setattr(executors, "_exit_when_orphaned", lambda *a: None)
    # the initializer sets this process up as a one-thread worker: undone after the test
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    monkeypatch.setenv(POOL_WORKER_ENV, "0")
    threads = torch.get_num_threads()
    try:
        executors.worker_initializer()
    finally:
        torch.set_num_threads(threads)
    assert calls == ["warm"]
    assert os.environ[POOL_WORKER_ENV] == "1"  # its jobs get one core each
