"""The ``genreblender`` command: one subcommand per module in this package.

Each subcommand module defines ``register(subparsers)`` which adds its parser and sets
``func(args) -> int``. Heavy imports happen inside ``func`` so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from genreblender.errors import GenreBlenderError

# Order is the order shown by --help.
_COMMAND_MODULES = (
    "blend",
    "generate",
    "classify",
    "train",
    "evaluate-classifier",
    "app",
    "serve",
    "sweep",
    "report",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genreblender",
        description="Blend two music genres at a weight alpha and measure the blend.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(f"genreblender.cli.{name.replace('-', '_')}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except GenreBlenderError as exc:
        print(f"genreblender {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"genreblender {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
