"""librosa's numba kernels, compiled by one process at a time before work runs in parallel.

librosa compiles its numba kernels on first use and caches them next to its sources
(``cache=True``). Two processes compiling the same ``guvectorize`` kernel at once can leave a
cache whose wrapper and kernel do not match (numba issue #10128, open as of numba 0.68), and
every later process that loads it segfaults: seen here in ``librosa.piptrack`` after a first
parallel run on a fresh install, 1 time in 3. A cache written by one process is sound, so
set-up and every pool worker call :func:`warm_librosa_kernels`, which compiles (or loads)
them under a machine-wide lock before any analysis runs.
"""

from __future__ import annotations

import functools
import os
import tempfile

import numpy as np

#: Long enough for every code path of the feature extractor (one 3-s window and a tail)
_WARM_SECONDS = 4.0
#: One lock per machine (per user's temp dir): the caches it guards live in site-packages
LOCK_PATH = os.path.join(tempfile.gettempdir(), "genreblender-librosa-kernels.lock")


@functools.cache
def warm_librosa_kernels() -> None:
    """Compile, or load from librosa's cache, every numba kernel the product's analysis uses
    (the feature extractor's pitch tracking, onsets, tempo and peak picking; the composer and
    the listeners use no others), holding :data:`LOCK_PATH` so that no two processes compile
    at once. Once per process: ~17 s on a fresh install, ~1.5 s once the cache is written."""
    from filelock import FileLock

    from genreblender.audio import SAMPLE_RATE
    from genreblender.classification.features import extract_windows

    noise = np.random.default_rng(0).normal(0.0, 0.1, int(_WARM_SECONDS * SAMPLE_RATE))
    with FileLock(LOCK_PATH):
        extract_windows(noise.astype(np.float32), SAMPLE_RATE, window_s=3.0)
