"""The arithmetic of benchmarks/blend_bound_study.py on hand-made tracks."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
blend_bound_study = pytest.importorskip("blend_bound_study")

from genreblender.genres import GENRES  # noqa: E402


def _dist(**mass):
    d = dict.fromkeys(GENRES, 0.0)
    d.update(mass)
    rest = (1.0 - sum(mass.values())) / (len(GENRES) - len(mass))
    return {g: (v if g in mass else rest) for g, v in d.items()}


def _probs(**mass):
    d = _dist(**mass)
    return [d[g] for g in GENRES]


def _pure(genre, seed, dist, window_p):
    return {
        "a": genre,
        "b": genre,
        "seed": seed,
        "ears": {"mel-cnn": dist},
        "windows": {"starts_s": [0.0], "ends_s": [3.0], "probabilities": [window_p]},
    }


def test_mass_from_pure_songs_is_the_half_and_half_of_the_two_songs():
    pure = {
        ("jazz", 0): _pure("jazz", 0, _dist(jazz=0.6, metal=0.1), _probs(jazz=0.6)),
        ("metal", 0): _pure("metal", 0, _dist(metal=0.8, jazz=0.0), _probs(metal=0.8)),
    }
    blend = {"a": "jazz", "b": "metal", "seed": 0, "ears": {"mel-cnn": _dist(jazz=0.3, metal=0.2)}}
    bound = blend_bound_study.mass_bound(pure, [blend], "mel-cnn")
    assert bound["measured"] == pytest.approx(0.5)
    assert bound["from_pure_songs"] == pytest.approx(0.5 * (0.6 + 0.1 + 0.8 + 0.0))
    assert bound["n_tracks"] == 1
    # an ear that did not hear the blend (the judge on reggae) counts no track
    assert blend_bound_study.mass_bound(pure, [blend], "judge")["n_tracks"] == 0


def test_windows_are_sorted_into_opening_inside_and_across_a_change():
    sections = [
        {"genre": "jazz", "start_s": 0.0, "end_s": 5.0},
        {"genre": "metal", "start_s": 5.0, "end_s": 10.0},
    ]
    assert blend_bound_study._piece_of(sections, 1.5, 4.5)["genre"] == "jazz"
    assert blend_bound_study._piece_of(sections, 3.0, 6.0) is None
    assert blend_bound_study._piece_of(sections, 5.0, 8.0)["genre"] == "metal"

    pure = {
        ("jazz", 0): _pure("jazz", 0, _dist(jazz=0.6), _probs(jazz=0.7)),
        ("metal", 0): _pure("metal", 0, _dist(metal=0.8), _probs(metal=0.9)),
    }
    blend = {
        "a": "jazz",
        "b": "metal",
        "seed": 0,
        "ears": {"mel-cnn": _dist(jazz=0.4, metal=0.4)},
        "sections": sections,
        "windows": {
            "starts_s": [0.0, 1.5, 3.0, 5.0],
            "ends_s": [3.0, 4.5, 6.0, 8.0],
            "probabilities": [
                _probs(jazz=0.5),
                _probs(jazz=0.6, metal=0.1),
                _probs(country=0.9),
                _probs(metal=0.5),
            ],
        },
    }
    result = blend_bound_study.window_kinds(pure, [blend])
    kinds = result["kinds"]
    assert kinds["opening"]["share"] == pytest.approx(0.25)
    assert kinds["across a section change"]["share"] == pytest.approx(0.25)
    assert kinds["inside a piece"]["share"] == pytest.approx(0.5)
    # jazz 0.6 + metal 0.1; metal 0.5 + jazz's share of the rest
    assert kinds["inside a piece"]["mean_on_target_mass"] == pytest.approx(
        (0.7 + 0.5 + 0.5 / 9) / 2
    )
    assert kinds["across a section change"]["mean_on_target_mass"] == pytest.approx(
        2 * (0.1 / 9), abs=1e-9
    )
    own = result["own_genre_inside_pieces"]
    assert own["jazz"] == {
        "inside blends": pytest.approx(0.6),
        "piece alone": None,
        "pure song": 0.7,
    }
    assert own["metal"]["inside blends"] == pytest.approx(0.5)

    # the pieces heard on their own are averaged over all their windows, per genre
    blend["pieces_alone"] = [
        {"genre": "jazz", "p_own": [0.8, 0.6]},
        {"genre": "metal", "p_own": [0.4]},
    ]
    own = blend_bound_study.window_kinds(pure, [blend])["own_genre_inside_pieces"]
    assert own["jazz"]["piece alone"] == pytest.approx(0.7)
    assert own["metal"]["piece alone"] == pytest.approx(0.4)
    assert "blues" not in own
