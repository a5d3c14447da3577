"""Writing a generated track: WAV + MIDI + JSON sidecar, atomically, with clear errors."""

import json
import os

import numpy as np
import pytest
import soundfile as sf

from genreblender.errors import InvalidInputError
from genreblender.generation.base import GenerationResult
from genreblender.generation.writer import check_output_path, write_track


def _result(audio, midi=None):
    meta = {
        "engine": "test",
        "genre_a": "jazz",
        "genre_b": "metal",
        "alpha": 0.7,
        "seed": 1,
        "duration_s": audio.shape[0] / 22050,
        "model_version": "test-0",
    }
    return GenerationResult(audio=audio, sample_rate=22050, metadata=meta, midi=midi)


def test_write_track_writes_wav_midi_and_sidecar(tmp_path, rng):
    audio = (0.5 * rng.standard_normal(22050)).clip(-1, 1).astype(np.float32)
    written = write_track(_result(audio, midi=b"MThd-fake"), tmp_path / "sub" / "out.wav")
    data, sr = sf.read(written.audio_path)
    assert sr == 22050 and data.shape == (22050,)
    np.testing.assert_allclose(data, audio, atol=1.0 / 2**15 + 1e-6)
    assert written.midi_path.read_bytes() == b"MThd-fake"
    meta = json.loads(written.sidecar_path.read_text())
    assert meta["alpha"] == 0.7 and meta["engine"] == "test"
    assert meta["files"] == {"wav": "out.wav", "midi": "out.mid", "mp3": None}
    assert meta["n_samples"] == 22050
    # nothing temporary left behind
    assert sorted(p.name for p in written.audio_path.parent.iterdir()) == [
        "out.json",
        "out.mid",
        "out.wav",
    ]


def test_write_track_scales_instead_of_clipping(tmp_path):
    audio = np.array([0.0, 2.0, -1.0, 1.0] * 1000, dtype=np.float32)
    written = write_track(_result(audio), tmp_path / "loud.wav")
    data, _ = sf.read(written.audio_path)
    assert np.max(np.abs(data)) <= 1.0
    np.testing.assert_allclose(data[:4], [0.0, 1.0, -0.5, 0.5], atol=1e-4)


def test_write_track_merges_extra_metadata(tmp_path):
    audio = np.zeros(2205, dtype=np.float32)
    written = write_track(_result(audio), tmp_path / "x.wav", {"measurement": {"js": 0.1}})
    assert json.loads(written.sidecar_path.read_text())["measurement"] == {"js": 0.1}


@pytest.mark.parametrize("name", ["out.ogg", "out", "out.txt"])
def test_check_output_path_rejects_extensions(tmp_path, name):
    with pytest.raises(InvalidInputError, match="accepted"):
        check_output_path(tmp_path / name)


def test_check_output_path_rejects_directory_and_file_parent(tmp_path):
    (tmp_path / "d.wav").mkdir()
    with pytest.raises(InvalidInputError, match="is a directory"):
        check_output_path(tmp_path / "d.wav")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="not a directory"):
        check_output_path(tmp_path / "file" / "out.wav")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_check_output_path_rejects_unwritable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InvalidInputError, match="cannot create the folder"):
            check_output_path(locked / "new" / "out.wav")
    finally:
        locked.chmod(0o700)


def test_write_track_encodes_mp3_beside_the_wav(tmp_path):
    from genreblender.generation.writer import mp3_encoder_available

    if not mp3_encoder_available():
        pytest.skip("no MP3 encoder (libsndfile < 1.1 and no ffmpeg/lame)")
    t = np.arange(22050 * 2) / 22050
    audio = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    written = write_track(_result(audio), tmp_path / "song.mp3")
    assert written.mp3_path == tmp_path / "song.mp3" and written.audio_path.suffix == ".wav"
    decoded, sr = sf.read(written.mp3_path)
    assert sr == 22050 and abs(len(decoded) - len(audio)) < 0.1 * len(audio)
    # the MP3 is the same music: its spectrum peaks at 440 Hz
    spectrum = np.abs(np.fft.rfft(decoded[:22050]))
    peak_hz = np.fft.rfftfreq(22050, d=1 / 22050)[np.argmax(spectrum)]
    assert abs(peak_hz - 440) < 3
    meta = json.loads(written.sidecar_path.read_text())
    assert meta["files"]["mp3"] == "song.mp3" and meta["files"]["wav"] == "song.wav"
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]
