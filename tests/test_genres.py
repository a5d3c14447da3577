"""Boundary validation of genre names, blend weights and generation requests."""

import math

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.generation.base import MAX_DURATION_S, validate_request
from genreblender.genres import GENRES, blend_label, validate_alpha, validate_genre


def test_ten_gtzan_genres_in_label_order():
    assert tuple(sorted(GENRES)) == GENRES
    assert len(GENRES) == 10
    assert "hiphop" in GENRES and "classical" in GENRES


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("Jazz", "jazz"), (" metal ", "metal"), ("hip hop", "hiphop"), ("Hip-Hop", "hiphop")],
)
def test_validate_genre_accepts_common_spellings(typed, canonical):
    assert validate_genre(typed) == canonical


@pytest.mark.parametrize("bad", ["polka", "", None, 3])
def test_validate_genre_rejects_and_lists_accepted(bad):
    with pytest.raises(InvalidInputError) as err:
        validate_genre(bad)
    assert "blues" in str(err.value) and "rock" in str(err.value)


@pytest.mark.parametrize("good", [0, 1, 0.7, "0.25", np.float32(0.5)])
def test_validate_alpha_accepts_unit_interval(good):
    assert 0.0 <= validate_alpha(good) <= 1.0


@pytest.mark.parametrize("bad", [-0.01, 1.01, math.nan, "much", None])
def test_validate_alpha_rejects(bad):
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        validate_alpha(bad)


def test_blend_label():
    assert blend_label("jazz", "metal", 0.7) == "70% jazz · 30% metal"
    assert blend_label("jazz", "jazz", 0.3) == "100% jazz"


def test_validate_request_normalises():
    req = validate_request("Hip Hop", "jazz", "0.5", 10, np.int64(3))
    assert (req.genre_a, req.genre_b, req.alpha, req.duration_s, req.seed) == (
        "hiphop",
        "jazz",
        0.5,
        10.0,
        3,
    )


@pytest.mark.parametrize(
    ("duration", "seed", "message"),
    [
        (0, 1, "duration"),
        (-5, 1, "duration"),
        (MAX_DURATION_S + 1, 1, "duration"),
        ("long", 1, "duration"),
        (10, 1.5, "seed"),
        (10, True, "seed"),
        (10, -1, "seed"),
        (10, 2**32, "seed"),
    ],
)
def test_validate_request_rejects(duration, seed, message):
    with pytest.raises(InvalidInputError, match=message):
        validate_request("jazz", "metal", 0.5, duration, seed)
