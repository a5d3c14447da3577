"""Bass part: onsets from the style's grid, each note drawn from the style's note-choice
distribution (root, fifth, octave, third, sixth, chromatic approach), or a walking line."""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.generation.composer.score import STEPS_PER_BAR, Note, Score, choose
from genreblender.generation.composer.theory import HARMONY_MODE, SCALES


def _fit(pitch: int, low: int, high: int) -> int:
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def _walking_bar(chord, next_root, tonic, mode, low, high, rng) -> list[int]:
    """Four quarter notes: root, two chord/scale tones moving toward the next root, and a
    chromatic or diatonic approach note a step away from it."""
    root = _fit(chord.root, low, high)
    target = _fit(next_root, low, high)
    if abs(target - root) > 7:
        target += -12 if target > root else 12
    scale_pcs = {(tonic + s) % 12 for s in SCALES[mode]}
    tones = [p for p in range(low, high + 1) if p % 12 in scale_pcs]
    direction = 1 if target >= root else -1
    line = [root]
    current = root
    for _ in range(2):
        candidates = [p for p in tones if 0 < (p - current) * direction <= 4]
        chord_pcs = {p % 12 for p in chord.pitches}
        preferred = [p for p in candidates if p % 12 in chord_pcs]
        pool = preferred if preferred and rng.random() < 0.6 else candidates
        current = int(rng.choice(pool)) if pool else current + direction * 2
        line.append(_fit(current, low, high))
    line.append(_fit(target + (-direction if rng.random() < 0.6 else direction), low, high))
    return line


def bass_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    bass = style["bass"]
    low, high = (int(round(x)) for x in bass["register"])
    onsets = np.asarray(bass["onsets"], dtype=float)
    mode = HARMONY_MODE[score.scale]
    walking = float(bass["note_choice"].get("walk", 0.0))
    choices = {k: v for k, v in bass["note_choice"].items() if k != "walk"}
    rest_on_one = float(bass.get("rest_on_one", 0.0))
    alternate = float(bass.get("alternate", 0.0))
    alternate_octave = float(bass.get("alternate_octave", 0.0))
    duration = max(1.0, float(bass["duration_steps"]))
    notes: list[Note] = []
    for section in score.sections:
        for bar in range(section.first_bar, section.first_bar + section.bars):
            chord = score.chord_at_bar(bar)
            origin = bar * STEPS_PER_BAR
            if section.kind == "outro":
                notes.append(Note(origin, 12, _fit(chord.root, low, high), 100))
                continue
            next_root = score.chord_at_bar(bar + 1).root
            if choices == {} or rng.random() < walking:
                for beat, pitch in enumerate(
                    _walking_bar(chord, next_root, score.tonic, mode, low, high, rng)
                ):
                    notes.append(Note(origin + 4 * beat, 3.6, pitch, 92 + (6 if beat == 0 else 0)))
                continue
            skip_one = rng.random() < rest_on_one
            groove = score.groove_at_bar(bar)
            grid = np.asarray(groove["bass"], dtype=float) if groove is not None else onsets
            hits = np.flatnonzero(rng.random(STEPS_PER_BAR) < grid)
            for i, step in enumerate(hits):
                if skip_one and step == 0:
                    continue
                kind = "root" if step == 0 else choose(rng, choices)
                if step == 8 and rng.random() < alternate:
                    kind = "fifth"  # boom-chick: root on one, fifth on three
                elif step % 4 == 2 and rng.random() < alternate_octave:
                    kind = "octave"  # disco octaves: the off-beat eighth jumps up
                root = _fit(chord.root, low, high)
                third = chord.pitches[1] - chord.pitches[0] if len(chord.pitches) > 1 else 4
                pitch = {
                    "root": root,
                    "fifth": root + 7,
                    "octave": root + 12,
                    "third": root + (third if third in (3, 4) else 4),
                    "sixth": root + 9,
                    "approach": _fit(next_root, low, high) - 1,
                }.get(kind, root)
                gap = (hits[i + 1] - step) if i + 1 < len(hits) else STEPS_PER_BAR - step
                length = min(duration, float(gap))
                velocity = 100 if step % 4 == 0 else 86
                notes.append(
                    Note(origin + step, length * 0.92, _fit(pitch, low, high + 12), velocity)
                )
    return notes
