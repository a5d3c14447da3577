"""``genreblender generate``: compose a blend of two genres and write WAV + MIDI + JSON sidecar."""

from __future__ import annotations

import argparse
import sys

# Light modules only at import time (no numpy): `--help` and argument errors answer at once.
from genreblender import defaults
from genreblender.generation.registry import DEFAULT_ENGINE, ENGINES
from genreblender.genres import GENRES


def add_blend_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments shared by every command that makes a blend (generate, blend); their defaults
    are :mod:`genreblender.defaults`, the same as the web app's and the HTTP API's."""
    parser.add_argument(
        "--a",
        dest="genre_a",
        default=defaults.GENRE_A,
        help=f"genre A: {', '.join(GENRES)} (default {defaults.GENRE_A})",
    )
    parser.add_argument(
        "--b",
        dest="genre_b",
        default=defaults.GENRE_B,
        help=f"genre B, same choices (default {defaults.GENRE_B})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=defaults.ALPHA,
        help=f"weight of genre A in [0, 1]: 1 is pure A, 0 pure B (default {defaults.ALPHA:g})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=defaults.SECONDS,
        help=f"duration in seconds (default {defaults.SECONDS:g})",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults.SEED, help=f"random seed (default {defaults.SEED})"
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="composer: embedded, offline (default); musicgen: Meta's MusicGen (CC-BY-NC 4.0 weights)",
    )
    parser.add_argument(
        "--bpm",
        type=float,
        default=None,
        help="tempo in beats per minute, 40-240 (default: the style's); recorded in the sidecar",
    )
    parser.add_argument(
        "--key",
        default=None,
        help="key: a note A-G with an optional # or b, optionally major or minor "
        "('A minor', 'C#', 'Eb major'; default: the style's). MusicGen gets both as prompt words",
    )
    parser.add_argument(
        "--stems",
        action="store_true",
        help="also write one WAV per part (drums, bass, comp, pad, lead, voice) beside the mix, "
        "as OUT.<part>.wav; they sum to the mix (composer only)",
    )
    group = parser.add_argument_group("musicgen options (with --engine musicgen)")
    group.add_argument(
        "--model",
        default=None,
        help="Hugging Face model id or a local folder saved with save_pretrained "
        "(default facebook/musicgen-small)",
    )
    group.add_argument(
        "--mode",
        choices=("prompt", "embedding"),
        default=None,
        help="prompt: one weighted text prompt ('70%% jazz and 30%% metal'); embedding: "
        "interpolate the text-encoder states of the two genre prompts by alpha (default)",
    )
    group.add_argument(
        "--guidance-scale",
        type=float,
        default=None,
        help="classifier-free guidance: how strongly the text steers the music (default 3)",
    )
    group.add_argument(
        "--top-k", type=int, default=None, help="sample from the k most likely tokens (default 250)"
    )
    group.add_argument(
        "--temperature",
        type=float,
        default=None,
        help="sampling temperature: higher is more varied (default 1.0)",
    )
    group.add_argument("--device", default=None, help="cuda, mps or cpu (default: auto)")
    group = parser.add_argument_group("composer options")
    group.add_argument("--soundfont", default=None, help="a General MIDI .sf2 to render with")


def check_blend_arguments(args: argparse.Namespace) -> None:
    """Refuse a bad genre, alpha, tempo or key, or stems from an engine without them, before
    any heavy import (numpy, torch, the models); ``args.controls`` holds the checked controls."""
    from genreblender.generation.controls import validate_controls
    from genreblender.generation.registry import check_stems
    from genreblender.genres import validate_alpha, validate_genre

    args.genre_a = validate_genre(args.genre_a)
    args.genre_b = validate_genre(args.genre_b)
    args.alpha = validate_alpha(args.alpha)
    args.controls = validate_controls(args.bpm, args.key)
    check_stems(args.engine, args.stems)


def engine_options(args: argparse.Namespace) -> dict:
    """The engine-specific keyword arguments the user actually set."""
    if args.engine == "musicgen":
        names = {
            "model": "model_id",
            "mode": "mode",
            "guidance_scale": "guidance_scale",
            "top_k": "top_k",
            "temperature": "temperature",
            "device": "device",
        }
    else:
        names = {"soundfont": "soundfont"}
    return {
        kw: getattr(args, attr) for attr, kw in names.items() if getattr(args, attr) is not None
    }


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="compose a blend and write audio, MIDI and a JSON sidecar",
        description="Compose a track that should sound alpha*A + (1-alpha)*B.",
    )
    add_blend_arguments(parser)
    parser.add_argument("-o", "--output", required=True, help="output .wav (or .mp3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_blend_arguments(args)
    from genreblender.generation.base import validate_request
    from genreblender.generation.registry import get_generator
    from genreblender.generation.writer import check_output_path, write_track

    request = validate_request(args.genre_a, args.genre_b, args.alpha, args.seconds, args.seed)
    from genreblender.generation.composer.composer import STEM_PARTS

    out = check_output_path(args.output, stems=STEM_PARTS if args.stems else ())
    generator = get_generator(args.engine, **engine_options(args))
    if args.engine == "musicgen":
        print(f"note: {generator.output_licence}", file=sys.stderr)
    result = generator.generate(
        request.genre_a,
        request.genre_b,
        request.alpha,
        request.duration_s,
        request.seed,
        controls=args.controls,
        stems=args.stems,
    )
    written = write_track(result, out)
    print(f"wrote {written.audio_path}")
    if written.mp3_path is not None:
        print(f"wrote {written.mp3_path}")
    if written.midi_path:
        print(f"wrote {written.midi_path}")
    for path in written.stem_paths.values():
        print(f"wrote {path}")
    if written.stem_paths:
        print(f"stems sum to the mix within {result.metadata['stems']['sum_residual_db']} dB")
    print(f"wrote {written.sidecar_path}")
    return 0
