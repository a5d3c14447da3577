"""Pitch material: scales, chords on scale degrees, voicings. Pure functions on MIDI numbers."""

from __future__ import annotations

#: Semitone offsets from the tonic.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "pentatonic_major": (0, 2, 4, 7, 9),
    "pentatonic_minor": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10),
}

#: Which heptatonic mode each melody scale harmonises in (chords are built on a 7-note mode).
HARMONY_MODE = {
    "major": "major",
    "minor": "minor",
    "dorian": "dorian",
    "mixolydian": "mixolydian",
    "phrygian": "phrygian",
    "harmonic_minor": "harmonic_minor",
    "pentatonic_major": "major",
    "pentatonic_minor": "minor",
    "blues": "mixolydian",
}

#: Chord qualities as semitone stacks above the root.
QUALITIES: dict[str, tuple[int, ...]] = {
    "power": (0, 7, 12),
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "dominant7": (0, 4, 7, 10),
    "major7": (0, 4, 7, 11),
    "minor7": (0, 3, 7, 10),
    "half_dim7": (0, 3, 6, 10),
    "dominant9": (0, 4, 10, 14),
    "major9": (0, 4, 11, 14),
    "minor9": (0, 3, 10, 14),
    "sus4": (0, 5, 7),
}


def degree_root(tonic: int, mode: str, degree: int) -> int:
    """Pitch of scale degree ``degree`` (0-based, may exceed 6) of ``mode`` above ``tonic``."""
    steps = SCALES[mode]
    octave, index = divmod(degree, len(steps))
    return tonic + 12 * octave + steps[index]


def diatonic_quality(mode: str, degree: int, extension: str) -> str:
    """Quality of the chord on ``degree`` of ``mode`` (stacked thirds), in the requested colour.

    ``extension`` is ``triad``, ``seventh``, ``ninth``, ``power`` or ``dominant`` (every chord a
    dominant seventh, as in the blues).
    """
    if extension == "power":
        return "power"
    if extension == "dominant":
        return "dominant7"
    steps = SCALES[mode]
    root = steps[degree % 7]
    third = (steps[(degree + 2) % 7] - root) % 12
    fifth = (steps[(degree + 4) % 7] - root) % 12
    seventh = (steps[(degree + 6) % 7] - root) % 12
    if fifth == 6:
        return "half_dim7" if extension != "triad" else "diminished"
    if fifth == 8:
        return "augmented"
    minor = third == 3
    if extension == "triad":
        return "minor" if minor else "major"
    if minor:
        return "minor9" if extension == "ninth" else "minor7"
    if seventh == 10:
        return "dominant9" if extension == "ninth" else "dominant7"
    return "major9" if extension == "ninth" else "major7"


def chord_pitches(root: int, quality: str) -> list[int]:
    return [root + i for i in QUALITIES[quality]]


def voice(pitches: list[int], low: int, high: int, previous: list[int] | None = None) -> list[int]:
    """Place chord tones in ``[low, high]``: close position, moved by octaves to lie nearest the
    previous voicing (smooth voice leading, as a keyboard player or string section would)."""
    pcs = sorted({p % 12 for p in pitches}, key=lambda pc: (pc - pitches[0]) % 12)
    centre = (sum(previous) / len(previous)) if previous else (low + high) / 2
    best, best_cost = None, None
    for base in range(low - 12, high + 1):
        if base % 12 != pcs[0]:
            continue
        chord, last = [], base - 1
        for pc in pcs:
            p = last + 1 + ((pc - (last + 1)) % 12)
            chord.append(p)
            last = p
        if chord[0] < low or chord[-1] > high:
            continue
        cost = abs(sum(chord) / len(chord) - centre)
        if best_cost is None or cost < best_cost:
            best, best_cost = chord, cost
    return best if best is not None else [low + (pc - low) % 12 for pc in pcs]
