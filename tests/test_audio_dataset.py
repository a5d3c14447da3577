"""Folder extraction: GTZAN layout in, GTZAN feature table out; bad files reported, not fatal."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from genreblender.classification.audio_dataset import extract_folder, list_audio_files
from genreblender.classification.features import FEATURE_NAMES, extract_windows
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES

SR = 22050


def _tone(seconds, freq, seed):
    t = np.arange(int(seconds * SR)) / SR
    noise = np.random.default_rng(seed).normal(scale=0.02, size=t.size)
    return (
        0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t)) + noise
    ).astype(np.float32)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """blues: two good files (one .flac at 44.1 kHz stereo) and a corrupt one; jazz: one good, one
    too short and a text file; the other eight genres absent."""
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "gtzan"
    (root / "blues").mkdir(parents=True)
    (root / "jazz").mkdir()
    sf.write(root / "blues" / "blues.00000.wav", _tone(7.0, 220, 0), SR)
    t = np.arange(int(7.0 * 44100)) / 44100
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 330 * t)] * 2, axis=1)
    sf.write(root / "blues" / "blues.00001.flac", stereo, 44100)
    (root / "blues" / "blues.00002.wav").write_bytes(b"RIFF....WAVEfmt garbage" * 10)
    sf.write(root / "jazz" / "jazz.00000.wav", _tone(6.0, 440, 1), SR)
    sf.write(root / "jazz" / "jazz.00001.wav", _tone(1.0, 440, 2), SR)
    (root / "jazz" / "notes.txt").write_text("not audio")
    (root / "jazz" / ".DS_Store").write_bytes(b"hidden")
    return root


def test_listing_reports_missing_genres_and_non_audio(folder):
    files, ignored, missing = list_audio_files(folder)
    assert [p.name for p, _ in files] == [
        "blues.00000.wav",
        "blues.00001.flac",
        "blues.00002.wav",
        "jazz.00000.wav",
        "jazz.00001.wav",
    ]
    assert [g for _, g in files] == ["blues"] * 3 + ["jazz"] * 2
    assert [p.endswith("notes.txt") for p, _ in ignored] == [True]
    assert missing == [g for g in GENRES if g not in ("blues", "jazz")]


def test_extract_folder_table_skips_and_rows(folder):
    result = extract_folder(folder, window_s=3.0, n_jobs=1, progress=False)
    table = result.table
    assert list(table.columns) == ["filename", "length", *FEATURE_NAMES, "label", "track"]
    skipped = {p.split("/")[-1]: reason for p, reason in result.skipped}
    assert set(skipped) == {"blues.00002.wav", "jazz.00001.wav", "notes.txt"}
    assert "cannot decode" in skipped["blues.00002.wav"]
    assert "too short" in skipped["jazz.00001.wav"]
    assert result.missing_genres == [g for g in GENRES if g not in ("blues", "jazz")]
    # 7 s in 3-s windows: 0-3, 3-6 and one aligned to the end (4-7); 6 s: exactly two windows
    assert table["filename"].tolist() == [
        "blues.00000.0.wav",
        "blues.00000.1.wav",
        "blues.00000.2.wav",
        "blues.00001.0.flac",
        "blues.00001.1.flac",
        "blues.00001.2.flac",
        "jazz.00000.0.wav",
        "jazz.00000.1.wav",
    ]
    assert table["track"].tolist() == ["blues.00000"] * 3 + ["blues.00001"] * 3 + ["jazz.00000"] * 2
    assert table["label"].tolist() == ["blues"] * 6 + ["jazz"] * 2
    assert (table["length"] == 3 * SR).all()
    assert np.isfinite(table[list(FEATURE_NAMES)].to_numpy()).all()
    # rows are the extractor's windows of that file, in order
    y, _ = sf.read(folder / "jazz" / "jazz.00000.wav", dtype="float32")
    expected = extract_windows(y, SR, window_s=3.0, hop_s=3.0).features
    got = table.loc[table["track"] == "jazz.00000", list(FEATURE_NAMES)].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_whole_file_windows_keep_file_names_and_cache_is_used(folder, tmp_path):
    first = extract_folder(folder, window_s=30.0, n_jobs=1, progress=False)
    assert first.table["filename"].tolist() == [
        "blues.00000.wav",
        "blues.00001.flac",
        "jazz.00000.wav",
    ]
    assert first.table["length"].tolist() == [7 * SR, 7 * SR, 6 * SR]
    entries = sorted((tmp_path / "cache" / "features").glob("*.npz"))
    assert len(entries) == 3
    stamps = [e.stat().st_mtime_ns for e in entries]
    second = extract_folder(folder, window_s=30.0, n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert [e.stat().st_mtime_ns for e in entries] == stamps  # read, not rewritten


def test_two_processes_give_the_same_table(folder):
    serial = extract_folder(folder, window_s=3.0, n_jobs=1, cache=False, progress=False)
    parallel = extract_folder(folder, window_s=3.0, n_jobs=2, cache=False, progress=False)
    pd.testing.assert_frame_equal(serial.table, parallel.table)
    assert sorted(serial.skipped) == sorted(parallel.skipped)


def test_unknown_genre_folder_is_refused(folder):
    (folder / "polka").mkdir()
    with pytest.raises(InvalidInputError, match=r"\['polka'\] are not GTZAN genres"):
        extract_folder(folder, progress=False)


@pytest.mark.parametrize("make", ["missing", "empty", "no_audio"])
def test_folders_without_audio_are_refused(tmp_path, make):
    root = tmp_path / "data"
    if make != "missing":
        root.mkdir()
    if make == "no_audio":
        (root / "rock").mkdir()
        (root / "rock" / "readme.txt").write_text("x")
    with pytest.raises(InvalidInputError, match="folder|no audio"):
        extract_folder(root, progress=False)


def test_bad_window_is_refused_before_any_work(folder):
    with pytest.raises(InvalidInputError, match="window_s"):
        extract_folder(folder, window_s=0, progress=False)


@pytest.mark.needs_shared
def test_shared_gtzan_clips_reproduce_the_30s_table(gtzan_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path / "cache"))
    result = extract_folder(gtzan_dir / "audio", window_s=30.0, n_jobs=2, progress=False)
    assert result.skipped == []
    assert len(result.table) == 12
    reference = pd.read_csv(gtzan_dir / "features_30_sec.csv").set_index("filename")
    ref = reference.loc[result.table["filename"]]
    assert (ref["label"].to_numpy() == result.table["label"].to_numpy()).all()
    assert (ref["length"].to_numpy() == result.table["length"].to_numpy()).all()
    # the HPSS parts are checked with their own tolerances in test_features.py
    names = [n for n in FEATURE_NAMES if not n.startswith(("harmony", "perceptr"))]
    np.testing.assert_allclose(
        result.table[names].to_numpy(), ref[names].to_numpy(), rtol=1e-4, atol=1e-4
    )
