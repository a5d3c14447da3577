"""Shared set-up for benchmarks: one thread everywhere (set before numpy/torch import)."""

import os

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def one_thread_torch():
    import torch

    torch.set_num_threads(1)


def genre_ears(judge: bool = True) -> dict:
    """Every shipped listener and, with ``judge``, the musicnn judge, as
    ``{name: (ear, genres)}``: ``ear(samples, sr)`` gives ``{genre: p}``, and ``genres`` are
    those the ear can hear (the judge cannot hear reggae)."""
    one_thread_torch()
    from genreblender import defaults
    from genreblender.classification.listeners import LISTENER_NAMES, get_listener
    from genreblender.genres import GENRES

    def distribution(listener):
        return lambda y, sr: listener.classify(y, sr=sr).distribution

    ears = {name: (distribution(get_listener(name)), frozenset(GENRES)) for name in LISTENER_NAMES}
    if judge:
        from genreblender.evaluation.judges import MusicnnJudge

        musicnn = MusicnnJudge(defaults.JUDGE)
        ears["judge"] = (musicnn.genre_scores, frozenset(musicnn.visible_genres))
    return ears


def paired_difference(before: dict, after: dict) -> dict | None:
    """Two runs' values on the same items (``{item: value}``), item by item: the mean before
    and after, and the mean difference (after − before) with its standard error, over the
    items both hold. None under two shared items: no spread to judge a difference by."""
    import numpy as np

    both = [item for item in after if item in before]
    if len(both) < 2:
        return None
    x = np.array([before[i] for i in both], dtype=float)
    y = np.array([after[i] for i in both], dtype=float)
    d = y - x
    return {
        "before": float(x.mean()),
        "after": float(y.mean()),
        "diff": float(d.mean()),
        "se": float(d.std(ddof=1) / np.sqrt(len(d))),
        "n": len(d),
    }


def paired_cell(name: str, figures: dict, digits: int = 3) -> str:
    """One :func:`paired_difference` as printed: ``name before->after (diff±se)``."""
    return (
        f"{name} {figures['before']:.3f}->{figures['after']:.3f} "
        f"({figures['diff']:+.{digits}f}±{figures['se']:.{digits}f})"
    )
