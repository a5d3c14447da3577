"""Sung vocals: a formant singing voice that sings the lead melody.

Most GTZAN genres are songs. Pop, country, blues, reggae, rock and disco without a singer are
heard as other genres, and a General MIDI "Voice Oohs" is no singer: one looped vowel at a
fixed pitch, a flat line of harmonics in a spectrogram. A singer's harmonics bend: the pitch
glides between legato notes, scoops up into some of them, wobbles with vibrato that grows
after the onset; the vowel changes syllable by syllable and consonants cut between them.

This is a source-filter singer (the classic formant synthesis of the singing voice):

- **pitch**: the lead part's notes (as the MIDI file plays them), moved by whole octaves into
  the voice's range; portamento between legato notes, a scoop from below into some notes,
  vibrato (rate and depth per style) faded in after the onset, and a slow random drift.
- **source**: a band-limited pulse train at that pitch (the derivative of a polyBLEP
  sawtooth: a flat harmonic spectrum), plus aspiration noise (``breathiness``); the male
  voice's source is tilted (-6 dB per octave above 1.5 kHz) so that the tenor table's operatic
  "singer's formant" rings no more than a popular singer's voice on a record.
- **filter**: the formants of the sung vowel (five resonances; tenor and soprano values of the
  standard formant tables, e.g. the Csound manual's appendix), one vowel per syllable with a
  short glide between them, applied frame by frame in the STFT domain. ``twang`` adds the
  bright 2.5-3.5 kHz ring of a country voice.
- **consonants**: a short noise burst ("s", "t", "k"-like) before some syllables.
- **grit**: a rough voice (rock, blues): random amplitude roughness and soft saturation.
- **double tracking** (``double_track``): the take laid again under itself through a slowly
  wandering ~25 ms delay (artificial double tracking, as on 1960s-2000s pop records).

Lyrics are vowels, one drawn per sung note (no words: a repeated chorus sings other vowels).
Everything is a function of the notes, the style's ``vocals`` entry and the random stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from genreblender.errors import InvalidInputError

ENGINE = "genreblender formant singer"
#: The voice is synthesised at this rate (its formants lie below 5 kHz) and resampled.
VOICE_SR = 24000
_N_FFT = 1024
_HOP = 256
#: Control rate of the pitch and loudness curves (samples per control point)
_CONTROL = 64
VOWELS = ("a", "e", "i", "o", "u")
#: Formant centre (Hz), level (dB) and bandwidth (Hz), five per vowel
_FORMANTS = {
    "male": {
        "a": ((650, 1080, 2650, 2900, 3250), (0, -6, -7, -8, -22), (80, 90, 120, 130, 140)),
        "e": ((400, 1700, 2600, 3200, 3580), (0, -14, -12, -14, -20), (70, 80, 100, 120, 120)),
        "i": ((290, 1870, 2800, 3250, 3540), (0, -15, -18, -20, -30), (40, 90, 100, 120, 120)),
        "o": ((400, 800, 2600, 2800, 3000), (0, -10, -12, -12, -26), (40, 80, 100, 120, 120)),
        "u": ((350, 600, 2700, 2900, 3300), (0, -20, -17, -14, -26), (40, 60, 100, 120, 120)),
    },
    "female": {
        "a": ((800, 1150, 2900, 3900, 4950), (0, -6, -32, -20, -50), (80, 90, 120, 130, 140)),
        "e": ((350, 2000, 2800, 3600, 4950), (0, -20, -15, -40, -56), (60, 100, 120, 150, 200)),
        "i": ((270, 2140, 2950, 3900, 4950), (0, -12, -26, -26, -44), (60, 90, 100, 120, 120)),
        "o": ((450, 800, 2830, 3800, 4950), (0, -11, -22, -22, -50), (70, 80, 100, 130, 135)),
        "u": ((325, 700, 2700, 3800, 4950), (0, -16, -35, -40, -60), (50, 60, 170, 180, 200)),
    },
}
#: Comfortable range (MIDI pitches) of each voice
VOICE_RANGES = {"male": (45, 69), "female": (55, 79)}
#: Vowel frequencies of sung lyrics ("a" and "o" carry long notes)
_VOWEL_WEIGHTS = np.array([0.32, 0.2, 0.16, 0.2, 0.12])
_LEGATO_GAP_S = 0.12
_GLIDE_S = 0.06
#: Standard deviation of the slow pitch drift (semitones): a singer never holds pitch exactly
_DRIFT_SEMITONES = 0.048
#: Corner (Hz) of the spectral tilt (-6 dB per octave above it) that takes the tenor table's
#: operatic ring down to a popular singer's voice (see ``_glottal_tilt``); the soprano table's
#: upper formants are already weak and are left as they are
_TILT_HZ = {"male": 1500.0}
#: Artificial double tracking: the copy's mean delay and the spread of its slow wander (s)
_ADT_DELAY_S = 0.025
_ADT_WANDER_S = 0.002


def sung_notes(midi, part_prefix: str = "lead") -> list[tuple[float, float, int, int]]:
    """``(start_s, end_s, pitch, velocity)`` of every note of the MIDI song's instruments whose
    name starts with ``part_prefix``, in time order: what the song says the lead plays.
    ``midi``: a ``pretty_midi.PrettyMIDI`` or the bytes of a MIDI file."""
    import io

    import pretty_midi

    if isinstance(midi, bytes | bytearray):
        midi = pretty_midi.PrettyMIDI(io.BytesIO(midi))
    notes = [
        (float(n.start), float(n.end), int(n.pitch), int(n.velocity))
        for inst in midi.instruments
        if inst.name.startswith(part_prefix) and not inst.is_drum
        for n in inst.notes
    ]
    return sorted(notes)


def _into_range(pitches: np.ndarray, low: int, high: int) -> np.ndarray:
    """Move the line by whole octaves so its median sits mid-range, then fold the notes that
    still fall outside back in by octaves (a singer takes a high note down an octave)."""
    centre = (low + high) / 2
    shift = 12 * np.round((centre - np.median(pitches)) / 12)
    moved = pitches + shift
    while np.any(moved > high):
        moved = np.where(moved > high, moved - 12, moved)
    while np.any(moved < low):
        moved = np.where(moved < low, moved + 12, moved)
    return moved


def _monophonic(notes):
    """One note at a time: a note ends where the next begins."""
    out = []
    for i, (start, end, pitch, velocity) in enumerate(notes):
        nxt = notes[i + 1][0] if i + 1 < len(notes) else np.inf
        if nxt <= start:
            continue
        out.append((start, min(end, nxt), pitch, velocity))
    return out


def _curves(notes, pitches, spec, n_control, rng):
    """Pitch (MIDI, float) and loudness at the control rate, and each note's control span."""
    cr = VOICE_SR / _CONTROL
    pitch = np.full(n_control, np.nan)
    loud = np.zeros(n_control)
    depth = float(spec.get("vibrato_depth", 0.3))
    rate = float(spec.get("vibrato_rate", 5.5)) * (1 + 0.06 * rng.standard_normal())
    scoop_prob = float(spec.get("scoop", 0.2))
    spans = []
    previous = None
    for (start, end, _, velocity), target in zip(notes, pitches, strict=True):
        c0 = int(start * cr)
        c1 = min(n_control, int((end + 0.05) * cr))  # a little release past the note
        if c1 - c0 < 2:
            continue
        t = np.arange(c1 - c0) / cr
        curve = np.full(len(t), float(target))
        if previous is not None and start - previous[1] < _LEGATO_GAP_S:
            glide = np.clip(t / _GLIDE_S, 0, 1)
            glide = glide * glide * (3 - 2 * glide)
            curve += (previous[0] - target) * (1 - glide)
        elif rng.random() < scoop_prob:
            below = 1.0 + rng.random()  # a scoop of one to two semitones
            rise = np.clip(t / 0.11, 0, 1)
            curve -= below * (1 - rise) ** 2
        onset = np.clip((t - 0.15) / 0.25, 0, 1)
        phase = rng.uniform(0, 2 * np.pi)
        curve += depth * onset * np.sin(2 * np.pi * rate * t + phase)
        pitch[c0:c1] = curve
        level = (velocity / 127.0) ** 1.5
        attack = np.clip(t / 0.03, 0, 1)
        release = np.clip((end - start + 0.05 - t) / 0.06, 0, 1)
        loud[c0:c1] = np.maximum(loud[c0:c1], level * attack * release)
        spans.append((c0, c1))
        previous = (float(target), end)
    # between notes the pitch holds (no voice sounds there: loudness is 0)
    known = np.flatnonzero(~np.isnan(pitch))
    if len(known) == 0:
        return None
    pitch = np.interp(np.arange(n_control), known, pitch[known])
    drift = signal.lfilter([0.02], [1, -0.98], rng.standard_normal(n_control))
    pitch += _DRIFT_SEMITONES * drift / (np.std(drift) + 1e-9)
    return pitch, loud, spans


