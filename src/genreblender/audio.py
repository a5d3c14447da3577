"""Audio in and out at the boundary: decode, validate, convert to mono 22050 Hz float32.

Everything that reads audio a user hands in goes through :func:`load_audio`, so the checks
(format, size, length, NaN, silence) live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreblender.errors import AudioError

#: Sample rate of every analysis (the GTZAN tables were computed at 22050 Hz).
SAMPLE_RATE = 22050
#: File types accepted by :func:`load_audio` (decoded by libsndfile; mp3 needs libsndfile >= 1.1).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".au", ".aiff", ".aif")
#: Largest file accepted (bytes). A 10-min 48 kHz stereo 24-bit WAV is ~173 MB.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Longest audio accepted (seconds) once decoded.
MAX_DURATION_S = 20 * 60.0
#: Shortest audio accepted (seconds): below this the tempo and HPSS features are not meaningful.
MIN_DURATION_S = 3.0
# Peak amplitude under which a signal counts as silent (-100 dBFS).
_SILENCE_PEAK = 1e-5


@dataclass(frozen=True)
class Audio:
    """Decoded mono audio: ``samples`` (float32, shape ``(n,)``) at ``sr`` Hz."""

    samples: np.ndarray
    sr: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sr


def _accepted_formats() -> str:
    return ", ".join(ext.lstrip(".") for ext in AUDIO_EXTENSIONS)


def read_audio_file(path: str | Path, max_bytes: int | None = None) -> tuple[np.ndarray, int]:
    """Decode ``path`` without resampling.

    Parameters
    ----------
    path : str or Path
        An audio file with an extension in :data:`AUDIO_EXTENSIONS`.
    max_bytes : int, optional
        Largest file accepted; default :data:`MAX_FILE_BYTES` (read at call time).

    Returns
    -------
    samples : np.ndarray
        float32, shape ``(n,)`` or ``(n, channels)``.
    sr : int
        The file's sample rate.

    Raises
    ------
    AudioError
        For a missing, empty, oversized, too long, unknown-format or corrupt file.
    """
    import soundfile as sf

    if max_bytes is None:
        max_bytes = MAX_FILE_BYTES
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise AudioError(
            f"{path}: unsupported format {path.suffix or '(no extension)'!r}; "
            f"accepted: {_accepted_formats()}"
        )
    size = path.stat().st_size
    if size == 0:
        raise AudioError(f"{path}: the file is empty")
    if size > max_bytes:
        raise AudioError(
            f"{path}: file is {size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB"
        )
    try:
        info = sf.info(str(path))
        if info.samplerate > 0 and info.frames / info.samplerate > MAX_DURATION_S:
            raise AudioError(
                f"{path}: audio is {info.frames / info.samplerate:.0f} s long; "
                f"the limit is {MAX_DURATION_S:.0f} s"
            )
        data, sr = sf.read(str(path), dtype="float32", always_2d=False)
    except AudioError:
        raise
    except Exception as exc:  # libsndfile reports corrupt data with several exception types
        raise AudioError(
            f"{path}: cannot decode audio ({exc}); accepted: {_accepted_formats()}"
        ) from None
    return np.asarray(data, dtype=np.float32), int(sr)


#: Most channels a 2-D array may have; the other axis is time.
MAX_CHANNELS = 16


def to_mono_resampled(samples: np.ndarray, sr: int, target_sr: int = SAMPLE_RATE) -> np.ndarray:
    """Average the channels and resample to ``target_sr``.

    Parameters
    ----------
    samples : np.ndarray
        ``(n,)``, or 2-D with the channels on either axis: soundfile gives ``(n, channels)``,
        librosa ``(channels, n)``; the axis of at most :data:`MAX_CHANNELS` that is shorter than
        the other is taken as the channels.
    sr, target_sr : int
        Rate of ``samples`` and the rate wanted.

    Returns
    -------
    np.ndarray
        Contiguous float32 ``(m,)`` at ``target_sr``.
    """
    import librosa

    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 2:
        channel_axis = 0 if samples.shape[0] < samples.shape[1] else 1
        if samples.shape[channel_axis] > MAX_CHANNELS:
            raise AudioError(
                f"audio of shape {samples.shape} has no channel axis of at most {MAX_CHANNELS}; "
                "pass (samples,), (samples, channels) or (channels, samples)"
            )
        samples = samples.mean(axis=channel_axis)
    elif samples.ndim != 1:
        raise AudioError(f"audio must be 1-D or 2-D (samples, channels), got shape {samples.shape}")
    if sr != target_sr:
        samples = librosa.resample(samples, orig_sr=sr, target_sr=target_sr, res_type="soxr_hq")
    return np.ascontiguousarray(samples, dtype=np.float32)


def validate_samples(
    samples: np.ndarray, sr: int, min_duration_s: float = MIN_DURATION_S, what: str = "audio"
) -> None:
    """Raise :class:`AudioError` if ``samples`` is empty, too short or long, non-finite or silent."""
    if samples.size == 0:
        raise AudioError(f"{what}: contains no samples")
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"{what}: contains NaN or infinite samples")
    duration = samples.shape[0] / sr
    if duration < min_duration_s:
        raise AudioError(
            f"{what}: {duration:.2f} s is too short; at least {min_duration_s:g} s is needed"
        )
    if duration > MAX_DURATION_S:
        raise AudioError(
            f"{what}: {duration:.0f} s is too long; the limit is {MAX_DURATION_S:.0f} s"
        )
    if float(np.max(np.abs(samples))) < _SILENCE_PEAK:
        raise AudioError(f"{what}: is silent (peak below -100 dBFS); nothing to classify")


def _as_float(samples: np.ndarray) -> np.ndarray:
    """Integer PCM scaled to [-1, 1) as soundfile does; float kept; anything else refused."""
    if np.issubdtype(samples.dtype, np.integer):
        info = np.iinfo(samples.dtype)
        # unsigned PCM (8-bit WAV) is centred on the middle of its range
        offset = (int(info.max) + 1) // 2 if info.min == 0 else 0
        scale = offset if offset else -int(info.min)
        return ((samples.astype(np.float64) - offset) / scale).astype(np.float32)
    if np.issubdtype(samples.dtype, np.floating):
        return samples.astype(np.float32, copy=False)
    raise AudioError(
        f"audio samples must be real numbers (float or integer PCM), got dtype {samples.dtype}"
    )


def load_audio(
    source: str | Path | np.ndarray,
    sr: int | None = None,
    min_duration_s: float = MIN_DURATION_S,
    max_bytes: int | None = None,
) -> Audio:
    """Load a file path or an array as validated mono float32 audio at 22050 Hz.

    Parameters
    ----------
    source : path or np.ndarray
        An audio file (wav/flac/ogg/mp3/au/aiff) or samples shaped ``(n,)``, ``(n, channels)``
        or ``(channels, n)``.
    sr : int, optional
        Sample rate of ``source`` when it is an array (required then); ignored for files.
    min_duration_s : float
        Shortest accepted duration in seconds.
    max_bytes : int, optional
        Largest file accepted; default :data:`MAX_FILE_BYTES`.

    Returns
    -------
    Audio
        Mono float32 samples at 22050 Hz.

    Raises
    ------
    AudioError
        For anything that cannot be analysed, with a message saying what is accepted.
    """
    if isinstance(source, (str, Path)):
        what = str(source)
        data, rate = read_audio_file(source, max_bytes=max_bytes)
    elif isinstance(source, np.ndarray):
        what = "audio array"
        if sr is None or not np.isfinite(sr) or int(sr) <= 0:
            raise AudioError("an audio array needs its sample rate: pass sr=<Hz>")
        data, rate = _as_float(source), int(sr)
    else:
        raise AudioError(f"audio must be a file path or a numpy array, got {type(source).__name__}")
    if data.size == 0:
        raise AudioError(f"{what}: contains no samples")
    # before resampling, which would smear one bad sample over its neighbours
    if not np.all(np.isfinite(data)):
        raise AudioError(f"{what}: contains NaN or infinite samples")
    samples = to_mono_resampled(data, rate)
    validate_samples(samples, SAMPLE_RATE, min_duration_s=min_duration_s, what=what)
    return Audio(samples=samples, sr=SAMPLE_RATE)
