"""Text conditioning for MusicGen: encoder states of a prompt, their interpolation between two
prompts (or weighted mixture of k), and the classifier-free-guidance batch.

Interpolation (``embedding`` mode): both prompts are encoded separately, padded to a common length
(padding positions masked out), and mixed position by position,
``h = alpha * h_A + (1 - alpha) * h_B``, attending to the union of the two masks. At ``alpha`` 1
or 0 the states of that prompt alone are used unchanged, so the ends are exactly "A" and "B".
A mix of k genres is the same with k prompts: ``h = Σ w_i h_i`` over the prompts of weight > 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Conditioning:
    """Text-encoder states ``(1, L, d)`` and their attention mask ``(1, L)``."""

    hidden: torch.Tensor
    mask: torch.Tensor
    input_ids: torch.Tensor  # the token ids behind it (generate() needs a batch-size source)


def encode(model, tokenizer, prompt: str, device) -> Conditioning:
    tokens = tokenizer([prompt], return_tensors="pt", padding=True)
    input_ids = tokens["input_ids"].to(device)
    mask = tokens["attention_mask"].to(device)
    with torch.no_grad():
        hidden = model.get_encoder()(input_ids=input_ids, attention_mask=mask).last_hidden_state
    return Conditioning(hidden, mask, input_ids)


def _pad(cond: Conditioning, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    extra = length - cond.hidden.shape[1]
    hidden = torch.nn.functional.pad(cond.hidden, (0, 0, 0, extra))
    mask = torch.nn.functional.pad(cond.mask, (0, extra))
    return hidden, mask


def interpolate(a: Conditioning, b: Conditioning, alpha: float) -> Conditioning:
    """``alpha * A + (1 - alpha) * B`` of two prompts' encoder states (see module docstring)."""
    return mixture([a, b], [alpha, 1.0 - alpha])


def mixture(conds: list[Conditioning], weights: list[float]) -> Conditioning:
    """``Σ w_i h_i`` of k prompts' encoder states (weights summing to 1); the states of the one
    prompt of weight > 0 unchanged when there is only one."""
    used = [(c, float(w)) for c, w in zip(conds, weights, strict=True) if w > 0]
    if not used:
        raise ValueError("a mixture needs a prompt of weight > 0")
    if len(used) == 1:
        return used[0][0]
    length = max(c.hidden.shape[1] for c, _ in used)
    padded = [(*_pad(c, length), w) for c, w in used]
    # a position only some prompts have is their tokens, weighted by their shares
    hidden = padded[0][2] * padded[0][0]
    mask = padded[0][1]
    for h, m, w in padded[1:]:
        hidden = hidden + w * h
        mask = torch.maximum(mask, m)
    return Conditioning(hidden.to(used[0][0].hidden.dtype), mask, used[0][0].input_ids)


def guidance_batch(cond: Conditioning, guidance_scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoder states and mask as ``generate`` expects them, with the unconditional (all-zero,
    fully masked) row appended when classifier-free guidance is on (guidance_scale > 1), exactly
    as transformers does for prompts it encodes itself."""
    if guidance_scale is not None and guidance_scale > 1:
        hidden = torch.cat([cond.hidden, torch.zeros_like(cond.hidden)], dim=0)
        mask = torch.cat([cond.mask, torch.zeros_like(cond.mask)], dim=0)
        return hidden, mask
    return cond.hidden, cond.mask
