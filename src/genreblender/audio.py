"""Audio in and out at the boundary: decode, validate, convert to mono 22050 Hz float32.

Everything that reads audio a user hands in goes through :func:`load_audio`, so the checks
(format, size, length, NaN, silence) live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreblender.errors import (
    AudioError,
    AudioTooLargeError,
    UnsupportedAudioFormatError,
    one_line,
)

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


#: Most channels a file or a 2-D array may have (a header claiming more is refused unread).
MAX_CHANNELS = 16
#: Most samples (frames x channels) a file may hold: 20 minutes of 96 kHz stereo. It bounds the
#: decoding time of a small compressed file whose header promises hours of many channels.
MAX_FILE_SAMPLES = int(MAX_DURATION_S * 96_000 * 2)
#: Sample rates accepted in a file header (telephone audio to high-resolution masters).
MIN_FILE_RATE, MAX_FILE_RATE = 4_000, 384_000
# Frames decoded per block: memory of one block of 16 channels is 4 MiB, whatever the file's size.
_BLOCK_FRAMES = 65_536


def _scrub(exc: BaseException, path: Path, name: str) -> str:
    """A decoder's message on one line, with the file called ``name`` (libsndfile quotes the
    path it opened, which for an upload is the server's private temporary file)."""
    return one_line(exc).replace(str(path), name)


@dataclass(frozen=True)
class AudioFileInfo:
    """What a file's header says, checked against the limits (see :func:`probe_audio_file`)."""

    path: Path
    name: str
    samplerate: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.samplerate


