"""Master bus: tone (brightness), drive, compression, reverb, a reference-matching EQ and
loudness, each set by the (blended) style's mix parameters. GTZAN genres differ as much in
production as in notes."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from genreblender.audio import SAMPLE_RATE
from genreblender.classification.features import N_MFCC

#: Mel bands behind librosa's MFCCs (its default, as in the GTZAN tables that the reference
#: spectra ``styles/reference_spectra.json`` come from).
_N_MELS = 128
#: Most a reference match boosts or cuts any band: a mastering EQ shapes, it does not rebuild.
MAX_MATCH_DB = 15.0
_MATCH_TAPS = 4097


def mono(audio: np.ndarray) -> np.ndarray:
    """The channels' average of ``(n, channels)`` audio (``(n,)`` passes through), as a
    matrix product: numpy's mean over a short last axis is several times slower."""
    if audio.ndim == 1:
        return audio
    return audio @ np.full(audio.shape[1], 1.0 / audio.shape[1], dtype=audio.dtype)


def _remove_dc(audio: np.ndarray) -> np.ndarray:
    """Each channel minus its mean (the means as a matrix product, for speed as in
    :func:`mono`)."""
    return audio - np.ones(len(audio), dtype=audio.dtype) @ audio / max(len(audio), 1)


def _one_pole(x: np.ndarray, sr: int, time_s: float) -> np.ndarray:
    a = np.exp(-1.0 / (time_s * sr))
    # coefficients in the signal's precision, so a single-precision signal stays single
    return signal.lfilter(np.array([1 - a], x.dtype), np.array([1, -a], x.dtype), x, axis=0)


def _dc_block_sos(sr: int) -> np.ndarray:
    return signal.butter(2, 25.0, btype="high", fs=sr, output="sos")


def _brighten_sos(sr: int, brightness: float) -> np.ndarray:
    """The tone tilt of :func:`tone` as second-order sections: the low-pass itself, or the
    shelf ``1 + g·HP`` as the one biquad ``(A + g·B) / A`` of the high-pass ``B / A``."""
    brightness = float(np.clip(brightness, 0, 1))
    if brightness < 0.5:
        cutoff = 2500.0 * (16000.0 / 2500.0) ** (2 * brightness)
        return signal.butter(2, min(cutoff, 0.45 * sr), btype="low", fs=sr, output="sos")
    gain = 10 ** (9.0 * (brightness - 0.5) * 2 / 20) - 1.0
    b, a = signal.butter(2, 3000.0, btype="high", fs=sr)
    return np.concatenate([a + gain * b, a])[None, :] / a[0]


def tone(audio: np.ndarray, sr: int, brightness: float) -> np.ndarray:
    """A high-pass at 25 Hz (a mastered track carries no DC offset or sub-sonic rumble), then
    the tone tilted: ``brightness`` 0.5 leaves it as rendered; below, a 12 dB/octave low-pass
    from 16 kHz down to 2.5 kHz (dark: a classical hall, a dusty sample); above, a high shelf
    from 3 kHz rising to +9 dB (bright: modern pop and metal masters). One filter cascade: one
    pass over a long track."""
    sos = np.concatenate([_dc_block_sos(sr), _brighten_sos(sr, brightness)])
    return signal.sosfilt(sos, audio, axis=0)


def roll_off(audio: np.ndarray, sr: int, cutoff_hz: float) -> np.ndarray:
    """A part's treble rolled off above ``cutoff_hz`` (24 dB/octave): the round, deep bass of
    dub and boom-bap, whose string noise and upper harmonics are filtered away."""
    sos = signal.butter(4, min(float(cutoff_hz), 0.45 * sr), btype="low", fs=sr, output="sos")
    return signal.sosfilt(sos, audio, axis=0).astype(audio.dtype)


def drive(audio: np.ndarray, amount: float) -> np.ndarray:
    """tanh saturation, gain 1 (clean) to 6 (crunchy): adds the harmonics of a driven amp."""
    if amount <= 0.01:
        return audio
    peak = float(np.max(np.abs(audio))) or 1.0
    gain = 1.0 + 5.0 * float(amount)
    return np.tanh(gain * audio / peak) / np.tanh(gain) * peak


