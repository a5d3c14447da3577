"""A folder of audio in the GTZAN layout (``<root>/<genre>/<track>.wav|.au``) → a feature table.

Unreadable, corrupt or too-short files are reported and skipped (never a crash mid-run); genres
with no files are reported; folders that are not genres are refused up front.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from genreblender.audio import AUDIO_EXTENSIONS
from genreblender.errors import GenreBlenderError, InvalidInputError
from genreblender.genres import GENRES


@dataclass
class FolderExtraction:
    """Result of :func:`extract_folder`."""

    table: pd.DataFrame
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing_genres: list[str] = field(default_factory=list)


def list_audio_files(root: str | Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """``[(path, genre)]`` in sorted order, and the genres that have no files."""
    root = Path(root)
    if not root.is_dir():
        raise InvalidInputError(f"{root} is not a folder; expected <root>/<genre>/<track>.wav")
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    unknown = [p.name for p in subdirs if p.name not in GENRES]
    if unknown:
        raise InvalidInputError(
            f"{root}: folders {unknown} are not GTZAN genres; accepted: {', '.join(GENRES)}"
        )
    files = []
    for sub in subdirs:
        for path in sorted(sub.iterdir()):
            if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS:
                files.append((path, sub.name))
    present = {genre for _, genre in files}
    if not files:
        raise InvalidInputError(
            f"{root}: no audio files ({', '.join(AUDIO_EXTENSIONS)}) under <genre>/ folders"
        )
    return files, [g for g in GENRES if g not in present]


def _extract_one(args):
    from genreblender.classification.features import extract_file

    path, window_s, hop_s, cache = args
    try:
        return extract_file(path, window_s=window_s, hop_s=hop_s, cache=cache), None
    except (GenreBlenderError, ValueError, OSError, RuntimeError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def extract_folder(
    root: str | Path,
    window_s: float = 3.0,
    hop_s: float | None = None,
    n_jobs: int = 2,
    cache: bool = True,
    progress: bool = True,
) -> FolderExtraction:
    """Features of every file under ``root`` in windows of ``window_s`` seconds.

    ``hop_s`` defaults to the window (no overlap), as GTZAN's 3-s table: rows are named
    ``blues.00000.3.wav`` (track, window index) like that table, with a ``track`` column; a
    window that covers the whole file keeps the file's own name, as the 30-s table.
    """
    from tqdm import tqdm

    from genreblender.classification.features import FEATURE_NAMES

    files, missing = list_audio_files(root)
    hop = window_s if hop_s is None else hop_s
    jobs = [(path, window_s, hop, cache) for path, _ in files]
    rows, skipped = [], []
    if n_jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            results = list(
                tqdm(
                    pool.map(_extract_one, jobs, chunksize=1),
                    total=len(jobs),
                    desc="features",
                    unit="file",
                    disable=not progress,
                )
            )
    else:
        results = [
            _extract_one(j) for j in tqdm(jobs, desc="features", unit="file", disable=not progress)
        ]
    for (path, genre), (windows, error) in zip(files, results, strict=True):
        if windows is None:
            skipped.append((str(path), error))
            continue
        stem = path.stem
        n_samples = int(round(windows.duration_s * 22050))
        for i in range(len(windows)):
            name = path.name if len(windows) == 1 else f"{stem}.{i}{path.suffix}"
            length = (
                n_samples
                if len(windows) == 1
                else int(round((windows.ends_s[i] - windows.starts_s[i]) * 22050))
            )
            rows.append([name, length, *windows.features[i], genre, stem])
    columns = ["filename", "length", *FEATURE_NAMES, "label", "track"]
    table = pd.DataFrame(rows, columns=columns)
    if not table.empty:
        table[list(FEATURE_NAMES)] = table[list(FEATURE_NAMES)].astype(np.float64)
    return FolderExtraction(table, skipped, missing)
