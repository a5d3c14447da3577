"""Score a listener on labelled data: a GTZAN feature table, a folder of GTZAN mel images, or a
GTZAN-layout audio folder (``<genre>/<track>.wav``).

What each listener can read: the feature MLP reads tables and audio; the mel CNN reads images
and audio. Files that cannot be read are reported and skipped, never a crash mid-run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.errors import GenreBlenderError, InvalidInputError

INPUT_KINDS = ("table", "mel_images", "audio")
#: Which listeners read which input, the first being the one used when none is asked for.
_READERS = {
    "table": ("features-mlp",),
    "mel_images": ("mel-cnn",),
    "audio": ("mel-cnn", "features-mlp"),
}


def input_kind(path: str | Path) -> str:
    """``"table"`` for a .csv file; for a folder, ``"mel_images"`` if its genre folders hold
    .png files, else ``"audio"``."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() == ".csv":
            return "table"
        raise InvalidInputError(
            f"{path}: expected a feature table (.csv), a folder of mel images "
            "(<genre>/<track>.png) or a GTZAN-layout audio folder (<genre>/<track>.wav)"
        )
    if not path.is_dir():
        raise InvalidInputError(f"{path}: no such file or folder")
    if any(path.glob("*/*.png")):
        return "mel_images"
    return "audio"


def evaluate(path: str | Path, listener: Any = None, progress: bool = False) -> dict[str, Any]:
    """Score ``listener`` (an object, a name or a model path; default: the default listener that
    reads this kind of input) on the labelled data at ``path``.

    Returns a JSON-ready report: ``track_accuracy``, ``n_tracks``, ``per_genre``, ``ece``,
    ``nll``, ``confusion_matrix``, ``input_kind``, ``listener``, ``skipped`` files with reasons
    and ``missing_genres``.
    """
    from genreblender.classification.listeners import DEFAULT_LISTENER, get_listener

    kind = input_kind(path)
    if listener is None:
        readers = _READERS[kind]
        listener = DEFAULT_LISTENER if DEFAULT_LISTENER in readers else readers[0]
    if isinstance(listener, (str, Path)):
        listener = get_listener(listener)
    if listener.name not in _READERS[kind]:
        raise InvalidInputError(
            f"the {listener.name} listener cannot read a {kind.replace('_', ' ')} input; "
            f"use --listener {' or '.join(_READERS[kind])}"
        )
    scorer = {"table": _score_table, "mel_images": _score_images, "audio": _score_audio}[kind]
    report = scorer(Path(path), listener, progress)
    report["input_kind"] = kind
    report["input"] = str(path)
    report["listener"] = listener.describe()
    return report


def _finish(probs, labels, tracks, skipped, missing) -> dict[str, Any]:
    from genreblender.classification.report import score

    report = score(np.asarray(probs), np.asarray(labels), tracks)
    report["skipped"] = [{"file": f, "reason": r} for f, r in skipped]
    report["missing_genres"] = list(missing)
    return report


def _score_table(path: Path, listener, progress: bool) -> dict[str, Any]:
    from genreblender.classification.features import FEATURE_NAMES
    from genreblender.classification.table import read_table, table_tracks
    from genreblender.genres import GENRES, label_indices

    table = read_table(path)
    probs = listener.predict_proba(table[list(FEATURE_NAMES)].to_numpy(dtype=float))
    labels = label_indices(table["label"].to_numpy())

    missing = [g for i, g in enumerate(GENRES) if not (labels == i).any()]
    return _finish(probs, labels, table_tracks(table), [], missing)


def _score_images(path: Path, listener, progress: bool) -> dict[str, Any]:
    from genreblender.classification.mel_images import read_mel_image_folder

    def report_error(file, message):
        print(f"skipped: {message}", file=sys.stderr)

    images = read_mel_image_folder(path, on_error=report_error)
    probs = listener.predict_proba(list(images.levels))
    return _finish(probs, images.labels, None, images.skipped, images.missing_genres)


def _score_audio(path: Path, listener, progress: bool) -> dict[str, Any]:
    from tqdm import tqdm

    from genreblender.classification.audio_dataset import list_audio_files
    from genreblender.genres import GENRES

    files, ignored, missing = list_audio_files(path)
    probs, labels, skipped = [], [], list(ignored)
    for file, genre in tqdm(files, desc="classifying", unit="file", disable=not progress):
        try:
            result = listener.classify(file)
        except GenreBlenderError as exc:
            skipped.append((str(file), str(exc)))
            print(f"skipped: {file}: {exc}", file=sys.stderr)
            continue
        probs.append(result.probabilities)
        labels.append(GENRES.index(genre))
    if not probs:
        raise InvalidInputError(f"{path}: none of the {len(files)} audio files could be read")
    return _finish(probs, labels, None, skipped, missing)
