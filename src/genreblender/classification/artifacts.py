"""Model artifacts: weights as a torch state_dict (``model_<window>.pth``) plus a JSON file beside
it with everything else (scaler statistics, labels, temperature, feature names, window, extractor
version, training provenance).

Nothing here unpickles: the weights are loaded with ``torch.load(weights_only=True)`` and the
rest is JSON, so a model file handed in by a user cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.errors import ArtifactError

FORMAT = "genreblender-classifier/1"


@dataclass
class ModelArtifacts:
    """Everything the classifier needs at inference besides the weights."""

    labels: tuple[str, ...]
    feature_names: tuple[str, ...]
    window_s: float
    hop_s: float
    extractor_version: str
    input_transform: str
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    temperature: float = 1.0
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_json(self, weights_name: str, weights_sha256: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "weights": weights_name,
            "weights_sha256": weights_sha256,
            "labels": list(self.labels),
            "feature_names": list(self.feature_names),
            "window_s": self.window_s,
            "hop_s": self.hop_s,
            "extractor_version": self.extractor_version,
            "input_transform": self.input_transform,
            "scaler": {"mean": self.scaler_mean.tolist(), "scale": self.scaler_scale.tolist()},
            "temperature": self.temperature,
            "architecture": "Linear(n,256)-ReLU-Dropout(0.3)-Linear(256,128)-ReLU-Dropout(0.3)-"
            "Linear(128,64)-ReLU-Dropout(0.3)-Linear(64,10)",
            "provenance": self.provenance,
        }


def weights_file_name(window_s: float) -> str:
    """``model_30sec.pth`` / ``model_3sec.pth`` as in the original design."""
    return f"model_{window_s:g}sec.pth"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a model/output file is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(weights_path: str | Path, state_dict: dict, artifacts: ModelArtifacts) -> Path:
    """Write ``weights_path`` (.pth) and its ``.json``; return the JSON path."""
    import torch

    weights_path = Path(weights_path)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(weights_path, lambda tmp: torch.save(state_dict, tmp))
    meta = artifacts.to_json(weights_path.name, sha256_file(weights_path))
    json_path = weights_path.with_suffix(".json")
    atomic_write(json_path, lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=1) + "\n"))
    return json_path


def read_model_json(
    weights_path: str | Path, expected_format: str, rebuild_script: str
) -> tuple[Path, Path, dict]:
    """The ``.pth`` and ``.json`` paths of a model (either may be named) and its parsed JSON,
    checked to exist, parse and be of ``expected_format``; :class:`ArtifactError` if not."""
    weights_path = Path(weights_path)
    if weights_path.suffix == ".json":
        weights_path = weights_path.with_suffix(".pth")
    json_path = weights_path.with_suffix(".json")
    for path in (weights_path, json_path):
        if not path.is_file():
            raise ArtifactError(
                f"model file {path} is missing; a model is a .pth state_dict with a .json beside "
                f"it (rebuild the shipped one with {rebuild_script})"
            )
    try:
        meta = json.loads(json_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{json_path}: not valid JSON ({exc})") from None
    got = meta.get("format") if isinstance(meta, dict) else None
    if got != expected_format:
        raise ArtifactError(f"{json_path}: format {got!r}, expected {expected_format!r}")
    return weights_path, json_path, meta


def load(weights_path: str | Path) -> tuple[dict, ModelArtifacts]:
    """Read a model and check it against this extractor; raise :class:`ArtifactError` if not."""
    import torch

    from genreblender.classification.features import EXTRACTOR_VERSION, FEATURE_NAMES
    from genreblender.genres import GENRES

    weights_path, json_path, meta = read_model_json(
        weights_path, FORMAT, "scripts/build_classifier.py"
    )
    problems = []
    if tuple(meta["feature_names"]) != FEATURE_NAMES:
        problems.append(
            f"feature names differ ({len(meta['feature_names'])} in the model, "
            f"{len(FEATURE_NAMES)} from the extractor)"
        )
    if meta["extractor_version"] != EXTRACTOR_VERSION:
        problems.append(
            f"extractor version {meta['extractor_version']!r} in the model, "
            f"{EXTRACTOR_VERSION!r} installed"
        )
    if tuple(meta["labels"]) != GENRES:
        problems.append(f"labels {meta['labels']} differ from {list(GENRES)}")
    n = len(meta["feature_names"])
    if len(meta["scaler"]["mean"]) != n or len(meta["scaler"]["scale"]) != n:
        problems.append("scaler statistics do not have one entry per feature")
    if not float(meta.get("window_s", 0)) > 0:
        problems.append(f"window_s must be positive, got {meta.get('window_s')!r}")
    if problems:
        raise ArtifactError(
            f"model {weights_path} does not fit this extractor: " + "; ".join(problems)
        )
    if meta.get("weights_sha256") and meta["weights_sha256"] != sha256_file(weights_path):
        raise ArtifactError(f"{weights_path}: sha256 differs from the one in {json_path.name}")
    try:
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad file
        raise ArtifactError(f"{weights_path}: not a loadable state_dict ({exc})") from None
    first = state.get("0.weight")
    if first is None or tuple(first.shape) != (256, n):
        raise ArtifactError(
            f"{weights_path}: first layer has shape {None if first is None else tuple(first.shape)}, "
            f"expected (256, {n})"
        )
    artifacts = ModelArtifacts(
        labels=tuple(meta["labels"]),
        feature_names=tuple(meta["feature_names"]),
        window_s=float(meta["window_s"]),
        hop_s=float(meta["hop_s"]),
        extractor_version=meta["extractor_version"],
        input_transform=meta["input_transform"],
        scaler_mean=np.asarray(meta["scaler"]["mean"], dtype=np.float64),
        scaler_scale=np.asarray(meta["scaler"]["scale"], dtype=np.float64),
        temperature=float(meta["temperature"]),
        provenance=meta.get("provenance", {}),
    )
    return state, artifacts
