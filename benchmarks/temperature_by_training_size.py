"""How does the mel listener's calibrated temperature depend on how many tracks it learned from?

    .venv/bin/python benchmarks/temperature_by_training_size.py [--sizes 150,250,350,442]
        [--seed 0] [--out out/bench/temperature_by_training_size.json]

The shipped listener (trained on all 639 images) takes the median of the temperatures fitted on
held-out tracks in both artist-disjoint directions: networks trained on 442 tracks (T about 2)
and on 197 (T about 3). Is the difference the training size (fewer tracks, a more over-confident
network, a higher temperature: then the shipped network would need less than that median) or
the list being heard? And how sharply do held-out tracks pin the temperature down at all?

This study trains the shipped recipe (one network, ``--seed``) on stratified random subsets of
the training list of each ``--sizes`` (the largest, 442, is the whole list: the file
``mel_reference_study.py`` and ``gtzan_blend_reference.py`` cache) and fits one temperature on
the 197 validation-list tracks (artists none of them heard), printing per size: the
temperature, track accuracy, and the negative log-likelihood per track at the fitted
temperature and at the shipped one. Measured: ~4 min for the default sizes on 2 cores when the
442-track model is cached.
"""

import argparse
import json
import os
import time
from pathlib import Path

import _common
from _mel_lists import list_model, mel_list

import numpy as np

from genreblender.classification.calibration import softmax
from genreblender.classification.cnn import CNNConfig
from genreblender.classification.mel_listener import MelCNNClassifier, fit_track_temperature
from genreblender.genres import GENRES

#: temperatures at which the held-out likelihood is also printed (how flat it is around its best)
TEMPERATURE_GRID = (1.5, 2.0, 2.5, 3.0)


def stratified_subset(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Indices of ``size`` tracks with each genre's share of ``labels`` (largest remainders)."""
    if not 1 <= size <= len(labels):
        raise ValueError(f"a subset of {size} tracks from {len(labels)}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * size / len(labels)
    take = np.floor(quota).astype(int)
    for i in np.argsort(-(quota - take))[: size - take.sum()]:
        take[i] += 1
    picked = [
        rng.choice(np.flatnonzero(labels == c), n, replace=False)
        for c, n in zip(classes, take, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def track_nll(logits: list[np.ndarray], labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood per track of the tracks' window-averaged distributions."""
    p = np.stack([softmax(z, temperature).mean(axis=0) for z in logits])
    return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="150,250,350,442")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out/bench/temperature_by_training_size.json")
    args = parser.parse_args()
    try:
        sizes = sorted({int(x) for x in args.sizes.split(",")})
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, got {args.sizes!r}")
    _common.one_thread_torch()
    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    train = mel_list("train", parser)
    valid = mel_list("valid", parser)
    if sizes[-1] > len(train) or sizes[0] < len(GENRES):
        parser.error(f"--sizes must be within [{len(GENRES)}, {len(train)}]")
    shipped_t = MelCNNClassifier.load().temperature
    rows = []
    for size in sizes:
        started = time.perf_counter()
        whole = size == len(train) and args.seed == 0
        if whole:  # the whole list at seed 0: the network the other studies cache
            model = list_model("train", parser=parser)
        else:
            print(f"training on {size} of the {len(train)} training-list tracks...", flush=True)
            keep = stratified_subset(train.labels, size, args.seed)
            model = MelCNNClassifier(CNNConfig(seed=args.seed)).fit(
                train.levels[keep], train.labels[keep]
            )
        logits = model.track_logits(valid.levels)
        t = fit_track_temperature(logits, valid.labels)
        top = np.array([softmax(z, t).mean(axis=0).argmax() for z in logits])
        accuracy = float(np.mean(top == valid.labels))
        rows.append(
            {
                "size": size,
                "temperature": t,
                "track_accuracy": accuracy,
                "nll_at_fitted": track_nll(logits, valid.labels, t),
                "nll_at_shipped": track_nll(logits, valid.labels, shipped_t),
                "nll_by_temperature": {
                    str(g): track_nll(logits, valid.labels, g) for g in TEMPERATURE_GRID
                },
                "whole_list_network": whole,
                "minutes": (time.perf_counter() - started) / 60,
            }
        )
        print(
            f"{size:5d} tracks: T {t:.2f}, accuracy {accuracy:.1%}, NLL/track at T "
            f"{rows[-1]['nll_at_fitted']:.3f}, at the shipped {shipped_t:.2f} "
            f"{rows[-1]['nll_at_shipped']:.3f}",
            flush=True,
        )
        print(
            "        NLL/track at T "
            + ", ".join(
                f"{g:g}: {v:.3f}"
                for g, v in zip(
                    TEMPERATURE_GRID, rows[-1]["nll_by_temperature"].values(), strict=True
                )
            ),
            flush=True,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"settings": vars(args), "shipped_temperature": shipped_t, "rows": rows}
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
