"""The pretrained musicnn taggers (Pons & Serra 2019) in PyTorch, with their exact preprocessing.

musicnn 0.1.0 (ISC licence, Music Technology Group, Universitat Pompeu Fabra) ships two taggers as
TensorFlow 1 checkpoints: ``MSD_musicnn`` (the Million Song Dataset's top-50 Last.fm tags) and
``MTT_musicnn`` (MagnaTagATune's top-50 tags). ``scripts/convert_musicnn_weights.py`` converts
them to the float32 state_dicts in ``weights/``; this module rebuilds the network of the package's
``models.build_musicnn`` layer by layer (batch norm in inference mode, dropout off) and the
preprocessing of its ``extractor.batch_data``:

- mono, resampled to 16 kHz with librosa's default ``soxr_hq`` resampler (as ``librosa.load``);
- mel power spectrogram, ``n_fft=512``, ``hop_length=256``, ``n_mels=96`` (librosa defaults
  otherwise), transposed to (frames, mels);
- ``log10(10000 * x + 1)`` in float32 (the package casts to float16 first, which overflows to
  inf on loud music and gives every track the same tags: the one deliberate difference);
- non-overlapping patches of 187 frames (3 s, the extractor's default ``input_overlap=False``);
  trailing frames that do not fill a patch are dropped, as in the original;
- sigmoid outputs per patch (the taggram); the track's tags are the mean over patches.

The tagger is a judge with its own view of music, trained on other data than ours; the mapping of
its tags onto the GTZAN genres lives in :mod:`genreblender.evaluation.judges.tag_map`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from genreblender.audio import to_mono_resampled, validate_samples
from genreblender.errors import ArtifactError, AudioError, InvalidInputError

#: Sample rate, FFT size and hop of musicnn's ``configuration.py``.
SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
#: Frames per patch: ``librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1``.
PATCH_FRAMES = 187
#: Shortest audio accepted (seconds): one full patch.
MIN_DURATION_S = 3.0
#: Patches per forward pass. One at a time keeps the feature maps (~9 MB per patch) in cache:
#: on one core a 30-s clip took 0.35 s with 1, 0.61 s with 8 and 0.71 s with all 10 at once;
#: it also bounds memory on long tracks.
BATCH_PATCHES = 1
#: Models whose converted weights ship in ``weights/``.
MODELS = ("MSD_musicnn", "MTT_musicnn")
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"

# tf.compat.v1.layers.batch_normalization's default epsilon.
_BN_EPS = 1e-3
# Time kernels of the three temporal front-end blocks (frames); their 'same' padding follows
# TensorFlow: for an even kernel k the extra zero goes after, (k-1)//2 before.
_TEMPORAL_KERNELS = (128, 64, 32)
# Frequency extents of the two timbral blocks: int(0.4 * 96) and int(0.7 * 96) mel bands.
_TIMBRAL_KERNELS = (38, 67)


def _bn2d(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=_BN_EPS)


def _bn1d(channels: int) -> nn.BatchNorm1d:
    return nn.BatchNorm1d(channels, eps=_BN_EPS)


class _FrontBlock(nn.Module):
    """Conv over (time, freq) -> ReLU -> batch norm -> max over frequency."""

    def __init__(self, filters: int, kernel: tuple[int, int], time_pad: tuple[int, int]):
        super().__init__()
        self.time_pad = time_pad
        self.conv = nn.Conv2d(1, filters, kernel)
        self.bn = _bn2d(filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (0, 0, *self.time_pad))
        return self.bn(F.relu(self.conv(x))).amax(dim=3)


class _MidBlock(nn.Module):
    """1-D conv over time spanning all input features -> ReLU -> batch norm (TF 'valid' + pad 3)."""

    def __init__(self, in_features: int, filters: int):
        super().__init__()
        self.conv = nn.Conv1d(in_features, filters, 7, padding=3)
        self.bn = _bn1d(filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(F.relu(self.conv(x)))


class MusicnnNet(nn.Module):
    """musicnn's ``build_musicnn`` (front-end 7774timbraltemporal, dense mid-end, global pooling).

    Parameters
    ----------
    n_tags : int
        Output tags (50 for both shipped models).
    front_filters : float
        ``num_filt_frontend``: 1.6 gives 204 timbral and 51 temporal filters per block.
    mid_filters : int
        Filters of each mid-end layer (64).
    dense_units : int
        Units of the penultimate dense layer (200).
    """

    def __init__(
        self,
        n_tags: int = 50,
        front_filters: float = 1.6,
        mid_filters: int = 64,
        dense_units: int = 200,
    ):
        super().__init__()
        timbral = int(front_filters * 128)
        temporal = int(front_filters * 32)
        self.input_bn = _bn2d(1)
        self.timbral = nn.ModuleList(_FrontBlock(timbral, (7, k), (3, 3)) for k in _TIMBRAL_KERNELS)
        self.temporal = nn.ModuleList(
            _FrontBlock(temporal, (k, 1), ((k - 1) // 2, k - 1 - (k - 1) // 2))
            for k in _TEMPORAL_KERNELS
        )
        front = len(_TIMBRAL_KERNELS) * timbral + len(_TEMPORAL_KERNELS) * temporal
        self.midend = nn.ModuleList(
            [
                _MidBlock(front, mid_filters),
                _MidBlock(mid_filters, mid_filters),
                _MidBlock(mid_filters, mid_filters),
            ]
        )
        pooled = 2 * (front + 3 * mid_filters)
        self.pool_bn = _bn1d(pooled)
        self.dense = nn.Linear(pooled, dense_units)
        self.dense_bn = _bn1d(dense_units)
        self.out = nn.Linear(dense_units, n_tags)

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        """Tag logits of log-mel patches shaped ``(batch, frames, mels)``."""
        x = self.input_bn(patches.unsqueeze(1))
        front = torch.cat([block(x) for block in (*self.timbral, *self.temporal)], dim=1)
        c1 = self.midend[0](front)
        c2 = self.midend[1](c1) + c1
        c3 = self.midend[2](c2) + c2
        features = torch.cat([front, c1, c2, c3], dim=1)  # (batch, 753, frames)
        # TF concatenates max and mean on a trailing axis and flattens: features interleave as
        # max_0, mean_0, max_1, mean_1, ... which the dense layer's weights expect.
        pooled = torch.stack([features.amax(dim=2), features.mean(dim=2)], dim=2).flatten(1)
        hidden = self.dense_bn(F.relu(self.dense(self.pool_bn(pooled))))
        return self.out(hidden)


def log_mel_patches(audio: np.ndarray, sr: int) -> np.ndarray:
    """musicnn's input: log-compressed mel patches of an audio signal.

    Parameters
    ----------
    audio : np.ndarray, shape (n,) or (n, channels)
        Audio samples at ``sr`` Hz; channels are averaged.
    sr : int > 0
        Sample rate of ``audio``.

    Returns
    -------
    patches : np.ndarray, shape (n_patches, 187, 96), float32
        Non-overlapping 3-s patches of ``log10(10000 * mel + 1)``.

    Raises
    ------
    AudioError
        If the audio is shorter than 3 s, too long, silent or not finite.
    """
    import librosa

    if not isinstance(audio, np.ndarray):
        raise AudioError(f"audio must be a numpy array, got {type(audio).__name__}")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise AudioError(f"sr must be a positive integer sample rate in Hz, got {sr!r}")
    if audio.size == 0:
        raise AudioError("audio array: contains no samples")
    if not np.all(np.isfinite(audio)):
        raise AudioError("audio array: contains NaN or infinite samples")
    y = to_mono_resampled(audio, int(sr), target_sr=SR)
    validate_samples(y, SR, min_duration_s=MIN_DURATION_S, what="audio for musicnn")
    mel = librosa.feature.melspectrogram(
        y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
    ).T.astype(np.float32)
    # float32 on purpose: the original's float16 cast overflows (see the module docstring).
    logmel = np.log10(np.float32(10000.0) * mel + np.float32(1.0))
    n_patches = (logmel.shape[0] - PATCH_FRAMES) // PATCH_FRAMES + 1
    if n_patches < 1:
        raise AudioError(
            f"audio for musicnn: {logmel.shape[0]} frames, at least {PATCH_FRAMES} (3 s) needed"
        )
    return np.ascontiguousarray(
        logmel[: n_patches * PATCH_FRAMES].reshape(n_patches, PATCH_FRAMES, N_MELS)
    )


def weights_path(model: str) -> Path:
    """Path of the shipped converted weights of ``model``."""
    if model not in MODELS:
        raise InvalidInputError(f"unknown musicnn model {model!r}; accepted: {', '.join(MODELS)}")
    return WEIGHTS_DIR / f"{model}.pth"


def load_tagger(model: str, device: str = "cpu") -> tuple[MusicnnNet, tuple[str, ...]]:
    """Load a converted tagger in inference mode and its tag names (in output order).

    Raises
    ------
    InvalidInputError
        For an unknown model name.
    ArtifactError
        If the weight file is missing or does not fit the network.
    """
    path = weights_path(model)
    if not path.is_file():
        raise ArtifactError(
            f"{path} is missing; run `python scripts/convert_musicnn_weights.py` to create it"
        )
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
        tags = tuple(str(t) for t in payload["tags"])
        net = MusicnnNet(n_tags=len(tags))
        net.load_state_dict(payload["state_dict"])
    except (KeyError, RuntimeError, ValueError, TypeError) as exc:
        raise ArtifactError(f"{path}: not a musicnn weight file for this code ({exc})") from None
    return net.to(device).eval(), tags


@torch.inference_mode()
def taggram(
    net: MusicnnNet, patches: np.ndarray, device: str = "cpu", batch_size: int = BATCH_PATCHES
) -> np.ndarray:
    """Sigmoid tag probabilities of each patch, shape ``(n_patches, n_tags)``.

    Patches run ``batch_size`` at a time (see :data:`BATCH_PATCHES`); a 20-minute track in one
    batch would need several GB.
    """
    rows = [
        torch.sigmoid(net(torch.from_numpy(patches[i : i + batch_size]).to(device))).cpu()
        for i in range(0, len(patches), batch_size)
    ]
    return torch.cat(rows).numpy().astype(np.float64)
