"""The symbolic score shared by the part generators: notes on a 16-steps-per-bar grid."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STEPS_PER_BAR = 16
STEPS_PER_BEAT = 4


@dataclass(frozen=True)
class Note:
    start: float  # in 16th-note steps from the start of the song (before swing)
    duration: float  # in steps
    pitch: int
    velocity: int
    #: semitones below ``pitch`` the note starts, bent up to it over its first sixteenth
    bend: float = 0.0
    #: depth in semitones of a vibrato on the held note (after the bend)
    vibrato: float = 0.0


@dataclass
class Chord:
    root: int  # MIDI pitch of the root (around C3..B3)
    quality: str
    pitches: list[int]  # chord tones, root position, from root


@dataclass
class Section:
    """A span of bars with one role in the song form."""

    kind: str  # intro, verse, chorus, outro
    first_bar: int
    bars: int
    chords: list[Chord]  # one per bar
    fill_last_bar: bool = False
    crash: bool = False


@dataclass
class Score:
    bpm: float
    swing: float
    tonic: int
    scale: str
    sections: list[Section]
    parts: dict[str, list[Note]] = field(default_factory=dict)
    #: per bar, the rhythm grids (drums, bass, comping) of the genre whose groove that bar plays
    grooves: list[dict] = field(default_factory=list)
    #: "final_chord" (a held tonic to the end) or "fade" (the body plays on, faded out)
    ending: str = "final_chord"

    def groove_at_bar(self, bar: int) -> dict | None:
        if not self.grooves:
            return None
        return self.grooves[min(bar, len(self.grooves) - 1)]

    @property
    def n_bars(self) -> int:
        return sum(s.bars for s in self.sections)

    def chord_at_bar(self, bar: int) -> Chord:
        for section in self.sections:
            if section.first_bar <= bar < section.first_bar + section.bars:
                return section.chords[bar - section.first_bar]
        return self.sections[-1].chords[-1]

    def section_at_bar(self, bar: int) -> Section:
        for section in self.sections:
            if section.first_bar <= bar < section.first_bar + section.bars:
                return section
        return self.sections[-1]


def step_to_seconds(step: np.ndarray | float, bpm: float, swing: float) -> np.ndarray:
    """Time of a grid position, with swing: the off-beat eighth of every beat moves from halfway
    to ``0.5 + swing / 2`` of the beat (``swing = 1/3`` is the triplet feel of jazz and blues),
    and the sixteenths in between move proportionally."""
    step = np.asarray(step, dtype=np.float64)
    beat, within = np.divmod(step / STEPS_PER_BEAT, 1.0)
    split = 0.5 + swing / 2
    swung = np.where(
        within < 0.5, within * (split / 0.5), split + (within - 0.5) * ((1 - split) / 0.5)
    )
    return (beat + swung) * 60.0 / bpm


def choose(rng: np.random.Generator, distribution: dict[str, float]) -> str:
    """Draw a key of a categorical distribution given as ``{choice: weight}``."""
    keys = [k for k, w in distribution.items() if w > 0]
    weights = np.array([distribution[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]
