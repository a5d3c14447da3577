"""Time to classify one 30-s clip with each shipped listener after loading it, one thread.

    .venv/bin/python benchmarks/bench_classify.py [--runs 7] [--listener mel-cnn]

Covers the whole path from samples in memory: validation, resampling check, the representation
(mel levels for mel-cnn, the 57 features for features-mlp), the windows and the network (no
disk cache). The mel-cnn figure is split into its mel and CNN parts.
"""

import argparse
import statistics
import time

import numpy as np

import _common
from genreblender.classification.listeners import LISTENER_NAMES, get_listener
from genreblender.paths import shared_data_dir


def _median_time(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--listener", choices=LISTENER_NAMES, default=None, help="default: all")
    args = parser.parse_args()
    _common.one_thread_torch()
    import soundfile as sf

    shared = shared_data_dir()
    if shared is not None:
        path = sorted((shared / "gtzan" / "audio").glob("*/*.wav"))[0]
        y, sr = sf.read(path, dtype="float32")
    else:
        y, sr = (0.1 * np.random.default_rng(0).normal(size=30 * 22050)).astype(np.float32), 22050
    for name in [args.listener] if args.listener else LISTENER_NAMES:
        model = get_listener(name)
        med, lo, hi = _median_time(lambda m=model: m.classify(y, sr=sr), args.runs)
        print(f"{name:13s} classify {len(y) / sr:.0f}-s clip: median {med:.3f} s over "
              f"{args.runs} runs (min {lo:.3f}, max {hi:.3f})")
        if name == "mel-cnn":
            from genreblender.classification import melspec

            mel, _, _ = _median_time(lambda: melspec.mel_levels(y, sr), args.runs)
            levels = melspec.mel_levels(y, sr)
            cnn, _, _ = _median_time(
                lambda m=model, lv=levels: m.classify_levels(lv, 30.0), args.runs
            )
            print(f"{'':13s} of which mel levels {mel:.3f} s, windows + CNN {cnn:.3f} s")


if __name__ == "__main__":
    main()
