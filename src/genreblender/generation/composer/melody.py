"""Lead melody: a two-bar motif per section (rhythm from the style's density on a metrically
weighted grid, pitches from a random walk over the scale that lands on chord tones on strong
beats), repeated with variation, as songs do."""

from __future__ import annotations

from typing import Any

import numpy as np

from genreblender.generation.composer.score import STEPS_PER_BAR, Note, Score, choose
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
    answer = answer_spec(style)
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
            if answer is not None and section.kind in _ANSWERED and _answers(rep):
                rest = [True] * _MOTIF_BARS  # the second half of the line is the answer's
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


#: Sections whose lines are answered (a call-and-response part plays in their second halves)
_ANSWERED = ("verse", "chorus", "bridge")
#: A lick's rhythms over one bar and a beat, in steps from its start (swung by the renderer:
#: off-beat eighths fall on the triplet), its last note held
_LICK_RHYTHMS = (
    (0, 2, 4, 6, 8, 12),
    (2, 4, 6, 8, 10, 16),
    (0, 1.5, 2, 4, 6, 10, 12),
    (2, 3, 4, 8, 10, 12, 16),
    (0, 4, 6, 8, 10, 14),
)


def _answers(rep: int) -> bool:
    """Whether the two-bar motif at ``rep`` bars into a section is the second half of a
    four-bar line (bars 3-4, 7-8, 11-12 of a twelve-bar): the answer's, not the singer's."""
    return rep % 4 == 2


def answer_spec(style: dict[str, Any]) -> dict[str, Any] | None:
    """The style's ``melody.answer`` (a blend's is its heaviest genre's), or None without one:
    call and response, an instrument answering each sung line in the bars the singer leaves
    open."""
    spec = style["melody"].get("answer")
    return spec if spec and float(spec.get("level", 0.0)) > 0.01 else None


def answer_part(style: dict[str, Any], score: Score, rng: np.random.Generator) -> list[Note]:
    """Call and response: in the second half of each four-bar line of a verse, chorus or
    bridge (where :func:`melody_part` leaves the singer silent), a lick in the ``scale`` of the
    style's ``melody.answer`` (blues: the minor pentatonic over every chord): it starts high,
    falls mostly by step and comes to rest, held with a vibrato (``vibrato``, semitones), on the
    root or fifth of the chord under it; a note is bent up into (pitch bend) with probability
    ``bend_prob``, a whole step onto the root, fourth or fifth, a half step elsewhere."""
    spec = answer_spec(style)
    if spec is None:
        return []
    low, high = (int(round(x)) for x in spec["register"])
    tones = _scale_tones(score.tonic, spec.get("scale", score.scale), low, high)
    if len(tones) < 5:
        return []
    bend = float(spec.get("bend_prob", 0.0))
    vibrato = float(spec.get("vibrato", 0.0))
    # a whole-step bend onto the fifth, the root and the fourth (from the fourth, the flat
    # seventh and the minor third), a half step elsewhere (the blue third's curl)
    bend_from_whole = {(score.tonic + i) % 12 for i in (0, 5, 7)}
    notes: list[Note] = []
    for section in score.sections:
        if section.kind not in _ANSWERED:
            continue
        for rep in range(0, section.bars, _MOTIF_BARS):
            if not _answers(rep):
                continue
            bar = section.first_bar + rep
            rhythm = _LICK_RHYTHMS[int(rng.integers(len(_LICK_RHYTHMS)))]
            index = int(rng.integers(int(0.6 * len(tones)), len(tones)))
            origin = bar * STEPS_PER_BAR
            end = (section.first_bar + section.bars) * STEPS_PER_BAR
            for k, step in enumerate(rhythm):
                if origin + step >= end:
                    break
                last = k == len(rhythm) - 1
                if k:
                    move = choose(rng, {"down": 0.65, "same": 0.1, "up": 0.25})
                    index += {"down": -1, "same": 0, "up": 1}[move]
                    index = int(np.clip(index, 0, len(tones) - 1))
                pitch = int(tones[index])
                at_bar = min(bar + int(step // STEPS_PER_BAR), section.first_bar + section.bars - 1)
                if last:  # come to rest on the chord's root or fifth
                    root = score.chord_at_bar(at_bar).root % 12
                    targets = [p for p in tones if p % 12 in (root, (root + 7) % 12)]
                    if targets:
                        pitch = int(min(targets, key=lambda p: abs(p - pitch)))
                nxt = rhythm[k + 1] if not last else step + 8
                length = float(nxt - step) * (0.95 if last else 0.85)
                velocity = int(
                    np.clip(96 + (6 if step % 4 == 0 else 0) + rng.integers(-8, 9), 30, 127)
                )
                # a string bent up into the note, the held last one shaken by a vibrato
                up = 1.0 + (pitch % 12 in bend_from_whole) if rng.random() < bend else 0.0
                shake = vibrato if last else 0.0
                notes.append(Note(origin + step, length, pitch, velocity, up, shake))
    return notes
