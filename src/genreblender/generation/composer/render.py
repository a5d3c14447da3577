"""From score to sound: a General MIDI file with one channel per part and layer, rendered with
a SoundFont by ``midirenderer`` (a maintained, dependency-free SoundFont synthesizer wheel)."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.generation.composer.score import Note, step_to_seconds

if TYPE_CHECKING:
    import pretty_midi

#: SoundFonts looked for, best first, when none is given: Debian's fluid-soundfont-gm, then
#: the small GM bank that ships inside pretty_midi (always present).
SYSTEM_SOUNDFONTS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
)
RENDER_RATE = 48000  # what midirenderer produces


@dataclass(frozen=True)
class SoundFont:
    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


def _bundled_soundfont() -> Path:
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


@functools.lru_cache(maxsize=8)
def _load_soundfont(path: str) -> tuple[SoundFont, bytes]:
    data = Path(path).read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise InvalidInputError(f"{path} is not a SoundFont 2 file (.sf2)")
    return SoundFont(Path(path), hashlib.sha256(data).hexdigest()[:16]), data


def find_soundfont(explicit: str | Path | None = None) -> tuple[SoundFont, bytes]:
    """The SoundFont to render with: ``explicit``, else ``$GENREBLENDER_SOUNDFONT``, else a
    fuller GM bank found on the machine, else pretty_midi's bundled TimGM6mb."""
    choice = explicit or os.environ.get("GENREBLENDER_SOUNDFONT")
    if choice:
        path = Path(choice)
        if not path.is_file():
            raise InvalidInputError(f"SoundFont {path} does not exist; give a General MIDI .sf2")
        return _load_soundfont(str(path.resolve()))
    for path in SYSTEM_SOUNDFONTS:
        if path.is_file():
            return _load_soundfont(str(path))
    return _load_soundfont(str(_bundled_soundfont()))


@dataclass
class Track:
    """One MIDI channel: a part played by one instrument at one level."""

    name: str
    program: int
    is_drum: bool
    level: float  # linear amplitude, 0..1
    notes: list[Note]


#: An undefined General MIDI controller: an event on it changes nothing but the file's length
_END_MARKER_CC = 110


def _pretty_midi(tracks: list[Track], bpm: float, swing: float, rng: np.random.Generator):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    for track in tracks:
        if not track.notes:
            continue
        inst = pretty_midi.Instrument(program=track.program, is_drum=track.is_drum, name=track.name)
        # channel volume (CC7) is ~40*log10(cc/127) dB in GM synths: amplitude ∝ (cc/127)^2
        volume = int(np.clip(round(127 * np.sqrt(np.clip(track.level, 0.0, 1.0))), 0, 127))
        inst.control_changes.append(pretty_midi.ControlChange(7, volume, 0.0))
        starts = np.array([n.start for n in track.notes])
        ends = starts + np.array([n.duration for n in track.notes])
        t0 = step_to_seconds(starts, bpm, swing)
        t1 = step_to_seconds(ends, bpm, swing)
        jitter = rng.normal(0.0, 0.004, size=len(t0))
        for note, a, b, j in zip(track.notes, t0, t1, jitter, strict=True):
            start = max(0.0, a + j)
            end = max(start + 0.03, b + j)
            inst.notes.append(pretty_midi.Note(note.velocity, int(note.pitch), start, end))
            if note.bend or note.vibrato:
                inst.pitch_bends.extend(_bend_events(note, start, end, bpm))
        pm.instruments.append(inst)
    return pm


#: Pitch-bend range of General MIDI synthesizers (semitones either way) and the events per
#: second that draw a bend or a vibrato
_BEND_RANGE, _BEND_RATE = 2.0, 100.0
_VIBRATO_HZ = 5.5


def _bend_events(note: Note, start: float, end: float, bpm: float) -> list:
    """Pitch-bend events of a bent note (from ``note.bend`` semitones below up to the pitch over
    a sixteenth) with its vibrato after, back to centre at its end (one note at a time: a
    lead line's channel)."""
    import pretty_midi

    rise = min(15.0 / bpm, 0.5 * (end - start))  # a sixteenth
    times = np.arange(start, end, 1.0 / _BEND_RATE)
    offset = -float(note.bend) * np.clip(1.0 - (times - start) / max(rise, 1e-6), 0.0, 1.0)
    held = np.clip((times - start - rise) / 0.15, 0.0, 1.0)  # the vibrato swells in
    offset += float(note.vibrato) * held * np.sin(2 * np.pi * _VIBRATO_HZ * (times - start))
    values = np.clip(np.round(8191 * offset / _BEND_RANGE), -8192, 8191).astype(int)
    events = [pretty_midi.PitchBend(int(v), float(t)) for v, t in zip(values, times, strict=True)]
    events.append(pretty_midi.PitchBend(0, end))
    return events


def midi_bytes(pm: pretty_midi.PrettyMIDI) -> bytes:
    """The standard MIDI file of ``pm``."""
    buffer = io.BytesIO()
    pm.write(buffer)
    return buffer.getvalue()


