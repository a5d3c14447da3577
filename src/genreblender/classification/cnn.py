"""The compact spectrogram CNN on 3-s windows of mel levels, and how it is trained.

Input: ``(batch, 128, 39)`` levels of :mod:`~genreblender.classification.melspec` (128 mel bands
x 3 s). Four blocks of 3x3 convolution, batch norm, ReLU and 2x2 max pooling shrink it to
``(C, 8, 2)``; the time axis is averaged, the 8 frequency rows are kept (a genre's energy lives
in particular bands: bass-heavy hip-hop, bright metal), then dropout and one linear layer.
About 0.1 M parameters (~0.4 MB). Trained from scratch on GTZAN mel images only: nothing is
shared with the musicnn judge, which must stay independent of the listener.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from genreblender.classification.melspec import COLUMNS_PER_SECOND, N_LEVELS, N_MELS, TOP_DB

#: A window of the original design: 3 s (39 columns of the images' time base).
WINDOW_COLUMNS = int(round(3.0 * COLUMNS_PER_SECOND))
#: Windows start every ~1.5 s (50% overlap): the timeline's resolution.
HOP_COLUMNS = int(round(1.5 * COLUMNS_PER_SECOND))


@dataclass(frozen=True)
class CNNConfig:
    """Architecture and training recipe (recorded in the model's JSON)."""

    channels: tuple[int, ...] = (16, 32, 64, 128)
    dropout: float = 0.3
    epochs: int = 40
    #: random 3-s crops drawn from each training track per epoch
    crops_per_track: int = 8
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 1e-3
    #: augmentation: uniform shift of the levels in dB (a different reference), one band mask of
    #: up to this many bands and one time mask of up to this many columns (SpecAugment)
    gain_db: float = 6.0
    freq_mask: int = 16
    time_mask: int = 6
    seed: int = 0
    window_columns: int = WINDOW_COLUMNS
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["channels"] = list(self.channels)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> CNNConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "channels" in known:
            known["channels"] = tuple(int(c) for c in known["channels"])
        return cls(**known)


def levels_to_input(levels):
    """uint8 levels → float input: dB re the reference (levels span 80 dB), scaled to ~[-1, 1]."""
    import torch

    x = torch.as_tensor(levels).float() * (TOP_DB / N_LEVELS) - TOP_DB  # [-80, 0) dB
    return (x + TOP_DB / 2) / (TOP_DB / 2)


def build_cnn(config: CNNConfig, n_classes: int = 10):
    """The network; input ``(batch, 128, window)`` levels as float (see :func:`levels_to_input`)."""
    import torch
    from torch import nn

    class MelCNN(nn.Module):
        def __init__(self):
            super().__init__()
            blocks, c_in = [], 1
            for c_out in config.channels:
                blocks += [
                    nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                    nn.BatchNorm2d(c_out),
                    nn.ReLU(inplace=True),
                    nn.MaxPool2d(2),
                ]
                c_in = c_out
            self.features = nn.Sequential(*blocks)
            n_rows = N_MELS // 2 ** len(config.channels)
            self.dropout = nn.Dropout(config.dropout)
            self.head = nn.Linear(c_in * n_rows, n_classes)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.features(x.unsqueeze(1))  # (b, C, rows, cols)
            h = h.mean(dim=3).flatten(1)  # average over time, keep the frequency rows
            return self.head(self.dropout(h))

    return MelCNN()


def _augment(x, config: CNNConfig, generator):
    """Gain shift (clipped at the -80-dB floor) and one frequency and one time mask per item."""
    import torch

    b, n_bands, n_cols = x.shape
    floor = -1.0  # levels_to_input of -80 dB
    if config.gain_db > 0:
        shift = (torch.rand(b, 1, 1, generator=generator) * 2 - 1) * (config.gain_db / 40.0)
        x = torch.clamp(x + shift, min=floor, max=1.0)
    if config.freq_mask > 0:
        width = torch.randint(0, config.freq_mask + 1, (b,), generator=generator)
        start = (torch.rand(b, generator=generator) * (n_bands - width + 1)).long()
        band = torch.arange(n_bands)
        mask = (band[None] >= start[:, None]) & (band[None] < (start + width)[:, None])
        x = x.masked_fill(mask[:, :, None], floor)
    if config.time_mask > 0:
        width = torch.randint(0, config.time_mask + 1, (b,), generator=generator)
        start = (torch.rand(b, generator=generator) * (n_cols - width + 1)).long()
        col = torch.arange(n_cols)
        mask = (col[None] >= start[:, None]) & (col[None] < (start + width)[:, None])
        x = x.masked_fill(mask[:, None, :], floor)
    return x


def _random_crops(levels: np.ndarray, labels: np.ndarray, per_track: int, width: int, rng):
    n, _, n_cols = levels.shape
    track = np.repeat(np.arange(n), per_track)
    start = rng.integers(0, n_cols - width + 1, size=track.shape[0])
    idx = start[:, None] + np.arange(width)[None]
    crops = levels[track[:, None], :, idx].transpose(0, 2, 1)  # (m, 128, width)
    return crops, labels[track]


@dataclass
class TrainedCNN:
    state_dict: dict
    history: list[dict]


def train_cnn(
    levels: np.ndarray,
    labels: np.ndarray,
    config: CNNConfig,
    on_epoch: Callable[[int, dict], None] | None = None,
    evaluate: Callable[[object, int], dict] | None = None,
) -> TrainedCNN:
    """Train on random crops of whole-track levels ``(n, 128, cols)`` with labels ``(n,)``.

    AdamW with a one-cycle learning-rate schedule over a fixed number of epochs; the weights
    after the last epoch are kept (no epoch is chosen on held-out tracks, so held-out scores
    stay honest). ``evaluate(model, epoch)`` may score held-out data for the history.
    """
    import torch
    from torch import nn

    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = build_cnn(config)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    per_epoch = int(np.ceil(len(levels) * config.crops_per_track / config.batch_size))
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=config.learning_rate, total_steps=config.epochs * per_epoch
    )
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(1, config.epochs + 1):
        model.train()
        crops, targets = _random_crops(
            levels, labels, config.crops_per_track, config.window_columns, rng
        )
        order = rng.permutation(len(crops))
        total, seen = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            idx = order[start : start + config.batch_size]
            xb = _augment(levels_to_input(crops[idx]), config, generator)
            yb = torch.as_tensor(targets[idx], dtype=torch.long)
            loss = loss_fn(model(xb), yb)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
        record = {"epoch": epoch, "train_loss": total / seen}
        if evaluate is not None:
            model.eval()
            record |= evaluate(model, epoch)
        history.append(record)
        if on_epoch:
            on_epoch(epoch, record)
    model.eval()
    return TrainedCNN(
        state_dict={k: v.detach().clone() for k, v in model.state_dict().items()}, history=history
    )


def window_logits(model, windows: np.ndarray, batch: int = 256) -> np.ndarray:
    """Logits ``(n, 10)`` of ``(n, 128, width)`` level windows (eval mode)."""
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(windows), batch):
            out.append(model(levels_to_input(windows[start : start + batch])).numpy())
    if not out:
        return np.zeros((0, 10))
    return np.concatenate(out).astype(np.float64)
