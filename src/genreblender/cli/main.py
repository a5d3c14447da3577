"""The ``genreblender`` command: one subcommand per module in this package.

Each subcommand module defines ``register(subparsers)`` which adds its parser and sets
``func(args) -> int``. Heavy imports happen inside ``func`` so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from genreblender.errors import (
    BusyError,
    EngineUnavailableError,
    GenreBlenderError,
    InvalidInputError,
    one_line,
)

#: Exit status of a failure, by type (first match wins): the README's table.
EXIT_BAD_INPUT, EXIT_UNAVAILABLE, EXIT_FAILURE, EXIT_INTERRUPTED = 2, 3, 1, 130
_EXIT_CODES = (
    (InvalidInputError, EXIT_BAD_INPUT),
    (EngineUnavailableError, EXIT_UNAVAILABLE),
    (BusyError, EXIT_UNAVAILABLE),
    (GenreBlenderError, EXIT_FAILURE),
)


def exit_code(exc: BaseException) -> int:
    for cls, code in _EXIT_CODES:
        if isinstance(exc, cls):
            return code
    return EXIT_FAILURE


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
    prefix = f"genreblender {args.command}"
    try:
        return int(args.func(args) or 0)
    except GenreBlenderError as exc:
        print(f"{prefix}: error: {one_line(exc)}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # disk full, a file removed under us...: the system's own words
        print(f"{prefix}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # a bug: one line, and the traceback with --verbose
        if args.verbose:
            raise
        print(
            f"{prefix}: internal error: {type(exc).__name__}: {one_line(exc)} "
            "(run with -v for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
