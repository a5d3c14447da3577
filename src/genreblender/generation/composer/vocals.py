"""Vocals: rhythmic spoken lines (a rap part) from eSpeak NG, one short line per bar.

Hip-hop without a voice is heard as another genre (the musicnn judge called an instrumental
boom-bap beat "pop"; a 3-s mel-CNN called it "reggae"); laying one spoken line per bar over it,
time-stretched to fill the bar, moved both to hip-hop. A style asks for it with
``"vocals": {"kind": "rap", "voice": ..., "level": ...}``; ``"kind": "none"`` (or no entry) means
an instrumental. A sung-like line needs no speech engine: such styles put a General MIDI voice
program (Voice Oohs, Synth Voice) on the lead, which the sidecar reports as the vocals.

eSpeak NG comes from the ``espeakng-loader`` wheel (the library and its data, pip only), driven
through ctypes. Its synthesis is not reproducible call by call (its output depends on what it
synthesized before in the process), so the engine speaks a fixed bank of lines once per process,
always in the same order from a fresh initialisation with a fixed random seed, and songs only
pick, place and stretch lines of that bank: the result is a function of the seed alone.
"""

from __future__ import annotations

import ctypes
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
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
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


def _library():
    try:
        import espeakng_loader
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InvalidInputError(
            "vocals need the espeakng-loader package (pip install espeakng-loader)"
        ) from exc
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    return lib, espeakng_loader.get_data_path()


@functools.cache
def line_bank(voice: str = DEFAULT_VOICE, sr: int = 48000) -> tuple[np.ndarray, ...]:
    """Every line of :data:`LINES` spoken by ``voice``, float32 mono at ``sr``, trimmed."""
    import librosa

    with _LOCK:
        lib, data_path = _library()
        chunks: list[np.ndarray] = []
        callback_type = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
        )

        def collect(wav, n, _events):
            if n > 0:
                chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            return 0

        callback = callback_type(collect)  # kept alive until synthesis ends
        native_sr = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if native_sr <= 0:
            raise InvalidInputError("eSpeak NG failed to initialise (espeakng-loader data?)")
        lib.espeak_SetSynthCallback(callback)
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise InvalidInputError(f"eSpeak NG has no voice {voice!r}; e.g. {DEFAULT_VOICE}")
        lib.espeak_SetParameter(_ESPEAK_RATE, _RATE_WPM, 0)
        lib.espeak_ng_SetRandSeed(7)
        bank = []
        for line in LINES:
            chunks.clear()
            text = line.encode()
            lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, 0, None, None)
            lib.espeak_Synchronize()
            speech = np.concatenate(chunks).astype(np.float32) / 32768.0
            speech = _trimmed(speech)
            bank.append(
                librosa.resample(speech, orig_sr=native_sr, target_sr=sr, res_type="soxr_hq")
            )
        lib.espeak_Terminate()
    return tuple(bank)


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
