"""Vocals: rhythmic spoken lines (a rap part) from eSpeak NG, one short line per bar.

Hip-hop without a voice is heard as another genre (the musicnn judge called an instrumental
boom-bap beat "pop"; a 3-s mel-CNN called it "reggae"); laying one spoken line per bar over it,
time-stretched to fill the bar, moved both to hip-hop. A style asks for it with
``"vocals": {"kind": "rap", "voice": ..., "level": ...}``; ``"kind": "none"`` (or no entry) means
an instrumental. A sung-like line needs no speech engine: such styles put a General MIDI voice
program (Voice Oohs, Synth Voice) on the lead, which the sidecar reports as the vocals.

eSpeak NG comes from the ``espeakng-loader`` wheel (the library and its data, pip only), driven
through ctypes. Its synthesis is not reproducible call by call (its output depends on what it
synthesized before in the same process, even after re-initialising), so a fixed bank of lines is
spoken once per voice in a fresh interpreter (a subprocess, ~0.1 s), always in the same order
with a fixed random seed, and songs only pick, place and stretch lines of that bank: the result
is a function of the seed alone.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.generation.composer.score import Score, step_to_seconds

ENGINE = "espeak-ng"
DEFAULT_VOICE = "en-us+m3"
#: Words per minute: a brisk delivery, then stretched onto the bar
_RATE_WPM = 175
#: Original, clean lines; one is spoken per bar (a verse is a sequence of them).
LINES = (
    "yeah we keep it moving on the beat tonight",
    "step up to the mic and let the record play",
    "city lights are burning while the speakers shake",
    "every single morning got a brand new chance",
    "bass is rolling deep and the snare is cracking",
    "tell me what you feel when the rhythm drops",
    "from the corner to the top we never stop",
    "hands up high if you are feeling the vibe",
    "writing in my notebook every single night",
    "turn the volume up and let the people move",
    "we been working hard and now we on the way",
    "keep your head up high and never look back",
    "listen to the sound of the crowd out there",
    "one more time for the ones who hold it down",
    "check the flow and feel the groove",
    "yeah yeah uh huh come on",
)
_LOCK = threading.Lock()


#: Run in a fresh interpreter: eSpeak NG's output depends on what it synthesized before in the
#: same process, so each bank is spoken from a clean start (argv: voice, rate, then the lines;
#: stdout: per line a little-endian uint32 sample count, then int16 samples)
_WORKER = r"""
import ctypes, struct, sys
import espeakng_loader
voice, rate, lines = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
lib = ctypes.CDLL(espeakng_loader.get_library_path())
lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                             ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
chunks = []
def collect(wav, n, events):
    if n > 0:
        chunks.append(ctypes.string_at(wav, 2 * n))
    return 0
callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                            ctypes.c_void_p)(collect)
sr = lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0)
if sr <= 0:
    sys.exit("eSpeak NG failed to initialise")
lib.espeak_SetSynthCallback(callback)
if lib.espeak_SetVoiceByName(voice.encode()) != 0:
    sys.exit("no voice")
lib.espeak_SetParameter(1, rate, 0)
lib.espeak_ng_SetRandSeed(7)
out = sys.stdout.buffer
out.write(struct.pack("<I", sr))
for line in lines:
    chunks.clear()
    text = line.encode()
    lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, 0, None, None)
    lib.espeak_Synchronize()
    data = b"".join(chunks)
    out.write(struct.pack("<I", len(data) // 2) + data)
out.flush()
"""


@functools.cache
def _spoken(voice: str) -> tuple[int, tuple[np.ndarray, ...]]:
    """``(sample_rate, lines)``: :data:`LINES` spoken by ``voice`` in a fresh process."""
    import struct
    import subprocess
    import sys

    try:
        import espeakng_loader  # noqa: F401
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InvalidInputError(
            "vocals need the espeakng-loader package (pip install espeakng-loader)"
        ) from exc
    with _LOCK:
        done = subprocess.run(
            [sys.executable, "-c", _WORKER, voice, str(_RATE_WPM), *LINES],
            capture_output=True,
            check=False,
        )
    if done.returncode != 0:
        if b"no voice" in done.stderr:
            raise InvalidInputError(f"eSpeak NG has no voice {voice!r}; e.g. {DEFAULT_VOICE}")
        raise InvalidInputError(f"eSpeak NG failed: {done.stderr.decode(errors='replace')[-300:]}")
    data = done.stdout
    (sr,) = struct.unpack_from("<I", data, 0)
    offset, lines = 4, []
    for _ in LINES:
        (n,) = struct.unpack_from("<I", data, offset)
        offset += 4
        lines.append(np.frombuffer(data, dtype="<i2", count=n, offset=offset).astype(np.float32))
        offset += 2 * n
    return sr, tuple(line / 32768.0 for line in lines)


@functools.cache
def line_bank(voice: str = DEFAULT_VOICE, sr: int = 48000) -> tuple[np.ndarray, ...]:
    """Every line of :data:`LINES` spoken by ``voice``, float32 mono at ``sr``, trimmed."""
    import librosa

    native_sr, lines = _spoken(voice)
    return tuple(
        librosa.resample(_trimmed(line), orig_sr=native_sr, target_sr=sr, res_type="soxr_hq")
        for line in lines
    )


def rap_part(
    score: Score, vocals: dict[str, Any], n_samples: int, sr: int, rng: np.random.Generator
) -> np.ndarray:
    """A spoken line on every bar of the verses and choruses, mono float32 of ``n_samples``.

    Each line starts on the bar's downbeat and is resampled to fill ``fill`` of the bar (the
    bank's lines are about a bar long at hip-hop tempi, so the pitch moves by a few semitones at
    most, and resampling costs a millisecond where a phase vocoder costs a tenth of a second); verses run through the bank in a seeded order, a chorus repeats one
    line (a hook). Peak-normalised; the caller sets its level against the beat.
    """
    import librosa

    bank = line_bank(vocals.get("voice", DEFAULT_VOICE), sr)
    order = rng.permutation(len(bank))
    hook = int(rng.integers(len(bank)))
    fill = float(vocals.get("fill", 0.9))
    out = np.zeros(n_samples, dtype=np.float32)
    stretched: dict[tuple[int, int], np.ndarray] = {}
    verse_bar = 0
    for section in score.sections:
        if section.kind not in ("verse", "chorus"):
            continue
        for bar in range(section.first_bar, section.first_bar + section.bars):
            start, end = step_to_seconds(np.array([16 * bar, 16 * (bar + 1)]), score.bpm, 0.0)
            a = int(round(start * sr))
            if a >= n_samples:
                return _normalised(out)
            if section.kind == "chorus":
                index = hook
            else:
                index = int(order[verse_bar % len(order)])
                verse_bar += 1
            target = max(1, int(round((end - start) * fill * sr)))
            key = (index, target)
            if key not in stretched:
                line = bank[index]
                stretched[key] = librosa.resample(
                    line, orig_sr=len(line), target_sr=target, res_type="soxr_hq"
                )
            piece = stretched[key][: n_samples - a]
            out[a : a + len(piece)] += piece
    return _normalised(out)


def _trimmed(x: np.ndarray, top_db: float = 35.0, frame: int = 512) -> np.ndarray:
    """``x`` without the leading and trailing frames more than ``top_db`` below its loudest."""
    n = len(x) // frame
    if n == 0:
        return x
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)) + 1e-12
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > -top_db)
    return x[loud[0] * frame : (loud[-1] + 1) * frame]


def _normalised(x: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(x)))
    return x / peak if peak > 0 else x
