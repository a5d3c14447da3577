"""Song form: tempo, key, sections (intro, verses, choruses, outro) with their chords, and the
ending.

Endings: a song either stops on a held tonic chord (``final_chord``: the cadence of classical,
jazz and blues) or plays on through a fade-out (``fade``: the ending of most pop, disco, reggae,
hip-hop and much rock and country on record). A style gives the probability of each
(``ending``); a blend mixes them like any categorical choice. A track shorter than
:data:`EXCERPT_BELOW_S` is an excerpt, as a GTZAN clip is: it plays on to a short fade. Its
held chord would ring for one to two bars, a quarter of a 20-s track, that no genre's music
sounds like (composer 2.8 → 2.9, with 2.9's closing fix: 45 pairs at α = 0.5, 9 seeds × 20 s,
A and B the top two 70.6% → 73.3% by the default listener, 27.4% → 29.9% by the features MLP,
60.2% → 65.4% by the judge).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from genreblender.generation.composer.score import (
    STEPS_PER_BAR,
    Chord,
    Note,
    Score,
    Section,
    choose,
)
from genreblender.generation.composer.theory import (
    HARMONY_MODE,
    SCALES,
    chord_pitches,
    degree_root,
    diatonic_quality,
)

_MAX_SECTION_BARS = 12
#: Tracks shorter than this are excerpts (GTZAN's clips are 30 s from inside a record): they
#: start almost straight in and end in a short fade; longer ones get a real intro and ending
EXCERPT_BELOW_S = 45.0


def is_excerpt(duration_s: float) -> bool:
    """Whether a track this long is an excerpt (:data:`EXCERPT_BELOW_S`)."""
    return duration_s < EXCERPT_BELOW_S


#: Sections of the opening (verse, chorus, verse, chorus), the whole form of a short song
_SONG_OPENING = 4
#: What may follow each kind of section once the opening has played (a long song's form):
#: a bridge on its own progression, a breakdown (drums down to the hats, the bass holding
#: roots, no lead) that drops back into a chorus, a solo over the verse's chords (the lead on
#: its own melody, comping pulled back), or another verse. No kind follows itself.
_NEXT_SECTION = {
    "verse": {"chorus": 1.0},
    "chorus": {"bridge": 0.3, "breakdown": 0.3, "solo": 0.2, "verse": 0.2},
    "bridge": {"chorus": 0.7, "solo": 0.3},
    "breakdown": {"chorus": 0.6, "verse": 0.4},
    "solo": {"chorus": 0.5, "verse": 0.3, "breakdown": 0.2},
}
#: Drum voices a breakdown keeps (General MIDI keys: side stick, closed/pedal/open hat, ride,
#: tambourine, shaker): the pulse without the kick and snare
_BREAKDOWN_DRUMS = frozenset({37, 42, 44, 46, 51, 54, 70})
#: How much quieter comping and louder the lead play in a solo (MIDI velocity)
_SOLO_COMP_DROP, _SOLO_LEAD_LIFT = 18, 8


def _progression(style: dict[str, Any], rng: np.random.Generator) -> tuple[list[int], int]:
    options = style["harmony"]["progressions"]
    weights = np.array([max(o[0], 0.0) for o in options])
    degrees, bars_per_chord = options[int(rng.choice(len(options), p=weights / weights.sum()))][1:]
    return list(degrees), int(bars_per_chord)


def _chords_for(degrees, bars_per_chord, bars, tonic, mode, extension) -> list[Chord]:
    per_bar = [d for d in degrees for _ in range(bars_per_chord)]
    chords = []
    for bar in range(bars):
        degree = per_bar[bar % len(per_bar)]
        root = degree_root(tonic, mode, degree)
        root = 40 + (root - 40) % 12  # bass-friendly root between E2 and D#3
        quality = diatonic_quality(mode, degree, extension)
        chords.append(Chord(root, quality, chord_pitches(root, quality)))
    return chords


def _scales_in_mode(scales: dict[str, float], mode: str) -> dict[str, float]:
    """The style's scales whose chords are in ``mode`` (major: a major third over the tonic),
    with their weights; the plain scale of that mode when the style has none."""
    third = 4 if mode == "major" else 3
    kept = {s: w for s, w in scales.items() if w > 0 and third in SCALES[HARMONY_MODE[s]]}
    return kept or {mode: 1.0}


def plan_song(
    style: dict[str, Any],
    duration_s: float,
    rng: np.random.Generator,
    tonic_pc: int | None = None,
    bpm: float | None = None,
    mode: str | None = None,
    excerpt: bool | None = None,
) -> Score:
    """Tempo, key and form for a song of at least ``duration_s`` seconds.

    ``tonic_pc`` (0-11) imposes the key's tonic (a user may ask for one), ``bpm`` the tempo
    and ``mode`` (``"major"`` or ``"minor"``) the family of the scale: the style's scales of
    that mode keep their weights. Each is still drawn, so every later draw is the same with or
    without it. ``excerpt`` (default: shorter than :data:`EXCERPT_BELOW_S`) ends the song in a
    fade whatever its style's ending: a sectioned blend decides it by the whole track's length,
    not by each genre's song's.
    """
    # drawn first, as one uniform against P(fade): raising a fading genre's weight only ever
    # turns final-chord endings into fades for the same seed
    u_ending = rng.random()
    ending = "fade" if u_ending < float(style.get("ending", {}).get("fade", 0.0)) else "final_chord"
    if is_excerpt(duration_s) if excerpt is None else excerpt:
        ending = "fade"
    lo, hi = style["tempo_bpm"]
    drawn_bpm = float(rng.uniform(lo, hi))
    bpm = drawn_bpm if bpm is None else float(bpm)
    tonic_weights = np.asarray(style["tonic_weights"], dtype=float) + 1e-9
    drawn_pc = int(rng.choice(12, p=tonic_weights / tonic_weights.sum()))
    tonic_pc = drawn_pc if tonic_pc is None else int(tonic_pc) % 12
    scale = choose(rng, style["scale"] if mode is None else _scales_in_mode(style["scale"], mode))
    mode = HARMONY_MODE[scale]
    extension = {k: v for k, v in style["harmony"]["extension"].items() if k != "sus"}
    bar_s = style["meter"] * 60.0 / bpm
    if ending == "fade":
        # the body plays to the end (the renderer fades it out)
        total_bars = max(1, math.ceil(duration_s / bar_s))
    else:
        # the body fills the duration but its last bar; the outro chord rings to the end
        total_bars = max(1, math.floor(duration_s / bar_s) - 1)
    # a short track starts almost straight in (a one-bar pickup), a long one gets a real intro
    intro = (1 if total_bars >= 5 else 0) if is_excerpt(duration_s) else 2

    sections: list[Section] = []
    bar = 0
    tonic = 48 + tonic_pc
    if intro:
        degrees, bpc = _progression(style, rng)
        chords = _chords_for(degrees, bpc, intro, tonic, mode, choose(rng, extension))
        sections.append(Section("intro", 0, intro, chords, fill_last_bar=True))
        bar = intro
    # verse and chorus each keep one progression for the whole song (a song repeats its parts)
    material = {}
    for kind in ("verse", "chorus"):
        degrees, bpc = _progression(style, rng)
        length = len(degrees) * bpc
        bars = length * max(1, 8 // length) if length < 8 else min(length, _MAX_SECTION_BARS)
        material[kind] = (degrees, bpc, bars, choose(rng, extension))
    i = 0
    kind = None
    while bar < total_bars:
        if i < _SONG_OPENING:
            kind = ("verse", "chorus")[i % 2]
        else:
            # past the opening verse-chorus-verse-chorus, the form varies. Drawn only here,
            # after every other draw of the plan: a shorter song is exactly what it was
            if "bridge" not in material:
                degrees, bpc = _progression(style, rng)
                length = len(degrees) * bpc
                bars = (
                    length * max(1, 8 // length) if length < 8 else min(length, _MAX_SECTION_BARS)
                )
                material["bridge"] = (degrees, bpc, bars, choose(rng, extension))
                verse = material["verse"]
                material["solo"] = verse
                material["breakdown"] = (verse[0], verse[1], max(4, verse[2] // 2), verse[3])
            kind = choose(rng, _NEXT_SECTION[kind])
        degrees, bpc, bars, ext = material[kind]
        bars = min(bars, total_bars - bar) if total_bars - bar < bars else bars
        chords = _chords_for(degrees, bpc, bars, tonic, mode, ext)
        crash = kind == "chorus" or i == 0 or (sections and sections[-1].kind == "breakdown")
        sections.append(Section(kind, bar, bars, chords, fill_last_bar=True, crash=crash))
        bar += bars
        i += 1
    if ending == "final_chord":
        # the tonic, held until the end of the track
        tonic_chord = _chords_for([0], 1, 1, tonic, mode, material["verse"][3])
        sections.append(Section("outro", bar, 1, tonic_chord, crash=True))
    return Score(
        bpm=bpm,
        swing=float(style["swing"]),
        tonic=tonic,
        scale=scale,
        sections=sections,
        ending=ending,
    )


def arrange_sections(score: Score, parts: dict[str, list[Note]]) -> dict[str, list[Note]]:
    """What plays in a long song's breakdowns and solos (the part generators play every
    section alike): a breakdown keeps the drums' pulse voices (and its last half-bar, where a
    fill leads into the next section), the bass's downbeats held through the bar, the comping,
    and drops the pad and the lead; a solo pulls the comping back and lifts the lead. Verses,
    choruses, bridges, the intro and the outro are left as played."""
    kinds = {s.kind for s in score.sections}
    if not kinds & {"breakdown", "solo"}:
        return parts
    bar_kind = [score.section_at_bar(b).kind for b in range(score.n_bars)]

    def kind_of(note: Note) -> str:
        return bar_kind[min(int(note.start // STEPS_PER_BAR), len(bar_kind) - 1)]

    def last_half_bar(note: Note) -> bool:
        bar = int(note.start // STEPS_PER_BAR)
        section = score.section_at_bar(bar)
        last = bar == section.first_bar + section.bars - 1
        return last and note.start % STEPS_PER_BAR >= STEPS_PER_BAR / 2

    out = {}
    for part, notes in parts.items():
        kept = []
        for note in notes:
            kind = kind_of(note)
            if kind == "breakdown":
                if part in ("lead", "pad"):
                    continue
                if part == "drums" and not (note.pitch in _BREAKDOWN_DRUMS or last_half_bar(note)):
                    continue
                if part == "bass":
                    if note.start % STEPS_PER_BAR:
                        continue
                    note = replace(note, duration=STEPS_PER_BAR - 0.5)
            elif kind == "solo":
                if part == "comp":
                    note = replace(note, velocity=max(30, note.velocity - _SOLO_COMP_DROP))
                elif part == "lead":
                    note = replace(note, velocity=min(127, note.velocity + _SOLO_LEAD_LIFT))
                elif part == "pad":
                    continue
            kept.append(note)
        out[part] = kept
    return out
