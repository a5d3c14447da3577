"""Shared set-up for benchmarks: one thread everywhere (set before numpy/torch import)."""

import os

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def one_thread_torch():
    import torch

    torch.set_num_threads(1)
