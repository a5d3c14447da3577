"""Does a change to one genre's style make its pure tracks more recognisable? Base against
variant, every ear, on development seeds.

    .venv/bin/python benchmarks/style_probe.py --genre blues \\
        --set harmony.comp_duration_steps=2 --set bass.duration_steps=1 --set mix.reverb=0.1
        [--seeds 6] [--seed-offset 100] [--seconds 20] [--no-judge]

``--set PATH=VALUE`` changes the genre's hand-written style (``styles/<genre>.json``) in memory
for the variant: ``PATH`` is dotted keys into it, ``VALUE`` is JSON (a number, a list, a
string in quotes). Prints, for the style as shipped and for the variant, each ear's top-1 rate
and mean p(genre) over the seeds and the genre it most often hears instead. Probe on seeds 100
and up: seeds 0..9 are the figure's (``composer_genre_recognition.py``), and a change picked by
looking at them is tuned to them.
"""

import argparse
import copy
import json
from collections import Counter

import _common

import numpy as np

from genreblender.generation.composer import Composer
from genreblender.generation.composer import style as style_module
from genreblender.genres import validate_genre


def parse_setting(text: str) -> tuple[list[str], object]:
    path, sep, value = text.partition("=")
    if not sep or not path:
        raise SystemExit(f"--set takes PATH=VALUE (e.g. mix.reverb=0.1), got {text!r}")
    try:
        return path.split("."), json.loads(value)
    except json.JSONDecodeError:
        raise SystemExit(f"--set {path}: {value!r} is not JSON (strings take quotes)") from None


#: Style sections whose ``level`` is a part's linear amplitude (its MIDI volume)
PART_SECTIONS = ("drums", "bass", "harmony", "melody")


def apply_setting(style: dict, keys: list[str], value) -> None:
    node = style
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            raise SystemExit(f"--set {'.'.join(keys)}: the style has no section {key!r}")
        node = node[key]
    if keys[-1] not in node:
        raise SystemExit(f"--set {'.'.join(keys)}: the style has no key {keys[-1]!r} there")
    if keys[0] in PART_SECTIONS and keys[-1] in ("level", "pad_level") and float(value) > 1:
        # a part's level is its MIDI channel volume, 127 at most: above 1 it plays as 1
        raise SystemExit(f"--set {'.'.join(keys)}: a part's level is 0..1, got {value}")
    node[keys[-1]] = value


def hear(composer, ears, genre, seeds, seconds) -> dict[str, list[dict]]:
    heard = {name: [] for name in ears}
    for seed in seeds:
        result = composer.generate(genre, genre, 1.0, seconds, seed)
        mono = result.audio.mean(axis=1)
        for name, ear in ears.items():
            heard[name].append(ear(mono, result.sample_rate))
    return heard


def summary(distributions: list[dict], genre: str) -> str:
    tops = [max(d, key=d.get) for d in distributions]
    instead = Counter(t for t in tops if t != genre).most_common(1)
    return (
        f"top-1 {sum(t == genre for t in tops)}/{len(tops)}, "
        f"p {np.mean([d[genre] for d in distributions]):.3f}"
        + (f", else {instead[0][0]}" if instead else "")
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--genre", required=True)
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="PATH=VALUE")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--seed-offset", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-judge", dest="judge", action="store_false")
    args = parser.parse_args()
    genre = validate_genre(args.genre)
    settings = [parse_setting(s) for s in args.settings]
    trial = copy.deepcopy(style_module._prior(genre))
    for keys, value in settings:  # a wrong path is said before any model loads
        apply_setting(trial, keys, value)
    if args.seed_offset < 10:
        print("note: seeds 0..9 are the recognition figure's; probe on 100 and up")
    ears = {
        name: ear for name, (ear, can) in _common.genre_ears(args.judge).items() if genre in can
    }
    seeds = range(args.seed_offset, args.seed_offset + args.seeds)
    composer = Composer()
    # the variant edits the cached hand-written style in place; every later load copies it
    shipped = style_module._prior(genre)
    base = copy.deepcopy(shipped)
    runs = {"as shipped": []}
    if settings:
        runs["variant: " + " ".join(args.settings)] = settings
    print(f"{genre}, seeds {seeds.start}..{seeds.stop - 1}, {args.seconds:g}-s pure tracks")
    for label, changes in runs.items():
        shipped.clear()
        shipped.update(copy.deepcopy(base))
        for keys, value in changes:
            apply_setting(shipped, keys, value)
        heard = hear(composer, ears, genre, seeds, args.seconds)
        print(f"\n{label}")
        for name, distributions in heard.items():
            print(f"  {name:14s} {summary(distributions, genre)}")


if __name__ == "__main__":
    main()