def _polyblep_pulses(f0: np.ndarray) -> np.ndarray:
    """A band-limited pulse train at ``f0`` (per sample): the derivative of a polyBLEP
    sawtooth, whose harmonics are all about equally strong (the formants shape them)."""
    dt = f0 / VOICE_SR
    t = np.cumsum(dt) % 1.0
    saw = 2.0 * t - 1.0
    lo = t < dt
    x = t[lo] / dt[lo]
    saw[lo] -= 2 * x - x * x - 1
    hi = t > 1 - dt
    x = (t[hi] - 1) / dt[hi]
    saw[hi] -= x * x + 2 * x + 1
    return -np.diff(saw, prepend=saw[0]) / (2 * dt.mean())


def _glottal_tilt(source: np.ndarray, corner_hz: float) -> np.ndarray:
    """A popular singer's spectral tilt: the male formants are an operatic tenor's, whose
    "singer's formant" (F3-F5 clustered near 3 kHz, within 7-8 dB of F1) rings out over an
    orchestra; a singer on a record sings in a speech-like voice whose harmonics fall away
    above the first formants. A one-pole low-pass on the source (pulses and breath) takes the
    ring down by about 6 dB; ``twang`` (a country singer's) puts it back."""
    b, a = signal.butter(1, corner_hz, fs=VOICE_SR)
    return signal.lfilter(b, a, source)


