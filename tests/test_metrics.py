"""Blend metrics: target distribution, divergences, alpha_hat, leakage, top-2."""

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.evaluation.metrics import (
    LANDING_ALPHA_TOLERANCE,
    LANDING_MIN_MASS,
    METRIC_DOCS,
    blend_metrics,
    target_distribution,
)
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


# -- on-target mass and the landing verdict -------------------------------------------------------
def test_leakage_fools_alpha_hat_but_not_the_verdict():
    # the case found on main: alpha_hat exact while neither genre is really heard
    p = onehot(classical=0.05, hiphop=0.05, pop=0.6, rock=0.3)
    m = blend_metrics(p, "classical", "hiphop", 0.5)
    assert m.alpha_hat == pytest.approx(0.5) and m.abs_alpha_error == pytest.approx(0.0)
    assert m.on_target_mass == pytest.approx(0.1)
    assert m.js > 0.7
    assert not m.landed
    assert m.landing.missed_by["mass"] == pytest.approx(LANDING_MIN_MASS - 0.1)
    # rock (0.3) beats the weaker of the two asked genres (0.05)
    assert m.landing.missed_by["rank"] == pytest.approx(0.6 - 0.05)
    assert "alpha" not in m.landing.missed_by
    assert m.landing.summary.startswith("did not land; missed by ")
    assert "on-target mass 0.10 < 0.5" in m.landing.summary


def test_a_clean_blend_lands():
    m = blend_metrics(onehot(jazz=0.45, metal=0.35, rock=0.2), "jazz", "metal", 0.5)
    assert m.on_target_mass == pytest.approx(0.8)
    assert m.abs_alpha_error == pytest.approx(0.45 / 0.8 - 0.5)
    assert m.landed and m.landing.missed_by == {} and m.landing.summary == "landed"


def test_each_condition_fails_on_its_own():
    # rank only: A and B hold most of the mass, but a third genre sits between them
    rank = blend_metrics(onehot(jazz=0.4, rock=0.25, metal=0.2, pop=0.15), "jazz", "metal", 0.6)
    assert set(rank.landing.missed_by) == {"rank"}
    assert rank.landing.missed_by["rank"] == pytest.approx(0.05)
    # mass only: top two, but only 0.4 of the mass (the rest spread thin)
    rest = {g: 0.6 / 8 for g in GENRES if g not in ("jazz", "metal")}
    mass = blend_metrics(onehot(jazz=0.2, metal=0.2, **rest), "jazz", "metal", 0.5)
    assert set(mass.landing.missed_by) == {"mass"}
    # alpha only: clearly heard, but the wrong way round
    alpha = blend_metrics(onehot(jazz=0.2, metal=0.7, rock=0.1), "jazz", "metal", 0.6)
    assert set(alpha.landing.missed_by) == {"alpha"}
    assert alpha.landing.missed_by["alpha"] == pytest.approx(
        abs(0.2 / 0.9 - 0.6) - LANDING_ALPHA_TOLERANCE
    )


def test_a_tie_in_rank_is_a_miss():
    m = blend_metrics(onehot(jazz=0.4, metal=0.3, rock=0.3), "jazz", "metal", 0.55)
    assert m.landing.missed_by == {"rank": 0.0} and not m.landed


@pytest.mark.parametrize(("alpha", "pure"), [(1.0, "jazz"), (0.0, "metal")])
def test_pure_ends_need_only_the_dominant_genre_on_top(alpha, pure):
    # a pure track: the other genre may be absent and need not be second
    p = onehot(**{pure: 0.7, "rock": 0.2, "pop": 0.1})
    m = blend_metrics(p, "jazz", "metal", alpha)
    assert m.landed and m.abs_alpha_error == pytest.approx(0.0)
    # ... but it must be on top
    flipped = blend_metrics(onehot(**{pure: 0.3, "rock": 0.7}), "jazz", "metal", alpha)
    assert set(flipped.landing.missed_by) == {"rank", "mass"}


def test_near_pure_alpha_does_not_require_the_minor_genre():
    # at alpha 0.9 a track without any metal is within the alpha tolerance and lands
    m = blend_metrics(onehot(jazz=0.8, rock=0.2), "jazz", "metal", 0.9)
    assert m.alpha_hat == 1.0 and m.landed
    # at alpha 0.8 metal's weight (0.2) exceeds the tolerance, so it must beat rock
    m = blend_metrics(onehot(jazz=0.7, metal=0.1, rock=0.2), "jazz", "metal", 0.8)
    assert "rank" in m.landing.missed_by


def test_same_genre_lands_when_it_is_on_top_with_half_the_mass():
    assert blend_metrics(onehot(rock=0.6, pop=0.4), "rock", "rock", 0.3).landed
    low = blend_metrics(onehot(rock=0.45, pop=0.3, jazz=0.25), "rock", "rock", 0.3)
    assert set(low.landing.missed_by) == {"mass"}
    assert low.abs_alpha_error == 0.0


def test_metrics_over_a_subset_of_genres():
    # a judge that cannot see reggae scores over nine genres; A and B must be among them
    nine = tuple(g for g in GENRES if g != "reggae")
    p = {g: (0.4 if g in ("jazz", "metal") else 0.2 / 7) for g in nine}
    m = blend_metrics(p, "jazz", "metal", 0.5, genres=nine)
    assert m.landed and m.on_target_mass == pytest.approx(0.8)
    with pytest.raises(InvalidInputError, match="reggae is not among"):
        blend_metrics(p, "jazz", "reggae", 0.5, genres=nine)
