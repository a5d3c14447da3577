"""The 57 GTZAN features per analysis window: one extractor for training and inference.

The GTZAN tables (``features_30_sec.csv``, ``features_3_sec.csv``) were computed with librosa
defaults: sr 22050, ``n_fft`` 2048, hop 512, 20 MFCCs, HPSS via ``librosa.effects.hpss`` and
the tempo of ``librosa.beat.beat_track``, each frame feature summarised by its mean and variance over the
window. :func:`extract_features_naive` is that recipe, call by call. :func:`extract_windows` computes
the same numbers from a single STFT of the whole track (every spectral feature, the mel
spectrogram for MFCCs and the onset envelope, and the HPSS masks are derived from it) and slices
the frames per window, which is ~4x faster on a 30-s clip and does not recompute anything for
overlapping windows of a long track.

Window rule
-----------
Windows of ``window_s`` seconds start every ``hop_s`` seconds (default ``window_s / 2``: 50%
overlap, so a long track gives a timeline), and the last window is aligned to the end of the audio
so no tail is dropped. Audio no longer than ``1.1 * window_s`` is one window covering all of it (a
30.01-s GTZAN clip is one 30-s window whose features equal its table row). Audio shorter than the
window is analysed as one window of its own length; what that costs in accuracy is measured by
``benchmarks/window_length_study.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreblender.audio import SAMPLE_RATE

#: Bump whenever the numbers this module returns change: it keys the feature cache and is
#: recorded in (and checked against) every model artifact.
EXTRACTOR_VERSION = "1.0"

N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 20
HPSS_KERNEL = 31

_FRAME_FEATURES = (
    "chroma_stft",
    "rms",
    "spectral_centroid",
    "spectral_bandwidth",
    "rolloff",
    "zero_crossing_rate",
    "harmony",
    "perceptr",
)

#: Column names of the 57 features, in the order of the GTZAN tables.
FEATURE_NAMES: tuple[str, ...] = (
    *(f"{name}_{stat}" for name in _FRAME_FEATURES for stat in ("mean", "var")),
    "tempo",
    *(f"mfcc{i}_{stat}" for i in range(1, N_MFCC + 1) for stat in ("mean", "var")),
)

#: Audio no longer than this multiple of the window is analysed as a single window.
SINGLE_WINDOW_SLACK = 1.1


@dataclass(frozen=True)
class WindowFeatures:
    """Features of consecutive (possibly overlapping) analysis windows of one track."""

    features: np.ndarray  # (n_windows, 57) float64, columns as FEATURE_NAMES
    starts_s: np.ndarray  # (n_windows,)
    ends_s: np.ndarray  # (n_windows,)
    duration_s: float

    def __len__(self) -> int:
        return int(self.features.shape[0])


def window_bounds(
    n_samples: int, sr: int = SAMPLE_RATE, window_s: float = 30.0, hop_s: float | None = None
) -> list[tuple[int, int]]:
    """Sample ranges ``[start, end)`` of the analysis windows (see the module's window rule)."""
    if window_s <= 0:
        raise ValueError(f"window_s must be positive, got {window_s}")
    hop_s = window_s / 2 if hop_s is None else hop_s
    if hop_s <= 0:
        raise ValueError(f"hop_s must be positive, got {hop_s}")
    win = int(round(window_s * sr))
    hop = int(round(hop_s * sr))
    if n_samples <= SINGLE_WINDOW_SLACK * win:
        return [(0, n_samples)]
    starts = list(range(0, n_samples - win + 1, hop))
    if starts[-1] + win < n_samples:
        starts.append(n_samples - win)
    return [(s, s + win) for s in starts]


def _mean_var(x: np.ndarray, axis: int | None = None):
    if axis is None:
        return float(np.mean(x)), float(np.var(x))
    return np.mean(x, axis=axis), np.var(x, axis=axis)


def _moving_median(x: np.ndarray, kernel: int, axis: int) -> np.ndarray:
    """Centred moving median with ``scipy.ndimage``'s ``reflect`` boundary, as librosa's HPSS.

    ``bottleneck.move_median`` keeps a running double heap (O(n log k)); it returns exactly what
    ``scipy.ndimage.median_filter`` does along one axis, ~8x faster here, and HPSS is the
    dominant cost of the whole extractor.
    """
    import bottleneck

    half = kernel // 2
    pad = [(0, 0)] * x.ndim
    pad[axis] = (half, half)
    padded = np.pad(x, pad, mode="symmetric")
    med = bottleneck.move_median(padded, window=kernel, axis=axis)
    keep = [slice(None)] * x.ndim
    keep[axis] = slice(kernel - 1, None)
    return med[tuple(keep)]


def _hpss(stft: np.ndarray, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic and percussive waveforms as ``librosa.effects.hpss`` (soft masks, power 2)."""
    import librosa

    mag = np.abs(stft)
    harm = _moving_median(mag, HPSS_KERNEL, axis=1)
    perc = _moving_median(mag, HPSS_KERNEL, axis=0)
    mask_h = librosa.util.softmask(harm, perc, power=2.0, split_zeros=False)
    mask_p = librosa.util.softmask(perc, harm, power=2.0, split_zeros=False)
    y_h = librosa.istft(stft * mask_h, hop_length=HOP_LENGTH, length=n_samples)
    y_p = librosa.istft(stft * mask_p, hop_length=HOP_LENGTH, length=n_samples)
    return y_h, y_p


def _frame_range(start: int, end: int, n_samples: int, n_frames: int) -> slice:
    """Frames (centred, hop 512) whose centre lies in ``[start, end)``; the end frame too at EOF."""
    first = -(-start // HOP_LENGTH)
    last = n_frames if end >= n_samples else -(-end // HOP_LENGTH)
    return slice(first, max(last, first + 1))


def extract_windows(
    y: np.ndarray, sr: int = SAMPLE_RATE, window_s: float = 30.0, hop_s: float | None = None
) -> WindowFeatures:
    """The 57 GTZAN features of every analysis window of ``y``.

    Parameters
    ----------
    y : np.ndarray
        Mono audio at ``sr`` (use :func:`genreblender.audio.load_audio` for files and other rates).
    sr : int
        Must be 22050, the rate the GTZAN tables were computed at.
    window_s, hop_s : float
        Window length and hop in seconds (hop defaults to half the window).

    Returns
    -------
    WindowFeatures
        ``features`` of shape ``(n_windows, 57)`` with columns :data:`FEATURE_NAMES`.
    """
    import librosa

    if sr != SAMPLE_RATE:
        raise ValueError(f"features are defined at {SAMPLE_RATE} Hz, got sr={sr}; resample first")
    y = np.ascontiguousarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"expected mono audio (1-D), got shape {y.shape}")
    if y.size < N_FFT:
        raise ValueError(f"audio too short for analysis: {y.size} samples < {N_FFT}")

    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH)
    mag = np.abs(stft)
    power = mag**2
    # Tuning once for the whole track (the naive call estimates it per window; identical for a
    # single window, and a tuning that wanders between windows would be an artefact anyway).
    chroma = librosa.feature.chroma_stft(S=power, sr=sr, n_fft=N_FFT, hop_length=HOP_LENGTH)
    # RMS from the waveform frames, as the tables (from |S| it differs by the window's gain).
    rms = librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH)[0]
    centroid = librosa.feature.spectral_centroid(S=mag, sr=sr, n_fft=N_FFT)[0]
    bandwidth = librosa.feature.spectral_bandwidth(S=mag, sr=sr, n_fft=N_FFT)[0]
    rolloff = librosa.feature.spectral_rolloff(S=mag, sr=sr, n_fft=N_FFT)[0]
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=N_FFT, hop_length=HOP_LENGTH)[0]
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr, n_fft=N_FFT))
    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=N_MFCC)
    # The tables' tempo is beat_track's: onset strength aggregated by the median over mel bands.
    onset_env = librosa.onset.onset_strength(
        S=mel_db, sr=sr, hop_length=HOP_LENGTH, aggregate=np.median
    )
    y_h, y_p = _hpss(stft, y.size)

    n_frames = stft.shape[1]
    bounds = window_bounds(y.size, sr, window_s, hop_s)
    rows = []
    for start, end in bounds:
        f = _frame_range(start, end, y.size, n_frames)
        tempo = librosa.feature.tempo(onset_envelope=onset_env[f], sr=sr, hop_length=HOP_LENGTH)
        row: list[float] = []
        for frames in (chroma[:, f], rms[f], centroid[f], bandwidth[f], rolloff[f], zcr[f]):
            row.extend(_mean_var(frames))  # chroma: over all bins and frames, as the tables
        row.extend(_mean_var(y_h[start:end]))
        row.extend(_mean_var(y_p[start:end]))
        row.append(float(tempo[0]))
        mfcc_mean, mfcc_var = _mean_var(mfcc[:, f], axis=1)
        row.extend(np.column_stack([mfcc_mean, mfcc_var]).ravel().tolist())
        rows.append(row)
    starts = np.array([s / sr for s, _ in bounds])
    ends = np.array([e / sr for _, e in bounds])
    return WindowFeatures(np.asarray(rows, dtype=np.float64), starts, ends, y.size / sr)


def extract_features(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The 57 features of the whole of ``y`` as one window (a row of a GTZAN table)."""
    duration = np.asarray(y).shape[-1] / sr
    return extract_windows(y, sr, window_s=duration, hop_s=duration).features[0]


def extract_features_naive(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The GTZAN recipe call by call (reference for tests and the benchmark; slow)."""
    import librosa

    def mv(x):
        return [float(np.mean(x)), float(np.var(x))]

    y = np.asarray(y, dtype=np.float32)
    y_h, y_p = librosa.effects.hpss(y)
    row = [
        *mv(librosa.feature.chroma_stft(y=y, sr=sr)),
        *mv(librosa.feature.rms(y=y)),
        *mv(librosa.feature.spectral_centroid(y=y, sr=sr)),
        *mv(librosa.feature.spectral_bandwidth(y=y, sr=sr)),
        *mv(librosa.feature.spectral_rolloff(y=y, sr=sr)),
        *mv(librosa.feature.zero_crossing_rate(y)),
        *mv(y_h),
        *mv(y_p),
        float(np.atleast_1d(librosa.beat.beat_track(y=y, sr=sr)[0])[0]),
    ]
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=N_MFCC)
    for coeff in mfcc:
        row.extend(mv(coeff))
    return np.asarray(row, dtype=np.float64)


def extract_file(
    path: str | Path, window_s: float = 30.0, hop_s: float | None = None, cache: bool = True
) -> WindowFeatures:
    """Load, validate and analyse an audio file (cached on disk by content and settings)."""
    from genreblender.audio import load_audio
    from genreblender.classification import feature_cache

    path = Path(path)
    key = feature_cache.cache_key(path, window_s, hop_s) if cache else None
    if key is not None:
        hit = feature_cache.load(key)
        if hit is not None:
            return hit
    audio = load_audio(path)
    result = extract_windows(audio.samples, audio.sr, window_s, hop_s)
    if key is not None:
        feature_cache.store(key, result)
    return result
