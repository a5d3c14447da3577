"""Rebuild the shipped mel-CNN listener from ../shared/data/gtzan/mel_images in one command.

    .venv/bin/python scripts/build_mel_listener.py [--shared PATH] [--seeds 3] [--jobs 2]

1. Honest figures: the recipe (cnn.CNNConfig, fixed beforehand, nothing chosen on the lists
   scored here) is trained in BOTH directions of the artist-filtered split (train list ->
   validation list and validation list -> train list) for each seed, and scored on the other
   list: track accuracy (mean of the 3-s windows' distributions), per-genre recall, ECE before
   and after temperature scaling. The temperature is cross-fitted: fitted on one half of the
   scored tracks, applied to the other, so no track's calibration is fitted on itself.
2. The shipped model: the same recipe trained on all 639 images (seed 0), with the median of the
   temperatures fitted in step 1 (more artists teach more than a held-out part would).

Writes src/genreblender/classification/models/model_3sec.{pth,json}, model_3sec_metrics.json
and model_3sec_confusion.png (pooled over both directions and seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
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
    config = CNNConfig(seed=task["seed"])
    started = time.time()
    model = MelCNNClassifier(config).fit(levels[fit_idx], labels[fit_idx])
    out = {"name": task["name"], "seed": task["seed"], "minutes": (time.time() - started) / 60}
    if task.get("save"):
        out["state_dict"] = {k: v.numpy() for k, v in model.state_dict_.items()}
        return out
    score_idx = np.isin(tracks, task["score_tracks"])
    logits = model.track_logits(list(levels[score_idx]))
    y = labels[score_idx]
    raw = np.stack([softmax(z).mean(axis=0) for z in logits])
    calibrated, temps = _cross_fitted(logits, y, task["seed"])
    rep = score(calibrated, y)
    out |= {
        "track_accuracy": rep["track_accuracy"],
        "ece_before": expected_calibration_error(raw, y),
        "ece_after": rep["ece"],
        "nll_after": rep["nll"],
        "temperatures": temps,
        "temperature_all": fit_track_temperature(logits, y),
        "recall": {g: v["recall"] for g, v in rep["per_genre"].items()},
        "confusion": rep["confusion_matrix"],
        "n_scored": int(score_idx.sum()),
        "n_fit": int(fit_idx.sum()),
    }
    print(
        f"{task['name']} seed {task['seed']}: accuracy {out['track_accuracy']:.3f}, "
        f"ECE {out['ece_before']:.3f} -> {out['ece_after']:.3f} ({out['minutes']:.1f} min)",
        flush=True,
    )
    return out


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
    parser.add_argument("--jobs", type=int, default=2, help="training processes at once")
    parser.add_argument("--out", default=str(MODELS_DIR), help="where the model files go")
    parser.add_argument("--no-final", action="store_true", help="only the honest figures")
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
    cache = out_dir / ".mel_images_cache.npz"
    np.savez(cache, levels=images.levels, labels=images.labels, tracks=np.array(images.tracks))
    tracks = set(images.tracks)
    tasks = [
        {
            "name": name,
            "seed": seed,
            "fit_tracks": sorted(lists[fit] & tracks),
            "score_tracks": sorted(lists[held] & tracks),
            "cache": str(cache),
            "threads": max(1, 2 // args.jobs),
        }
        for name, (fit, held) in DIRECTIONS.items()
        for seed in range(args.seeds)
    ]
    if not args.no_final:
        tasks.append(
            {
                "name": "final",
                "seed": 0,
                "fit_tracks": sorted(tracks),
                "save": True,
                "cache": str(cache),
                "threads": max(1, 2 // args.jobs),
            }
        )
    started = time.time()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_run, tasks))
    cache.unlink(missing_ok=True)
    runs = [r for r in results if r["name"] != "final"]
    report: dict = {
        "model": "model_3sec.pth",
        "representation_version": melspec.REPRESENTATION_VERSION,
        "data": "../shared/data/gtzan/mel_images (639 tracks of the artist-filtered train and "
        "validation lists)",
        "n_images": len(images),
        "seeds_per_direction": args.seeds,
        "train_config": CNNConfig().to_dict(),
        "calibration": "temperature cross-fitted on halves of the scored tracks (never fitted "
        "on the track it is scored on); the shipped model takes the median temperature",
        "directions": {},
        "wall_minutes": (time.time() - started) / 60,
    }
    for name in DIRECTIONS:
        mine = [r for r in runs if r["name"] == name]
        report["directions"][name] = {
            "n_fit": mine[0]["n_fit"],
            "n_scored": mine[0]["n_scored"],
            "track_accuracy": _stats(r["track_accuracy"] for r in mine),
            "ece_before_calibration": _stats(r["ece_before"] for r in mine),
            "ece_after_calibration": _stats(r["ece_after"] for r in mine),
            "recall": {g: _stats(r["recall"][g] for r in mine) for g in GENRES},
            "minutes_per_run": _stats(r["minutes"] for r in mine),
        }
    report["both_directions"] = {
        "track_accuracy": _stats(r["track_accuracy"] for r in runs),
        "ece_after_calibration": _stats(r["ece_after"] for r in runs),
    }
    temperature = float(np.median([t for r in runs for t in r["temperatures"]]))
    report["shipped_temperature"] = temperature
    pooled = np.sum([np.asarray(r["confusion"]) for r in runs], axis=0)
    report["confusion_matrix_pooled"] = pooled.tolist()
    plot_confusion(
        pooled,
        out_dir / "model_3sec_confusion.png",
        "mel-CNN, both split directions pooled (rows: true)",
    )
    final = next((r for r in results if r["name"] == "final"), None)
    if final is not None:
        import torch

        model = MelCNNClassifier(CNNConfig(seed=0))
        model._set_weights({k: torch.as_tensor(v) for k, v in final["state_dict"].items()})
        model.temperature = temperature
        model.provenance = {
            "train_config": CNNConfig(seed=0).to_dict(),
            "trained_on": "all 639 GTZAN mel images of the artist-filtered train + validation "
            "lists",
            "temperature": "median of the held-out temperatures of the split-direction runs",
            "minutes": final["minutes"],
            "script": "scripts/build_mel_listener.py",
        }
        model.save(out_dir / "model_3sec.pth")
    (out_dir / "model_3sec_metrics.json").write_text(json.dumps(report, indent=1) + "\n")
    for name, d in report["directions"].items():
        acc = d["track_accuracy"]
        print(
            f"{name}: track accuracy {acc['mean']:.3f} ± {acc['sd']:.3f} "
            f"(n={d['n_scored']}), ECE {d['ece_before_calibration']['mean']:.3f} -> "
            f"{d['ece_after_calibration']['mean']:.3f}"
        )
    print(f"shipped temperature {temperature:.3f}; wrote {out_dir}")


if __name__ == "__main__":
    main()
