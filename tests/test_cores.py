import os

from genreblender import cores
from genreblender.evaluation.executors import LocalExecutor


def _cores_seen_by_a_job(_item) -> tuple[int, str | None]:
    return cores.cores_for_one_job(), os.environ.get(cores.POOL_WORKER_ENV)


def test_a_process_pool_gives_each_job_one_core():
    seen = list(LocalExecutor(n_jobs=2).map_unordered(_cores_seen_by_a_job, [0, 1, 2]))
    assert seen == [(1, "1")] * 3
    # and the pool's marks stay in its workers, not in the process that ran the sweep
    assert os.environ.get(cores.POOL_WORKER_ENV) is None


def test_outside_a_pool_every_available_core(monkeypatch):
    monkeypatch.delenv(cores.POOL_WORKER_ENV, raising=False)
    monkeypatch.setattr(cores, "available_cores", lambda: 3)
    assert cores.cores_for_one_job() == 3


def test_available_cores_is_this_process_affinity():
    assert cores.available_cores() == len(os.sched_getaffinity(0))
