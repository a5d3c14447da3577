"""Write a generated track: audio (WAV, optionally MP3), the MIDI played, and a JSON sidecar.

Files are written to a temporary name and renamed into place so that an interrupted run never
leaves a half-written file under the final name.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
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
    #: part → its stem's WAV (empty without stems)
    stem_paths: dict[str, Path] = field(default_factory=dict)


def stem_path_for(audio_path: Path, part: str) -> Path:
    """``song.wav`` → ``song.drums.wav``: a stem beside its mix, MIDI and sidecar."""
    return audio_path.with_name(f"{audio_path.stem}.{part}.wav")


def sidecar_path_for(audio_path: Path) -> Path:
    """``song.wav`` → ``song.json``."""
    return audio_path.with_suffix(".json")


def check_output_path(path: str | Path, stems: tuple[str, ...] = ()) -> Path:
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
    # the writer also puts song.wav, song.mid and song.json beside song.mp3 (and the stems)
    for target in {
        path,
        path.with_suffix(".wav"),
        path.with_suffix(".mid"),
        sidecar_path_for(path),
        *(stem_path_for(path.with_suffix(".wav"), part) for part in stems),
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


def _peak_scale(result: GenerationResult) -> float:
    """The one factor applied to the mix and every stem so that none clips (1 when none would):
    never clip silently, and keep the stems summing to the mix."""
    arrays = [result.audio, *(result.stems or {}).values()]
    peak = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    return 1.0 / peak if peak > 1.0 else 1.0


def write_track(
    result: GenerationResult, path: str | Path, extra_metadata: dict[str, Any] | None = None
) -> WrittenTrack:
    """Write ``result`` to ``path`` (.wav or .mp3) with a ``.json`` sidecar and ``.mid`` if any,
    and its stems, if it has them, as ``song.<part>.wav``.

    An ``.mp3`` path also keeps the ``.wav`` next to it (lossless master); MP3 is encoded by
    libsndfile where it can (soundfile's wheels), else by ffmpeg or lame on PATH, and raises
    :class:`InvalidInputError` when none is there.
    """
    path = check_output_path(path, stems=tuple(result.stems or ()))
    path.parent.mkdir(parents=True, exist_ok=True)
    want_mp3 = path.suffix.lower() == ".mp3"
    if want_mp3 and not mp3_encoder_available():
        raise InvalidInputError(
            "MP3 output needs libsndfile >= 1.1, ffmpeg or lame; none found: write .wav instead"
        )
    wav_path = path.with_suffix(".wav")
    scale = _peak_scale(result)
    audio = np.asarray(result.audio, dtype=np.float32) * np.float32(scale)
    _atomic_write_wav(wav_path, audio, result.sample_rate)
    stem_paths = {}
    for part, stem in (result.stems or {}).items():
        stem_paths[part] = stem_path_for(wav_path, part)
        stem_audio = np.asarray(stem, dtype=np.float32) * np.float32(scale)
        _atomic_write_wav(stem_paths[part], stem_audio, result.sample_rate)
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
    if stem_paths:
        metadata["files"]["stems"] = {part: p.name for part, p in stem_paths.items()}
    metadata["sample_rate"] = result.sample_rate
    metadata["n_samples"] = int(audio.shape[0])
    sidecar = sidecar_path_for(wav_path)
    _atomic_write_bytes(
        sidecar, (json.dumps(metadata, indent=2, default=_json_default) + "\n").encode()
    )
    return WrittenTrack(wav_path, sidecar, midi_path, mp3_path, stem_paths)


def stems_zip(result: GenerationResult, name: str, metadata: dict[str, Any]) -> bytes:
    """A zip of the track's stems (``<name>.<part>.wav``), its mix (``<name>.wav``), its MIDI
    and its sidecar (``<name>.json``, listing the files): what the app and the API offer.
    WAVs are stored, not deflated (PCM hardly compresses)."""
    if not result.stems:
        raise InvalidInputError("this track has no stems: generate it with stems")
    scale = np.float32(_peak_scale(result))

    def wav(audio) -> bytes:
        import soundfile as sf

        buffer = io.BytesIO()
        sf.write(
            buffer,
            np.asarray(audio, dtype=np.float32) * scale,
            result.sample_rate,
            format="WAV",
            subtype="PCM_16",
        )
        return buffer.getvalue()

    files = {f"{name}.wav": wav(result.audio)}
    files |= {f"{name}.{part}.wav": wav(stem) for part, stem in result.stems.items()}
    if result.midi is not None:
        files[f"{name}.mid"] = result.midi
    sidecar = dict(metadata)
    sidecar["files"] = {
        "wav": f"{name}.wav",
        "midi": f"{name}.mid" if result.midi is not None else None,
        "stems": {part: f"{name}.{part}.wav" for part in result.stems},
    }
    files[f"{name}.json"] = (json.dumps(sidecar, indent=2, default=_json_default) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for filename, data in files.items():
            archive.writestr(filename, data)
    return buffer.getvalue()


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
