"""The formant singer: sings the lead's notes at their pitch, with vibrato and vowels."""

import io

import numpy as np
import pretty_midi
import pytest

from genreblender.errors import InvalidInputError
from genreblender.generation.composer import Composer, singing

SR = 16000


def _held_note_f0(audio, start_s, end_s):
    import librosa

    piece = audio[int(start_s * SR) : int(end_s * SR)]
    f0, voiced, _ = librosa.pyin(piece, fmin=80, fmax=1000, sr=SR, frame_length=1024)
    return f0[voiced]


def test_a_held_note_is_sung_at_its_pitch_with_vibrato():
    notes = [(0.2, 1.6, 57, 100)]  # A3, inside the male range: not moved
    spec = {"voice": "male", "vibrato_depth": 0.4, "scoop": 0.0}
    audio = singing.sing(notes, spec, 2 * SR, SR, np.random.default_rng(0))
    f0 = _held_note_f0(audio, 0.9, 1.5)  # after the vibrato has faded in
    cents = 1200 * np.log2(f0 / 220.0)
    assert abs(np.median(cents)) < 30
    assert 10 < np.std(cents) < 60  # a wobble of about ±0.4 semitones, not a flat line
    no_vibrato = singing.sing(
        notes, {**spec, "vibrato_depth": 0.0}, 2 * SR, SR, np.random.default_rng(0)
    )
    assert np.std(1200 * np.log2(_held_note_f0(no_vibrato, 0.9, 1.5) / 220.0)) < 10


def test_silent_where_no_note_is_sung_and_deterministic():
    notes = [(0.5, 1.0, 64, 90), (1.0, 1.5, 67, 90), (2.5, 3.0, 60, 90)]
    spec = {"voice": "female"}
    audio = singing.sing(notes, spec, 4 * SR, SR, np.random.default_rng(3))
    assert audio.shape == (4 * SR,) and audio.dtype == np.float32
    assert np.abs(audio).max() == pytest.approx(1.0)
    assert np.abs(audio[: int(0.3 * SR)]).max() < 1e-3  # before the first consonant
    assert np.abs(audio[int(3.3 * SR) :]).max() < 1e-3  # after the last release
    assert np.sqrt(np.mean(audio[int(0.6 * SR) : int(1.4 * SR)] ** 2)) > 0.05
    again = singing.sing(notes, spec, 4 * SR, SR, np.random.default_rng(3))
    np.testing.assert_array_equal(audio, again)
    assert not np.any(singing.sing([], spec, SR, SR, np.random.default_rng(0)))


def test_lines_move_by_octaves_into_the_voice_range():
    line = np.array([84.0, 86.0, 88.0, 91.0])  # a lead written two octaves above a man's voice
    moved = singing._into_range(line, *singing.VOICE_RANGES["male"])
    np.testing.assert_array_equal(np.diff(moved), np.diff(line))  # the intervals are kept
    assert np.all((moved - line) % 12 == 0)
    low, high = singing.VOICE_RANGES["male"]
    assert moved.min() >= low and moved.max() <= high


def test_vowels_put_the_first_formants_where_the_tables_say():
    freqs = np.linspace(0, 5000, 2001)
    table = singing._FORMANTS["male"]
    for vowel in ("a", "i", "u"):
        env = singing._envelope(freqs, np.array(table[vowel], dtype=float), 0.0)
        first = table[vowel][0][0]
        low_band = (freqs > 150) & (freqs < 1000)
        assert abs(freqs[low_band][np.argmax(env[low_band])] - first) < 40, vowel
    # "i" has its second formant high (1870 Hz), "u" low (600 Hz): the tract's shape, not noise
    band = (freqs > 1300) & (freqs < 2400)
    env_i = singing._envelope(freqs, np.array(table["i"], dtype=float), 0.0)
    env_u = singing._envelope(freqs, np.array(table["u"], dtype=float), 0.0)
    assert abs(freqs[band][np.argmax(env_i[band])] - 1870) < 40
    assert env_i[band].max() > 1.5 * env_u[band].max()


def test_unknown_voice_is_refused_with_the_accepted_ones():
    with pytest.raises(InvalidInputError, match="accepted: male, female"):
        singing.sing([(0.0, 1.0, 60, 90)], {"voice": "alto"}, SR, SR, np.random.default_rng(0))


def test_a_sung_genre_writes_its_vocal_line_as_a_voice_track():
    result = Composer().generate("pop", "pop", 1.0, 10.0, 2)
    vocals = result.metadata["vocals"]
    assert vocals["kind"] == "sung" and vocals["engine"] == singing.ENGINE
    assert vocals["voice"] == "female"
    midi = pretty_midi.PrettyMIDI(io.BytesIO(result.midi))
    leads = [i for i in midi.instruments if i.name.startswith("lead")]
    assert leads and all(i.program == 53 for i in leads)  # Voice Oohs: the file's vocal line
    assert np.isfinite(result.audio).all() and np.abs(result.audio).max() <= 0.99


def test_double_tracking_lays_a_delayed_copy_under_the_take():
    notes = [(0.2, 1.8, 57, 100)]
    spec = {"voice": "male", "vibrato_depth": 0.0, "scoop": 0.0, "breathiness": 0.0}
    single = singing.sing(notes, spec, 2 * SR, SR, np.random.default_rng(1))
    double = singing.sing(
        notes, {**spec, "double_track": 0.7}, 2 * SR, SR, np.random.default_rng(1)
    )
    # the copy starts ~25 ms after the take: the first 20 ms of the note are the take alone
    onset = int(0.2 * SR)
    head = slice(onset, onset + int(0.02 * SR))
    assert np.corrcoef(single[head], double[head])[0, 1] > 0.99
    # later the two takes beat against each other: the doubled voice is no longer the single
    body = slice(int(0.6 * SR), int(1.6 * SR))
    assert np.corrcoef(single[body], double[body])[0, 1] < 0.95
    # and it sings the same pitch
    assert abs(np.median(1200 * np.log2(_held_note_f0(double, 0.6, 1.6) / 220.0))) < 30


def test_the_male_voice_rings_less_than_the_tenor_table_would(monkeypatch):
    notes = [(0.1, 1.9, 57, 100)]
    spec = {"voice": "male", "vibrato_depth": 0.0, "scoop": 0.0, "twang": 0.0}

    def ring_db():
        audio = singing.sing(notes, spec, 2 * SR, SR, np.random.default_rng(2))
        spectrum = np.abs(np.fft.rfft(audio[int(0.3 * SR) : int(1.7 * SR)])) ** 2
        freqs = np.fft.rfftfreq(int(1.4 * SR), 1 / SR)
        ring = spectrum[(freqs > 2500) & (freqs < 3500)].sum()
        return 10 * np.log10(ring / spectrum[(freqs > 200) & (freqs < 1000)].sum())

    tilted = ring_db()
    monkeypatch.setattr(singing, "_TILT_HZ", {})
    # the 2.5-3.5 kHz "singer's formant" against the first formants: several dB lower
    assert tilted < ring_db() - 4.0
