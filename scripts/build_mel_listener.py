"""Rebuild the shipped mel-CNN listener from ../shared/data/gtzan/mel_images in one command.

    .venv/bin/python scripts/build_mel_listener.py [--shared PATH] [--seeds 3] [--jobs 2]
        [--final-seeds 3]

1. Honest figures: the recipe (cnn.CNNConfig, fixed beforehand, nothing chosen on the lists
   scored here) is trained in BOTH directions of the artist-filtered split (train list ->
   validation list and validation list -> train list) for each seed, and scored on the other
   list: track accuracy (mean of the 3-s windows' distributions), per-genre recall, ECE before
   and after temperature scaling. The temperature is cross-fitted: fitted on one half of the
   scored tracks, applied to the other, so no track's calibration is fitted on itself. The
   ensemble of a direction's seeds (window logits averaged) is scored the same way.
2. The shipped model: the same recipe trained on all 639 images with ``--final-seeds`` seeds
   (an ensemble when more than one), with the median cross-fitted temperature of step 1's
   ensembles (of its single runs for one seed): more artists teach more than a held-out part.

Writes src/genreblender/classification/models/model_3sec.{pth,json}, model_3sec_metrics.json
and model_3sec_confusion.png (pooled over both directions and seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from genreblender.classification import melspec  # noqa: E402
from genreblender.classification.calibration import expected_calibration_error, softmax  # noqa: E402
from genreblender.classification.cnn import CNNConfig  # noqa: E402
from genreblender.classification.mel_images import read_mel_image_folder  # noqa: E402
from genreblender.classification.mel_listener import (  # noqa: E402
    MelCNNClassifier,
    fit_track_temperature,
)
from genreblender.classification.report import plot_confusion, score  # noqa: E402
from genreblender.genres import GENRES  # noqa: E402
from genreblender.paths import MODELS_DIR, shared_data_dir  # noqa: E402

DIRECTIONS = {"train->valid": ("train", "valid"), "valid->train": ("valid", "train")}


def _split_names(path: Path) -> set[str]:
    return {Path(line.strip()).stem for line in path.read_text().splitlines() if line.strip()}


def _cross_fitted(logits: list[np.ndarray], labels: np.ndarray, seed: int):
    """Track distributions with a temperature fitted on the other half of the tracks."""
    rng = np.random.default_rng(seed)
    half = np.zeros(len(labels), dtype=bool)
    for g in np.unique(labels):  # stratified halves
        idx = rng.permutation(np.flatnonzero(labels == g))
        half[idx[: len(idx) // 2]] = True
    probs = np.zeros((len(labels), len(GENRES)))
    temps = []
    for fit_part in (half, ~half):
        t = fit_track_temperature(
            [z for z, f in zip(logits, fit_part, strict=True) if f], labels[fit_part]
        )
        temps.append(t)
        for i in np.flatnonzero(~fit_part):
            probs[i] = softmax(logits[i], t).mean(axis=0)
    return probs, temps


def _run(task: dict) -> dict:
    import torch

    torch.set_num_threads(task["threads"])
    data = np.load(task["cache"])
    levels, labels, tracks = data["levels"], data["labels"], data["tracks"]
    fit_idx = np.isin(tracks, task["fit_tracks"])
    config = replace(CNNConfig(), seed=task["seed"], **task.get("overrides", {}))
    started = time.time()
    model = MelCNNClassifier(config).fit(levels[fit_idx], labels[fit_idx])
    out = {"name": task["name"], "seed": task["seed"], "minutes": (time.time() - started) / 60}
    if task.get("save"):
        out["state_dict"] = {k: v.numpy() for k, v in model._network()[0].state_dict().items()}
        print(f"final member seed {task['seed']} trained ({out['minutes']:.1f} min)", flush=True)
        return out
    score_idx = np.isin(tracks, task["score_tracks"])
    logits = model.track_logits(list(levels[score_idx]))
    y = labels[score_idx]
    out |= _scores(logits, y, task["seed"])
    out |= {
        "n_scored": int(score_idx.sum()),
        "n_fit": int(fit_idx.sum()),
        "logits": logits,
        "labels": y,
    }
    print(
        f"{task['name']} seed {task['seed']}: accuracy {out['track_accuracy']:.3f}, "
        f"ECE {out['ece_before']:.3f} -> {out['ece_after']:.3f} ({out['minutes']:.1f} min)",
        flush=True,
    )
    return out


def _scores(logits: list[np.ndarray], y: np.ndarray, seed: int) -> dict:
    raw = np.stack([softmax(z).mean(axis=0) for z in logits])
    calibrated, temps = _cross_fitted(logits, y, seed)
    rep = score(calibrated, y)
    return {
        "track_accuracy": rep["track_accuracy"],
        "ece_before": expected_calibration_error(raw, y),
        "ece_after": rep["ece"],
        "nll_after": rep["nll"],
        "temperatures": temps,
        "recall": {g: v["recall"] for g, v in rep["per_genre"].items()},
        "confusion": rep["confusion_matrix"],
    }


def _stats(values) -> dict:
    values = [float(v) for v in values]
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        "values": values,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=None, help="the shared data folder (../shared/data)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per split direction")
    parser.add_argument("--final-seeds", type=int, default=3, help="members of the shipped model")
    parser.add_argument("--jobs", type=int, default=2, help="training processes at once")
    parser.add_argument("--out", default=str(MODELS_DIR), help="where the model files go")
    parser.add_argument("--no-final", action="store_true", help="only the honest figures")
    parser.add_argument(
        "--epochs", type=int, default=None, help="override the recipe's epochs (smoke tests only)"
    )
    args = parser.parse_args()
    shared = Path(args.shared) if args.shared else shared_data_dir()
    if shared is None:
        raise SystemExit("../shared/data not found; pass --shared PATH")
    gtzan = shared / "gtzan"
    images = read_mel_image_folder(
        gtzan / "mel_images", on_error=lambda path, msg: print(f"skipped: {msg}")
    )
    print(f"decoded {len(images)} mel images ({len(images.skipped)} skipped)")
    lists = {
        "train": _split_names(gtzan / "splits" / "train_filtered.txt"),
        "valid": _split_names(gtzan / "splits" / "valid_filtered.txt"),
    }
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the decoded images, for the worker processes: GTZAN data stays out of the repository
    scratch = tempfile.TemporaryDirectory(prefix="genreblender-mel-")
    cache = Path(scratch.name) / "mel_images.npz"
    np.savez(cache, levels=images.levels, labels=images.labels, tracks=np.array(images.tracks))
    tracks = set(images.tracks)
    overrides = {} if args.epochs is None else {"epochs": args.epochs}
    common = {"cache": str(cache), "threads": max(1, 2 // args.jobs), "overrides": overrides}
    tasks = [
        common
        | {
            "name": name,
            "seed": seed,
            "fit_tracks": sorted(lists[fit] & tracks),
            "score_tracks": sorted(lists[held] & tracks),
        }
        for name, (fit, held) in DIRECTIONS.items()
        for seed in range(args.seeds)
    ]
    if not args.no_final:
        tasks += [
            common | {"name": "final", "seed": seed, "fit_tracks": sorted(tracks), "save": True}
            for seed in range(args.final_seeds)
        ]
    started = time.time()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_run, tasks))
    scratch.cleanup()
    runs = [r for r in results if r["name"] != "final"]
    finals = [r for r in results if r["name"] == "final"]
    report: dict = {
        "model": "model_3sec.pth",
        "representation_version": melspec.REPRESENTATION_VERSION,
        "data": "../shared/data/gtzan/mel_images (639 tracks of the artist-filtered train and "
        "validation lists)",
        "n_images": len(images),
        "seeds_per_direction": args.seeds,
        "train_config": replace(CNNConfig(), **overrides).to_dict(),
        "calibration": "temperature cross-fitted on stratified halves of the scored tracks "
        "(never fitted on the track it is scored on); the shipped model takes the median",
        "directions": {},
        "wall_minutes": (time.time() - started) / 60,
    }
    ensemble_temps, single_temps, pooled = [], [], 0
    for name in DIRECTIONS:
        mine = [r for r in runs if r["name"] == name]
        mean_logits = [np.mean(z, axis=0) for z in zip(*(r["logits"] for r in mine), strict=True)]
        ens = _scores(mean_logits, mine[0]["labels"], 0)
        ensemble_temps += ens["temperatures"]
        single_temps += [t for r in mine for t in r["temperatures"]]
        pooled = pooled + np.asarray(ens["confusion"])
        report["directions"][name] = {
            "n_fit": mine[0]["n_fit"],
            "n_scored": mine[0]["n_scored"],
            "track_accuracy": _stats(r["track_accuracy"] for r in mine),
            "ece_before_calibration": _stats(r["ece_before"] for r in mine),
            "ece_after_calibration": _stats(r["ece_after"] for r in mine),
            "recall": {g: _stats(r["recall"][g] for r in mine) for g in GENRES},
            "minutes_per_run": _stats(r["minutes"] for r in mine),
            "ensemble_of_seeds": {
                "members": len(mine),
                "track_accuracy": ens["track_accuracy"],
                "ece_before_calibration": ens["ece_before"],
                "ece_after_calibration": ens["ece_after"],
                "recall": ens["recall"],
                "confusion_matrix": ens["confusion"],
            },
        }
    directions = report["directions"].values()
    report["both_directions"] = {
        "track_accuracy": _stats(r["track_accuracy"] for r in runs),
        "ece_after_calibration": _stats(r["ece_after"] for r in runs),
        "ensemble_track_accuracy": _stats(
            d["ensemble_of_seeds"]["track_accuracy"] for d in directions
        ),
        "ensemble_ece_after_calibration": _stats(
            d["ensemble_of_seeds"]["ece_after_calibration"] for d in directions
        ),
    }
    temperature = float(np.median(ensemble_temps if len(finals) > 1 else single_temps))
    report["shipped_members"] = len(finals)
    report["shipped_temperature"] = temperature
    report["confusion_matrix_pooled"] = np.asarray(pooled).tolist()
    plot_confusion(
        pooled,
        out_dir / "model_3sec_confusion.png",
        f"mel-CNN ensemble of {args.seeds} seeds, both split directions (rows: true)",
    )
    if finals:
        import torch

        model = MelCNNClassifier.from_state_dicts(
            replace(CNNConfig(), seed=0, **overrides),
            [{k: torch.as_tensor(v) for k, v in f["state_dict"].items()} for f in finals],
            temperature,
        )
        model.provenance = {
            "train_config": replace(CNNConfig(), seed=0, **overrides).to_dict(),
            "member_seeds": [f["seed"] for f in finals],
            "trained_on": "all 639 GTZAN mel images of the artist-filtered train + validation "
            "lists",
            "temperature": "median of the cross-fitted held-out temperatures of the split-"
            "direction " + ("ensembles" if len(finals) > 1 else "runs"),
            "minutes": [f["minutes"] for f in finals],
            "script": "scripts/build_mel_listener.py",
        }
        model.save(out_dir / "model_3sec.pth")
    (out_dir / "model_3sec_metrics.json").write_text(json.dumps(report, indent=1) + "\n")
    for name, d in report["directions"].items():
        acc, ens = d["track_accuracy"], d["ensemble_of_seeds"]
        print(
            f"{name}: track accuracy {acc['mean']:.3f} ± {acc['sd']:.3f} "
            f"(n={d['n_scored']}), ECE {d['ece_before_calibration']['mean']:.3f} -> "
            f"{d['ece_after_calibration']['mean']:.3f}; ensemble of {ens['members']}: "
            f"{ens['track_accuracy']:.3f}, ECE {ens['ece_after_calibration']:.3f}"
        )
    print(f"shipped: {len(finals)} member(s), temperature {temperature:.3f}; wrote {out_dir}")


if __name__ == "__main__":
    main()
