"""Master bus: tone (brightness), drive, compression, reverb and loudness, each set by the
(blended) style's mix parameters. GTZAN genres differ as much in production as in notes."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal


def _one_pole(x: np.ndarray, sr: int, time_s: float) -> np.ndarray:
    a = np.exp(-1.0 / (time_s * sr))
    return signal.lfilter([1 - a], [1, -a], x, axis=0)


def dc_block(audio: np.ndarray, sr: int) -> np.ndarray:
    """High-pass at 25 Hz: a mastered track carries no DC offset or sub-sonic rumble."""
    sos = signal.butter(2, 25.0, btype="high", fs=sr, output="sos")
    return signal.sosfilt(sos, audio, axis=0)


def brighten(audio: np.ndarray, sr: int, brightness: float) -> np.ndarray:
    """Tilt the tone: 0.5 leaves it as rendered; below, a 12 dB/octave low-pass from 16 kHz
    down to 2.5 kHz (dark: a classical hall, a dusty sample); above, a high shelf from 3 kHz
    rising to +9 dB (bright: modern pop and metal masters)."""
    brightness = float(np.clip(brightness, 0, 1))
    if brightness < 0.5:
        cutoff = 2500.0 * (16000.0 / 2500.0) ** (2 * brightness)
        sos = signal.butter(2, min(cutoff, 0.45 * sr), btype="low", fs=sr, output="sos")
        return signal.sosfilt(sos, audio, axis=0)
    gain = 10 ** (9.0 * (brightness - 0.5) * 2 / 20) - 1.0
    sos = signal.butter(2, 3000.0, btype="high", fs=sr, output="sos")
    return audio + gain * signal.sosfilt(sos, audio, axis=0)


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
    mono = audio.mean(axis=1)
    env = np.sqrt(_one_pole(mono**2, sr, 0.005) + 1e-12)
    threshold = float(np.sqrt(np.mean(mono**2))) + 1e-9
    ratio = 1.0 + 5.0 * float(amount)
    over_db = np.maximum(20 * np.log10(env / threshold), 0.0)
    gain_db = -over_db * (1.0 - 1.0 / ratio)
    gain_db = _one_pole(gain_db, sr, 0.12)
    return audio * (10 ** (gain_db / 20))[:, None]


def reverb(audio: np.ndarray, sr: int, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Room from an exponentially decaying noise tail (RT60 0.4-2.6 s), decorrelated L/R."""
    if amount <= 0.01:
        return audio
    rt60 = 0.4 + 2.2 * float(amount)
    n = int(rt60 * sr * 0.8)
    t = np.arange(n) / sr
    decay = np.exp(-6.9 * t / rt60)
    predelay = int(0.015 * sr)
    wet = np.empty_like(audio)
    for ch in range(audio.shape[1]):
        ir = np.concatenate([np.zeros(predelay), rng.normal(size=n) * decay])
        ir /= np.sqrt(np.sum(ir**2))
        wet[:, ch] = signal.oaconvolve(audio[:, ch], ir)[: len(audio)]
    mix = 0.45 * float(amount)
    return (1 - mix) * audio + mix * wet


def master(audio: np.ndarray, sr: int, mix: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """The whole chain, ending at the style's target RMS with a soft limit below full scale."""
    audio = dc_block(audio.astype(np.float64), sr)
    audio = brighten(audio, sr, mix["brightness"])
    audio = drive(audio, mix["drive"])
    audio = compress(audio, sr, mix["compression"])
    audio = reverb(audio, sr, mix["reverb"], rng)
    audio -= audio.mean(axis=0)  # drive is asymmetric on asymmetric waves: re-centre
    rms = float(np.sqrt(np.mean(audio.mean(axis=1) ** 2)))
    if rms > 0:
        audio *= float(mix["loudness_rms"]) / rms
    # soft limiter: linear below 0.8, tanh knee above, never reaching 1.0
    knee = 0.8
    over = np.abs(audio) > knee
    audio[over] = np.sign(audio[over]) * (
        knee + (1 - knee) * np.tanh((np.abs(audio[over]) - knee) / (1 - knee))
    )
    return (audio * 0.99).astype(np.float32)
