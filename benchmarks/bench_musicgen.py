"""MusicGen engine speed on this CPU with the tiny random model (real weights cannot be had here).

    .venv/bin/python benchmarks/bench_musicgen.py [--seconds 2] [--runs 3]

Prints seconds of compute per second of audio for the tiny model (500 decoder steps per second of
audio at its toy frame rate), i.e. the per-step overhead of the engine and transformers' loop,
and the per-step cost it implies. musicgen-small runs 50 steps per second of audio (32 kHz
EnCodec at 50 Hz); see the closing note for the estimate built on these numbers.
"""

import argparse
import statistics
import time

import _common

from genreblender.generation.musicgen import MusicGenGenerator
from genreblender.generation.musicgen.tiny import build_tiny


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _common.one_thread_torch()
    model, tokenizer = build_tiny()
    for mode in ("prompt", "embedding"):
        engine = MusicGenGenerator(
            model_id="tiny",
            model=model,
            tokenizer=tokenizer,
            device="cpu",
            mode=mode,
            progress=lambda done, total: None,  # no bar in the timing
        )
        engine.generate("jazz", "metal", 0.5, 0.2, 0)  # warm-up
        times = []
        for run in range(args.runs):
            t0 = time.perf_counter()
            engine.generate("jazz", "metal", 0.5, args.seconds, run)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        steps = engine.n_tokens(args.seconds)
        print(
            f"{mode:9s}: {med / args.seconds:.2f} s per second of audio "
            f"({steps} decoder steps, {1000 * med / steps:.1f} ms per step, guidance on)"
        )


if __name__ == "__main__":
    main()
