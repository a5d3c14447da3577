"""Small stand-ins for the engine and the classifier, for fast tests of the evaluation loop."""

import numpy as np

from genreblender.classification.result import ClassificationResult
from genreblender.generation.base import GenerationResult
from genreblender.genres import GENRES


class FakeGenerator:
    """Encodes its request in the audio: the fake classifier reads alpha back (with a bias)."""

    name = "fake"
    output_licence = "test"
    model_version = "fake-1"

    def __init__(self, bias=0.2):
        self.bias = bias
        self.calls = []

    def generate(self, genre_a, genre_b, alpha, duration_s, seed):
        self.calls.append((genre_a, genre_b, alpha, seed))
        sr = 8000
        n = int(duration_s * sr)
        rng = np.random.default_rng(seed)
        audio = np.full(n, 0.1, dtype=np.float32)
        # heard alpha: a monotone but biased response, plus seed noise
        heard = np.clip(alpha**1.6 + self.bias * (alpha - alpha**2) + rng.normal(0, 0.05), 0, 1)
        audio[:4] = [GENRES.index(genre_a), GENRES.index(genre_b), heard, seed]
        meta = {
            "engine": "fake",
            "genre_a": genre_a,
            "genre_b": genre_b,
            "alpha": alpha,
            "seed": seed,
            "duration_s": duration_s,
            "model_version": self.model_version,
        }
        return GenerationResult(audio=audio, sample_rate=sr, metadata=meta)


def one_window_result(p: np.ndarray, duration_s: float, name: str) -> ClassificationResult:
    """A track heard as one window with distribution ``p``."""
    return ClassificationResult(
        GENRES, p, p[None, :], np.array([0.0]), np.array([duration_s]), duration_s, {"name": name}
    )


class FakeClassifier:
    def classify(self, audio, sr=None):
        a, b, heard = int(audio[0]), int(audio[1]), float(audio[2])
        p = np.full(10, 0.02)
        p[a] += 0.8 * heard
        p[b] += 0.8 * (1 - heard)
        p /= p.sum()
        return one_window_result(p, len(audio) / sr, "fake")

    def describe(self):
        return {"name": "fake"}


class ResponseGenerator:
    """An engine whose heard blend is a given function of the internal weight: ``response(alpha,
    seed) -> (alpha_hat, on_target_mass)``, read back by :class:`ResponseClassifier`."""

    name = "fake-response"
    output_licence = "test"

    def __init__(self, response):
        self.response = response
        self.calls = []

    def generate(self, genre_a, genre_b, alpha, duration_s, seed):
        self.calls.append((genre_a, genre_b, alpha, seed))
        heard, mass = self.response(alpha, seed)
        sr = 8000
        audio = np.full(int(duration_s * sr), 0.1, dtype=np.float32)
        audio[:5] = [GENRES.index(genre_a), GENRES.index(genre_b), heard, mass, seed]
        meta = {
            "engine": "fake-response",
            "genre_a": genre_a,
            "genre_b": genre_b,
            "alpha": alpha,
            "seed": seed,
            "duration_s": duration_s,
            "model_version": "fake-response-1",
        }
        return GenerationResult(audio=audio, sample_rate=sr, metadata=meta)


class ResponseClassifier:
    """Hears ``mass * alpha_hat`` on A, ``mass * (1 - alpha_hat)`` on B, the rest spread evenly
    over the other eight genres (all on A when A = B)."""

    def __init__(self, name="fake-response-listener"):
        self.name = name

    def classify(self, audio, sr=None):
        a, b, heard, mass = int(audio[0]), int(audio[1]), float(audio[2]), float(audio[3])
        p = np.full(10, (1.0 - mass) / 8)
        p[a], p[b] = 0.0, 0.0
        p[a] += mass * heard
        p[b] += mass * (1.0 - heard)
        p /= p.sum()
        return one_window_result(p, len(audio) / sr, self.name)


class MixGenerator:
    """An engine of mixes: the track it makes is heard (by :class:`MixClassifier`) as 0.8 of its
    target plus 0.2 spread evenly, give or take seed noise. With ``power`` > 1 the target's
    weights are heard raised to that power (renormalised): the heaviest genre is over-heard."""

    name = "fake-mix"
    output_licence = "test"

    def __init__(self, power: float = 1.0):
        self.calls = []
        self.power = power

    def generate_mix(self, mix, duration_s, seed):
        self.calls.append((mix.text, seed))
        rng = np.random.default_rng(seed)
        shaped = np.asarray(mix.target(), float) ** self.power
        heard = 0.8 * shaped / shaped.sum() + 0.02 + rng.uniform(0, 0.03, 10)
        sr = 8000
        audio = np.full(int(duration_s * sr), 0.1, dtype=np.float32)
        audio[:10] = heard / heard.sum()
        meta = {"engine": "fake-mix", "mix": mix.to_dict(), "seed": seed, "model_version": "m-1"}
        meta["duration_s"] = duration_s
        return GenerationResult(audio=audio, sample_rate=sr, metadata=meta)

    def generate(self, genre_a, genre_b, alpha, duration_s, seed):
        from genreblender.mixes import Mix

        return self.generate_mix(Mix.pair(genre_a, genre_b, alpha), duration_s, seed)


class MixClassifier:
    name = "fake-mix-listener"

    def classify(self, audio, sr=None):
        p = np.asarray(audio[:10], dtype=float)
        return one_window_result(p / p.sum(), len(audio) / sr, self.name)
