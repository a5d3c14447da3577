"""``genreblender generate``: compose a blend of two genres and write WAV + MIDI + JSON sidecar."""

from __future__ import annotations

import argparse
import sys

from genreblender.generation.registry import DEFAULT_ENGINE, ENGINES
from genreblender.genres import GENRES


def add_blend_arguments(
    parser: argparse.ArgumentParser, default_a: str | None = None, default_b: str | None = None
) -> None:
    """Arguments shared by every command that makes a blend (generate, blend)."""
    parser.add_argument(
        "--a",
        dest="genre_a",
        required=default_a is None,
        default=default_a,
        help=f"genre A ({', '.join(GENRES)})" + (f"; default {default_a}" if default_a else ""),
    )
    parser.add_argument(
        "--b",
        dest="genre_b",
        required=default_b is None,
        default=default_b,
        help="genre B" + (f"; default {default_b}" if default_b else ""),
    )
    parser.add_argument(
        "--alpha", type=float, default=0.5, help="weight of genre A in [0, 1] (default 0.5)"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="duration (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="composer: embedded, offline (default); musicgen: Meta's MusicGen (CC-BY-NC 4.0 weights)",
    )
    group = parser.add_argument_group("musicgen options")
    group.add_argument("--model", default=None, help="model id or local directory")
    group.add_argument("--mode", choices=("prompt", "embedding"), default=None)
    group.add_argument("--guidance-scale", type=float, default=None)
    group.add_argument("--top-k", type=int, default=None)
    group.add_argument("--temperature", type=float, default=None)
    group.add_argument("--device", default=None, help="cuda, mps or cpu (default: auto)")
    group = parser.add_argument_group("composer options")
    group.add_argument("--soundfont", default=None, help="a General MIDI .sf2 to render with")


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
    from genreblender.generation.base import validate_request
    from genreblender.generation.registry import get_generator
    from genreblender.generation.writer import check_output_path, write_track

    request = validate_request(args.genre_a, args.genre_b, args.alpha, args.seconds, args.seed)
    out = check_output_path(args.output)
    generator = get_generator(args.engine, **engine_options(args))
    if args.engine == "musicgen":
        print(f"note: {generator.output_licence}", file=sys.stderr)
    result = generator.generate(
        request.genre_a, request.genre_b, request.alpha, request.duration_s, request.seed
    )
    written = write_track(result, out)
    print(f"wrote {written.audio_path}")
    if written.mp3_path is not None:
        print(f"wrote {written.mp3_path}")
    if written.midi_path:
        print(f"wrote {written.midi_path}")
    print(f"wrote {written.sidecar_path}")
    return 0
