"""Drum part: each voice hits a grid step with the style's onset probability; fills and crashes
mark the song form."""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.generation.composer.score import STEPS_PER_BAR, Note, Score

#: General MIDI percussion keys (channel 10).
DRUM_KEYS = {
    "kick": 36,
    "side_stick": 37,
    "snare": 38,
    "clap": 39,
    "hat_closed": 42,
    "hat_pedal": 44,
    "hat_open": 46,
    "crash": 49,
    "ride": 51,
    "tambourine": 54,
    "cowbell": 56,
    "shaker": 70,
}
_BASE_VELOCITY = {
    "kick": 112,
    "snare": 108,
    "side_stick": 90,
    "clap": 95,
    "hat_closed": 78,
    "hat_pedal": 70,
    "hat_open": 82,
    "ride": 80,
    "crash": 105,
    "tambourine": 62,
    "cowbell": 70,
    "shaker": 55,
}
_TOMS = (50, 48, 47, 45, 43, 41)


def _accent(step: int) -> int:
    """Metric accent: louder on beats, softer on the sixteenths between them."""
    return 8 if step % 4 == 0 else (0 if step % 2 == 0 else -10)


def drum_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    drums = style["drums"]
    if drums["level"] <= 0.01:
        return []
    mixed = {voice: np.asarray(p, dtype=float) for voice, p in drums["grid"].items()}
    notes: list[Note] = []
    for section in score.sections:
        for bar in range(section.first_bar, section.first_bar + section.bars):
            origin = bar * STEPS_PER_BAR
            groove = score.groove_at_bar(bar)
            grid = (
                {v: np.asarray(p, dtype=float) for v, p in groove["drums"].items()}
                if groove is not None
                else mixed
            )
            last_bar = bar == section.first_bar + section.bars - 1
            u_fill, u_fill_start, u_crash = rng.random(3)  # drawn every bar: streams stay aligned
            fill = last_bar and section.fill_last_bar and u_fill < drums["fill_prob"]
            if section.kind == "outro":
                notes.append(Note(origin, 8, DRUM_KEYS["kick"], 115))
                notes.append(Note(origin, 16, DRUM_KEYS["crash"], 110))
                continue
            if section.kind == "intro" and bar == section.first_bar and section.bars > 1:
                # the first intro bar is a count-in on the hats/ride alone
                voices = [v for v in grid if v in ("hat_closed", "ride", "hat_pedal", "shaker")]
            else:
                voices = list(grid)
            fill_from = 8 if u_fill_start < 0.5 else 12
            # one draw per voice of the kit whether or not this bar's groove uses it, so that
            # the same seed consumes the same random numbers at every alpha
            draws = rng.random((len(DRUM_KEYS), STEPS_PER_BAR))
            jitter = rng.integers(-8, 9, size=(len(DRUM_KEYS), STEPS_PER_BAR))
            for k, voice in enumerate(DRUM_KEYS):
                if voice not in voices or voice not in grid:
                    continue
                for step in np.flatnonzero(draws[k] < grid[voice]):
                    if fill and step >= fill_from and voice not in ("kick",):
                        continue
                    velocity = _BASE_VELOCITY[voice] + _accent(int(step)) + int(jitter[k, step])
                    notes.append(
                        Note(origin + step, 1, DRUM_KEYS[voice], int(np.clip(velocity, 20, 127)))
                    )
            if fill:
                for k, step in enumerate(range(fill_from, STEPS_PER_BAR)):
                    key = DRUM_KEYS["snare"] if rng.random() < 0.4 else _TOMS[min(k // 2, 5)]
                    notes.append(Note(origin + step, 1, key, int(90 + 2 * k)))
            if bar == section.first_bar and section.crash and u_crash < drums["crash_on_section"]:
                notes.append(Note(origin, 8, DRUM_KEYS["crash"], 108))
    return notes
