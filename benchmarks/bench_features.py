"""Feature extraction speed per 30-s clip, one thread: the naive librosa calls vs ours.

    .venv/bin/python benchmarks/bench_features.py [--runs 5]

Uses the shared GTZAN clips when present, else a synthetic 30-s signal.
"""

import argparse
import statistics
import time

import numpy as np

import _common  # noqa: F401
from genreblender.classification.features import extract_features, extract_features_naive
from genreblender.paths import shared_data_dir


def clip():
    import soundfile as sf

    shared = shared_data_dir()
    if shared is not None:
        path = sorted((shared / "gtzan" / "audio").glob("*/*.wav"))[0]
        y, sr = sf.read(path, dtype="float32")
        return y, sr, path.name
    rng = np.random.default_rng(0)
    return (0.1 * rng.normal(size=30 * 22050)).astype(np.float32), 22050, "synthetic noise"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    y, sr, name = clip()
    extract_features(y, sr)  # warm-up (numba JIT in librosa)
    extract_features_naive(y, sr)
    for label, fn in (
        ("naive librosa calls", extract_features_naive),
        ("genreblender", extract_features),
    ):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fn(y, sr)
            times.append(time.perf_counter() - t0)
        print(
            f"{label:20s} median {statistics.median(times):.3f} s per 30-s clip ({name}, {args.runs} runs)"
        )


if __name__ == "__main__":
    main()
