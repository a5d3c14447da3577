"""The 57 GTZAN features per analysis window: one extractor for training and inference.

The GTZAN tables (``features_30_sec.csv``, ``features_3_sec.csv``) were computed with librosa
defaults: sr 22050, ``n_fft`` 2048, hop 512, 20 MFCCs, HPSS via ``librosa.effects.hpss`` and
the tempo of ``librosa.beat.beat_track``, each frame feature summarised by its mean and variance
over the window. :func:`extract_features_naive` is that recipe, call by call.
:func:`extract_windows` computes the same numbers from a single STFT of the whole track (chroma
with the tuning estimated from the same power spectrogram, mel -> MFCC and the onset envelope for
the tempo, centroid / bandwidth / roll-off from one normalised magnitude, the HPSS masks from
running medians of the same magnitude, then one iSTFT per part) and slices the frames per window,
so overlapping windows of a long track recompute nothing but their tempo.
``benchmarks/bench_features.py`` measures it against the naive calls.

Long tracks, analysed in windows, differ from cutting the window out and analysing it alone in
three documented ways: frames at a window's edges see the neighbouring audio instead of reflected
padding, the HPSS medians see across the cut, and the chroma tuning is estimated once for the
whole track (a recording's tuning does not change between windows; estimating it per window would
only add noise). A window covering the whole of the audio is exactly the naive recipe.

Window rule
-----------
Windows of ``window_s`` seconds start every ``hop_s`` seconds (default ``window_s / 2``: 50%
overlap, so a long track gives a timeline), and the last window is aligned to the end of the audio
so no tail is dropped (a tail of at most 10% of a window stretches the last window instead).
Audio no longer than ``1.1 * window_s`` is one window covering all of it (a
30.01-s GTZAN clip is one 30-s window whose features equal its table row). Audio shorter than the
window is analysed as one window of its own length; what that costs in accuracy is measured by
``benchmarks/window_length_study.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreblender.audio import SAMPLE_RATE
from genreblender.errors import InvalidInputError

#: Bump whenever the numbers this module returns change: it keys the feature cache and is
#: recorded in (and checked against) every model artifact.
EXTRACTOR_VERSION = "1.1"

N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 20
HPSS_KERNEL = 31
#: The tables were computed with librosa < 0.10, whose STFT (and RMS) padded the signal's ends by
#: reflection; 0.10 changed the default to zeros. With librosa 0.11's zero padding the 12 shared
#: clips miss their table rows by up to 1.7% (rms_var) and 6% (an MFCC mean); with reflection
#: every feature matches to ~3e-6 relative (with :func:`_istft_as_tables` for the HPSS parts).
PAD_MODE = "reflect"

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
    """Sample ranges ``[start, end)`` of the analysis windows.

    Parameters
    ----------
    n_samples : int
        Length of the audio.
    sr : int
        Its sample rate.
    window_s : float > 0
        Window length in seconds.
    hop_s : float > 0 or None
        Hop between window starts; ``None`` means ``window_s / 2``.

    Returns
    -------
    list of (int, int)
        ``[(0, n_samples)]`` when the audio is no longer than ``1.1 * window_s`` (a 30.01-s
        clip is one 30-s window; shorter audio is one window of its own length); otherwise
        windows every ``hop_s`` and, if the last one stops short of the end, one more aligned
        to the end, or, when what is left is at most 10% of a window, the last one stretched
        to the end (a 30.01-s clip cut in 3-s windows gives 10 windows, as GTZAN's 3-s table).
    """
    for name, value in (("window_s", window_s), ("hop_s", hop_s)):
        if value is not None and not (np.isfinite(value) and value > 0):
            raise InvalidInputError(f"{name} must be a positive number of seconds, got {value}")
    hop_s = window_s / 2 if hop_s is None else hop_s
    win = int(round(window_s * sr))
    hop = max(1, int(round(hop_s * sr)))
    if win < N_FFT:
        raise InvalidInputError(
            f"window_s={window_s} is shorter than one analysis frame ({N_FFT / sr:.3f} s)"
        )
    if n_samples <= SINGLE_WINDOW_SLACK * win:
        return [(0, n_samples)]
    bounds = [(s, s + win) for s in range(0, n_samples - win + 1, hop)]
    tail = n_samples - bounds[-1][1]
    if 0 < tail <= (SINGLE_WINDOW_SLACK - 1) * win:
        # a sliver (a 30.01-s clip cut in 3-s windows) joins the last window, as a whole clip
        # up to 1.1 windows long is one window, instead of a near-copy of the last window
        bounds[-1] = (bounds[-1][0], n_samples)
    elif tail > 0:
        bounds.append((n_samples - win, n_samples))
    return bounds


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


def _softmasks(harm: np.ndarray, perc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``librosa.util.softmask(harm, perc, power=2, split_zeros=False)`` and its complement.

    Both masks share the rescaling and the denominator, so computing them together does half of
    librosa's work; bins where both medians are ~0 get 0 in both masks, as librosa.
    """
    z = np.maximum(harm, perc)
    bad = z < np.finfo(z.dtype).tiny
    z[bad] = 1
    h = (harm / z) ** 2
    p = (perc / z) ** 2
    total = h + p
    total[bad] = 1
    h /= total
    p /= total
    h[bad] = 0
    p[bad] = 0
    return h, p


def _hpss(stft: np.ndarray, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic and percussive waveforms as ``librosa.effects.hpss`` (soft masks, power 2)."""

    mag = np.abs(stft)
    harm = _moving_median(mag, HPSS_KERNEL, axis=1)
    perc = _moving_median(mag, HPSS_KERNEL, axis=0)
    stft_h = np.empty_like(stft)
    stft_p = np.empty_like(stft)
    # the masks are per bin: blocks of frames keep the temporaries in cache on long tracks
    for block in _frame_blocks(stft.shape[1]):
        mask_h, mask_p = _softmasks(harm[:, block], perc[:, block])
        np.multiply(stft[:, block], mask_h, out=stft_h[:, block])
        np.multiply(stft[:, block], mask_p, out=stft_p[:, block])
    return _istft_as_tables(stft_h, n_samples), _istft_as_tables(stft_p, n_samples)


def _istft_as_tables(stft: np.ndarray, n_samples: int) -> np.ndarray:
    """Inverse STFT as the tables' librosa did it in ``effects.hpss``.

    That version inverted without ``length`` (which stops at the last whole hop) and then
    zero-padded to the input's length, so the last < 512 samples of each part are 0. Inverting to
    the full length instead moves harmony_var / perceptr_var by up to 1.2e-3 relative on the 12
    shared clips; reproducing the quirk brings them to ~4e-7.
    """
    import librosa

    return librosa.util.fix_length(librosa.istft(stft, hop_length=HOP_LENGTH), size=n_samples)


def _frame_blocks(n_frames: int, size: int = 512) -> list[slice]:
    return [slice(i, min(i + size, n_frames)) for i in range(0, n_frames, size)]


def _estimate_tuning(power: np.ndarray, sr: int) -> float:
    """``librosa.estimate_tuning(S=power, sr=sr)`` computed over blocks of frames (exact).

    ``piptrack`` is per frame, so its peaks can be gathered block by block; the median threshold
    and the tuning histogram then run on the gathered peaks as librosa does. On a 5-min track
    this is ~4x faster than one call over the whole spectrogram, which is memory-bound.
    """
    import librosa

    pitches, mags = [], []
    for block in _frame_blocks(power.shape[1]):
        pitch, mag = librosa.piptrack(S=power[:, block], sr=sr, n_fft=N_FFT)
        found = pitch > 0
        pitches.append(pitch[found])
        mags.append(mag[found])
    pitch, mag = np.concatenate(pitches), np.concatenate(mags)
    if pitch.size == 0:
        return 0.0  # no pitched peak (noise, clicks): librosa's answer, without its warning
    return float(librosa.pitch_tuning(pitch[mag >= np.median(mag)], bins_per_octave=12))


def _spectral_shape(mag: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spectral centroid, bandwidth and 85% roll-off per frame, as librosa's functions on ``mag``.

    librosa's ``spectral_bandwidth`` recomputes the centroid and both normalise ``mag`` again;
    sharing the normalised spectrum and using the identity
    ``sum s (f - c)^2 = sum s f^2 - 2 c sum s f + c^2 sum s`` (float64 sums of matrix products)
    gives the same numbers to ~1e-12 relative in a fraction of the time.
    """
    import librosa

    freq = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    # util.normalize(norm=1): frames whose L1 norm is below the dtype's tiny are left unscaled
    length = mag.sum(axis=0, dtype=mag.dtype)
    length[length < np.finfo(mag.dtype).tiny] = 1.0
    s_norm = (mag / length).astype(np.float64)
    s0 = s_norm.sum(axis=0)
    s1 = freq @ s_norm
    s2 = (freq**2) @ s_norm
    centroid = s1
    bandwidth = np.sqrt(np.maximum(s2 - 2 * centroid * s1 + centroid**2 * s0, 0.0))
    # roll-off: the lowest bin whose cumulative energy reaches 85% of the frame's total
    cumulative = np.cumsum(mag, axis=0)
    threshold = 0.85 * cumulative[-1]
    below = np.count_nonzero(cumulative < threshold, axis=0)
    rolloff = freq[np.minimum(below, freq.size - 1)]
    return centroid, bandwidth, rolloff


def _zero_crossing_rate(y: np.ndarray, n_frames: int) -> np.ndarray:
    """``librosa.feature.zero_crossing_rate(y)`` from one pass over the samples (exact).

    librosa pads the signal by half a frame (``edge``), counts sign changes inside each 2048-sample
    frame (treating |x| <= 1e-10 as +0) and divides by 2048; a cumulative count of the sign changes
    gives every frame's count by subtraction instead of re-reading each sample four times.
    """
    half = N_FFT // 2
    padded = np.pad(y, (half, half), mode="edge")
    signs = np.signbit(np.where(np.abs(padded) <= 1e-10, 0.0, padded))
    changes = np.concatenate([[0], np.cumsum(signs[1:] != signs[:-1])])
    starts = np.arange(n_frames) * HOP_LENGTH
    # a frame spanning [s, s + 2048) counts the changes at s+1 .. s+2047
    return (changes[starts + N_FFT - 1] - changes[starts]) / N_FFT


def _frame_range(start: int, end: int, n_samples: int, n_frames: int) -> slice:
    """Frames (centred, hop 512) whose centre lies in ``[start, end)``; the end frame too at EOF."""
    first = -(-start // HOP_LENGTH)
    last = n_frames if end >= n_samples else -(-end // HOP_LENGTH)
    return slice(first, max(last, first + 1))


def _checked(y: np.ndarray, sr: int) -> np.ndarray:
    if sr != SAMPLE_RATE:
        raise InvalidInputError(
            f"features are defined at {SAMPLE_RATE} Hz, got sr={sr}; resample first "
            "(genreblender.audio.load_audio does)"
        )
    y = np.ascontiguousarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise InvalidInputError(f"expected mono audio (1-D), got shape {y.shape}")
    if y.size < N_FFT:
        raise InvalidInputError(f"audio too short for analysis: {y.size} samples < {N_FFT}")
    return y


def extract_windows(
    y: np.ndarray, sr: int = SAMPLE_RATE, window_s: float = 30.0, hop_s: float | None = None
) -> WindowFeatures:
    """The 57 GTZAN features of every analysis window of ``y``.

    Windows of ``window_s`` seconds start every ``hop_s`` seconds (default ``window_s / 2``), the
    last one aligned to the end of the audio so no tail is dropped (a tail of at most 10% of a
    window stretches the last window instead); audio no longer than
    ``1.1 * window_s`` is a single window covering all of it, and audio shorter than the window
    is one window of its own length (see :func:`window_bounds`).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio at ``sr`` (use :func:`genreblender.audio.load_audio` for files and other
        rates; it also refuses audio shorter than ``audio.MIN_DURATION_S``).
    sr : int
        Must be 22050, the rate the GTZAN tables were computed at.
    window_s : float > 0
        Window length in seconds.
    hop_s : float > 0 or None
        Hop between window starts in seconds; ``None`` means ``window_s / 2`` (50% overlap).

    Returns
    -------
    WindowFeatures
        ``features`` of shape ``(n_windows, 57)`` with columns :data:`FEATURE_NAMES`, and each
        window's start and end in seconds.

    Raises
    ------
    InvalidInputError
        If ``sr`` is not 22050, ``y`` is not 1-D or shorter than one 2048-sample frame, or the
        window or hop is not a positive number of seconds.

    Examples
    --------
    >>> y = np.random.default_rng(0).normal(scale=0.1, size=70 * 22050).astype(np.float32)
    >>> windows = extract_windows(y, window_s=30.0)
    >>> windows.features.shape, windows.starts_s.tolist()
    ((4, 57), [0.0, 15.0, 30.0, 40.0])
    """
    import librosa

    y = _checked(y, sr)

    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)
    mag = np.abs(stft)
    power = mag**2
    # Tuning once for the whole track (the naive call estimates it per window; identical for a
    # single window, and a tuning that wanders between windows would be an artefact anyway).
    tuning = _estimate_tuning(power, sr)
    chroma = librosa.feature.chroma_stft(S=power, sr=sr, n_fft=N_FFT, tuning=tuning)
    # RMS from the waveform frames, as the tables (from |S| it differs by the window's gain).
    rms = librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP_LENGTH, pad_mode=PAD_MODE)[0]
    centroid, bandwidth, rolloff = _spectral_shape(mag, sr)
    zcr = _zero_crossing_rate(y, stft.shape[1])
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
    """The 57 features of the whole of ``y`` as one window (a row of a GTZAN table).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio at 22050 Hz.
    sr : int
        Must be 22050.

    Returns
    -------
    np.ndarray [shape=(57,)]
        float64, in the order of :data:`FEATURE_NAMES`.
    """
    y = _checked(y, sr)
    duration = y.size / sr
    return extract_windows(y, sr, window_s=duration, hop_s=duration).features[0]


def extract_features_naive(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The GTZAN recipe call by call (reference for tests and the benchmark; slow).

    Each feature is its own librosa call on the waveform, as the tables were made, with the
    pad mode of the librosa they were made with (:data:`PAD_MODE`).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio at 22050 Hz.
    sr : int
        Its sample rate.

    Returns
    -------
    np.ndarray [shape=(57,)]
        float64, in the order of :data:`FEATURE_NAMES`.
    """
    import librosa

    def mv(x):
        return [float(np.mean(x)), float(np.var(x))]

    y = np.asarray(y, dtype=np.float32)
    pad = {"pad_mode": PAD_MODE}
    stft = librosa.stft(y, **pad)
    stft_h, stft_p = librosa.decompose.hpss(stft)
    # as the tables' librosa.effects.hpss: invert to the last whole hop, then pad with zeros
    y_h = librosa.util.fix_length(librosa.istft(stft_h), size=y.size)
    y_p = librosa.util.fix_length(librosa.istft(stft_p), size=y.size)
    onset_env = librosa.onset.onset_strength(y=y, sr=sr, aggregate=np.median, **pad)
    row = [
        *mv(librosa.feature.chroma_stft(y=y, sr=sr, **pad)),
        *mv(librosa.feature.rms(y=y, **pad)),
        *mv(librosa.feature.spectral_centroid(y=y, sr=sr, **pad)),
        *mv(librosa.feature.spectral_bandwidth(y=y, sr=sr, **pad)),
        *mv(librosa.feature.spectral_rolloff(y=y, sr=sr, **pad)),
        *mv(librosa.feature.zero_crossing_rate(y)),
        *mv(y_h),
        *mv(y_p),
        float(np.atleast_1d(librosa.beat.beat_track(onset_envelope=onset_env, sr=sr)[0])[0]),
    ]
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=N_MFCC, **pad)
    for coeff in mfcc:
        row.extend(mv(coeff))
    return np.asarray(row, dtype=np.float64)


def extract_file(
    path: str | Path, window_s: float = 30.0, hop_s: float | None = None, cache: bool = True
) -> WindowFeatures:
    """Load, validate and analyse an audio file, through the on-disk feature cache.

    Parameters
    ----------
    path : str or Path
        An audio file of a format in ``audio.AUDIO_EXTENSIONS``, any rate and channel count.
    window_s, hop_s : float
        As :func:`extract_windows`.
    cache : bool
        Read and write ``paths.cache_dir()/features`` (keyed by the file's content, the
        extractor version and the window settings).

    Returns
    -------
    WindowFeatures

    Raises
    ------
    AudioError
        If the file cannot be read or analysed (see :func:`genreblender.audio.load_audio`).
    """
    from genreblender import audio
    from genreblender.classification import feature_cache

    path = Path(path)
    window_bounds(10 * SAMPLE_RATE, SAMPLE_RATE, window_s, hop_s)  # bad settings: fail first
    # only hash what load_audio could accept: a missing or oversized file fails there, unread
    hashable = cache and path.is_file() and path.stat().st_size <= audio.MAX_FILE_BYTES
    key = feature_cache.cache_key(path, window_s, hop_s) if hashable else None
    if key is not None:
        hit = feature_cache.load(key)
        if hit is not None:
            return hit
    loaded = audio.load_audio(path)
    result = extract_windows(loaded.samples, loaded.sr, window_s, hop_s)
    if key is not None:
        feature_cache.store(key, result)
    return result
