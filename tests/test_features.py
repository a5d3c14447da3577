"""The feature extractor reproduces the GTZAN table and windows long audio correctly."""

import numpy as np
import pandas as pd
import pytest

from genreblender.classification import feature_cache
from genreblender.classification import features as feat
from genreblender.classification.features import (
    FEATURE_NAMES,
    extract_features,
    extract_features_naive,
    extract_file,
    extract_windows,
    window_bounds,
)
from genreblender.errors import InvalidInputError

# Parity tolerance against the table: |ours - table| <= RTOL * |table| + ATOL, per feature.
# Measured worst over the 12 clips (benchmarks/bench_features.py --parity): 3.3e-6 relative
# (an MFCC mean), the rest <= 4e-7; tempo, RMS, ZCR and roll-off exact. The means of the HPSS
# parts sit near zero (|mean| ~1e-5 for a std ~0.1), so they get an absolute bound: measured
# 1.2e-10. The tolerances leave ~30x headroom for BLAS/FFT rounding on other machines.
RTOL = 1e-4
ATOL = {"harmony_mean": 1e-8, "perceptr_mean": 1e-8}
ATOL_MFCC_MEAN = 1e-4


def _tolerance(name, ref):
    if name in ATOL:
        return ATOL[name]
    slack = ATOL_MFCC_MEAN if name.startswith("mfcc") and name.endswith("_mean") else 0.0
    return RTOL * abs(ref) + slack


def _clips(gtzan_dir):
    return sorted((gtzan_dir / "audio").glob("*/*.wav"))


def _read(path):
    import soundfile as sf

    return sf.read(path, dtype="float32")


def test_feature_names_match_table_columns(gtzan_dir):
    columns = pd.read_csv(gtzan_dir / "features_30_sec.csv", nrows=1).columns
    assert tuple(columns[2:-1]) == FEATURE_NAMES
    assert len(FEATURE_NAMES) == 57


@pytest.mark.needs_shared
@pytest.mark.slow
def test_parity_with_gtzan_table_on_all_12_clips(gtzan_dir, record_property):
    table = pd.read_csv(gtzan_dir / "features_30_sec.csv").set_index("filename")
    clips = _clips(gtzan_dir)
    assert len(clips) == 12
    worst_rel = dict.fromkeys(FEATURE_NAMES, 0.0)
    bad = []
    for clip in clips:
        ours = extract_features(*_read(clip))
        ref = table.loc[clip.name, list(FEATURE_NAMES)].to_numpy(dtype=float)
        for name, o, r in zip(FEATURE_NAMES, ours, ref, strict=True):
            if abs(o - r) > _tolerance(name, r):
                bad.append(f"{clip.name} {name}: ours {o:.7g} table {r:.7g}")
            worst_rel[name] = max(worst_rel[name], abs(o - r) / max(abs(r), 1e-12))
    report = ", ".join(
        f"{n}={worst_rel[n]:.1e}" for n in sorted(worst_rel, key=worst_rel.get, reverse=True)[:6]
    )
    print(f"worst relative deviation from the table over 12 clips: {report}")
    record_property("worst_relative_deviation", report)
    assert not bad, "; ".join(bad)
    # tempo, zero-crossing rate, RMS and roll-off come out exactly as the table
    for name in ("tempo", "zero_crossing_rate_mean", "rms_var", "rolloff_mean"):
        assert worst_rel[name] < 1e-6, name


@pytest.mark.needs_shared
@pytest.mark.slow
def test_fast_path_equals_naive_librosa_calls(gtzan_dir):
    for clip in _clips(gtzan_dir)[::5]:
        y, sr = _read(clip)
        fast, naive = extract_features(y, sr), extract_features_naive(y, sr)
        np.testing.assert_allclose(fast, naive, rtol=1e-5, atol=1e-7, err_msg=clip.name)


