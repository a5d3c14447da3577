"""``genreblender serve``: the JSON HTTP API (FastAPI + uvicorn)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the JSON HTTP API (OpenAPI at /docs)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from genreblender.errors import InvalidInputError

    if not 1 <= args.port <= 65535:
        raise InvalidInputError(f"port must be in 1..65535, got {args.port}")
    uvicorn.run("genreblender.app.api:app", host=args.host, port=args.port, log_level="info")
    return 0
