"""The mel representation of the GTZAN mel images, computed natively from audio.

``../shared/data/gtzan/mel_images`` holds one PNG per GTZAN track, made with librosa and
matplotlib (``melspectrogram(n_mels=128)`` → ``power_to_db(ref=np.max)`` → ``specshow`` with
``magma`` in a 5 x 5 inch figure at 100 dpi, saved tight: 387 x 385 pixels). Each pixel is one of
the colormap's 256 colours, so an image is a 128-band log-mel spectrogram, quantised to 256 levels
over the clip's dB range and sampled in time by the rasteriser. This module computes exactly that
array from audio, without matplotlib, as ``(128, n_columns)`` ``uint8`` levels (row 0 = lowest
band), and :mod:`genreblender.classification.mel_images` decodes the PNGs to the same array.

Time base. The rasteriser maps a 30-s clip's 1293 STFT frames onto an axes 387.5 pixels wide,
column ``c`` showing frame ``floor((c + 0.5) * 1293 / 387.5)``: one column per ~3.34 frames,
about 12.9 columns a second (:data:`COLUMNS_PER_SECOND`). Audio of any length is sampled at that
fixed rate, so a 3-s window is 39 columns whatever the track.

Levels. ``level = floor(256 * (L - vmin) / (0 - vmin))`` (255 at the top), with ``L`` in dB re
the reference and floored at -80 dB (``top_db``), and ``vmin`` the lowest ``L`` in the
reference's span (-80 dB for nearly all music; higher for a clip with less than 80 dB of range,
as matplotlib normalises to the data's own minimum).

Reference rule. A GTZAN image is in dB re the loudest bin of its own 30-s clip. Audio of up to
33 s is therefore referenced to its own maximum (exactly the images' rule: a 30-s clip gives its
image). Longer audio is referenced frame by frame to the 30-s span around the frame (centred,
shifted to stay inside the audio), as if each moment were seen in a GTZAN-length excerpt of the
track. What a shorter reference span costs is measured by ``benchmarks/mel_reference_study.py``.
"""

from __future__ import annotations

import numpy as np

from genreblender.audio import SAMPLE_RATE
from genreblender.errors import InvalidInputError

#: Bump whenever the arrays this module returns change; recorded in and checked against every
#: mel-listener artifact.
REPRESENTATION_VERSION = "1.0"

N_MELS = 128
N_FFT = 2048
HOP_LENGTH = 512
TOP_DB = 80.0
N_LEVELS = 256
#: ``power_to_db``'s floor on power.
AMIN = 1e-10
#: Size of a GTZAN mel image (width x height, pixels).
IMAGE_WIDTH, IMAGE_HEIGHT = 387, 385
#: The rasteriser's axes is 0.775 of a 500-px figure wide (matplotlib's default margins).
AXES_WIDTH_PX = 387.5
#: STFT frames of a 30-s GTZAN clip (661794 samples).
GTZAN_FRAMES = 1293
FRAMES_PER_COLUMN = GTZAN_FRAMES / AXES_WIDTH_PX
COLUMNS_PER_SECOND = SAMPLE_RATE / HOP_LENGTH / FRAMES_PER_COLUMN
#: Span of audio a level is referenced to (GTZAN clips are 30-s excerpts).
REFERENCE_SPAN_S = 30.0
#: Audio up to this multiple of the span is referenced as a whole (GTZAN clips run 29.9-30.1 s).
SPAN_SLACK = 1.1


