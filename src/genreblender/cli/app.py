"""``genreblender app``: the Streamlit web app."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("app", help="run the web app (Streamlit)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument("--host", default="localhost", help="address to listen on")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from genreblender.app import services
    from genreblender.errors import InvalidInputError

    if not 1 <= args.port <= 65535:
        raise InvalidInputError(f"port must be in 1..65535, got {args.port}")
    page = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(page),
        "--server.port",
        str(args.port),
        "--server.address",
        args.host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(services.MAX_UPLOAD_BYTES // 2**20),
        "--client.toolbarMode",
        "minimal",
    ]
    # exec, not a child process: stopping `genreblender app` then stops the server itself
    os.execv(sys.executable, command)
    return 0  # not reached
