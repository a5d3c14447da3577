"""Harmony parts: the comping instrument (block chords, strums or arpeggios on the style's
onset grid, or the blues shuffle figure in eighths) and a sustained pad."""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.generation.composer.score import STEPS_PER_BAR, Note, Score, choose
from genreblender.generation.composer.theory import voice

# Alberti-style order of chord tones for arpeggios: low, high, middle, high.
_ARPEGGIO_ORDER = (0, 2, 1, 2)
#: The shuffle figure of blues rhythm guitar (and a boogie pianist's left hand): a low
#: two-note chord on the root in swung eighths, its upper note rocking between the fifth and
#: the sixth beat by beat (fifth, sixth, flat seventh, sixth in every other bar)
_SHUFFLE_UPPER = ((7, 9, 7, 9), (7, 9, 10, 9))


def comp_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    harmony = style["harmony"]
    low, high = (int(round(x)) for x in harmony["register"])
    onsets = np.asarray(harmony["comp_onsets"], dtype=float)
    duration = max(1.0, float(harmony["comp_duration_steps"]))
    notes: list[Note] = []
    previous = None
    for section in score.sections:
        comp_style = choose(rng, harmony["comp_style"])
        for bar in range(section.first_bar, section.first_bar + section.bars):
            chord = score.chord_at_bar(bar)
            voiced = voice(chord.pitches, low, high, previous)
            previous = voiced
            origin = bar * STEPS_PER_BAR
            if section.kind == "outro":
                notes.extend(Note(origin + 0.1 * i, 14, p, 96) for i, p in enumerate(voiced))
                continue
            if section.kind == "intro" and bar == section.first_bar and section.bars > 1:
                continue
            if comp_style == "arpeggio":
                tones = sorted(voiced)
                for k, step in enumerate(range(0, STEPS_PER_BAR, 2)):
                    order = _ARPEGGIO_ORDER[k % 4] % len(tones)
                    pitch = tones[order] + (12 if k % 8 >= 4 and order == 2 else 0)
                    notes.append(Note(origin + step, 2.2, pitch, 70 + (8 if step % 8 == 0 else 0)))
                continue
            if comp_style == "shuffle":
                root = chord.root  # E2..D#3: the guitar's low strings
                upper = _SHUFFLE_UPPER[(bar - section.first_bar) % 2]
                for step in range(0, STEPS_PER_BAR, 2):
                    velocity = 84 if step % 4 == 0 else 72
                    for j, interval in enumerate((0, upper[step // 4])):
                        notes.append(Note(origin + step + 0.03 * j, 1.6, root + interval, velocity))
                continue
            groove = score.groove_at_bar(bar)
            grid = np.asarray(groove["comp"], dtype=float) if groove is not None else onsets
            hits = np.flatnonzero(rng.random(STEPS_PER_BAR) < grid)
            for i, step in enumerate(hits):
                gap = (hits[i + 1] - step) if i + 1 < len(hits) else STEPS_PER_BAR - step
                length = min(duration, float(gap)) * 0.9
                velocity = int(
                    np.clip(84 + (10 if step % 4 == 0 else 0) + rng.integers(-6, 7), 30, 127)
                )
                if comp_style == "strum":
                    down = (step // 2) % 2 == 0
                    order = voiced if down else voiced[::-1]
                    for j, p in enumerate(order):  # a guitar strum spreads the strings ~10 ms
                        notes.append(Note(origin + step + 0.04 * j, length, p, velocity - 3 * j))
                else:
                    notes.extend(Note(origin + step, length, p, velocity) for p in voiced)
    return notes


def pad_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    """Whole-bar sustained chords (strings, organ, synth pad) in choruses and the outro, and
    throughout when the style has no drums (classical)."""
    harmony = style["harmony"]
    if harmony["pad_level"] <= 0.02:
        return []
    always = style["drums"]["level"] <= 0.01
    notes: list[Note] = []
    previous = None
    for section in score.sections:
        if not always and section.kind not in ("chorus", "outro"):
            continue
        for bar in range(section.first_bar, section.first_bar + section.bars):
            chord = score.chord_at_bar(bar)
            voiced = voice(chord.pitches, 52, 76, previous)
            previous = voiced
            notes.extend(Note(bar * STEPS_PER_BAR, 15.5, p, 72) for p in voiced)
    return notes
