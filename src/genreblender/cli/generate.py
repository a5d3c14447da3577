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
    # the pair's defaults are filled in by check_blend_arguments, so that --mix can refuse an
    # explicit --a/--b/--alpha beside it
    parser.add_argument(
        "--a",
        dest="genre_a",
        default=None,
        help=f"genre A: {', '.join(GENRES)} (default {defaults.GENRE_A})",
    )
    parser.add_argument(
        "--b",
        dest="genre_b",
        default=None,
        help=f"genre B, same choices (default {defaults.GENRE_B})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=None,
        help=f"weight of genre A in [0, 1]: 1 is pure A, 0 pure B (default {defaults.ALPHA:g})",
    )
    parser.add_argument(
        "--mix",
        default=None,
        metavar="G=W,...",
        help="a mix of 2 to 10 genres instead of --a/--b/--alpha, e.g. "
        "jazz=0.5,metal=0.3,reggae=0.2 (non-negative weights; normalised when they do not sum "
        "to 1, and the output says so); --a X --b Y --alpha W is the mix X=W,Y=1-W",
    )
    parser.add_argument(
        "--alpha-curve",
        default=None,
        metavar="T:ALPHA,...",
        help="a blend that moves: keyframes time_s:alpha of genre A (with --a and --b), linear "
        "between and held after the last, e.g. 0:1,30:0 (A to B over 30 s)",
    )
    parser.add_argument(
        "--mix-curve",
        default=None,
        metavar="T:G=W,...;...",
        help="a mix that moves: keyframes time_s:mix separated by semicolons, e.g. "
        "'0:jazz=1,metal=0,reggae=0;20:jazz=0,metal=1,reggae=0;40:jazz=0,metal=0,reggae=1' "
        "(a genre a keyframe leaves out weighs 0 there)",
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
    """Refuse a bad genre, alpha, mix or curve, tempo or key, or stems from an engine without
    them, before any heavy import (numpy, torch, the models). Sets ``args.target`` (the
    :class:`~genreblender.mixes.Mix` asked for; a curve's time average), ``args.morph`` (the
    curve, or None), ``args.controls`` and, for a blend of at most two genres, ``args.genre_a``,
    ``args.genre_b`` and ``args.alpha``."""
    from genreblender.generation.controls import validate_controls
    from genreblender.generation.registry import check_stems

    _check_target(args)
    args.controls = validate_controls(args.bpm, args.key)
    check_stems(args.engine, args.stems)


def _check_target(args: argparse.Namespace) -> None:
    from genreblender.errors import InvalidInputError
    from genreblender.mixes import Mix, parse_alpha_curve, parse_mix, parse_mix_curve

    args.morph = None
    if args.alpha_curve is not None or args.mix_curve is not None:
        # a curve replaces alpha (and, for --mix-curve, the genres too)
        clashes = {
            "--alpha": args.alpha,
            "--mix": args.mix,
            "--mix-curve": args.mix_curve if args.alpha_curve is not None else None,
        }
        if args.mix_curve is not None:
            clashes |= {"--a": args.genre_a, "--b": args.genre_b}
        given = [name for name, value in clashes.items() if value is not None]
        if given:
            curve = "--alpha-curve" if args.alpha_curve is not None else "--mix-curve"
            raise InvalidInputError(f"give either {curve} or {'/'.join(given)}, not both")
        if args.alpha_curve is not None:
            a = defaults.GENRE_A if args.genre_a is None else args.genre_a
            b = defaults.GENRE_B if args.genre_b is None else args.genre_b
            args.morph = parse_alpha_curve(args.alpha_curve, a, b)
        else:
            args.morph = parse_mix_curve(args.mix_curve)
        args.target = args.morph.mean_mix(args.seconds)
        return
    if args.mix is not None:
        given = [f"--{n}" for n in ("a", "b", "alpha") if getattr(args, _DEST[n]) is not None]
        if given:
            raise InvalidInputError(f"give either --mix or {'/'.join(given)}, not both")
        args.target = parse_mix(args.mix)
        if args.target.is_pair:
            args.genre_a, args.genre_b, args.alpha = args.target.as_pair()
        if args.target.normalised:
            total = sum(args.target.requested)
            print(
                f"note: the mix's weights sum to {total:g}, not 1; normalised to "
                f"{args.target.label}",
                file=sys.stderr,
            )
        return
    from genreblender.genres import validate_alpha, validate_genre

    args.genre_a = validate_genre(defaults.GENRE_A if args.genre_a is None else args.genre_a)
    args.genre_b = validate_genre(defaults.GENRE_B if args.genre_b is None else args.genre_b)
    args.alpha = validate_alpha(defaults.ALPHA if args.alpha is None else args.alpha)
    args.target = Mix.pair(args.genre_a, args.genre_b, args.alpha)


_DEST = {"a": "genre_a", "b": "genre_b", "alpha": "alpha"}


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
        description="Compose a track that should sound alpha*A + (1-alpha)*B, or like a mix "
        "of several genres (--mix).",
    )
    add_blend_arguments(parser)
    parser.add_argument("-o", "--output", required=True, help="output .wav (or .mp3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_blend_arguments(args)
    from genreblender.generation.base import (
        generate_blend,
        validate_mix_request,
        validate_morph_request,
    )
    from genreblender.generation.registry import get_generator
    from genreblender.generation.writer import check_output_path, write_track

    if args.morph is not None:
        request = validate_morph_request(args.morph, args.seconds, args.seed)
    else:
        request = validate_mix_request(args.target, args.seconds, args.seed)
    from genreblender.generation.composer.composer import STEM_PARTS

    out = check_output_path(args.output, stems=STEM_PARTS if args.stems else ())
    generator = get_generator(args.engine, **engine_options(args))
    if args.engine == "musicgen":
        print(f"note: {generator.output_licence}", file=sys.stderr)
    result = generate_blend(
        generator,
        request.morph or request.mix,
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
