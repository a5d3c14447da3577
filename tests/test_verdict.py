"""The plain-words verdict on a blend, and which genres must lead for it to land."""

import pytest

from genreblender.app.verdict import blend_verdict, right_genres_on_top
from genreblender.evaluation.metrics import (
    LANDING_ALPHA_TOLERANCE,
    LANDING_MIN_MASS,
    blend_metrics,
)
from genreblender.genres import GENRES


def _dist(**mass):
    rest = (1 - sum(mass.values())) / (len(GENRES) - len(mass))
    return {g: mass.get(g, rest) for g in GENRES}


def _verdict(predicted, a, b, alpha):
    metrics = blend_metrics(predicted, a, b, alpha).to_dict()
    return blend_verdict(metrics, predicted, a, b, alpha)


def test_a_close_blend_lands_and_says_by_how_much():
    v = _verdict(_dist(jazz=0.6, metal=0.3), "jazz", "metal", 0.7)
    assert v.landed and v.right_genres_on_top
    assert v.on_target_mass == pytest.approx(0.9)
    assert v.alpha_error == pytest.approx(abs(0.6 / 0.9 - 0.7))
    assert v.headline == (
        "Landed: the classifier heard 67% jazz · 33% metal, 3 points from the "
        "70% jazz · 30% metal asked for"
    )


@pytest.mark.parametrize(("heard_a", "words"), [(0.71, "1 point from"), (0.84, "14 points from")])
def test_the_distance_in_points_is_pluralised(heard_a, words):
    v = _verdict(_dist(jazz=0.9 * heard_a, metal=0.9 * (1 - heard_a)), "jazz", "metal", 0.7)
    assert f"heard {round(100 * heard_a)}% jazz" in v.headline
    assert f", {words} the 70% jazz · 30% metal asked for" in v.headline


@pytest.mark.parametrize(
    ("mass", "why"),
    [
        ({"jazz": 0.95 * 0.7, "metal": 0.05 * 0.7}, "alpha off by more than the limit"),
        ({"jazz": 0.3, "metal": 0.13, "rock": 0.4}, "little mass on target, rock on top"),
    ],
)
def test_a_far_blend_does_not_land(mass, why):
    v = _verdict(_dist(**mass), "jazz", "metal", 0.7)
    assert not v.landed, why
    assert v.headline.startswith("Did not land:")
    assert v.alpha_error > LANDING_ALPHA_TOLERANCE or v.on_target_mass < LANDING_MIN_MASS


def test_pure_tracks_need_only_their_genre_on_top():
    # alpha = 1: metal is not asked for, so it need not be second (top2_match says no here)
    predicted = _dist(jazz=0.7, rock=0.2)
    metrics = blend_metrics(predicted, "jazz", "metal", 1.0)
    assert not metrics.top2_match
    assert right_genres_on_top(predicted, "jazz", "metal", 1.0)
    assert right_genres_on_top(_dist(metal=0.7), "jazz", "metal", 0.0)
    assert not right_genres_on_top(_dist(jazz=0.7), "jazz", "metal", 0.0)
    v = _verdict(predicted, "jazz", "metal", 1.0)
    assert v.on_target_mass == pytest.approx(0.7)  # only the asked-for genre counts


def test_the_landing_rule_decides_the_verdict():
    predicted = _dist(jazz=0.6, metal=0.3)
    metrics = blend_metrics(predicted, "jazz", "metal", 0.7).to_dict()
    assert metrics["landed"] and blend_verdict(metrics, predicted, "jazz", "metal", 0.7).landed
    v = blend_verdict(metrics | {"landed": False}, predicted, "jazz", "metal", 0.7)
    assert not v.landed and v.headline.startswith("Did not land:")
