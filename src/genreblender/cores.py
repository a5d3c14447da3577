"""How many cores a piece of work may use.

A process pool (a sweep's workers, the HTTP API's workers) already runs one job per core, so
work inside one of its workers must not spread over every core again: the pool marks each
worker (:func:`mark_pool_worker`), and :func:`cores_for_one_job` then answers 1.
"""

import os

#: Set to "1" in each worker of this project's process pools (inherited by their children)
POOL_WORKER_ENV = "GENREBLENDER_POOL_WORKER"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def mark_pool_worker() -> None:
    """Call in a pool worker's initializer: its jobs get one core each."""
    os.environ[POOL_WORKER_ENV] = "1"


def cores_for_one_job() -> int:
    """Cores one job may spread over: 1 in a pool worker, else every available core."""
    if os.environ.get(POOL_WORKER_ENV) == "1":
        return 1
    return available_cores()
