"""Lead melody: a two-bar motif per section (rhythm from the style's density on a metrically
weighted grid, pitches from a random walk over the scale that lands on chord tones on strong
beats), repeated with variation, as songs do."""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.generation.composer.score import STEPS_PER_BAR, Note, Score
from genreblender.generation.composer.theory import SCALES

# Beats, then off-beat eighths, then sixteenths: where melodies put their notes.
_METRIC_WEIGHT = np.array([1.6 if s % 4 == 0 else 1.0 if s % 2 == 0 else 0.45 for s in range(16)])
_MOTIF_BARS = 2


def _scale_tones(tonic: int, scale: str, low: int, high: int) -> np.ndarray:
    pcs = {(tonic + s) % 12 for s in SCALES[scale]}
    return np.array([p for p in range(low, high + 1) if p % 12 in pcs])


def _motif(melody, tones, rng, density_scale=1.0):
    """Onset steps (over two bars) and a scale-index contour for them."""
    density = float(melody["density"]) * density_scale
    probs = np.clip(_METRIC_WEIGHT * density / _METRIC_WEIGHT.sum(), 0.0, 0.95)
    steps = [
        b * STEPS_PER_BAR + int(s)
        for b in range(_MOTIF_BARS)
        for s in np.flatnonzero(rng.random(STEPS_PER_BAR) < probs)
    ]
    if not steps:
        steps = [0]
    index = len(tones) // 2
    contour = []
    for _ in steps:
        if rng.random() < melody["step_prob"]:
            move = int(rng.choice([-1, 1]))
        else:
            move = int(rng.choice([-4, -3, -2, 2, 3, 4]))
        # drift back toward the middle of the register (melodies arch rather than wander off)
        if index + move < len(tones) * 0.2 or index + move > len(tones) * 0.8:
            move = -move
        index = int(np.clip(index + move, 0, len(tones) - 1))
        contour.append(index)
    return steps, contour


def melody_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    melody = style["melody"]
    low, high = (int(round(x)) for x in melody["register"])
    tones = _scale_tones(score.tonic, score.scale, low, high)
    if len(tones) < 5:
        return []
    max_len = 2.0 * float(melody["duration_steps"])
    motifs = {}
    notes: list[Note] = []
    for section in score.sections:
        if section.kind in ("intro", "outro"):
            continue
        if section.kind not in motifs:
            scale = 1.25 if section.kind == "chorus" else 1.0
            motifs[section.kind] = _motif(melody, tones, rng, scale)
        steps, contour = motifs[section.kind]
        for rep in range(0, section.bars, _MOTIF_BARS):
            rest = [rng.random() < melody["rest_bars_prob"] for _ in range(_MOTIF_BARS)]
            origin = (section.first_bar + rep) * STEPS_PER_BAR
            for i, (step, index) in enumerate(zip(steps, contour, strict=True)):
                bar = section.first_bar + rep + step // STEPS_PER_BAR
                if bar >= section.first_bar + section.bars or rest[step // STEPS_PER_BAR]:
                    continue
                if rep and rng.random() < 0.25:  # vary the repeat
                    index = int(np.clip(index + rng.choice([-1, 1]), 0, len(tones) - 1))
                pitch = int(tones[index])
                chord_pcs = {p % 12 for p in score.chord_at_bar(bar).pitches}
                if step % 8 == 0 and rng.random() < melody["chord_tone_prob"]:
                    pitch = min(
                        (p for p in range(pitch - 4, pitch + 5) if p % 12 in chord_pcs),
                        key=lambda p: abs(p - pitch),
                        default=pitch,
                    )
                nxt = steps[i + 1] if i + 1 < len(steps) else _MOTIF_BARS * STEPS_PER_BAR
                length = float(np.clip(nxt - step, 1, max_len)) * 0.95
                velocity = int(
                    np.clip(88 + (8 if step % 4 == 0 else 0) + rng.integers(-8, 9), 30, 127)
                )
                if rng.random() < melody.get("bend_prob", 0.0):  # blue-note grace from below
                    notes.append(Note(origin + step - 0.25, 0.25, pitch - 1, velocity - 10))
                notes.append(Note(origin + step, length, pitch, velocity))
    return notes
