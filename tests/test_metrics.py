"""Blend metrics: target distribution, divergences, alpha_hat, leakage, top-2."""

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.evaluation.metrics import METRIC_DOCS, blend_metrics, target_distribution
from genreblender.genres import GENRES


def onehot(**mass):
    p = np.zeros(10)
    for g, v in mass.items():
        p[GENRES.index(g)] = v
    return p


def test_target_distribution():
    t = target_distribution("jazz", "metal", 0.7)
    assert t[GENRES.index("jazz")] == pytest.approx(0.7)
    assert t[GENRES.index("metal")] == pytest.approx(0.3)
    assert t.sum() == pytest.approx(1.0)
    same = target_distribution("rock", "rock", 0.2)
    assert same[GENRES.index("rock")] == 1.0 and same.sum() == 1.0


def test_perfect_prediction_scores_zero():
    m = blend_metrics(target_distribution("jazz", "metal", 0.7), "jazz", "metal", 0.7)
    assert m.js == pytest.approx(0.0, abs=1e-12)
    assert m.kl == pytest.approx(0.0, abs=1e-4)
    assert m.tv == pytest.approx(0.0)
    assert m.alpha_hat == pytest.approx(0.7)
    assert m.leakage == pytest.approx(0.0)
    assert m.top2_match


def test_disjoint_prediction_is_maximally_wrong():
    m = blend_metrics(onehot(pop=1.0), "jazz", "metal", 0.5)
    assert m.js == pytest.approx(1.0)
    assert m.tv == pytest.approx(1.0)
    assert m.leakage == pytest.approx(1.0)
    assert m.alpha_hat == 0.5  # undefined when p(A) + p(B) = 0: reported as even
    assert m.kl > 10  # bounded by the smoothing, not infinite
    assert not m.top2_match


def test_alpha_hat_and_leakage():
    m = blend_metrics(onehot(jazz=0.3, metal=0.1, rock=0.6), "jazz", "metal", 0.7)
    assert m.alpha_hat == pytest.approx(0.75)
    assert m.leakage == pytest.approx(0.6)
    assert not m.top2_match  # rock is on top
    # the dict form gives the same numbers
    d = blend_metrics({"jazz": 0.3, "metal": 0.1, "rock": 0.6}, "jazz", "metal", 0.7)
    assert d.to_dict() == m.to_dict()


def test_js_is_symmetric_kl_is_not():
    p = onehot(jazz=0.5, metal=0.2, rock=0.3)
    m = blend_metrics(p, "jazz", "metal", 0.6)
    manual_js = _js(m.target, p)
    assert m.js == pytest.approx(manual_js)


def _js(p, q):
    mid = (p + q) / 2

    def kl(x, y):
        mask = x > 0
        return np.sum(x[mask] * np.log2(x[mask] / y[mask]))

    return 0.5 * kl(p, mid) + 0.5 * kl(q, mid)


def test_same_genre_pair():
    m = blend_metrics(onehot(rock=0.8, pop=0.2), "rock", "rock", 0.3)
    assert m.alpha_hat == 1.0 and m.leakage == pytest.approx(0.2) and m.top2_match


@pytest.mark.parametrize("bad", [np.ones(3), -onehot(jazz=1.0), np.zeros(10), {"polka": 1.0}])
def test_bad_predictions(bad):
    with pytest.raises(InvalidInputError):
        blend_metrics(bad, "jazz", "metal", 0.5)


def test_every_metric_is_documented():
    m = blend_metrics(onehot(jazz=1.0), "jazz", "metal", 0.5)
    assert set(m.to_dict()) == set(METRIC_DOCS)
