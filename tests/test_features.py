"""The feature extractor reproduces the GTZAN table and windows long audio correctly."""

import numpy as np
import pandas as pd
import pytest

from genreblender.classification import feature_cache
from genreblender.classification.features import (
    FEATURE_NAMES,
    extract_features,
    extract_features_naive,
    extract_file,
    extract_windows,
    window_bounds,
)

# Parity tolerance: |ours - table| <= RTOL * |table| + ATOL[feature]. Relative 2% everywhere;
# absolute slack only where the value sits near zero and tiny numerical differences (float32
# STFT/iSTFT, librosa versions) dominate the relative error: the mean of a zero-mean waveform
# (harmony_mean, perceptr_mean; their std is ~0.1) and MFCC means (in dB, range ~±100).
RTOL = 0.02
ATOL = {"harmony_mean": 5e-5, "perceptr_mean": 5e-5}
MFCC_MEAN_ATOL = 0.05


def _atol(name):
    if name in ATOL:
        return ATOL[name]
    return MFCC_MEAN_ATOL if name.startswith("mfcc") and name.endswith("_mean") else 0.0


def _clips(gtzan_dir):
    return sorted((gtzan_dir / "audio").glob("*/*.wav"))


def test_feature_names_match_table_columns(gtzan_dir):
    columns = pd.read_csv(gtzan_dir / "features_30_sec.csv", nrows=1).columns
    assert tuple(columns[2:-1]) == FEATURE_NAMES
    assert len(FEATURE_NAMES) == 57


@pytest.mark.needs_shared
@pytest.mark.slow
def test_parity_with_gtzan_table_on_all_12_clips(gtzan_dir):
    import soundfile as sf

    table = pd.read_csv(gtzan_dir / "features_30_sec.csv").set_index("filename")
    clips = _clips(gtzan_dir)
    assert len(clips) == 12
    worst = {}
    for clip in clips:
        y, sr = sf.read(clip, dtype="float32")
        ours = extract_features(y, sr)
        ref = table.loc[clip.name, list(FEATURE_NAMES)].to_numpy(dtype=float)
        tol = RTOL * np.abs(ref) + np.array([_atol(n) for n in FEATURE_NAMES])
        err = np.abs(ours - ref)
        bad = [
            f"{n}: ours {o:.6g} table {r:.6g}"
            for n, o, r, e, t in zip(FEATURE_NAMES, ours, ref, err, tol, strict=True)
            if e > t
        ]
        assert not bad, f"{clip.name}: " + "; ".join(bad)
        rel = err / np.maximum(np.abs(ref), 1e-12)
        for name, value in zip(FEATURE_NAMES, rel, strict=True):
            worst[name] = max(worst.get(name, 0.0), value)
    # tempo and zero-crossing rate are exact in the table's recipe
    assert worst["tempo"] < 1e-6 and worst["zero_crossing_rate_mean"] < 1e-4


@pytest.mark.needs_shared
@pytest.mark.slow
def test_fast_path_equals_naive_librosa_calls(gtzan_dir):
    import soundfile as sf

    for clip in _clips(gtzan_dir)[::5]:
        y, sr = sf.read(clip, dtype="float32")
        fast, naive = extract_features(y, sr), extract_features_naive(y, sr)
        np.testing.assert_allclose(fast, naive, rtol=1e-3, atol=1e-6, err_msg=clip.name)


@pytest.mark.parametrize(
    ("seconds", "window", "hop", "expected"),
    [
        (30.01, 30, None, [(0.0, 30.01)]),  # a GTZAN clip is one window
        (10.0, 30, None, [(0.0, 10.0)]),  # shorter than the window: one window of its own length
        (60.0, 30, None, [(0, 30), (15, 45), (30, 60)]),
        (70.0, 30, None, [(0, 30), (15, 45), (30, 60), (40, 70)]),  # last aligned to the end
        (9.0, 3, 3, [(0, 3), (3, 6), (6, 9)]),
    ],
)
def test_window_bounds(seconds, window, hop, expected):
    sr = 22050
    bounds = window_bounds(int(round(seconds * sr)), sr, window, hop)
    got = [(round(s / sr, 2), round(e / sr, 2)) for s, e in bounds]
    assert got == [(round(a, 2), round(b, 2)) for a, b in expected]


def test_windows_of_long_audio_match_features_of_each_excerpt(tone_clip):
    y, sr = tone_clip
    y = np.concatenate([y, y[::-1], y])  # 15 s
    result = extract_windows(y, sr, window_s=5.0, hop_s=5.0)
    assert result.features.shape == (3, 57)
    np.testing.assert_allclose(result.starts_s, [0, 5, 10])
    assert result.duration_s == pytest.approx(15.0)
    # Frame features of a window computed inside the long track equal those of the excerpt
    # alone up to edge frames (the STFT frames at a cut see the neighbouring audio).
    alone = extract_features(y[5 * sr : 10 * sr], sr)
    idx = [FEATURE_NAMES.index(n) for n in ("spectral_centroid_mean", "mfcc2_mean", "rms_mean")]
    np.testing.assert_allclose(result.features[1, idx], alone[idx], rtol=0.05)


def test_rejects_wrong_rate_and_stereo(tone_clip):
    y, sr = tone_clip
    with pytest.raises(ValueError, match="22050"):
        extract_windows(y, 44100)
    with pytest.raises(ValueError, match="mono"):
        extract_windows(np.stack([y, y]), sr)


def test_extract_file_uses_cache(tmp_path, tone_clip, monkeypatch):
    import soundfile as sf

    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path / "cache"))
    y, sr = tone_clip
    path = tmp_path / "clip.wav"
    sf.write(path, y, sr)
    first = extract_file(path, window_s=30.0)
    entries = list((tmp_path / "cache" / "features").glob("*.npz"))
    assert len(entries) == 1
    calls = []
    monkeypatch.setattr(
        "genreblender.classification.features.extract_windows",
        lambda *a, **k: calls.append(1),
    )
    second = extract_file(path, window_s=30.0)
    assert calls == []
    np.testing.assert_array_equal(first.features, second.features)
    # a different window is a different entry; a damaged entry is a miss, not a crash
    key = feature_cache.cache_key(path, 30.0, None)
    (tmp_path / "cache" / "features" / f"{key}.npz").write_bytes(b"not npz")
    assert feature_cache.load(key) is None
