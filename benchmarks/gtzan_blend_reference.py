"""What do blends of real GTZAN music score? The landing figures of spliced GTZAN clips beside
the composer's, both heard by one mel-CNN that never saw those artists.

    .venv/bin/python benchmarks/gtzan_blend_reference.py [--draws 9] [--composer-seeds 3]
        [--seconds 20] [--triples 20] [--triple-seed 13] [--direction train-to-valid]
        [--model PATH]
        [--out out/bench/gtzan_blend_reference.json]

Issue 10's targets (both genres of a 50:50 blend the top two for 70% of tracks, on-target mass
0.6) and issue 13's (a 3-genre mix's genres the top three for 50%) are figures of a listener. This
study asks what real music reaches on them, so that a missed target can be read as the
composer's shortfall or the listener's limit.

*Real blends* are cut from the mel images of the artist-disjoint list the held-out model did
not learn from (``--direction train-to-valid``, the default: it learns from the 442 training-list
images and hears the 197 validation-list ones; ``valid-to-train`` the other way round, a weaker
listener trained on 197). A blend of genres A and B is a stretch of an A clip and a stretch of a
B clip taking turns in the very form the composer's sectioned blends use
(:func:`sections.plan_mix_pieces`, here with 2-s bars: A 5 s, B 10 s, A 5 s for 20 s at alpha
0.5), cut straight from the images (the composer crossfades for 0.03 s, under half an image
column). Each genre's pieces are consecutive stretches of one clip starting at a random point, as
the composer's pieces are stretches of one song. ``--draws`` random clip choices per pair
(seeded; the same on every run). Pure tracks: the middle ``--seconds`` of every clip.

The composer's blends and pure songs (``--composer-seeds`` seeds, the standard seeds 0, 1, ...)
are heard by the same model, so the two rows compare music with music, not listener with
listener. The shipped listener's figures for the composer (trained on all 639 images) and for the
real blends (tracks it saw in training: an optimistic figure, not a reference) are printed
beside, and once more with the shipped network at the held-out model's temperature: a
calibrated listener's figures move with its temperature, and the shipped one (2.45, the median
of held-out fits in both split directions) is not the held-out model's.

The held-out model: the shipped recipe, seed 0, one network (the shipped listener is an ensemble
of three), cached at ``--model`` (the training-list one is the file ``mel_reference_study.py``
also uses; ~10 min on 2 cores the first time); one softmax temperature fitted on the heard
list's whole-clip labels (one number, as the shipped listener's was fitted on held-out tracks).

What it cannot show: the two clips' relative loudness (every image is in dB re its own clip's
loudest bin, so a real blend's two genres are matched at their peaks, where the composer matches
them in level; the spliced image is then re-referenced to its own loudest bin); real blends that
a musician made (these are cuts between two recordings in different keys and tempos).
"""

import argparse
import itertools
import json
import math
import os
import time
from pathlib import Path

import _common
from _mel_lists import list_model, list_model_path, mel_list

import numpy as np
from mel_reference_study import own_reference
from mix_study import random_triples

from genreblender.classification.calibration import softmax
from genreblender.classification.mel_listener import MelCNNClassifier, fit_track_temperature
from genreblender.classification.melspec import COLUMNS_PER_SECOND
from genreblender.evaluation.metrics import mix_metrics
from genreblender.generation.composer.sections import plan_mix_pieces
from genreblender.genres import GENRES
from genreblender.mixes import Mix, make_mix

#: bar length of the real blends' plan (the composer's bars are 1.7-3 s)
REAL_BAR_S = 2.0
#: the held-out model's training list and the list its real blends are cut from
DIRECTIONS = {
    "train-to-valid": ("train", "valid"),
    "valid-to-train": ("valid", "train"),
}