def _envelope(freqs, formants, twang):
    """Magnitude of the vocal tract per frequency for one set of formants (F, A dB, B)."""
    centres, levels, widths = formants
    f = np.maximum(freqs, 1.0)[:, None]
    ratio = (f**2 - centres[None, :] ** 2) / (f * widths[None, :])
    env = np.sum(10 ** (levels[None, :] / 20) / np.sqrt(1 + ratio**2), axis=1)
    if twang > 0:
        ring = 1 / np.sqrt(1 + ((freqs - 3000.0) / 500.0) ** 2)
        env = env * (1 + 2.0 * twang * ring)
    return env


def sing(
    notes: list[tuple[float, float, int, int]],
    spec: dict[str, Any],
    n_samples: int,
    sr: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The notes sung by the voice ``spec`` describes: mono float32 of ``n_samples`` at ``sr``,
    peak-normalised (the caller sets its level against the beat).

    ``spec`` keys (all optional): ``voice`` ("male" or "female"), ``range`` ([low, high] MIDI),
    ``vibrato_depth`` (semitones), ``vibrato_rate`` (Hz), ``scoop`` (probability of a scoop into
    a detached note), ``breathiness`` (0-1), ``twang`` (0-1), ``grit`` (0-1), ``double_track``
    (0-1: the level of the double-tracked copy, 0 for a single-tracked voice).
    """
    import librosa

    out = np.zeros(n_samples, dtype=np.float32)
    voice = spec.get("voice", "male")
    if voice not in _FORMANTS:
        raise InvalidInputError(
            f"unknown singing voice {voice!r}; accepted: {', '.join(_FORMANTS)}"
        )
    notes = _monophonic(sorted(notes))
    if not notes:
        return out
    low, high = spec.get("range", VOICE_RANGES[voice])
    pitches = _into_range(np.array([n[2] for n in notes], dtype=float), int(low), int(high))
    n_voice = int(np.ceil(n_samples * VOICE_SR / sr)) + _N_FFT
    n_control = n_voice // _CONTROL + 2
    curves = _curves(notes, pitches, spec, n_control, rng)
    if curves is None:
        return out
    pitch_c, loud_c, spans = curves
    grid = np.arange(n_voice) / _CONTROL
    control = np.arange(n_control)
    f0 = 440.0 * 2 ** ((np.interp(grid, control, pitch_c) - 69) / 12)
    loud = np.interp(grid, control, loud_c)
    grit = float(spec.get("grit", 0.0))
    if grit > 0:  # roughness: the loudness flickers irregularly, 30-90 Hz
        rough = signal.sosfilt(
            signal.butter(2, (30, 90), btype="band", fs=VOICE_SR, output="sos"),
            rng.standard_normal(n_voice),
        )
        loud = loud * (1 + 0.9 * grit * rough / (np.std(rough) + 1e-9)).clip(0, None)
    breath = float(spec.get("breathiness", 0.1))
    pulses = _polyblep_pulses(f0)
    pulse_rms = float(np.sqrt(np.mean(pulses**2)))
    source = pulses + breath * pulse_rms * rng.standard_normal(n_voice)
    if voice in _TILT_HZ:
        source = _glottal_tilt(source, _TILT_HZ[voice])
    source *= loud
    # syllables: one vowel per note, drawn from the lyric-like frequencies of _VOWEL_WEIGHTS
    vowels = rng.choice(len(VOWELS), size=len(spans), p=_VOWEL_WEIGHTS / _VOWEL_WEIGHTS.sum())
    table = _FORMANTS[voice]
    stft = librosa.stft(source.astype(np.float32), n_fft=_N_FFT, hop_length=_HOP)
    n_frames = stft.shape[1]
    frame_vowel = np.full(n_frames, -1)
    for (c0, c1), v in zip(spans, vowels, strict=True):
        f0_, f1_ = (c0 * _CONTROL) // _HOP, (c1 * _CONTROL) // _HOP + 1
        frame_vowel[f0_:f1_] = v
    # between syllables the mouth keeps its last shape
    known = np.flatnonzero(frame_vowel >= 0)
    frame_vowel = frame_vowel[
        known[np.clip(np.searchsorted(known, np.arange(n_frames)), 0, len(known) - 1)]
    ]
    params = np.array([np.array(table[VOWELS[v]], dtype=float) for v in range(len(VOWELS))])
    per_frame = params[frame_vowel]  # (frames, 3, 5)
    glide = int(round(0.04 * VOICE_SR / _HOP))  # 40-ms vowel transitions
    kernel = np.ones(glide) / glide
    per_frame = np.apply_along_axis(
        lambda x: np.convolve(
            np.pad(x, (glide // 2, glide - 1 - glide // 2), mode="edge"), kernel, "valid"
        ),
        0,
        per_frame.reshape(n_frames, -1),
    ).reshape(per_frame.shape)
    freqs = librosa.fft_frequencies(sr=VOICE_SR, n_fft=_N_FFT)
    twang = float(spec.get("twang", 0.0))
    # one envelope per vowel-transition state would be exact; frames share few distinct
    # states, so envelopes are computed for the distinct rows only
    rows, inverse = np.unique(
        np.round(per_frame.reshape(n_frames, -1), 1), axis=0, return_inverse=True
    )
    envelopes = np.stack([_envelope(freqs, r.reshape(3, 5), twang) for r in rows], axis=1)
    stft *= envelopes[:, inverse.ravel()]
    voiced = librosa.istft(stft, hop_length=_HOP, length=n_voice)
    singing = loud > 0.1
    if np.any(singing):  # vowels at RMS 1 while singing: the consonants' levels are against it
        voiced /= float(np.sqrt(np.mean(voiced[singing] ** 2))) + 1e-12
    voiced += _consonants(spans, n_voice, rng)
    if grit > 0:
        peak = float(np.max(np.abs(voiced))) or 1.0
        gain = 1 + 4 * grit
        voiced = np.tanh(gain * voiced / peak) * peak / np.tanh(gain)
    double = float(spec.get("double_track", 0.0))
    if double > 0:
        voiced = _double_tracked(voiced, double, rng)
    audio = signal.resample_poly(voiced, sr, VOICE_SR) if sr != VOICE_SR else voiced
    audio = audio[:n_samples]
    out[: len(audio)] = audio
    peak = float(np.max(np.abs(out)))
    return out / peak if peak > 0 else out


def _double_tracked(voiced: np.ndarray, level: float, rng) -> np.ndarray:
    """Artificial double tracking (Abbey Road, 1966): the take is laid again under itself
    through a delay that wanders slowly around 25 ms (±2 ms, under 1 Hz), so the copy is a
    little early or late and about 20 cents sharp or flat against it, as a second take of the
    same line is; the harmonics thicken instead of drawing single clean lines."""
    n = len(voiced)
    wander = signal.sosfilt(
        signal.butter(2, 0.8, fs=VOICE_SR, output="sos"), rng.standard_normal(n)
    )
    wander /= np.std(wander) + 1e-12
    delay = (_ADT_DELAY_S + _ADT_WANDER_S * wander).clip(0.005, None) * VOICE_SR
    where = np.arange(n) - delay
    copy = np.interp(where, np.arange(n), voiced, left=0.0, right=0.0)
    return (voiced + level * copy) / np.sqrt(1 + level**2)


def _consonants(spans, n_voice, rng) -> np.ndarray:
    """Short noise bursts ahead of about half the syllables: a sibilant (5-10 kHz, 70 ms) or a
    plosive (1.5-5 kHz, 15 ms), at a level below the vowel's."""
    out = np.zeros(n_voice)
    kinds = {
        "s": (signal.butter(4, (5000, 10000), btype="band", fs=VOICE_SR, output="sos"), 0.07, 0.25),
        "t": (signal.butter(2, (1500, 5000), btype="band", fs=VOICE_SR, output="sos"), 0.015, 0.5),
    }
    for c0, _ in spans:
        if rng.random() >= 0.5:
            continue
        kind = "s" if rng.random() < 0.4 else "t"
        sos, length, level = kinds[kind]
        n = int(length * VOICE_SR)
        start = c0 * _CONTROL - n
        if start < 0:
            continue
        burst = signal.sosfilt(sos, rng.standard_normal(n)) * np.hanning(n)
        out[start : start + n] += level * burst
    return out
