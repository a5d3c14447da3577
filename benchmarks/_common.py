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
    from genreblender.classification.listeners import LISTENER_NAMES, get_listener
    from genreblender.genres import GENRES

    def distribution(listener):
        return lambda y, sr: listener.classify(y, sr=sr).distribution

    ears = {name: (distribution(get_listener(name)), frozenset(GENRES)) for name in LISTENER_NAMES}
    if judge:
        from genreblender.evaluation.judges import MusicnnJudge

        musicnn = MusicnnJudge("MSD_musicnn+MTT_musicnn")
        ears["judge"] = (musicnn.genre_scores, frozenset(musicnn.visible_genres))
    return ears
