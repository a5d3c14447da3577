"""Where GenreBlender finds its shipped files, the optional shared data, and its cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Trained classifier artifacts shipped inside the package.
MODELS_DIR = PACKAGE_DIR / "classification" / "models"


def project_root() -> Path | None:
    """The source checkout's root when running from one (``src/genreblender`` layout), else None."""
    root = PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the project root, or ``$GENREBLENDER_SHARED_DATA``; None if absent.

    A user's machine has no shared folder: callers skip with a clear message when this is None.
    """
    env = os.environ.get("GENREBLENDER_SHARED_DATA")
    candidates = [Path(env)] if env else []
    root = project_root()
    if root is not None:
        candidates.append(root.parent / "shared" / "data")
    candidates.append(Path.cwd().parent / "shared" / "data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def cache_dir() -> Path:
    """Per-user cache (features etc.): ``$GENREBLENDER_CACHE`` or ``~/.cache/genreblender``."""
    env = os.environ.get("GENREBLENDER_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base if env else base / "genreblender"
    path.mkdir(parents=True, exist_ok=True)
    return path
