"""Audio loading at the boundary: every bad input gets a clear AudioError, nothing else."""

import numpy as np
import pytest
import soundfile as sf

from genreblender import audio as audio_mod
from genreblender.audio import SAMPLE_RATE, load_audio
from genreblender.errors import AudioError


def _bytes(path, data):
    path.write_bytes(data)
    return path


def _write(path, y, sr=SAMPLE_RATE, **kw):
    sf.write(path, y, sr, **kw)
    return path


def test_stereo_44k_becomes_mono_22050(tmp_path):
    def sine(sr):
        t = np.arange(4 * sr) / sr
        return np.sin(2 * np.pi * 440.0 * t).astype(np.float32)

    stereo44 = np.stack([0.5 * sine(44100), 0.25 * sine(44100)], axis=1)
    path = _write(tmp_path / "s.flac", stereo44, sr=44100)
    loaded = load_audio(path)
    assert loaded.sr == 22050 and loaded.samples.ndim == 1
    expected = 0.375 * sine(22050)
    assert loaded.samples.size == expected.size
    np.testing.assert_allclose(loaded.samples[1000:-1000], expected[1000:-1000], atol=2e-3)


def test_array_needs_sample_rate(tone_clip):
    y, _ = tone_clip
    with pytest.raises(AudioError, match="sample rate"):
        load_audio(y)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _bytes(p, b""), "empty"),
        (lambda p: _bytes(p, b"RIFF\x00\x00garbage" * 50), "cannot decode"),
        (lambda p: _write(p, np.zeros(5 * SAMPLE_RATE, dtype=np.float32)), "silent"),
        (lambda p: _write(p, 0.1 * np.ones(2 * SAMPLE_RATE, dtype=np.float32)), "too short"),
    ],
    ids=["empty", "corrupt", "silent", "short"],
)
def test_bad_files(tmp_path, make, message):
    path = make(tmp_path / "bad.wav")
    with pytest.raises(AudioError, match=message):
        load_audio(path)


def test_unknown_extension_lists_accepted(tmp_path):
    path = tmp_path / "song.xyz"
    path.write_bytes(b"1234")
    with pytest.raises(AudioError, match="accepted: wav"):
        load_audio(path)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="no such"):
        load_audio(tmp_path / "nope.wav")


def test_oversized_file(tmp_path, tone_clip, monkeypatch):
    y, sr = tone_clip
    path = _write(tmp_path / "big.wav", y, sr)
    with pytest.raises(AudioError, match="limit"):
        load_audio(path, max_bytes=1000)


def test_too_long_file(tmp_path, monkeypatch, tone_clip):
    y, sr = tone_clip
    path = _write(tmp_path / "long.wav", y, sr)
    monkeypatch.setattr(audio_mod, "MAX_DURATION_S", 4.0)
    with pytest.raises(AudioError, match="limit is 4 s"):
        load_audio(path)


def test_nan_samples(tone_clip):
    y, sr = tone_clip
    y = y.copy()
    y[100] = np.nan
    with pytest.raises(AudioError, match="NaN"):
        load_audio(y, sr=sr)


def test_not_audio_type():
    with pytest.raises(AudioError, match="file path or a numpy array"):
        load_audio(42)