def compress(audio: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Feed-forward RMS compressor: threshold at the track's RMS, ratio 1:1 to 6:1,
    5 ms detector / 120 ms release on the gain: evens out the level the way a bus
    compressor glues a mix."""
    if amount <= 0.01:
        return audio
    # the gain computer runs in single precision: a level in dB needs no more, and a long
    # track's passes over memory halve
    level = mono(audio).astype(np.float32)
    threshold = float(np.sqrt(np.mean(np.square(level, dtype=np.float64)))) + 1e-9
    env = _one_pole(np.square(level), sr, 0.005)
    env += np.float32(1e-12)
    ratio = 1.0 + 5.0 * float(amount)
    # dB above threshold of the RMS envelope: 10*log10 of the mean square, floored at 0
    gain_db = np.log10(env / np.float32(threshold**2))
    gain_db *= np.float32(-10.0 * (1.0 - 1.0 / ratio))
    np.minimum(gain_db, 0.0, out=gain_db)
    gain_db = _one_pole(gain_db, sr, 0.12)
    gain = np.exp(gain_db * np.float32(np.log(10.0) / 20.0))
    return audio * gain[:, None]


def room_kernel(
    sr: int, amount: float, rng: np.random.Generator, channels: int = 2
) -> np.ndarray | None:
    """The room (reverb) as one impulse response per channel, ``(taps, channels)``:
    the dry signal (``1 - wet``) at tap 0 plus an exponentially decaying noise tail (RT60
    0.4-2.6 s after a 15 ms pre-delay), decorrelated L/R. None: no room."""
    if amount <= 0.01:
        return None
    rt60 = 0.4 + 2.2 * float(amount)
    n = int(rt60 * sr * 0.8)
    t = np.arange(n) / sr
    decay = np.exp(-6.9 * t / rt60)
    predelay = int(0.015 * sr)
    kernel = np.zeros((predelay + n, channels))
    for ch in range(channels):
        kernel[predelay:, ch] = rng.normal(size=n) * decay
    wet = 0.45 * float(amount)
    kernel *= wet / np.sqrt(np.sum(kernel**2, axis=0))
    kernel[0] += 1.0 - wet
    return kernel


def _convolve32(audio: np.ndarray, kernels: np.ndarray, mode: str = "full") -> np.ndarray:
    """Each channel of ``audio`` convolved with its column of ``kernels``, by FFT in single
    precision: twice as fast as double, and its rounding (about -140 dB) is far below the
    16-bit output's."""
    out = signal.oaconvolve(audio.astype(np.float32), kernels.astype(np.float32), mode=mode, axes=0)
    return out.astype(audio.dtype)


def mfcc_to_db(mfcc_mean) -> np.ndarray:
    """The smoothed long-term log-mel spectrum (dB per mel band) that MFCC means describe.

    An MFCC vector is the orthonormal DCT-II of a frame's log-mel spectrum, so the mean MFCC is
    the DCT of the mean log-mel spectrum; its first 20 coefficients invert to a smoothed curve.
    """
    import scipy.fft

    full = np.zeros(_N_MELS)
    coefs = np.asarray(mfcc_mean, dtype=np.float64)
    full[: len(coefs)] = coefs
    return scipy.fft.idct(full, type=2, norm="ortho")


def long_term_mfcc(audio: np.ndarray, sr: int) -> np.ndarray:
    """Mean MFCCs of a (mono-mixed) track at the GTZAN rate, with librosa's MFCC defaults as
    the tables used (its STFT pads the ends with zeros where the tables reflected: over a
    whole track that moves two frames of hundreds, which a tonal-balance curve does not feel)."""
    import librosa

    y = mono(audio)
    if sr != SAMPLE_RATE:
        y = librosa.resample(y, orig_sr=sr, target_sr=SAMPLE_RATE, res_type="soxr_hq")
    mfcc = librosa.feature.mfcc(y=y.astype(np.float32), sr=SAMPLE_RATE, n_mfcc=N_MFCC)
    return mfcc.mean(axis=1)


def reference_fir(
    audio: np.ndarray, sr: int, reference_mfcc, strength: float = 1.0
) -> np.ndarray | None:
    """The linear-phase EQ of :func:`match_reference` for this track (None: leave it as is)."""
    import librosa

    strength = float(np.clip(strength, 0.0, 1.0))
    if strength <= 0.0 or not np.any(audio):
        return None
    gain_db = mfcc_to_db(reference_mfcc) - mfcc_to_db(long_term_mfcc(audio, sr))
    gain_db = np.clip(strength * (gain_db - gain_db.mean()), -MAX_MATCH_DB, MAX_MATCH_DB)
    centres = librosa.mel_frequencies(_N_MELS + 2, fmax=SAMPLE_RATE / 2)[1:-1]
    freqs = np.concatenate([[0.0], centres, [sr / 2]])
    gains = 10 ** (np.concatenate([gain_db[:1], gain_db, gain_db[-1:]]) / 20)
    return signal.firwin2(_MATCH_TAPS, freqs, gains, fs=sr)


def apply_fir(audio: np.ndarray, fir: np.ndarray | None) -> np.ndarray:
    if fir is None:
        return audio
    # odd-length linear-phase FIR with "same": delay compensated, no shift against the MIDI
    return _convolve32(audio, fir[:, None], mode="same")


def match_reference(
    audio: np.ndarray, sr: int, reference_mfcc, strength: float = 1.0
) -> np.ndarray:
    """Linear-phase EQ that moves the track's tonal balance onto a reference spectrum.

    The reference is a genre's typical GTZAN recording (or, for a blend, the dB-interpolation
    of two genres' curves). The gain per mel band is ``strength * (reference - track)`` with its
    mean removed (level is set afterwards by the loudness stage), clipped to
    ±:data:`MAX_MATCH_DB`; above the top band (11 kHz) the top band's gain holds. This is the
    reference-track matching a mastering engineer does by ear, done from measured curves.
    """
    return apply_fir(audio, reference_fir(audio, sr, reference_mfcc, strength))


class _Bus:
    """The mix and, optionally, its stems (parts that sum to it), through one chain.

    A linear stage runs on the mix and on every stem (the room's one random response serves
    them all). A non-linear stage (drive, compression, limiter) runs
    on the mix only, and every stem is multiplied by the gain that stage applied to the mix at
    each sample and channel (its output over its input): a bus compressor keyed from the mix,
    and the drive's and limiter's curve read as the gain it gave that sample. The stems then
    keep summing to the mix through every stage.
    """

    def __init__(self, audio: np.ndarray, stems: dict[str, np.ndarray] | None):
        self.mix = audio.astype(np.float64)
        # a silent part stays silent through every stage: it is not processed
        self.silent = [k for k, v in (stems or {}).items() if not np.any(v)]
        self.stems = {
            k: np.asarray(v, dtype=np.float64) for k, v in (stems or {}).items() if np.any(v)
        }

    def outputs(self) -> dict[str, np.ndarray]:
        zeros = np.zeros(self.mix.shape, dtype=self.mix.dtype)
        return {**self.stems, **{k: zeros for k in self.silent}}

    def linear(self, fn, *args) -> None:
        self.mix = fn(self.mix, *args)
        self.stems = {k: fn(x, *args) for k, x in self.stems.items()}

    def room_and_reference(self, room: np.ndarray | None, design) -> None:
        """The room (:func:`room_kernel`), then the reference EQ that ``design`` makes from the
        mix heard in it (a linear-phase FIR, or None). A stem takes both as one convolution
        (the room's response through the EQ), one pass instead of two; the mix is cut from the
        same full convolution, so the stems keep summing to it."""
        n = len(self.mix)
        wet = self.mix if room is None else _convolve32(self.mix, room)
        fir = design(wet[:n])
        delay = 0 if fir is None else (len(fir) - 1) // 2  # linear phase: centre the FIR
        if fir is not None:
            wet = _convolve32(wet, fir[:, None])
        self.mix = wet[delay : delay + n]
        if fir is None and room is None:
            return
        if room is None:
            kernel = fir[:, None]
        elif fir is None:
            kernel = room
        else:
            kernel = np.stack(
                [signal.oaconvolve(room[:, c], fir) for c in range(room.shape[1])], axis=1
            )
        self.stems = {k: _convolve32(x, kernel)[delay : delay + n] for k, x in self.stems.items()}

    def nonlinear(self, fn, *args) -> None:
        before = self.mix
        self.mix = fn(before, *args)
        if self.stems and self.mix is not before:
            # where the mix is 0 its stems cancel, so any gain keeps the sum: take 1
            gain = np.divide(
                self.mix, before, out=np.ones_like(self.mix), where=np.abs(before) > 1e-12
            )
            self.stems = {k: x * gain for k, x in self.stems.items()}


def _limit(audio: np.ndarray) -> np.ndarray:
    """Soft limiter: linear below 0.8, tanh knee above, never reaching 1.0."""
    knee = 0.8
    out = audio.copy()
    flat = out.reshape(-1)
    over = np.flatnonzero((flat > knee) | (flat < -knee))  # few samples: work on those only
    x = flat[over]
    flat[over] = np.sign(x) * (knee + (1 - knee) * np.tanh((np.abs(x) - knee) / (1 - knee)))
    return out


def _chain(bus: _Bus, sr: int, mix: dict[str, Any], rng: np.random.Generator) -> None:
    bus.linear(tone, sr, mix["brightness"])
    bus.nonlinear(drive, mix["drive"])
    bus.nonlinear(compress, sr, mix["compression"])
    reference = mix.get("reference_mfcc")
    bus.room_and_reference(
        room_kernel(sr, mix["reverb"], rng, bus.mix.shape[1]),
        lambda wet: None if reference is None else reference_fir(wet, sr, reference),
    )
    bus.linear(_remove_dc)  # drive is asymmetric on asymmetric waves: re-centre
    rms = float(np.sqrt(np.mean(mono(bus.mix) ** 2)))
    if rms > 0:
        bus.linear(np.multiply, float(mix["loudness_rms"]) / rms)
    bus.nonlinear(_limit)
    bus.linear(lambda x: (x * 0.99).astype(np.float32))


def master(audio: np.ndarray, sr: int, mix: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """The whole chain, ending at the style's target RMS with a soft limit below full scale."""
    bus = _Bus(audio, None)
    _chain(bus, sr, mix, rng)
    return bus.mix


def master_with_stems(
    audio: np.ndarray,
    stems: dict[str, np.ndarray],
    sr: int,
    mix: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`master` of ``audio`` (the same result, the same draws from ``rng``) and its
    ``stems`` mastered with it (see :class:`_Bus`): they sum to the mastered mix as closely as
    they summed to ``audio``."""
    bus = _Bus(audio, stems)
    _chain(bus, sr, mix, rng)
    out = bus.outputs()
    return bus.mix, {k: out[k] for k in stems}
