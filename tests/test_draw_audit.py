"""benchmarks/draw_audit.py: which drawn values every ear hears as less of the genre."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import draw_audit  # noqa: E402


def test_draws_name_each_part_and_layer_whichever_genre_plays_it():
    metadata = {
        "key": "D dorian",
        "ending": "fade",
        "form": ["intro:1", "verse:6"],
        "instruments": [
            {"part": "drums", "program": 0},
            {"part": "comp:reggae", "program": 27},
            {"part": "comp:reggae:double", "program": 17},
            {"part": "lead:reggae", "program": 53},
        ],
    }
    assert draw_audit.draws(metadata) == {
        "mode": "dorian",
        "ending": "fade",
        "form": "intro+verse",
        "program drums": "0",
        "program comp": "27",
        "program comp:double": "17",
        "program lead": "53",
    }


def _songs(lower_for: dict[str, float], n: int = 30) -> list[dict]:
    """Songs drawing program 11 a third of the time; ``lower_for[ear]`` is how much lower that
    ear hears the genre in those songs, over a small seeded spread."""
    rng = np.random.default_rng(0)
    songs = []
    for i in range(n):
        value = "11" if i % 3 == 0 else "65"
        p_own = {
            ear: 0.6 - (shift if value == "11" else 0.0) + rng.normal(0, 0.02)
            for ear, shift in lower_for.items()
        }
        songs.append({"draws": {"program lead": value}, "p_own": p_own})
    return songs


def test_a_value_every_ear_hears_lower_is_flagged():
    found = draw_audit.findings(_songs({"mel-cnn": 0.2, "judge": 0.1}), min_count=5)
    by_value = {f["value"]: f for f in found}
    assert by_value["11"]["every_ear_lower"] and by_value["11"]["n"] == 10
    assert by_value["11"]["diffs"]["mel-cnn"][0] < -0.15
    assert not by_value["65"]["every_ear_lower"]


def test_a_value_one_ear_does_not_hear_lower_is_not_flagged():
    found = draw_audit.findings(_songs({"mel-cnn": 0.2, "judge": 0.0}), min_count=5)
    assert not any(f["every_ear_lower"] for f in found)


def test_values_drawn_too_rarely_or_by_every_song_are_left_out():
    found = draw_audit.findings(_songs({"mel-cnn": 0.2}), min_count=11)
    assert [(f["value"], f["n"]) for f in found] == [("65", 20)]  # "11" came up 10 times
    same = [{"draws": {"mode": "major"}, "p_own": {"judge": 0.5 + i / 100}} for i in range(9)]
    assert draw_audit.findings(same, min_count=2) == []


def test_paired_sets_each_song_against_the_same_genre_and_seed_of_the_other_run():
    def row(genre, seed, p):
        return {"genre": genre, "seed": seed, "p_own": {"mel-cnn": p}}

    before = [row("jazz", 1, 0.5), row("jazz", 2, 0.6), row("rock", 1, 0.9), row("rock", 2, 0.9)]
    after = [row("jazz", 1, 0.6), row("jazz", 2, 0.8), row("jazz", 3, 0.0), row("rock", 1, 0.9)]
    out = draw_audit.paired(before, after)
    jazz = out["jazz"]["mel-cnn"]
    assert jazz["n"] == 2  # seed 3 has no partner
    assert (jazz["before"], jazz["after"], jazz["diff"]) == pytest.approx((0.55, 0.7, 0.15))
    assert jazz["se"] == pytest.approx(0.05)  # differences 0.1 and 0.2: sd 0.0707 / sqrt 2
    assert "rock" not in out  # one pair: no spread to judge a difference by


def test_a_value_drawn_once_or_by_every_song_but_one_is_left_out():
    songs = [
        {"draws": {"program lead": "11" if i == 0 else "65"}, "p_own": {"judge": 0.5 + i / 100}}
        for i in range(6)
    ]
    assert draw_audit.findings(songs, min_count=1) == []  # no spread on one side
    songs[1]["draws"]["program lead"] = "11"
    assert [f["value"] for f in draw_audit.findings(songs, min_count=1)] == ["11", "65"]


def test_bad_input_is_said_before_any_work(tmp_path, refused_before_work):
    refused_before_work(
        "draw_audit.py",
        (
            (["--genres", "polka"], "polka"),
            (["--seeds", "1"], "--seeds takes 2 or more"),
            (["--seed-offset", "-1"], "--seed-offset takes 0 or more"),
            (["--seconds", "2"], "--seconds takes 3 to 600"),
            (["--compare", str(tmp_path / "none")], "no audit at"),
        ),
    )
