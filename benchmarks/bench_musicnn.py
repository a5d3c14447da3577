"""Seconds per 30-s clip of the musicnn judge on one CPU core.

Run from the project root::

    .venv/bin/python benchmarks/bench_musicnn.py [--model MSD_musicnn] [--repeats 5]

It times, on a seeded synthetic 30-s clip at 22050 Hz (or ``--audio FILE``), the preprocessing
(resampling to 16 kHz and the log-mel patches), the network on the ten 3-s patches, and the whole
``MusicnnJudge.genre_scores`` call, and prints the median and the fastest of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from tqdm import tqdm


def synthetic_clip(seconds: float = 30.0, sr: int = 22050, seed: int = 0) -> np.ndarray:
    """Chords, a bass line and noise bursts on a beat: music-like content, not silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    beat = np.mod(t, 0.5)
    roots = rng.choice([110.0, 146.8, 164.8, 196.0], size=int(seconds / 2) + 1)
    root = roots[(t // 2).astype(int)]
    chord = sum(np.sin(2 * np.pi * root * r * t) for r in (2.0, 2.52, 3.0)) / 3
    bass = np.sin(2 * np.pi * root * t) * np.exp(-beat * 3)
    drums = rng.standard_normal(t.size) * np.exp(-beat * 40)
    return (0.3 * chord + 0.3 * bass + 0.2 * drums).astype(np.float32)


def _time(fn, repeats: int) -> list[float]:
    times = []
    for _ in tqdm(range(repeats), desc=fn.__name__, leave=False):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    from genreblender.evaluation.judges import MusicnnJudge
    from genreblender.evaluation.judges.musicnn import log_mel_patches, taggram

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="MSD_musicnn")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--audio", help="a 30-s audio file instead of the synthetic clip")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default one core)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    if args.audio:
        from genreblender.audio import load_audio

        y, sr = load_audio(args.audio).samples, 22050
    else:
        y, sr = synthetic_clip(), 22050
    judge = MusicnnJudge(args.model)
    patches = log_mel_patches(y, sr)
    judge.genre_scores(y, sr)  # warm-up: first call pays for lazy imports and allocations

    def preprocessing():
        log_mel_patches(y, sr)

    def network():
        for net in judge._nets.values():
            taggram(net, patches)

    def whole_call():
        judge._last = None  # time the full call, not the cache
        judge.genre_scores(y, sr)

    print(
        f"musicnn judge {args.model}: {len(y) / sr:.1f}-s clip, {patches.shape[0]} patches, "
        f"{torch.get_num_threads()} torch thread(s), {args.repeats} repeats"
    )
    for fn in (preprocessing, network, whole_call):
        times = _time(fn, args.repeats)
        print(
            f"  {fn.__name__:<14} median {statistics.median(times):.3f} s   min {min(times):.3f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
