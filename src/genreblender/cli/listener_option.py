"""The ``--listener`` option shared by every command that listens (classify, blend, sweep,
evaluate-classifier)."""

from __future__ import annotations

import argparse

from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES


def add_listener_argument(parser: argparse.ArgumentParser, model_alias: bool = False) -> None:
    """Add ``--listener NAME|MODEL.pth`` (and, where it meant a classifier, the old ``--model``)."""
    flags = ("--listener", "--model") if model_alias else ("--listener",)
    parser.add_argument(
        *flags,
        dest="listener",
        default=None,
        metavar="NAME|MODEL.pth",
        help=f"genre listener: {' or '.join(LISTENER_NAMES)} (default {DEFAULT_LISTENER}), "
        "or the path of a model .pth",
    )
