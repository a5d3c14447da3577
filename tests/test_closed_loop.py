"""Closed loop with a fake engine whose heard alpha is biased: both strategies must help."""

import pytest

from genreblender.evaluation.closed_loop import best_of_n, calibrate_alpha
from genreblender.evaluation.track import evaluate_track

from .fakes import FakeClassifier, FakeGenerator


def _plain(gen, clf, alpha, seed):
    r = gen.generate("jazz", "metal", alpha, 3.0, seed)
    return evaluate_track(r.audio, r.sample_rate, "jazz", "metal", alpha, classifier=clf)


def test_best_of_n_keeps_the_closest_candidate():
    gen, clf = FakeGenerator(), FakeClassifier()
    loop = best_of_n(gen, "jazz", "metal", 0.5, 3.0, seeds=range(6), classifier=clf)
    assert len(loop.trials) == 6 and len(gen.calls) == 6
    assert loop.evaluation.metrics.js == pytest.approx(min(t["js"] for t in loop.trials))
    assert loop.result.metadata["seed"] in range(6)


def test_calibration_reduces_alpha_error():
    gen, clf = FakeGenerator(bias=0.0), FakeClassifier()
    errors_plain, errors_cal = [], []
    for alpha in (0.3, 0.5, 0.7):
        errors_plain.append(abs(_plain(gen, clf, alpha, 1).metrics.alpha_hat - alpha))
        done = []
        loop = calibrate_alpha(
            gen,
            "jazz",
            "metal",
            alpha,
            3.0,
            seed=1,
            classifier=clf,
            progress=lambda d, t, done=done: done.append((d, t)),
        )
        errors_cal.append(abs(loop.evaluation.metrics.alpha_hat - alpha))
        assert len(loop.trials) <= 6
        assert done[-1][0] == done[-1][1]
        # alpha' moved in the right direction: the fake under-reports, so alpha' > alpha
        if errors_plain[-1] > 0.03:
            assert loop.internal_alpha > alpha
    assert sum(errors_cal) < 0.5 * sum(errors_plain)


def test_calibration_of_same_genre_is_one_generation():
    gen = FakeGenerator()
    loop = calibrate_alpha(gen, "rock", "rock", 0.4, 3.0, seed=0, classifier=FakeClassifier())
    assert len(gen.calls) == 1 and loop.internal_alpha == 0.4
