"""Write a generated track: audio (WAV, optionally MP3), the MIDI played, and a JSON sidecar.

Files are written to a temporary name and renamed into place so that an interrupted run never
leaves a half-written file under the final name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.generation.base import GenerationResult

OUTPUT_SUFFIXES = (".wav", ".mp3")


@dataclass(frozen=True)
class WrittenTrack:
    audio_path: Path
    sidecar_path: Path
    midi_path: Path | None
    mp3_path: Path | None


def sidecar_path_for(audio_path: Path) -> Path:
    """``song.wav`` → ``song.json``."""
    return audio_path.with_suffix(".json")


def check_output_path(path: str | Path) -> Path:
    """Prove that the output files can be written, before any work is done; return the path.

    The folder is created if needed and a file is created and removed in it, by the same
    temporary-file route the writer takes: a path that passes here can be written (``/proc``,
    a read-only mount or a missing permission fail now, not after the track is generated).
    """
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InvalidInputError(
            f"output {path}: unsupported extension {path.suffix or '(none)'!r}; "
            f"accepted: {', '.join(OUTPUT_SUFFIXES)}"
        )
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInputError(f"output {path}: {parent} is not a directory") from None
    except OSError as exc:
        raise InvalidInputError(
            f"output {path}: cannot create the folder {parent} ({exc.strerror or exc})"
        ) from None
    # the writer also puts song.wav, song.mid and song.json beside song.mp3
    for target in {
        path,
        path.with_suffix(".wav"),
        path.with_suffix(".mid"),
        sidecar_path_for(path),
    }:
        if target.is_dir():
            raise InvalidInputError(f"output {path}: {target} is a directory")
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InvalidInputError(
            f"output {path}: cannot write files in {parent} ({exc.strerror or exc})"
        ) from None
    return path


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    import soundfile as sf

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part.wav")
    os.close(fd)
    try:
        sf.write(tmp, audio, sample_rate, subtype="PCM_16", format="WAV")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _libsndfile_mp3() -> bool:
    import soundfile as sf

    return "MP3" in sf.available_formats()


def mp3_encoder_available() -> bool:
    """True when MP3 can be written: libsndfile >= 1.1 (inside soundfile's wheels) encodes it
    itself; otherwise ffmpeg or lame on PATH."""
    return (
        _libsndfile_mp3() or shutil.which("ffmpeg") is not None or shutil.which("lame") is not None
    )


def _encode_mp3(wav_path: Path, mp3_path: Path, audio: np.ndarray, sample_rate: int) -> None:
    tmp = mp3_path.with_name(f".{mp3_path.name}.part.mp3")
    try:
        if _libsndfile_mp3():
            import soundfile as sf

            sf.write(tmp, audio, sample_rate, format="MP3", subtype="MPEG_LAYER_III")
        elif shutil.which("ffmpeg"):
            cmd = ["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav_path), "-b:a", "192k"]
            subprocess.run([*cmd, str(tmp)], check=True)
        else:
            subprocess.run(["lame", "--quiet", "-b", "192", str(wav_path), str(tmp)], check=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, mp3_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_track(
    result: GenerationResult, path: str | Path, extra_metadata: dict[str, Any] | None = None
) -> WrittenTrack:
    """Write ``result`` to ``path`` (.wav or .mp3) with a ``.json`` sidecar and ``.mid`` if any.

    An ``.mp3`` path also keeps the ``.wav`` next to it (lossless master); MP3 is encoded by
    libsndfile where it can (soundfile's wheels), else by ffmpeg or lame on PATH, and raises
    :class:`InvalidInputError` when none is there.
    """
    path = check_output_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    want_mp3 = path.suffix.lower() == ".mp3"
    if want_mp3 and not mp3_encoder_available():
        raise InvalidInputError(
            "MP3 output needs libsndfile >= 1.1, ffmpeg or lame; none found: write .wav instead"
        )
    wav_path = path.with_suffix(".wav")
    audio = np.asarray(result.audio, dtype=np.float32)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 1.0:  # never clip silently: scale the whole track down instead
        audio = audio / peak
    _atomic_write_wav(wav_path, audio, result.sample_rate)
    midi_path = None
    if result.midi is not None:
        midi_path = path.with_suffix(".mid")
        _atomic_write_bytes(midi_path, result.midi)
    mp3_path = None
    if want_mp3:
        mp3_path = path
        _encode_mp3(wav_path, mp3_path, audio, result.sample_rate)
    metadata = dict(result.metadata)
    metadata.update(extra_metadata or {})
    metadata["files"] = {
        "wav": wav_path.name,
        "midi": midi_path.name if midi_path else None,
        "mp3": mp3_path.name if mp3_path else None,
    }
    metadata["sample_rate"] = result.sample_rate
    metadata["n_samples"] = int(audio.shape[0])
    sidecar = sidecar_path_for(wav_path)
    _atomic_write_bytes(
        sidecar, (json.dumps(metadata, indent=2, default=_json_default) + "\n").encode()
    )
    return WrittenTrack(wav_path, sidecar, midi_path, mp3_path)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
