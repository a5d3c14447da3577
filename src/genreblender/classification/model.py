"""The genre MLP of the original design, unchanged: 256-128-64, ReLU, Dropout 0.3, 10 logits."""

from __future__ import annotations

import numpy as np
import torch
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


def linear_embedding_state(
    coef: np.ndarray, intercept: np.ndarray, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Weights of :func:`build_mlp` that compute exactly ``x @ coef.T + intercept`` in eval mode.

    Why: a network started at the regularised linear solution can only add non-linear structure
    to it, instead of having to rediscover it from a random start on a few hundred tracks.

    Each linear logit l_k travels as the pair ReLU(l_k), ReLU(-l_k) (their difference is l_k),
    copied as often as each layer's width allows (12, 6 and 3 copies of the 20 units for 10
    classes) and averaged by the next layer, so dropout at training time perturbs an average of
    copies rather than cutting the path. The remaining units keep their seeded random initial
    weights; their outgoing weights start at 0, so they do not change the function at first but
    receive gradients and can learn.
    """
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    n_classes, n_features = coef.shape
    pair = 2 * n_classes
    copies = [width // pair for width in HIDDEN_SIZES]
    if min(copies) < 1:
        raise ValueError(
            f"{n_classes} classes need {pair} units per hidden layer; widths are {HIDDEN_SIZES}"
        )
    torch.manual_seed(seed)
    state = {k: v.clone() for k, v in build_mlp(n_features, n_classes).state_dict().items()}
    signed = np.concatenate([coef, -coef])  # rows: +l_1..+l_K, -l_1..-l_K
    signed_bias = np.concatenate([intercept, -intercept])
    linears = [f"{3 * i}" for i in range(len(HIDDEN_SIZES) + 1)]  # Linear modules: 0, 3, 6, 9

    w0 = state[f"{linears[0]}.weight"]
    b0 = state[f"{linears[0]}.bias"]
    for c in range(copies[0]):
        w0[c * pair : (c + 1) * pair] = torch.as_tensor(signed, dtype=w0.dtype)
        b0[c * pair : (c + 1) * pair] = torch.as_tensor(signed_bias, dtype=b0.dtype)
    # each later hidden layer: its path units average the previous layer's copies
    for layer in (1, 2):
        w = state[f"{linears[layer]}.weight"]
        b = state[f"{linears[layer]}.bias"]
        w[: copies[layer] * pair] = 0.0
        b[: copies[layer] * pair] = 0.0
        for c_out in range(copies[layer]):
            for c_in in range(copies[layer - 1]):
                rows = slice(c_out * pair, (c_out + 1) * pair)
                cols = slice(c_in * pair, (c_in + 1) * pair)
                w[rows, cols] = torch.eye(pair, dtype=w.dtype) / copies[layer - 1]
    w_out = state[f"{linears[3]}.weight"]
    w_out.zero_()
    state[f"{linears[3]}.bias"].zero_()
    for c in range(copies[2]):
        base = c * pair
        for k in range(n_classes):
            w_out[k, base + k] = 1.0 / copies[2]
            w_out[k, base + n_classes + k] = -1.0 / copies[2]
    return state
