"""On-disk cache of extracted features, keyed by file content, extractor version and window.

Entries live in ``paths.cache_dir()/features`` as ``.npz`` files read with ``allow_pickle=False``
(a cache file is data, never code) and written atomically (temp file + rename), so a killed run
leaves either a whole entry or none. A damaged or foreign entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from genreblender.paths import cache_dir

# Part of every key besides EXTRACTOR_VERSION: bumped when entries written by an earlier working
# tree under the same version must not be served (2: STFT padding changed to match the tables).
_CACHE_REVISION = "2"


def _features_dir() -> Path:
    return cache_dir() / "features"


def cache_key(path: str | Path, window_s: float, hop_s: float | None) -> str:
    """The cache key of one file analysed with one window setting.

    Parameters
    ----------
    path : str or Path
        The audio file; its bytes are hashed, so a renamed copy hits and an edited file misses.
    window_s, hop_s : float
        The window settings passed to the extractor.

    Returns
    -------
    str
        Hex sha256 of the file's bytes, the extractor version and the window settings.
    """
    from genreblender.classification.features import EXTRACTOR_VERSION

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|{EXTRACTOR_VERSION}|{_CACHE_REVISION}|{window_s!r}|{hop_s!r}".encode())
    return digest.hexdigest()


def load(key: str):
    """The cached :class:`~genreblender.classification.features.WindowFeatures`, or None.

    A missing entry, or one that is damaged, holds objects, or has the wrong shapes, is a miss
    (and a damaged file is removed so it is rewritten).
    """
    from genreblender.classification.features import FEATURE_NAMES, WindowFeatures

    entry = _features_dir() / f"{key}.npz"
    if not entry.exists():
        return None
    try:
        with np.load(entry, allow_pickle=False) as data:
            result = WindowFeatures(
                features=np.asarray(data["features"], dtype=np.float64),
                starts_s=np.asarray(data["starts_s"], dtype=np.float64),
                ends_s=np.asarray(data["ends_s"], dtype=np.float64),
                duration_s=float(data["duration_s"]),
            )
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        entry.unlink(missing_ok=True)
        return None
    n = result.features.shape[0] if result.features.ndim == 2 else -1
    if (
        result.features.shape != (n, len(FEATURE_NAMES))
        or n < 1
        or result.starts_s.shape != (n,)
        or result.ends_s.shape != (n,)
    ):
        entry.unlink(missing_ok=True)
        return None
    return result


def store(key: str, features) -> None:
    """Write an entry atomically; a cache directory that cannot be written is not an error."""
    tmp = None
    try:
        directory = _features_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part.npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                features=np.asarray(features.features, dtype=np.float64),
                starts_s=np.asarray(features.starts_s, dtype=np.float64),
                ends_s=np.asarray(features.ends_s, dtype=np.float64),
                duration_s=np.float64(features.duration_s),
            )
        os.replace(tmp, directory / f"{key}.npz")
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
