"""``genreblender serve``: the JSON HTTP API (FastAPI + uvicorn)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the JSON HTTP API (OpenAPI at /docs)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per core)"
    )
    parser.add_argument(
        "--queue",
        type=int,
        default=None,
        help="requests that may wait for a worker; more get 503 (default: 4 per worker)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from genreblender.errors import InvalidInputError

    if not 1 <= args.port <= 65535:
        raise InvalidInputError(f"port must be in 1..65535, got {args.port}")
    if args.workers is not None and args.workers < 1:
        raise InvalidInputError(f"--workers must be >= 1, got {args.workers}")
    if args.queue is not None and args.queue < 0:
        raise InvalidInputError(f"--queue must be >= 0, got {args.queue}")
    # the app is imported by uvicorn from its name: the pool reads its size from the environment
    if args.workers is not None:
        os.environ["GENREBLENDER_API_WORKERS"] = str(args.workers)
    if args.queue is not None:
        os.environ["GENREBLENDER_API_QUEUE"] = str(args.queue)
    uvicorn.run("genreblender.app.api:app", host=args.host, port=args.port, log_level="info")
    return 0
