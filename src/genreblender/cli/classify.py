"""``genreblender classify FILE...``: genre distribution of audio files."""

from __future__ import annotations

import argparse
import json
import sys

from genreblender.cli.listener_option import add_listener_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="genre distribution of audio files (track level and per window)",
        description="Classify audio files with a genre listener (the default one, or --listener).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="wav, flac, ogg, mp3, au, aiff")
    parser.add_argument("--json", action="store_true", help="print JSON (one object per file)")
    add_listener_argument(parser, model_alias=True)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from genreblender.classification.listeners import get_listener
    from genreblender.errors import GenreBlenderError

    model = get_listener(args.listener)
    results, failures = [], 0
    for path in args.files:
        try:
            result = model.classify(path)
        except GenreBlenderError as exc:
            failures += 1
            print(f"{path}: error: {exc}", file=sys.stderr)
            if args.json:
                results.append({"file": path, "error": str(exc)})
            continue
        if args.json:
            results.append({"file": path} | result.to_dict())
        else:
            ranked = sorted(result.distribution.items(), key=lambda kv: -kv[1])[:3]
            top3 = "  ".join(f"{g} {p:.2f}" for g, p in ranked)
            n = len(result.segment_probabilities)
            print(
                f"{path}\n  top: {result.top_genre:<10} {top3}   "
                f"({result.duration_s:.1f} s, {n} window{'s' if n != 1 else ''}, "
                f"{result.model.get('listener', '')})"
            )
            if n > 1:
                print(f"  timeline: {_timeline(result)}")
    if args.json:
        print(json.dumps(results if len(results) != 1 else results[0], indent=2))
    return 1 if failures else 0


def _timeline(result) -> str:
    """Top genre per window, runs merged: ``0-9 s jazz, 9-15 s metal``."""
    tops = [result.genres[i] for i in result.segment_probabilities.argmax(axis=1)]
    runs, start = [], 0
    for i in range(1, len(tops) + 1):
        if i == len(tops) or tops[i] != tops[start]:
            runs.append(
                f"{result.segment_starts_s[start]:.0f}-{result.segment_ends_s[i - 1]:.0f} s "
                f"{tops[start]}"
            )
            start = i
    return ", ".join(runs)
