"""On-disk cache of extracted features, keyed by file content, extractor version and window.

Entries are ``.npz`` files read with ``allow_pickle=False`` (a cache file is data, never code) and
written atomically, so a killed run leaves either a whole entry or none.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from genreblender.paths import cache_dir


def _features_dir() -> Path:
    return cache_dir() / "features"


def cache_key(path: str | Path, window_s: float, hop_s: float | None) -> str:
    """sha256 of the file's bytes + extractor version + window settings."""
    from genreblender.classification.features import EXTRACTOR_VERSION

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|{EXTRACTOR_VERSION}|{window_s!r}|{hop_s!r}".encode())
    return digest.hexdigest()


def load(key: str):
    """The cached :class:`WindowFeatures` for ``key``, or None (a damaged entry is a miss)."""
    from genreblender.classification.features import WindowFeatures

    entry = _features_dir() / f"{key}.npz"
    if not entry.exists():
        return None
    try:
        with np.load(entry, allow_pickle=False) as data:
            return WindowFeatures(
                features=data["features"],
                starts_s=data["starts_s"],
                ends_s=data["ends_s"],
                duration_s=float(data["duration_s"]),
            )
    except (OSError, ValueError, KeyError):
        entry.unlink(missing_ok=True)
        return None


def store(key: str, features) -> None:
    """Write an entry atomically; a read-only cache directory is not an error."""
    directory = _features_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".part.npz")
        os.close(fd)
        np.savez(
            tmp,
            features=features.features,
            starts_s=features.starts_s,
            ends_s=features.ends_s,
            duration_s=np.float64(features.duration_s),
        )
        os.replace(tmp, directory / f"{key}.npz")
    except OSError:
        Path(locals().get("tmp", directory / "none")).unlink(missing_ok=True)
