"""Judge audio files with musicnn: ``python -m genreblender.evaluation.judges FILE... [--model M]``.

Prints, per file, the top genre through the tag map, the visible-genre scores and the top tags.
"""

from __future__ import annotations

import argparse
import sys

from genreblender.audio import load_audio
from genreblender.errors import GenreBlenderError
from genreblender.evaluation.judges import tag_map
from genreblender.evaluation.judges.judge import MusicnnJudge


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genreblender.evaluation.judges")
    parser.add_argument("files", nargs="+", help="audio files (>= 3 s)")
    parser.add_argument("--model", default="MSD_musicnn", choices=tuple(tag_map.JUDGE_MODELS))
    parser.add_argument("--top-tags", type=int, default=3, help="tags to show per file")
    args = parser.parse_args(argv)
    try:
        judge = MusicnnJudge(args.model)
        print(f"{args.model}: visible genres {', '.join(judge.visible_genres)}")
        for path in args.files:
            audio = load_audio(path)
            out = judge.judge(audio.samples, audio.sr)
            ranked = sorted(zip(out.genres, out.scores, strict=True), key=lambda gs: -gs[1])
            tags = sorted(out.tags.items(), key=lambda kv: -kv[1])[: args.top_tags]
            print(
                f"{path}: {ranked[0][0]} "
                f"[{' '.join(f'{g}={s:.2f}' for g, s in ranked)}] "
                f"tags: {', '.join(f'{t}={p:.2f}' for t, p in tags)}"
            )
    except GenreBlenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