def splice(clips: list[np.ndarray], mix: Mix, seconds: float, rng) -> np.ndarray:
    """A ``seconds``-long image of ``mix``: stretches of ``clips[i]`` (genre ``i``'s clip) in the
    composer's sectioned form, each genre's pieces consecutive from a random start."""
    pieces = plan_mix_pieces(mix.weights, seconds, [REAL_BAR_S] * mix.k)
    n_cols = int(round(seconds * COLUMNS_PER_SECOND))
    need = {g: 0 for g in range(mix.k)}
    for p in pieces:
        need[p.genre] = max(need[p.genre], p.source_start_bar + p.bars)
    offsets = {}
    for g, bars in need.items():
        cols = int(math.ceil(bars * REAL_BAR_S * COLUMNS_PER_SECOND)) + 1
        room = clips[g].shape[1] - cols
        if room < 0:
            raise ValueError(f"a {seconds:g}-s blend needs {cols} columns of one clip")
        offsets[g] = int(rng.integers(0, room + 1))
    bounds = np.cumsum([0] + [p.bars for p in pieces]) * REAL_BAR_S * COLUMNS_PER_SECOND
    bounds = np.minimum(np.round(bounds).astype(int), n_cols)
    bounds[-1] = n_cols  # the last piece runs to the end
    out = np.empty((clips[0].shape[0], n_cols), dtype=np.uint8)
    for p, a, b in zip(pieces, bounds[:-1], bounds[1:], strict=True):
        src = offsets[p.genre] + int(round(p.source_start_bar * REAL_BAR_S * COLUMNS_PER_SECOND))
        out[:, a:b] = clips[p.genre][:, src : src + (b - a)]
    return own_reference(out)


#: the per-track figures averaged over a set of blends
BLEND_FIGURES = ("topk_match", "landed", "on_target_mass", "weight_error")


def blend_figures(rows: list[dict]) -> dict:
    """Mean figures of scored blends (``rows`` with ``metrics`` and ``draw``), with the spread
    over draws (real clips) or seeds (composer): mean ± sd of the per-draw means."""
    out = {}
    for name in BLEND_FIGURES:
        values = np.array([float(r["metrics"][name]) for r in rows])
        per_draw = [
            np.mean([float(r["metrics"][name]) for r in rows if r["draw"] == d])
            for d in sorted({r["draw"] for r in rows})
        ]
        out[name] = {
            "mean": float(values.mean()),
            "sd_over_draws": float(np.std(per_draw, ddof=1)) if len(per_draw) > 1 else None,
        }
    out["n"] = len(rows)
    return out


def own_genre_table(rows: list[dict]) -> dict:
    """Mean p(own genre) per genre and over the genres, of pure tracks' distributions."""
    table = {
        g: float(np.mean([r["p"][GENRES.index(g)] for r in rows if r["genre"] == g]))
        for g in GENRES
        if any(r["genre"] == g for r in rows)
    }
    table["mean"] = float(np.mean(list(table.values())))
    return table


def _rows(models: dict, levels: np.ndarray, mix: Mix, draw: int) -> list[dict]:
    """One row per model of a track's levels: a pure track's distribution, or a blend's
    figures against ``mix``. ``models`` maps a name to ``(network, temperature)``; a network
    heard at two temperatures runs once."""
    rows, logits = [], {}
    for name, (network, temperature) in models.items():
        if id(network) not in logits:
            logits[id(network)] = network.track_logits([levels])[0]
        p = softmax(logits[id(network)], temperature).mean(axis=0)
        if mix.k == 1:
            rows.append({"model": name, "genre": mix.genres[0], "p": p})
        else:
            figures = mix_metrics(p, mix).to_dict()
            rows.append(
                {"model": name, "mix": mix.text, "k": mix.k, "draw": draw, "metrics": figures}
            )
    return rows