def part_of(track_name: str) -> str:
    """``"comp:jazz"`` → ``"comp"``: the part a track plays, whichever genre's instrument."""
    return track_name.split(":", 1)[0]


def build_midi(tracks: list[Track], bpm: float, swing: float, rng: np.random.Generator) -> bytes:
    """A standard MIDI file of the tracks; swing and a few ms of human timing are applied here."""
    return midi_bytes(_pretty_midi(tracks, bpm, swing, rng))


def _alias(inst: pretty_midi.Instrument) -> pretty_midi.Instrument:
    """A new instrument sharing ``inst``'s notes and pitch bends (never changed once written),
    with its own list of controller events (an end marker may be added to it)."""
    import pretty_midi

    one = pretty_midi.Instrument(inst.program, inst.is_drum, inst.name)
    one.notes = inst.notes
    one.control_changes = list(inst.control_changes)
    one.pitch_bends = inst.pitch_bends
    return one


def build_midi_files(
    tracks: list[Track],
    bpm: float,
    swing: float,
    rng: np.random.Generator,
    unplayed: tuple[str, ...] = (),
    parts: bool | tuple[str, ...] = False,
) -> tuple[pretty_midi.PrettyMIDI, bytes, dict[str, bytes]]:
    """The song of :func:`build_midi` (the same notes and timing for the same ``rng``; kept
    in memory: a sectioned blend only writes the file it merges from its songs), the file the
    synthesizer plays with the others (the same without the ``unplayed`` parts,
    those rendered on their own: a sung lead, a bass with its own tone) and one file per part
    holding only that part's tracks, for every part (``parts=True``) or those named.

    All are written from the one set of notes: a file read back and written again can pair
    the note-ons and note-offs of overlapping notes of one pitch differently, and sound
    different. Every file lasts as long as the whole (an end marker at its end time): the
    renderer stops at a file's last event, which would cut release tails the whole lets ring.
    """
    import pretty_midi

    pm = _pretty_midi(tracks, bpm, swing, rng)
    end = pm.get_end_time()

    def subset(keep) -> bytes:
        one = pretty_midi.PrettyMIDI(initial_tempo=bpm)
        one.instruments = [_alias(inst) for inst in pm.instruments if keep(inst)]
        if one.instruments:
            one.instruments[0].control_changes.append(
                pretty_midi.ControlChange(_END_MARKER_CC, 0, end)
            )
        return midi_bytes(one)

    if any(part_of(i.name) in unplayed for i in pm.instruments):
        played = subset(lambda inst: part_of(inst.name) not in unplayed)
    else:
        played = midi_bytes(pm)
    files: dict[str, bytes] = {}
    for name in dict.fromkeys(part_of(inst.name) for inst in pm.instruments):
        if parts is True or (parts and name in parts):
            files[name] = subset(lambda inst, name=name: part_of(inst.name) == name)
    return pm, played, files


def render_midi(midi: bytes, soundfont_bytes: bytes) -> np.ndarray:
    """Stereo float32 ``(n, 2)`` audio at :data:`RENDER_RATE`."""
    import midirenderer

    return _decoded(midirenderer.render_wave_from(soundfont_bytes, midi))


#: The child process of :func:`render_midi_apart`: stdin holds the SoundFont's length (8 bytes,
#: little-endian), the SoundFont and the MIDI file; stdout gets the synthesizer's WAV file
_RENDER_CHILD = (
    "import sys, midirenderer\n"
    "data = sys.stdin.buffer.read()\n"
    "n = int.from_bytes(data[:8], 'little')\n"
    "sys.stdout.buffer.write(midirenderer.render_wave_from(data[8 : 8 + n], data[8 + n :]))\n"
)


def render_midi_apart(midi: bytes, soundfont_bytes: bytes) -> np.ndarray:
    """:func:`render_midi` (the same audio) in a child Python process.

    The synthesizer holds the GIL while it renders, so renders side by side need processes; a
    child started with ``-I`` imports only the synthesizer (no ``__main__`` re-import, no
    inherited threads: safe from any front end), for about 0.1 s of start-up."""
    payload = len(soundfont_bytes).to_bytes(8, "little") + soundfont_bytes + midi
    child = subprocess.run(
        [sys.executable, "-I", "-c", _RENDER_CHILD], input=payload, capture_output=True
    )
    if child.returncode != 0:
        raise RuntimeError(
            f"the synthesizer's child process failed ({child.returncode}): "
            f"{child.stderr.decode(errors='replace')[-500:]}"
        )
    return _decoded(child.stdout)


def _decoded(wav: bytes) -> np.ndarray:
    import soundfile as sf

    audio, sr = sf.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    if sr != RENDER_RATE:  # guard against a different build of the renderer
        import librosa

        audio = librosa.resample(audio.T, orig_sr=sr, target_sr=RENDER_RATE, res_type="soxr_hq").T
    return np.ascontiguousarray(audio)