def probe_audio_file(
    path: str | Path, max_bytes: int | None = None, name: str | None = None
) -> AudioFileInfo:
    """The cheap checks, before any sample is decoded: the file exists and can be read, its
    extension is accepted, its size is within ``max_bytes``, and its header's sample rate,
    channel count, duration and frames x channels are within the limits.

    ``name`` is what messages call the file (default: the path); the HTTP API passes the name
    of the upload, not of its private temporary copy.

    Raises
    ------
    AudioError
        :class:`~genreblender.errors.UnsupportedAudioFormatError` for an extension that is not
        accepted, :class:`~genreblender.errors.AudioTooLargeError` for a file over the size limit,
        plain :class:`AudioError` for everything else.
    """
    import soundfile as sf

    if max_bytes is None:
        max_bytes = MAX_FILE_BYTES
    path = Path(path)
    name = str(path) if name is None else name
    if path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise UnsupportedAudioFormatError(
            f"{name}: unsupported format {path.suffix or '(no extension)'!r}; "
            f"accepted: {_accepted_formats()}"
        )
    if not path.is_file():
        raise AudioError(f"{name}: no such audio file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise AudioError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    size = path.stat().st_size
    if size == 0:
        raise AudioError(f"{name}: the file is empty")
    if size > max_bytes:
        raise AudioTooLargeError(
            f"{name}: file is {size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:g} MiB"
        )
    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile reports bad headers with several exception types
        raise AudioError(
            f"{name}: cannot decode audio ({_scrub(exc, path, name)}); "
            f"accepted: {_accepted_formats()}"
        ) from None
    rate, channels, frames = int(info.samplerate), int(info.channels), int(info.frames)
    if not MIN_FILE_RATE <= rate <= MAX_FILE_RATE:
        raise AudioError(
            f"{name}: sample rate {rate} Hz is not accepted; "
            f"accepted: {MIN_FILE_RATE} to {MAX_FILE_RATE} Hz"
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(f"{name}: {channels} channels; at most {MAX_CHANNELS} are accepted")
    if frames / rate > MAX_DURATION_S:
        raise AudioError(
            f"{name}: audio is {frames / rate:.0f} s long; the limit is {MAX_DURATION_S:.0f} s"
        )
    if frames * channels > MAX_FILE_SAMPLES:
        raise AudioError(
            f"{name}: {frames} frames x {channels} channels is more than the "
            f"{MAX_FILE_SAMPLES} samples accepted (20 min of 96 kHz stereo)"
        )
    return AudioFileInfo(path=path, name=name, samplerate=rate, channels=channels, frames=frames)


def _decode_mono(info: AudioFileInfo, target_sr: int) -> np.ndarray:
    """Decode block by block straight to mono at ``target_sr``: the memory used is the output
    plus one block, not the whole file as float32 in all its channels."""
    import soundfile as sf
    import soxr

    resampler = None
    if info.samplerate != target_sr:
        # the streaming form of what librosa.resample(res_type="soxr_hq") does in one call
        resampler = soxr.ResampleStream(
            info.samplerate, target_sr, 1, dtype="float32", quality="HQ"
        )
    ratio = target_sr / info.samplerate
    # headers of compressed formats can be approximate: the limit is enforced while decoding too
    max_frames = int(MAX_DURATION_S * info.samplerate) + _BLOCK_FRAMES
    out = np.empty(int(np.ceil(info.frames * ratio)) + 64, dtype=np.float32)
    filled, frames = 0, 0

    def put(chunk: np.ndarray) -> None:
        nonlocal out, filled
        if filled + chunk.size > out.size:
            out = np.resize(out, max(2 * out.size, filled + chunk.size))
        out[filled : filled + chunk.size] = chunk
        filled += chunk.size

    with sf.SoundFile(str(info.path)) as handle:
        for block in handle.blocks(blocksize=_BLOCK_FRAMES, dtype="float32", always_2d=True):
            frames += block.shape[0]
            if frames > max_frames:
                raise AudioError(
                    f"{info.name}: audio is longer than the limit of {MAX_DURATION_S:.0f} s"
                )
            # before resampling, which would smear one bad sample over its neighbours
            if not np.isfinite(block).all():
                raise AudioError(f"{info.name}: contains NaN or infinite samples")
            mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)
            put(resampler.resample_chunk(mono) if resampler is not None else mono)
        if resampler is not None:
            put(resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    if frames == 0:
        raise AudioError(f"{info.name}: contains no samples")
    # the length librosa.resample gives, so both paths agree sample for sample in length
    n_out = int(np.ceil(frames * ratio)) if resampler is not None else frames
    if filled < n_out:
        put(np.zeros(n_out - filled, dtype=np.float32))
    return out[:n_out].copy() if out.size > n_out else out


def read_audio_file(
    path: str | Path, max_bytes: int | None = None, name: str | None = None
) -> tuple[np.ndarray, int]:
    """Decode ``path`` as mono float32 at :data:`SAMPLE_RATE`, in bounded memory.

    The header is checked first (:func:`probe_audio_file`), then the file is decoded in blocks,
    each averaged to mono and resampled as it arrives.

    Parameters
    ----------
    path : str or Path
        An audio file with an extension in :data:`AUDIO_EXTENSIONS`.
    max_bytes : int, optional
        Largest file accepted; default :data:`MAX_FILE_BYTES` (read at call time).
    name : str, optional
        What messages call the file (default: the path).

    Returns
    -------
    samples : np.ndarray
        float32, shape ``(n,)``.
    sr : int
        :data:`SAMPLE_RATE`.

    Raises
    ------
    AudioError
        For a missing, unreadable, empty, oversized, too long, unknown-format or corrupt file.
    """
    info = probe_audio_file(path, max_bytes=max_bytes, name=name)
    try:
        samples = _decode_mono(info, SAMPLE_RATE)
    except AudioError:
        raise
    except Exception as exc:  # corrupt data past a valid header
        raise AudioError(
            f"{info.name}: cannot decode audio ({_scrub(exc, info.path, info.name)}); "
            f"accepted: {_accepted_formats()}"
        ) from None
    return samples, SAMPLE_RATE


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
    name: str | None = None,
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
    name : str, optional
        What messages call a file (default: its path), e.g. the name of an upload.

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
        samples, rate = read_audio_file(source, max_bytes=max_bytes, name=name)
        what = str(source) if name is None else name
        validate_samples(samples, rate, min_duration_s=min_duration_s, what=what)
        return Audio(samples=samples, sr=rate)
    if isinstance(source, np.ndarray):
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
