"""The mel-CNN listener: 3-s windows of the GTZAN mel-image representation → CNN → P(genre).

sklearn-style on level arrays (:meth:`MelCNNClassifier.fit` on whole-track levels,
:meth:`~MelCNNClassifier.predict_proba` per track), :meth:`~MelCNNClassifier.classify` on audio.
A track's distribution is the mean of its windows' (3 s, every ~1.5 s, the last aligned to the
end), which are also its timeline.

Artifacts: ``model_3sec.pth`` (a state_dict, read with ``weights_only=True``) and
``model_3sec.json`` (architecture, window, temperature, representation version, provenance),
checked against this code on load; nothing is unpickled.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.classification import melspec
from genreblender.classification.artifacts import atomic_write, read_model_json, sha256_file
from genreblender.classification.calibration import fit_temperature_of, softmax
from genreblender.classification.cnn import (
    HOP_COLUMNS,
    CNNConfig,
    build_cnn,
    train_cnn,
    window_logits,
)
from genreblender.classification.result import ClassificationResult
from genreblender.errors import ArtifactError, InvalidInputError
from genreblender.genres import GENRES, label_indices
from genreblender.paths import MODELS_DIR

FORMAT = "genreblender-mel-cnn/1"
#: The listener shipped in the package.
SHIPPED_MODEL = MODELS_DIR / "model_3sec.pth"


def fit_track_temperature(logits_per_track: Sequence[np.ndarray], labels: np.ndarray) -> float:
    """The T > 0 minimising the NLL of tracks' mean window distributions ``softmax(z / T)``.

    The track distribution (not one window's) is what is reported, so it is what is calibrated.
    """
    return fit_temperature_of(
        lambda t: np.stack([softmax(z, t).mean(axis=0) for z in logits_per_track]), labels
    )


class MelCNNClassifier:
    """Genre listener on 3-s windows of 128-band log-mel levels.

    Parameters
    ----------
    config : CNNConfig
        Architecture and training recipe.
    hop_columns : int
        Hop between analysis windows at inference (~1.5 s).
    n_members : int
        Networks trained with seeds ``config.seed``, ``config.seed + 1``, ...; their window
        logits are averaged (an ensemble of seeds: less seed-to-seed variance, same recipe).
    """

    name = "mel-cnn"

    def __init__(
        self, config: CNNConfig | None = None, hop_columns: int = HOP_COLUMNS, n_members: int = 1
    ):
        if int(n_members) < 1:
            raise InvalidInputError(f"n_members must be >= 1, got {n_members}")
        self.config = config or CNNConfig()
        self.hop_columns = int(hop_columns)
        self.n_members = int(n_members)
        self.labels: tuple[str, ...] = GENRES
        self.temperature: float = 1.0
        self.state_dict_: dict | None = None
        self.history_: list[dict] = []
        self.provenance: dict[str, Any] = {}
        self.source = "unfitted"
        self._members: list = []

    # -- training -----------------------------------------------------------------------------
    def fit(
        self,
        levels: np.ndarray,
        y,
        levels_valid: np.ndarray | None = None,
        y_valid=None,
        on_epoch: Callable[[int, dict], None] | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> MelCNNClassifier:
        """Train on whole-track levels ``(n, 128, columns)``; labels are names or indices.

        With held-out tracks, the softmax temperature is fitted on them (the weights are those
        after the last epoch either way: no epoch is chosen on held-out tracks).
        """
        from dataclasses import replace

        levels = self._check_levels(levels)
        y_idx = label_indices(y)
        trained = [
            train_cnn(levels, y_idx, replace(self.config, seed=self.config.seed + i), on_epoch)
            for i in range(self.n_members)
        ]
        self._set_weights([t.state_dict for t in trained])
        self.history_ = [record for t in trained for record in t.history]
        self.temperature = 1.0
        if levels_valid is not None and len(levels_valid):
            self.temperature = fit_track_temperature(
                self.track_logits(levels_valid), label_indices(y_valid)
            )
        self.provenance = {"train_config": self.config.to_dict()} | (provenance or {})
        self.source = "fitted in this process"
        return self

    # -- inference ----------------------------------------------------------------------------
    def window_logits(self, windows: np.ndarray) -> np.ndarray:
        """Untempered logits ``(n, 10)`` of ``(n, 128, 39)`` level windows (the members' mean)."""
        members = self._network()
        return np.mean([window_logits(m, windows) for m in members], axis=0)

    def track_logits(self, levels: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Window logits of each track's levels (each ``(128, columns)``)."""
        out = []
        for track in levels:
            windows, _ = melspec.frame_windows(
                self._check_track(track), self.config.window_columns, self.hop_columns
            )
            out.append(self.window_logits(windows))
        return out

    def predict_proba(self, levels: Sequence[np.ndarray], calibrated: bool = True) -> np.ndarray:
        """Track distributions ``(n_tracks, 10)``: the mean of each track's window distributions."""
        t = self.temperature if calibrated else 1.0
        return np.stack([softmax(z, t).mean(axis=0) for z in self.track_logits(levels)])

    def predict(self, levels: Sequence[np.ndarray]) -> np.ndarray:
        """Genre name per track."""
        return np.asarray(self.labels)[self.predict_proba(levels).argmax(axis=1)]

    def classify_levels(self, levels: np.ndarray, duration_s: float) -> ClassificationResult:
        """Track result with the per-window timeline, from one track's levels."""
        windows, starts = melspec.frame_windows(
            self._check_track(levels), self.config.window_columns, self.hop_columns
        )
        probs = softmax(self.window_logits(windows), self.temperature)
        per_s = melspec.COLUMNS_PER_SECOND
        starts_s = starts / per_s
        ends_s = np.minimum((starts + self.config.window_columns) / per_s, duration_s)
        return ClassificationResult(
            genres=self.labels,
            probabilities=probs.mean(axis=0),
            segment_probabilities=probs,
            segment_starts_s=starts_s,
            segment_ends_s=ends_s,
            duration_s=float(duration_s),
            model=self.describe(),
        )

    def classify(self, audio: Any, sr: int | None = None) -> ClassificationResult:
        """Classify a file path or a sample array (``sr`` required for arrays)."""
        from genreblender.audio import load_audio

        loaded = load_audio(audio, sr=sr)
        levels = melspec.mel_levels(loaded.samples, loaded.sr)
        return self.classify_levels(levels, loaded.duration_s)

    def describe(self) -> dict[str, Any]:
        self._network()
        return {
            "listener": self.name,
            "name": self.source,
            "window_s": round(self.config.window_columns / melspec.COLUMNS_PER_SECOND, 3),
            "hop_s": round(self.hop_columns / melspec.COLUMNS_PER_SECOND, 3),
            "representation_version": melspec.REPRESENTATION_VERSION,
            "temperature": self.temperature,
            "members": self.n_members,
        }

    # -- persistence --------------------------------------------------------------------------
    def save(self, weights_path: str | Path) -> Path:
        """Write ``weights_path`` (.pth) and its ``.json``; returns the JSON path."""
        import torch

        self._network()
        weights_path = Path(weights_path)
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(weights_path, lambda tmp: torch.save(self.state_dict_, tmp))
        meta = {
            "format": FORMAT,
            "weights": weights_path.name,
            "weights_sha256": sha256_file(weights_path),
            "labels": list(self.labels),
            "representation_version": melspec.REPRESENTATION_VERSION,
            "window_columns": self.config.window_columns,
            "hop_columns": self.hop_columns,
            "columns_per_second": melspec.COLUMNS_PER_SECOND,
            "reference_span_s": melspec.REFERENCE_SPAN_S,
            "temperature": self.temperature,
            "members": self.n_members,
            "config": self.config.to_dict(),
            "architecture": f"4 x [Conv3x3-BN-ReLU-MaxPool2] channels {list(self.config.channels)}"
            f", mean over time, Dropout({self.config.dropout}), Linear",
            "provenance": self.provenance,
        }
        json_path = weights_path.with_suffix(".json")
        atomic_write(json_path, lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=1) + "\n"))
        return json_path

    @classmethod
    def load(cls, path: str | Path | None = None) -> MelCNNClassifier:
        """Load a model (the shipped one by default; cached per process and path)."""
        return _load_cached(str(Path(path or SHIPPED_MODEL).resolve()))

    # -- helpers ------------------------------------------------------------------------------
    @classmethod
    def from_state_dicts(
        cls, config: CNNConfig, state_dicts: Sequence[dict], temperature: float = 1.0
    ) -> MelCNNClassifier:
        """An ensemble of networks trained elsewhere (e.g. in parallel processes)."""
        model = cls(config, n_members=len(state_dicts))
        model._set_weights(list(state_dicts))
        model.temperature = float(temperature)
        model.source = "assembled in this process"
        return model

    def _set_weights(self, state_dicts: Sequence[dict]) -> None:
        """Build the members; the artifact's one state_dict holds them as ``member<i>.<key>``."""
        members, combined = [], {}
        for i, state in enumerate(state_dicts):
            net = build_cnn(self.config, len(self.labels))
            net.load_state_dict(state)
            net.eval()
            members.append(net)
            combined |= {f"member{i}.{k}": v for k, v in state.items()}
        self.n_members = len(members)
        self.state_dict_ = combined
        self._members = members

    def _network(self) -> list:
        if not self._members:
            raise InvalidInputError("this MelCNNClassifier is not fitted; call fit() or load()")
        return self._members

    def _check_levels(self, levels) -> np.ndarray:
        levels = np.asarray(levels)
        if levels.ndim != 3 or levels.shape[1] != melspec.N_MELS:
            raise InvalidInputError(
                f"levels must have shape (tracks, {melspec.N_MELS}, columns), got {levels.shape}"
            )
        if levels.shape[2] < self.config.window_columns:
            raise InvalidInputError(
                f"tracks of {levels.shape[2]} columns are shorter than one window "
                f"({self.config.window_columns})"
            )
        return levels.astype(np.uint8, copy=False)

    def _check_track(self, track) -> np.ndarray:
        track = np.asarray(track)
        if track.ndim != 2 or track.shape[0] != melspec.N_MELS or track.dtype != np.uint8:
            raise InvalidInputError(
                f"a track's levels are uint8 of shape ({melspec.N_MELS}, columns), got "
                f"{track.dtype} {track.shape}"
            )
        return track


def read_artifacts(weights_path: str | Path) -> tuple[dict, dict]:
    """The JSON and state_dict of a mel-CNN model, checked; raise :class:`ArtifactError`."""
    import torch

    weights_path, json_path, meta = read_model_json(
        weights_path, FORMAT, "scripts/build_mel_listener.py"
    )
    problems = []
    if meta.get("representation_version") != melspec.REPRESENTATION_VERSION:
        problems.append(
            f"representation version {meta.get('representation_version')!r} in the model, "
            f"{melspec.REPRESENTATION_VERSION!r} installed"
        )
    if tuple(meta.get("labels", ())) != GENRES:
        problems.append(f"labels {meta.get('labels')} differ from {list(GENRES)}")
    if not (isinstance(meta.get("hop_columns"), int) and meta["hop_columns"] > 0):
        problems.append(f"hop_columns must be a positive integer, got {meta.get('hop_columns')!r}")
    temperature = meta.get("temperature")
    if not (isinstance(temperature, (int, float)) and np.isfinite(temperature) and temperature > 0):
        problems.append(f"temperature must be a positive number, got {temperature!r}")
    if problems:
        raise ArtifactError(f"model {weights_path} does not fit this code: " + "; ".join(problems))
    if meta.get("weights_sha256") != sha256_file(weights_path):
        raise ArtifactError(f"{weights_path}: sha256 differs from the one in {json_path.name}")
    try:
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad file
        raise ArtifactError(f"{weights_path}: not a loadable state_dict ({exc})") from None
    return meta, state


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> MelCNNClassifier:
    meta, state = read_artifacts(path)
    try:
        config = CNNConfig.from_dict(meta.get("config", {}))
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: bad config in the model JSON ({exc})") from None
    model = MelCNNClassifier(config=config, hop_columns=meta["hop_columns"])
    if not isinstance(state, dict):
        raise ArtifactError(f"{path}: the weights file holds no state_dict")
    members: dict[int, dict] = {}
    for key, value in state.items():
        head, _, rest = key.partition(".")
        if not head.startswith("member") or not head[6:].isdigit() or not rest:
            raise ArtifactError(f"{path}: unexpected weight {key!r} (expected member<i>.<name>)")
        members.setdefault(int(head[6:]), {})[rest] = value
    if sorted(members) != list(range(len(members))) or len(members) != meta.get("members"):
        raise ArtifactError(
            f"{path}: the weights hold members {sorted(members)}, the JSON says "
            f"{meta.get('members')!r}"
        )
    try:
        model._set_weights([members[i] for i in range(len(members))])
    except (RuntimeError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{path}: weights do not fit the architecture ({exc})") from None
    model.temperature = float(meta["temperature"])
    model.provenance = meta.get("provenance", {})
    model.source = Path(path).name
    return model