def mel_power(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Mel power spectrogram ``(128, n_frames)`` float32, as the images' ``melspectrogram``.

    ``y`` is mono float audio at 22050 Hz (the rate the images were made at).
    """
    import librosa

    if sr != SAMPLE_RATE:
        raise InvalidInputError(f"mel_power needs audio at {SAMPLE_RATE} Hz, got {sr} Hz")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size < N_FFT // 2 + 1:
        raise InvalidInputError(f"mel_power needs mono audio of at least {N_FFT // 2 + 1} samples")
    return librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=N_FFT, hop_length=HOP_LENGTH, n_mels=N_MELS
    ).astype(np.float32, copy=False)


def _span_extreme(per_frame: np.ndarray, span: int, op) -> np.ndarray:
    """For each frame, ``op`` (max or min) over the ``span`` frames around it, shifted to stay
    inside the track (so every frame sees a full span when the track has one)."""
    n = per_frame.shape[0]
    if n <= span:
        return np.full(n, op(per_frame), dtype=per_frame.dtype)
    # the value over [s, s + span) for every start s, then each frame's clamped start
    full = op(np.lib.stride_tricks.sliding_window_view(per_frame, span), axis=1)
    starts = np.clip(np.arange(n) - span // 2, 0, n - span)
    return full[starts]


def quantise_db(power: np.ndarray, span_frames: int | None = None) -> np.ndarray:
    """256 levels of ``power`` in dB re its span's maximum (see the module's reference rule).

    ``span_frames=None``, or an array no longer than ``SPAN_SLACK * span_frames``, is referenced
    as a whole to its maximum (the images' rule).
    Computed in float32, as librosa and matplotlib did for the images, so levels match exactly.
    """
    power = np.asarray(power, dtype=np.float32)
    db = 10.0 * np.log10(np.maximum(np.float32(AMIN), power))
    if span_frames is None or power.shape[1] <= SPAN_SLACK * span_frames:
        ref_db = np.full(power.shape[1], db.max(), dtype=np.float32)
        low_db = np.full(power.shape[1], db.min(), dtype=np.float32)
    else:
        ref_db = _span_extreme(db.max(axis=0), span_frames, np.max)
        low_db = _span_extreme(db.min(axis=0), span_frames, np.min)
    level_db = np.maximum(db - ref_db, np.float32(-TOP_DB))  # power_to_db(ref=max, top_db=80)
    vmin = np.maximum(low_db - ref_db, np.float32(-TOP_DB))
    # matplotlib's Normalize (data min .. max = 0) then the colormap's floor(x * N), N-1 at 1
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (level_db - vmin) / (np.float32(0.0) - vmin)
    x = np.nan_to_num(x, nan=0.0)  # a span of constant power has no range: the lowest level
    levels = np.floor(x * np.float32(N_LEVELS))
    return np.clip(levels, 0, N_LEVELS - 1).astype(np.uint8)


def image_columns(n_frames: int, width: int = IMAGE_WIDTH) -> np.ndarray:
    """Frame shown by each of an image's ``width`` columns (the whole clip on a fixed width)."""
    cols = np.floor((np.arange(width) + 0.5) * n_frames / (width + 0.5)).astype(np.int64)
    return np.minimum(cols, n_frames - 1)


def timebase_columns(n_frames: int) -> np.ndarray:
    """Frames sampled at the images' fixed time base (:data:`COLUMNS_PER_SECOND`)."""
    n_cols = max(1, int(np.floor(n_frames / FRAMES_PER_COLUMN - 0.5)) + 1)
    cols = np.floor((np.arange(n_cols) + 0.5) * FRAMES_PER_COLUMN).astype(np.int64)
    return cols[cols < n_frames]


def mel_levels(
    y: np.ndarray,
    sr: int = SAMPLE_RATE,
    reference_span_s: float | None = REFERENCE_SPAN_S,
    columns: str = "timebase",
) -> np.ndarray:
    """The images' representation of ``y``: ``(128, n_columns)`` uint8, row 0 the lowest band.

    Parameters
    ----------
    y : np.ndarray
        Mono audio at 22050 Hz.
    reference_span_s : float or None
        Span the dB reference is taken over (see the module's rule); ``None``: the whole audio.
    columns : {"timebase", "image"}
        ``"timebase"`` samples the fixed ~12.9 columns a second; ``"image"`` spreads the whole
        audio over the 387 columns of an image, as the rasteriser did (for parity tests).
    """
    power = mel_power(y, sr)
    span = None if reference_span_s is None else int(round(reference_span_s * sr / HOP_LENGTH))
    levels = quantise_db(power, span)
    if columns == "timebase":
        idx = timebase_columns(levels.shape[1])
    elif columns == "image":
        idx = image_columns(levels.shape[1])
    else:
        raise InvalidInputError(f"columns must be 'timebase' or 'image', got {columns!r}")
    return np.ascontiguousarray(levels[:, idx])


def window_starts(n_columns: int, window: int, hop: int) -> np.ndarray:
    """Start columns of ``window``-column windows every ``hop`` columns, the last aligned to the
    end so no tail is dropped; one window at 0 when the audio is just one window long."""
    if window <= 0 or hop <= 0:
        raise InvalidInputError("window and hop must be positive column counts")
    if n_columns < window:
        raise InvalidInputError(
            f"audio of {n_columns / COLUMNS_PER_SECOND:.2f} s is shorter than one "
            f"{window / COLUMNS_PER_SECOND:.2f}-s analysis window"
        )
    starts = list(range(0, n_columns - window + 1, hop))
    if starts[-1] + window < n_columns:
        starts.append(n_columns - window)
    return np.asarray(starts, dtype=np.int64)


def frame_windows(levels: np.ndarray, window: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``(128, n)`` levels into ``(n_windows, 128, window)`` windows; returns them and their
    start columns."""
    starts = window_starts(levels.shape[1], window, hop)
    view = np.lib.stride_tricks.sliding_window_view(levels, window, axis=1)  # (128, n-w+1, w)
    return np.ascontiguousarray(view[:, starts].transpose(1, 0, 2)), starts
