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
    assert load_audio(path).samples.size == y.size  # under the real limit it loads
    monkeypatch.setattr(audio_mod, "MAX_FILE_BYTES", 1000)
    with pytest.raises(AudioError, match="the limit is"):
        load_audio(path)
    with pytest.raises(AudioError, match="the limit is"):
        load_audio(path, max_bytes=1000)


def test_nan_samples_in_a_file(tmp_path, tone_clip):
    y, _ = tone_clip
    y = y.copy()
    y[5000] = np.nan
    for rate in (SAMPLE_RATE, 16000):  # also when the file would be resampled
        path = _write(tmp_path / f"nan{rate}.wav", y, sr=rate, subtype="FLOAT")
        with pytest.raises(AudioError, match="NaN"):
            load_audio(path)


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_other_rates_become_22050(tmp_path, rate):
    t = np.arange(4 * rate) / rate
    path = _write(tmp_path / f"r{rate}.wav", 0.5 * np.sin(2 * np.pi * 330.0 * t), sr=rate)
    loaded = load_audio(path)
    assert loaded.sr == SAMPLE_RATE
    assert loaded.samples.dtype == np.float32 and loaded.samples.ndim == 1
    assert loaded.duration_s == pytest.approx(4.0, abs=1e-3)
    # the tone survives: its spectrum peaks at 330 Hz
    spectrum = np.abs(np.fft.rfft(loaded.samples))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / loaded.samples.size
    assert peak_hz == pytest.approx(330.0, abs=1.0)


def test_stereo_arrays_either_layout_and_integer_pcm(tone_clip):
    y, sr = tone_clip
    stereo = np.stack([y, 0.5 * y])
    expected = 0.75 * y
    np.testing.assert_allclose(load_audio(stereo, sr=sr).samples, expected, atol=1e-6)
    np.testing.assert_allclose(load_audio(stereo.T, sr=sr).samples, expected, atol=1e-6)
    pcm = np.round(y * 32767).astype(np.int16)
    np.testing.assert_allclose(load_audio(pcm, sr=sr).samples, y, atol=1e-4)
    with pytest.raises(AudioError, match="channel axis"):
        load_audio(np.ones((100, 100), dtype=np.float32), sr=sr)
    with pytest.raises(AudioError, match="real numbers"):
        load_audio(y.astype(np.complex64), sr=sr)


def test_silent_and_short_arrays(tone_clip):
    y, sr = tone_clip
    with pytest.raises(AudioError, match="silent"):
        load_audio(np.zeros(5 * sr, dtype=np.float32), sr=sr)
    with pytest.raises(AudioError, match="too short"):
        load_audio(y[: int(2.9 * sr)], sr=sr)
    assert load_audio(y[: 3 * sr], sr=sr).duration_s == pytest.approx(3.0)
    with pytest.raises(AudioError, match="no samples"):
        load_audio(np.zeros(0, dtype=np.float32), sr=sr)


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


def test_header_only_file_has_no_samples(tmp_path):
    path = _write(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))
    assert path.stat().st_size > 0  # a valid header, no frames
    with pytest.raises(AudioError, match="no samples"):
        load_audio(path)


@pytest.mark.parametrize("suffix", [".au", ".flac", ".ogg", ".aiff"])
def test_other_formats_load_like_wav(tmp_path, tone_clip, suffix):
    y, sr = tone_clip
    reference = load_audio(_write(tmp_path / "ref.wav", y, sr)).samples
    loaded = load_audio(_write(tmp_path / f"clip{suffix}", y, sr)).samples
    assert loaded.shape == reference.shape
    if suffix == ".ogg":  # lossy: the same signal, not the same samples
        assert np.corrcoef(loaded, reference)[0, 1] > 0.95
    else:  # lossless: equal to 16-bit precision
        np.testing.assert_allclose(loaded, reference, atol=1e-4)
