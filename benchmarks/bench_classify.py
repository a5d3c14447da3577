"""Time to classify one 30-s clip with the shipped model after loading it, one thread.

    .venv/bin/python benchmarks/bench_classify.py [--runs 7]

Covers the whole path from samples in memory: resampling check, features, MLP (no disk cache).
"""

import argparse
import statistics
import time

import numpy as np

import _common
from genreblender.classification import GenreClassifier
from genreblender.paths import shared_data_dir


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    _common.one_thread_torch()
    import soundfile as sf

    shared = shared_data_dir()
    if shared is not None:
        path = sorted((shared / "gtzan" / "audio").glob("*/*.wav"))[0]
        y, sr = sf.read(path, dtype="float32")
    else:
        y, sr = (0.1 * np.random.default_rng(0).normal(size=30 * 22050)).astype(np.float32), 22050
    model = GenreClassifier.load()
    model.classify(y, sr=sr)  # warm-up
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        model.classify(y, sr=sr)
        times.append(time.perf_counter() - t0)
    print(
        f"classify 30-s clip: median {statistics.median(times):.3f} s over {args.runs} runs "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )


if __name__ == "__main__":
    main()
