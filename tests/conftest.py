"""Shared test fixtures: the optional ../shared data and small synthetic audio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genreblender.paths import shared_data_dir


@pytest.fixture(scope="session")
def shared_data():
    """``../shared/data`` or skip: a user's machine has no shared folder."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is absent (it exists on the development and CI machines)")
    return path


@pytest.fixture(scope="session")
def gtzan_dir(shared_data):
    return shared_data / "gtzan"


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def tone_clip():
    """A 5-s mono 22050 Hz test signal: a decaying chord with clicks (not silent, not noise)."""
    sr = 22050
    t = np.arange(5 * sr) / sr
    y = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    clicks = (np.mod(t, 0.5) < 0.01).astype(float) * np.random.default_rng(0).normal(size=t.size)
    return (0.3 * y * np.exp(-np.mod(t, 0.5) * 4) + 0.2 * clicks).astype(np.float32), sr


@pytest.fixture
def fake_parts(monkeypatch):
    """Sweep workers that use the fake engine and listener (tests/fakes.py); returns the fake
    engine, whose ``calls`` count the jobs that ran."""
    from genreblender.evaluation import sweep as sweep_mod

    from .fakes import FakeClassifier, FakeGenerator

    generator, classifier = FakeGenerator(bias=0.0), FakeClassifier()

    def parts(engine, options, judge, listener):
        return generator, classifier, None

    monkeypatch.setattr(sweep_mod, "_worker_parts", parts)
    return generator


@pytest.fixture
def refused_before_work(tmp_path):
    """``check(script, cases)``: each ``(arguments, message)`` of ``cases`` makes
    ``benchmarks/<script>`` exit non-zero saying ``message``, before it writes its output folder
    (the work a bad argument must not cost)."""
    benchmarks = Path(__file__).resolve().parents[1] / "benchmarks"

    def check(script: str, cases) -> None:
        out = tmp_path / "o"
        for args, said in cases:
            done = subprocess.run(
                [sys.executable, str(benchmarks / script), "--out", str(out), *args],
                capture_output=True,
                text=True,
            )
            assert done.returncode != 0 and said in done.stderr, (args, done.stderr)
            assert not out.exists()

    return check
