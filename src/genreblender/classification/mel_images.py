"""Decode the GTZAN mel images (``<genre>/<track>.png``) to the levels of
:mod:`genreblender.classification.melspec`.

Each pixel is one of the 256 colours of matplotlib's ``magma`` (rounded to 8 bits, as Agg draws
them), so the colour inverts exactly to its level; an image row shows one mel band (rows run from
high to low frequency, ~3 rows a band) and a column one sampled frame. Only the training and
evaluation tools read images; audio is analysed with :func:`melspec.mel_levels`, no matplotlib.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreblender.classification.melspec import IMAGE_HEIGHT, IMAGE_WIDTH, N_LEVELS, N_MELS
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES


class MelImageError(InvalidInputError):
    """A file is not a GTZAN mel image (size, colours, or layout)."""


@functools.lru_cache(maxsize=1)
def _colour_table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted packed RGB of the 256 magma colours, and the level of each."""
    import matplotlib

    rgb = np.round(matplotlib.colormaps["magma"](np.linspace(0.0, 1.0, N_LEVELS))[:, :3] * 255)
    packed = (rgb[:, 0] * 65536 + rgb[:, 1] * 256 + rgb[:, 2]).astype(np.int64)
    order = np.argsort(packed)
    return packed[order], order.astype(np.uint8)


def _band_rows(height: int = IMAGE_HEIGHT) -> np.ndarray:
    """Band (0 = lowest) shown by each image row: Agg fills a pixel from the quad under its
    centre, counted from the bottom."""
    return np.floor((height - np.arange(height) - 0.5) * N_MELS / height).astype(np.int64)


def decode_mel_image(path: str | Path) -> np.ndarray:
    """Levels ``(128, 387)`` uint8 of one mel image; row 0 is the lowest band.

    Raises
    ------
    MelImageError
        When the file is unreadable, not 387 x 385, has a pixel off the colormap, or rows of one
        band that disagree.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as image:
            size = image.size
            if size != (IMAGE_WIDTH, IMAGE_HEIGHT):
                raise MelImageError(
                    f"{path}: image is {size[0]}x{size[1]}; a GTZAN mel image is "
                    f"{IMAGE_WIDTH}x{IMAGE_HEIGHT}"
                )
            rgb = np.asarray(image.convert("RGB"), dtype=np.int64)
    except MelImageError:
        raise
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise MelImageError(f"{path}: cannot read the image ({exc})") from None
    packed = rgb[..., 0] * 65536 + rgb[..., 1] * 256 + rgb[..., 2]
    table, levels_of = _colour_table()
    pos = np.clip(np.searchsorted(table, packed), 0, N_LEVELS - 1)
    off = table[pos] != packed
    if off.any():
        r, c = np.argwhere(off)[0]
        raise MelImageError(
            f"{path}: {int(off.sum())} pixel(s) are not magma colours (first at row {r}, "
            f"column {c}: RGB {tuple(int(v) for v in rgb[r, c])}); not a GTZAN mel image"
        )
    levels = levels_of[pos]
    bands = _band_rows(levels.shape[0])
    out = np.empty((N_MELS, levels.shape[1]), dtype=np.uint8)
    for band in range(N_MELS):
        rows = levels[bands == band]
        if not (rows == rows[0]).all():
            raise MelImageError(f"{path}: the rows of mel band {band} differ; not a mel image")
        out[band] = rows[0]
    return out


@dataclass(frozen=True)
class MelImageSet:
    """Decoded images of a ``<genre>/<track>.png`` folder."""

    levels: np.ndarray  # (n, 128, 387) uint8
    labels: np.ndarray  # (n,) genre index
    tracks: tuple[str, ...]  # "blues.00000"
    skipped: tuple[tuple[str, str], ...]  # (file, reason)
    missing_genres: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.tracks)


def read_mel_image_folder(
    folder: str | Path, tracks: set[str] | None = None, on_error=None
) -> MelImageSet:
    """Decode every ``<genre>/<track>.png`` under ``folder`` (GENRES only).

    ``tracks`` keeps only those track names. A file that fails to decode is reported through
    ``on_error(path, message)`` and skipped; genres without images are listed in
    ``missing_genres``; sub-folders that are not genres, or no genre folder at all, are errors.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInputError(f"{folder}: no such folder of mel images")
    subdirs = [p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    unknown = sorted(set(subdirs) - set(GENRES))
    if unknown:
        raise InvalidInputError(
            f"{folder}: folders {unknown} are not GTZAN genres; expected <genre>/<track>.png "
            f"with genres {', '.join(GENRES)}"
        )
    present = [g for g in GENRES if g in subdirs]
    if not present:
        raise InvalidInputError(
            f"{folder}: no genre folders; expected <genre>/<track>.png with genres "
            f"{', '.join(GENRES)}"
        )
    levels, labels, names, skipped = [], [], [], []
    for genre in present:
        for png in sorted((folder / genre).glob("*.png")):
            if tracks is not None and png.stem not in tracks:
                continue
            try:
                levels.append(decode_mel_image(png))
            except MelImageError as exc:
                skipped.append((str(png), str(exc)))
                if on_error is not None:
                    on_error(png, str(exc))
                continue
            labels.append(GENRES.index(genre))
            names.append(png.stem)
    if not names:
        raise InvalidInputError(f"{folder}: no readable mel images")
    labels_arr = np.asarray(labels, dtype=np.int64)
    return MelImageSet(
        levels=np.stack(levels),
        labels=labels_arr,
        tracks=tuple(names),
        skipped=tuple(skipped),
        missing_genres=tuple(g for i, g in enumerate(GENRES) if not (labels_arr == i).any()),
    )
