"""A folder of audio in the GTZAN layout (``<root>/<genre>/<track>.wav|.au``) → a feature table.

Unreadable, corrupt or too-short files are reported and skipped (never a crash mid-run); genres
with no files are reported; folders that are not genres are refused up front. Files are analysed
in parallel processes (one per core by default) through the on-disk feature cache, so a second
run over the same folder only reads the cache.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from genreblender.audio import AUDIO_EXTENSIONS, SAMPLE_RATE
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES


@dataclass
class FolderExtraction:
    """Result of :func:`extract_folder`.

    Attributes
    ----------
    table : pd.DataFrame
        GTZAN table layout: ``filename``, ``length`` (samples at 22050 Hz), the 57 features,
        ``label``, plus ``track`` (the file's stem, shared by all windows of one file).
    skipped : list of (str, str)
        Files that were not analysed, with the reason.
    missing_genres : list of str
        GTZAN genres with no folder or no audio files.
    """

    table: pd.DataFrame
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing_genres: list[str] = field(default_factory=list)


def list_audio_files(
    root: str | Path,
) -> tuple[list[tuple[Path, str]], list[tuple[str, str]], list[str]]:
    """The audio files under ``root`` in the GTZAN layout.

    Parameters
    ----------
    root : str or Path
        A folder whose sub-folders are named after GTZAN genres.

    Returns
    -------
    files : list of (Path, str)
        Audio files (extensions in ``audio.AUDIO_EXTENSIONS``) and their genre, sorted.
    ignored : list of (str, str)
        Other files inside genre folders, with the reason (hidden files are left out).
    missing : list of str
        Genres without any audio file.

    Raises
    ------
    InvalidInputError
        If ``root`` is not a folder, has sub-folders that are not genres, or holds no audio.
    """
    root = Path(root)
    if not root.is_dir():
        raise InvalidInputError(f"{root} is not a folder; expected <root>/<genre>/<track>.wav")
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    unknown = [p.name for p in subdirs if p.name not in GENRES]
    if unknown:
        raise InvalidInputError(
            f"{root}: folders {unknown} are not GTZAN genres; accepted: {', '.join(GENRES)}"
        )
    files, ignored = [], []
    for sub in subdirs:
        for path in sorted(sub.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            if path.suffix.lower() in AUDIO_EXTENSIONS:
                files.append((path, sub.name))
            else:
                ignored.append(
                    (str(path), f"not an audio file; accepted: {', '.join(AUDIO_EXTENSIONS)}")
                )
    if not files:
        raise InvalidInputError(
            f"{root}: no audio files ({', '.join(AUDIO_EXTENSIONS)}) in <genre>/ folders "
            f"named {', '.join(GENRES)}"
        )
    present = {genre for _, genre in files}
    return files, ignored, [g for g in GENRES if g not in present]


def _worker_init() -> None:
    # each worker has one core: BLAS/FFT thread pools beyond that only contend
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    from genreblender.jit_cache import warm_librosa_kernels

    warm_librosa_kernels()


def _extract_one(args):
    """``(WindowFeatures, None)`` or ``(None, reason)``: a bad file must not stop the run."""
    from genreblender.classification.features import extract_file

    path, window_s, hop_s, cache = args
    try:
        return extract_file(path, window_s=window_s, hop_s=hop_s, cache=cache), None
    except Exception as exc:  # any failure on one file is that file's report, not the run's end
        return None, f"{type(exc).__name__}: {exc}"


def _run(jobs, n_jobs: int, progress: bool) -> list:
    from tqdm import tqdm

    bar = tqdm(total=len(jobs), desc="features", unit="file", disable=not progress)
    results: list = [None] * len(jobs)
    try:
        if n_jobs <= 1 or len(jobs) <= 1:
            for i, job in enumerate(jobs):
                results[i] = _extract_one(job)
                bar.update()
            return results
        with ProcessPoolExecutor(max_workers=n_jobs, initializer=_worker_init) as pool:
            futures = {pool.submit(_extract_one, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                try:
                    results[futures[future]] = future.result()
                except BrokenProcessPool:
                    # a worker died (e.g. a decoder crashed on a file): report, keep the rest
                    results[futures[future]] = (None, "the worker analysing it crashed")
                bar.update()
        return results
    finally:
        bar.close()


def extract_folder(
    root: str | Path,
    window_s: float = 3.0,
    hop_s: float | None = None,
    n_jobs: int = 2,
    cache: bool = True,
    progress: bool = True,
) -> FolderExtraction:
    """Features of every audio file under ``root`` in windows of ``window_s`` seconds.

    Parameters
    ----------
    root : str or Path
        ``<root>/<genre>/<track>.<ext>`` with genre folders named as ``genres.GENRES``.
    window_s : float > 0
        Window length; 3 s as GTZAN's ``features_3_sec.csv``, 30 s as ``features_30_sec.csv``.
    hop_s : float > 0 or None
        Hop between windows; ``None`` means the window itself (no overlap), as GTZAN's 3-s table.
    n_jobs : int
        Worker processes (``<= 1``: analyse in this process).
    cache : bool
        Use the on-disk feature cache.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    FolderExtraction
        A window covering the whole file keeps the file's name (``blues.00000.wav``, as the 30-s
        table); otherwise rows are named ``<stem>.<window index><ext>`` (``blues.00000.3.wav``,
        as the 3-s table). Files that failed are in ``skipped``; the table may then be empty.

    Raises
    ------
    InvalidInputError
        For a root that is not in the GTZAN layout (see :func:`list_audio_files`).
    """
    from genreblender.classification.features import FEATURE_NAMES, window_bounds

    files, skipped, missing = list_audio_files(root)
    hop = window_s if hop_s is None else hop_s
    window_bounds(10 * SAMPLE_RATE, SAMPLE_RATE, window_s, hop)  # refuse bad settings up front
    n_jobs = max(1, min(int(n_jobs), os.cpu_count() or 1))
    jobs = [(path, window_s, hop, cache) for path, _ in files]
    rows = []
    for (path, genre), (windows, error) in zip(files, _run(jobs, n_jobs, progress), strict=True):
        if windows is None:
            skipped.append((str(path), error))
            continue
        single = len(windows) == 1
        for i in range(len(windows)):
            name = path.name if single else f"{path.stem}.{i}{path.suffix}"
            length = int(round((windows.ends_s[i] - windows.starts_s[i]) * SAMPLE_RATE))
            rows.append([name, length, *windows.features[i], genre, path.stem])
    table = pd.DataFrame(rows, columns=["filename", "length", *FEATURE_NAMES, "label", "track"])
    table = table.astype({name: np.float64 for name in FEATURE_NAMES} | {"length": np.int64})
    return FolderExtraction(table, skipped, missing)
