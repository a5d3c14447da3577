"""Feature extraction: speed per 30-s clip on one thread (naive librosa calls vs ours) and parity.

    .venv/bin/python benchmarks/bench_features.py [--runs 5] [--parity] [--folder]

Speed uses the first shared GTZAN clip when present, else a synthetic 30-s signal. ``--parity``
also prints, per feature group, the worst deviation over the 12 shared clips of our features from
their rows in ``features_30_sec.csv`` and from the naive librosa calls. ``--folder`` times
``extract_folder`` over the 12 shared clips (3-s windows, cache off) with one and two processes.
"""

import argparse
import statistics
import time

import numpy as np

import _common  # noqa: F401
from genreblender.classification.features import (
    FEATURE_NAMES,
    extract_features,
    extract_features_naive,
    extract_windows,
)
from genreblender.paths import shared_data_dir

GROUPS = {
    "chroma_stft": ("chroma_stft_",),
    "rms": ("rms_",),
    "centroid/bandwidth/rolloff": ("spectral_", "rolloff_"),
    "zero_crossing_rate": ("zero_crossing_rate_",),
    "harmony_var / perceptr_var": ("harmony_var", "perceptr_var"),
    "harmony_mean / perceptr_mean": ("harmony_mean", "perceptr_mean"),
    "tempo": ("tempo",),
    "mfcc*_mean": ("mfcc",),
    "mfcc*_var": ("mfcc",),
}


def _group_columns(group, prefixes):
    cols = [i for i, n in enumerate(FEATURE_NAMES) if n.startswith(prefixes)]
    if group == "mfcc*_mean":
        cols = [i for i in cols if FEATURE_NAMES[i].endswith("_mean")]
    if group == "mfcc*_var":
        cols = [i for i in cols if FEATURE_NAMES[i].endswith("_var")]
    return cols


def clips():
    import soundfile as sf

    shared = shared_data_dir()
    if shared is None:
        rng = np.random.default_rng(0)
        y = (0.1 * rng.normal(size=30 * 22050)).astype(np.float32)
        return [(y, 22050, "synthetic noise")]
    out = []
    for path in sorted((shared / "gtzan" / "audio").glob("*/*.wav")):
        y, sr = sf.read(path, dtype="float32")
        out.append((y, sr, path.name))
    return out


def timing(fn, y, sr, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(y, sr)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def speed(y, sr, name, runs):
    extract_features(y, sr)  # warm-up (numba JIT in librosa)
    extract_features_naive(y, sr)
    for label, fn in (
        ("naive librosa calls", extract_features_naive),
        ("genreblender", extract_features),
    ):
        print(
            f"{label:20s} median {timing(fn, y, sr, runs):.3f} s per 30-s clip ({name}, {runs} runs)"
        )
    long_y = np.concatenate([y] * 10)
    t = timing(lambda a, b: extract_windows(a, b, window_s=30.0), long_y, sr, max(1, runs // 2))
    n = len(extract_windows(long_y, sr, window_s=30.0))
    print(f"{'windowed 5-min track':20s} median {t:.3f} s for {n} 30-s windows (hop 15 s)")
    t = timing(lambda a, b: extract_windows(a, b, window_s=3.0, hop_s=3.0), y, sr, runs)
    print(f"{'3-s windows':20s} median {t:.3f} s for one 30-s clip cut into 10 windows")


def parity(all_clips):
    import pandas as pd

    table = pd.read_csv(shared_data_dir() / "gtzan" / "features_30_sec.csv").set_index("filename")
    ours, naive, ref = [], [], []
    for y, sr, name in all_clips:
        ours.append(extract_features(y, sr))
        naive.append(extract_features_naive(y, sr))
        ref.append(table.loc[name, list(FEATURE_NAMES)].to_numpy(dtype=float))
    ours, naive, ref = map(np.array, (ours, naive, ref))
    print(f"\nparity over {len(all_clips)} clips: worst |ours - x| / |x| (and worst absolute)")
    print(f"{'feature group':30s} {'vs table rel':>13s} {'abs':>10s} {'vs naive rel':>13s}")
    for group, prefixes in GROUPS.items():
        cols = _group_columns(group, prefixes)
        err_t = np.abs(ours[:, cols] - ref[:, cols])
        err_n = np.abs(ours[:, cols] - naive[:, cols])
        rel_t = (err_t / np.maximum(np.abs(ref[:, cols]), 1e-300)).max()
        rel_n = (err_n / np.maximum(np.abs(naive[:, cols]), 1e-300)).max()
        print(f"{group:30s} {rel_t:13.2e} {err_t.max():10.2e} {rel_n:13.2e}")


def folder_speed():
    from genreblender.classification.audio_dataset import extract_folder

    root = shared_data_dir() / "gtzan" / "audio"
    print()
    for n_jobs in (1, 2):
        t0 = time.perf_counter()
        result = extract_folder(root, window_s=3.0, n_jobs=n_jobs, cache=False, progress=False)
        elapsed = time.perf_counter() - t0
        print(
            f"extract_folder n_jobs={n_jobs}: {elapsed:.2f} s for 12 clips "
            f"({len(result.table)} rows of 3-s windows, process start-up included)"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parity", action="store_true", help="also print parity figures")
    parser.add_argument("--folder", action="store_true", help="also time folder extraction")
    args = parser.parse_args()
    all_clips = clips()
    speed(*all_clips[0], args.runs)
    if args.parity:
        if shared_data_dir() is None:
            print("parity needs ../shared/data (absent)")
        else:
            parity(all_clips)
    if args.folder and shared_data_dir() is not None:
        folder_speed()


if __name__ == "__main__":
    main()
