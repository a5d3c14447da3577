"""How often a shipped listener names each genre for real music it never heard.

A blend that "did not land" on a genre the listener rarely recognises even in real recordings
says more about the listener than about the music: the default listener names real blues by
artists it never heard as blues for about one track in eight. The figures are the listeners' own
artist-disjoint evaluations, both directions pooled (each GTZAN training and validation track
heard by a model that did not learn from its artist), read from the metrics files shipped beside
the models (``models/model_*_metrics.json``, written by ``scripts/build_mel_listener.py`` and
``scripts/build_classifier.py``).
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np

from genreblender.genres import GENRES
from genreblender.paths import MODELS_DIR

#: each shipped listener's evaluation file and the confusion matrices in it to pool
_SOURCES = {
    "mel-cnn": ("model_3sec_metrics.json", ("confusion_matrix_pooled",)),
    "features-mlp": (
        "model_30sec_metrics.json",
        (
            "directions/train->valid/confusion_matrix_seed0",
            "directions/valid->train/confusion_matrix_seed0",
        ),
    ),
}
#: a genre the listener names for fewer of its real tracks than this is called weak
WEAK_RECALL = 0.5


def _at(document: dict, path: str):
    for key in path.split("/"):
        document = document[key]
    return document


@cache
def held_out_recall(listener: str) -> dict[str, float] | None:
    """Per genre, the share of real GTZAN tracks of that genre the shipped ``listener`` named
    correctly when it had not learnt from their artists; None for a listener without such a
    file (a model the user trained, a file that is missing or of another layout)."""
    source = _SOURCES.get(listener)
    if source is None:
        return None
    name, paths = source
    try:
        document = json.loads((MODELS_DIR / name).read_text())
        confusion = sum(np.asarray(_at(document, p), dtype=float) for p in paths)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if confusion.shape != (len(GENRES), len(GENRES)) or np.any(confusion.sum(axis=1) == 0):
        return None
    recall = np.diag(confusion) / confusion.sum(axis=1)
    return {g: float(r) for g, r in zip(GENRES, recall, strict=True)}


def miss_caution(listener: str, genres, recall: dict[str, float] | None) -> str | None:
    """A sentence for a blend of ``genres`` that did not land, when ``listener`` (whose
    :func:`held_out_recall` is ``recall``) recognises some of them in fewer than
    :data:`WEAK_RECALL` of real tracks; None otherwise or without ``recall``."""
    if not recall:
        return None
    weak = sorted((g for g in genres if recall.get(g, 1.0) < WEAK_RECALL), key=recall.get)
    if not weak:
        return None
    first, rest = weak[0], weak[1:]
    also = f" ({', '.join(f'{g} {recall[g]:.0%}' for g in rest)})" if rest else ""
    return (
        f"on real GTZAN tracks by artists it never heard, {listener} names {first} right only "
        f"{recall[first]:.0%} of the time{also}: a miss on "
        f"{'that genre' if not rest else 'those genres'} "
        "says as much about the listener as about the music"
    )