def plot_report(report: dict, path: Path) -> Path:
    """A PNG of the report: per genre, how much of its own genre the held-out model hears in real
    clips and in the composer's songs; per listener, the blends' top-k rate and mass, real beside
    composer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), gridspec_kw={"width_ratios": [2.2, 1.2, 1]})
    x = np.arange(len(GENRES))
    for offset, source, colour in ((-0.2, "real", "#7f7f7f"), (0.2, "composer", "#1f77b4")):
        table = report["pure"][f"{source}, held-out"]
        axes[0].bar(x + offset, [table[g] for g in GENRES], 0.4, color=colour, label=source)
    axes[0].set_xticks(x, GENRES, rotation=35)
    axes[0].set_ylim(0, 1)
    axes[0].set_ylabel("mean p(own genre)")
    axes[0].set_title("pure tracks, held-out mel-CNN")
    axes[0].legend()
    models = [k.split(", ", 1)[1] for k in report["pairs"] if k.startswith("composer, ")]
    for ax, figure, label in (
        (axes[1], "topk_match", "A, B top two (pairs) / top three (triples)"),
        (axes[2], "on_target_mass", "mean on-target mass"),
    ):
        slots = [(section, m) for section in ("pairs", "triples") for m in models]
        y = np.arange(len(slots))
        for offset, source, colour in ((-0.2, "real", "#7f7f7f"), (0.2, "composer", "#1f77b4")):
            values = [report[section][f"{source}, {m}"][figure]["mean"] for section, m in slots]
            ax.barh(y + offset, values, 0.4, color=colour, label=source)
        names = [
            f"{section}: {m}" + (" (real: seen in training)" if m.startswith("shipped") else "")
            for section, m in slots
        ]
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_title(label, fontsize=10)
    axes[2].set_yticks([])
    axes[2].axvline(0.6, color="k", linestyle="--", linewidth=1)
    axes[2].text(0.61, len(models) * 2 - 0.6, "target 0.6", fontsize=8)
    fig.suptitle(
        "Real GTZAN blends (cut from clips of artists the held-out model never heard) "
        "and the composer's, 20 s",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=9, help="random clip choices per pair")
    parser.add_argument("--triple-draws", type=int, default=3)
    parser.add_argument("--composer-seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--triples", type=int, default=20)
    parser.add_argument("--triple-seed", type=int, default=13)
    parser.add_argument(
        "--direction",
        choices=sorted(DIRECTIONS),
        default="train-to-valid",
        help="which list the held-out model learns from and which it hears as real blends",
    )
    parser.add_argument(
        "--model", default=None, help="default: out/bench/mel_<list>_list_model.pth"
    )
    parser.add_argument("--out", default="out/bench/gtzan_blend_reference.json")
    args = parser.parse_args()
    if not 3.0 <= args.seconds <= 28.0:
        parser.error("--seconds must be in [3, 28]: a real blend's pieces are cut from 30-s clips")
    for option in ("draws", "triple_draws", "composer_seeds", "triples"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1")
    _common.one_thread_torch()
    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    started = time.perf_counter()
    learn_list, hear_list = DIRECTIONS[args.direction]
    model_path = Path(args.model or list_model_path(learn_list))
    held_out = list_model(learn_list, model_path, parser)
    real_clips = mel_list(hear_list, parser)
    held_out.temperature = fit_track_temperature(
        held_out.track_logits(real_clips.levels), real_clips.labels
    )
    shipped = MelCNNClassifier.load()
    # the shipped network at the held-out model's temperature: how much of a figure is the
    # listener's confidence rather than the music (the shipped temperature is the median of both
    # split directions' held-out fits, and the two directions disagree)
    models = {
        "held-out": (held_out, held_out.temperature),
        "shipped": (shipped, shipped.temperature),
        "shipped at held-out T": (shipped, held_out.temperature),
    }
    print(
        f"held-out model {model_path} (T fitted on the {len(real_clips)} {hear_list}-list clips: "
        f"{held_out.temperature:.2f}); shipped listener T {shipped.temperature:.2f}"
    )
    by_genre = {g: np.flatnonzero(real_clips.labels == GENRES.index(g)) for g in GENRES}
    print(
        f"{hear_list}-list clips per genre: "
        + ", ".join(f"{g} {len(i)}" for g, i in by_genre.items())
    )

    rng = np.random.default_rng(0)
    cols = int(round(args.seconds * COLUMNS_PER_SECOND))
    real_pure = []
    for levels, label in zip(real_clips.levels, real_clips.labels, strict=True):
        mid = (levels.shape[1] - cols) // 2
        excerpt = own_reference(np.ascontiguousarray(levels[:, mid : mid + cols]))
        real_pure += _rows(models, excerpt, Mix.pure(GENRES[label]), 0)

    pairs = list(itertools.combinations(GENRES, 2))
    triples = random_triples(args.triples, args.triple_seed)
    jobs = [(Mix.pair(a, b, 0.5), d) for d in range(args.draws) for a, b in pairs]
    jobs += [
        (make_mix([(g, 1.0) for g in t]), d) for d in range(args.triple_draws) for t in triples
    ]
    real = []
    for k, (mix, draw) in enumerate(jobs):
        picks = [real_clips.levels[rng.choice(by_genre[g])] for g in mix.genres]
        image = splice(picks, mix, args.seconds, rng)
        real += _rows(models, image, mix, draw)
        if (k + 1) % 100 == 0:
            print(f"  real blends {k + 1}/{len(jobs)}", flush=True)

    from genreblender.audio import load_audio
    from genreblender.classification.melspec import mel_levels
    from genreblender.generation.composer import Composer
    from genreblender.jit_cache import warm_librosa_kernels

    warm_librosa_kernels()
    composer = Composer()
    composed, composed_pure = [], []
    seeds = range(args.composer_seeds)
    work = [(Mix.pure(g), s) for s in seeds for g in GENRES]
    work += [(Mix.pair(a, b, 0.5), s) for s in seeds for a, b in pairs]
    work += [(make_mix([(g, 1.0) for g in t]), s) for s in seeds for t in triples]
    for k, (mix, seed) in enumerate(work):
        result = composer.generate_mix(mix, args.seconds, seed)
        loaded = load_audio(result.audio.mean(axis=1), sr=result.sample_rate)
        levels = mel_levels(loaded.samples, loaded.sr)
        rows = _rows(models, levels, mix, seed)
        (composed_pure if mix.k == 1 else composed).extend(rows)
        if (k + 1) % 50 == 0:
            print(f"  composer tracks {k + 1}/{len(work)}", flush=True)

    report = {
        "settings": vars(args) | {"real_bar_s": REAL_BAR_S, "real_clips": len(real_clips)},
        "temperature": {"held-out": held_out.temperature, "shipped": shipped.temperature},
        "pure": {},
        "pairs": {},
        "triples": {},
    }
    for name in models:
        for source, pure_rows, blend_rows in (
            ("real", real_pure, real),
            ("composer", composed_pure, composed),
        ):
            key = f"{source}, {name}"
            report["pure"][key] = own_genre_table([r for r in pure_rows if r["model"] == name])
            for k, section in ((2, "pairs"), (3, "triples")):
                mine = [r for r in blend_rows if r["model"] == name and r["k"] == k]
                report[section][key] = blend_figures(mine)
                report[section][key]["per_mix"] = {
                    m: float(np.mean([r["metrics"]["topk_match"] for r in mine if r["mix"] == m]))
                    for m in dict.fromkeys(r["mix"] for r in mine)
                }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print_report(report, args)
    figure = plot_report(report, out.with_suffix(".png"))
    print(f"\nwrote {out}, {figure} ({(time.perf_counter() - started) / 60:.1f} min)")


def _cell(fig: dict, name: str, pct: bool) -> str:
    mean, sd = fig[name]["mean"], fig[name]["sd_over_draws"]
    if pct:
        return f"{mean:6.1%}" + (f" ± {sd:.1%}" if sd is not None else "")
    return f"{mean:.3f}" + (f" ± {sd:.3f}" if sd is not None else "")


def print_report(report: dict, args) -> None:
    print(
        f"\n{args.seconds:g}-s tracks. Real: spliced {DIRECTIONS[args.direction][1]}-list clips (artists "
        f"the held-out model never saw), {args.draws} draws per pair, {args.triple_draws} per triple; "
        f"composer: {args.composer_seeds} seeds. ± is the sd of the per-draw (per-seed) means."
    )
    for section, what, words in (
        ("pairs", "45 pairs at alpha 0.5", "A, B the top two"),
        ("triples", f"{args.triples} equal triples (seed {args.triple_seed})", "the top three"),
    ):
        print(f"\n{what}:")
        print(
            f"{'music, model':34} {words:>22} {'landed':>17} {'on-target mass':>17} "
            f"{'weight error':>17}"
        )
        for key, fig in report[section].items():
            print(
                f"{key:34} {_cell(fig, 'topk_match', True):>22} {_cell(fig, 'landed', True):>17} "
                f"{_cell(fig, 'on_target_mass', False):>17} {_cell(fig, 'weight_error', False):>17}"
            )
    print(f"\npure tracks ({args.seconds:g} s; real: the middle of each clip), mean p(own genre):")
    print(f"{'music, model':34} " + " ".join(f"{g[:5]:>6}" for g in GENRES) + "   mean")
    for key, table in report["pure"].items():
        print(
            f"{key:34} " + " ".join(f"{table[g]:6.2f}" for g in GENRES) + f" {table['mean']:6.3f}"
        )


if __name__ == "__main__":
    main()