def test_spectral_shape_and_zcr_equal_librosa(tone_clip):
    import librosa

    y, sr = tone_clip
    y = y.copy()
    y[: sr // 2] = 0.0  # a silent stretch: frames librosa leaves unnormalised
    mag = np.abs(librosa.stft(y, pad_mode=feat.PAD_MODE))
    centroid, bandwidth, rolloff = feat._spectral_shape(mag, sr)
    np.testing.assert_allclose(
        centroid, librosa.feature.spectral_centroid(S=mag, sr=sr)[0], rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(
        bandwidth, librosa.feature.spectral_bandwidth(S=mag, sr=sr)[0], rtol=1e-6, atol=1e-6
    )
    np.testing.assert_array_equal(rolloff, librosa.feature.spectral_rolloff(S=mag, sr=sr)[0])
    zcr = feat._zero_crossing_rate(y, mag.shape[1])
    np.testing.assert_array_equal(zcr, librosa.feature.zero_crossing_rate(y)[0])


def test_hpss_helpers_equal_librosa(tone_clip):
    import librosa
    import scipy.ndimage

    y, _ = tone_clip
    stft = librosa.stft(y, pad_mode=feat.PAD_MODE)
    mag = np.abs(stft)
    for axis, size in ((1, (1, 31)), (0, (31, 1))):
        expected = scipy.ndimage.median_filter(mag, size=size, mode="reflect")
        np.testing.assert_array_equal(feat._moving_median(mag, 31, axis=axis), expected)
    harm, perc = mag[:, ::-1].copy(), mag.copy()
    harm[:5] = 0.0
    perc[:5] = 0.0  # both zero: librosa gives 0 to both masks
    mask_h, mask_p = feat._softmasks(harm.copy(), perc.copy())
    np.testing.assert_allclose(mask_h, librosa.util.softmask(harm, perc, power=2), atol=1e-6)
    np.testing.assert_allclose(mask_p, librosa.util.softmask(perc, harm, power=2), atol=1e-6)
    y_h, y_p = feat._hpss(stft, y.size)
    ref_h, ref_p = (
        librosa.util.fix_length(librosa.istft(s), size=y.size) for s in librosa.decompose.hpss(stft)
    )
    np.testing.assert_allclose(y_h, ref_h, atol=1e-5)
    np.testing.assert_allclose(y_p, ref_p, atol=1e-5)


@pytest.mark.parametrize(
    ("seconds", "window", "hop", "expected"),
    [
        (30.01, 30, None, [(0.0, 30.01)]),  # a GTZAN clip is one window
        (33.0, 30, None, [(0.0, 33.0)]),  # up to 1.1 x window: still one window
        (10.0, 30, None, [(0.0, 10.0)]),  # shorter than the window: one window of its own length
        (60.0, 30, None, [(0, 30), (15, 45), (30, 60)]),
        (70.0, 30, None, [(0, 30), (15, 45), (30, 60), (40, 70)]),  # last aligned to the end
        (9.0, 3, 3, [(0, 3), (3, 6), (6, 9)]),
        (30.01, 3, 3, [(3 * i, 3 * i + 3) for i in range(9)] + [(27, 30.01)]),  # GTZAN 3-s
        (10.0, 3, 3, [(0, 3), (3, 6), (6, 9), (7, 10)]),
    ],
)
def test_window_bounds(seconds, window, hop, expected):
    sr = 22050
    bounds = window_bounds(int(round(seconds * sr)), sr, window, hop)
    got = [(round(s / sr, 2), round(e / sr, 2)) for s, e in bounds]
    assert got == [(round(a, 2), round(b, 2)) for a, b in expected]


@pytest.mark.parametrize(("window", "hop"), [(0, None), (-3, None), (float("nan"), None), (3, 0)])
def test_window_bounds_rejects_bad_settings(window, hop):
    with pytest.raises(InvalidInputError, match="positive number of seconds"):
        window_bounds(22050 * 10, 22050, window, hop)
    with pytest.raises(InvalidInputError, match="shorter than one analysis frame"):
        window_bounds(22050 * 10, 22050, 0.05, None)


def test_single_window_equals_whole_clip(tone_clip):
    y, sr = tone_clip
    windows = extract_windows(y, sr, window_s=30.0)
    assert len(windows) == 1
    np.testing.assert_array_equal(windows.features[0], extract_features(y, sr))
    assert (windows.starts_s[0], windows.ends_s[0]) == (0.0, pytest.approx(5.0))


def test_windows_of_long_audio_match_features_of_each_excerpt(tone_clip):
    y, sr = tone_clip
    y = np.concatenate([y, y[::-1], y])  # 15 s
    result = extract_windows(y, sr, window_s=5.0, hop_s=5.0)
    assert result.features.shape == (3, 57)
    np.testing.assert_allclose(result.starts_s, [0, 5, 10])
    np.testing.assert_allclose(result.ends_s, [5, 10, 15])
    assert result.duration_s == pytest.approx(15.0)
    # A window computed inside the long track equals the excerpt analysed alone up to its edge
    # frames (which see the neighbouring audio) and the HPSS medians across the cut.
    alone = extract_features(y[5 * sr : 10 * sr], sr)
    names = ("spectral_centroid_mean", "mfcc2_mean", "rms_mean", "chroma_stft_mean", "tempo")
    idx = [FEATURE_NAMES.index(n) for n in names]
    np.testing.assert_allclose(result.features[1, idx], alone[idx], rtol=0.05)
    # and the reversed middle differs from its neighbours where it should (not a copied row)
    assert not np.allclose(result.features[0], result.features[1])


def test_rejects_wrong_rate_stereo_and_tiny_input(tone_clip):
    y, sr = tone_clip
    with pytest.raises(InvalidInputError, match="22050"):
        extract_windows(y, 44100)
    with pytest.raises(InvalidInputError, match="mono"):
        extract_windows(np.stack([y, y]), sr)
    with pytest.raises(InvalidInputError, match="too short"):
        extract_features(y[:100], sr)


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
    monkeypatch.setattr(feat, "extract_windows", lambda *a, **k: calls.append(1))
    second = extract_file(path, window_s=30.0)
    assert calls == []
    np.testing.assert_array_equal(first.features, second.features)
    np.testing.assert_array_equal(first.starts_s, second.starts_s)
    assert first.duration_s == second.duration_s
    # cache=False never reads the cache
    assert extract_file(path, window_s=30.0, cache=False) is None  # the stub's result
    assert calls == [1]


def test_cache_key_depends_on_content_version_and_window(tmp_path, monkeypatch):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    key = feature_cache.cache_key(a, 30.0, None)
    assert key == feature_cache.cache_key(a, 30.0, None)
    assert key != feature_cache.cache_key(b, 30.0, None)
    assert key != feature_cache.cache_key(a, 3.0, None)
    assert key != feature_cache.cache_key(a, 30.0, 10.0)
    monkeypatch.setattr(feat, "EXTRACTOR_VERSION", "test-next")
    assert key != feature_cache.cache_key(a, 30.0, None)


def test_damaged_or_pickled_cache_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path))
    directory = tmp_path / "features"
    directory.mkdir()
    (directory / "damaged.npz").write_bytes(b"not npz")
    assert feature_cache.load("damaged") is None
    assert not (directory / "damaged.npz").exists()
    # an entry holding a pickled object is refused (allow_pickle=False), never unpickled
    np.savez(directory / "pickled.npz", features=np.array([object()], dtype=object))
    assert feature_cache.load("pickled") is None


def test_cache_store_is_atomic_and_round_trips(tmp_path, monkeypatch, tone_clip):
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path))
    y, sr = tone_clip
    windows = extract_windows(np.concatenate([y, y]), sr, window_s=3.0)
    feature_cache.store("k", windows)
    assert sorted(p.name for p in (tmp_path / "features").iterdir()) == ["k.npz"]
    loaded = feature_cache.load("k")
    np.testing.assert_array_equal(loaded.features, windows.features)
    np.testing.assert_array_equal(loaded.ends_s, windows.ends_s)
    assert loaded.duration_s == windows.duration_s


def test_wrong_shape_entry_is_a_miss_and_unwritable_cache_is_not_an_error(
    tmp_path, monkeypatch, tone_clip
):
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path))
    (tmp_path / "features").mkdir()
    np.savez(
        tmp_path / "features" / "short.npz",
        features=np.zeros((2, 5)),
        starts_s=np.zeros(2),
        ends_s=np.ones(2),
        duration_s=1.0,
    )
    assert feature_cache.load("short") is None
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(feature_cache, "_features_dir", lambda: blocker / "features")
    y, sr = tone_clip
    feature_cache.store("k", extract_windows(y, sr))  # must not raise
    assert feature_cache.load("k") is None
