"""MusicGen engine speed on this CPU (real weights cannot be had here).

    .venv/bin/python benchmarks/bench_musicgen.py [--seconds 2] [--runs 3] [--architecture tiny|small]
        [--threads 1]

``tiny`` (default): the tiny random model of the tests (500 decoder steps per second of audio at
its toy frame rate): the per-step overhead of the engine and transformers' generation loop.

``small``: a randomly initialised model with the dimensions of ``facebook/musicgen-small``
(T5-base text encoder, 24-layer 1024-wide decoder over 4 codebooks, 32-kHz EnCodec at 50 frames
per second). Random weights cost exactly the compute of the real ones, so this measures what
musicgen-small costs on this CPU without downloading it (the audio is noise).

Prints seconds of compute per second of audio and per decoder step, guidance on.
"""

import argparse
import statistics
import time

import _common

from genreblender.generation.musicgen import MusicGenGenerator
from genreblender.generation.musicgen.tiny import build_tiny, random_musicgen


def build_small_architecture(seed: int = 0):
    """musicgen-small's architecture with random weights, and the tiny word tokenizer."""
    from transformers import EncodecConfig, MusicgenDecoderConfig, T5Config

    _, tokenizer = build_tiny()
    # t5-base, as musicgen-small's text encoder
    text = T5Config(d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12)
    # the 32-kHz EnCodec of musicgen: hop 8*5*4*4 = 640 samples, 50 frames/s, 4 codebooks
    audio = EncodecConfig(
        sampling_rate=32000,
        audio_channels=1,
        upsampling_ratios=[8, 5, 4, 4],
        num_filters=64,
        hidden_size=128,
        codebook_size=2048,
        target_bandwidths=[2.2],
        normalize=False,
        chunk_length_s=None,
        overlap=None,
        num_lstm_layers=2,
    )
    decoder = MusicgenDecoderConfig(
        vocab_size=2048,
        hidden_size=1024,
        num_hidden_layers=24,
        num_attention_heads=16,
        ffn_dim=4096,
        num_codebooks=4,
        pad_token_id=2048,
        bos_token_id=2048,
    )
    return random_musicgen(text, audio, decoder, seed), tokenizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--architecture", choices=("tiny", "small"), default="tiny")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    _common.one_thread_torch()
    import torch

    torch.set_num_threads(args.threads)
    if args.architecture == "small":
        model, tokenizer = build_small_architecture()
        n_params = sum(p.numel() for p in model.parameters())
        print(f"musicgen-small architecture, random weights: {n_params / 1e6:.0f} M parameters")
    else:
        model, tokenizer = build_tiny()
    for mode in ("prompt", "embedding"):
        engine = MusicGenGenerator(
            model_id=args.architecture,
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
            f"({steps} decoder steps, {1000 * med / steps:.1f} ms per step, guidance on, "
            f"{args.threads} thread(s))"
        )


if __name__ == "__main__":
    main()
