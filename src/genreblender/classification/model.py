"""The genre MLP of the original design, unchanged: 256-128-64, ReLU, Dropout 0.3, 10 logits."""

from __future__ import annotations

from torch import nn

HIDDEN_SIZES = (256, 128, 64)
DROPOUT = 0.3


def build_mlp(n_features: int, n_classes: int = 10) -> nn.Sequential:
    """``Linear(n,256)-ReLU-Dropout(0.3)-Linear(256,128)-ReLU-Dropout(0.3)-Linear(128,64)-ReLU-
    Dropout(0.3)-Linear(64,n_classes)``; outputs logits (softmax is applied by the caller)."""
    layers: list[nn.Module] = []
    width = n_features
    for hidden in HIDDEN_SIZES:
        layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(DROPOUT)]
        width = hidden
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)
