"""benchmarks/blend_compare.py: blends of the 45 pairs on development seeds, every ear, and a
track-by-track comparison of two runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import blend_compare  # noqa: E402
from genreblender.errors import InvalidInputError  # noqa: E402


def test_seeds_are_ranges_or_lists_each_once():
    assert blend_compare.parse_seeds("700-703") == [700, 701, 702, 703]
    assert blend_compare.parse_seeds("5,3-4,5") == [5, 3, 4]
    for bad in ("seven", "704-700", "-3", "1,,2"):
        with pytest.raises(InvalidInputError, match="seeds"):
            blend_compare.parse_seeds(bad)


def test_score_is_the_mass_on_both_genres_and_whether_they_are_the_top_two():
    heard = {"jazz": 0.4, "metal": 0.1, "rock": 0.3, "pop": 0.2}
    assert blend_compare.score(heard, "jazz", "metal") == {
        "mass": pytest.approx(0.5),
        "top2": False,
    }
    assert blend_compare.score(heard, "rock", "jazz") == {"mass": pytest.approx(0.7), "top2": True}


def _row(a, b, seed, **ears):
    return {
        "a": a,
        "b": b,
        "seed": seed,
        "ears": {e: {"mass": m, "top2": m > 0.5} for e, m in ears.items()},
    }


def test_summary_gives_each_ear_its_own_tracks_and_the_spread_over_seeds():
    rows = [
        _row("jazz", "metal", 1, mel=0.6, judge=0.5),
        _row("jazz", "reggae", 1, mel=0.4),  # the judge cannot hear reggae
        _row("jazz", "metal", 2, mel=0.8, judge=0.7),
        _row("jazz", "reggae", 2, mel=0.6),
    ]
    out = blend_compare.summary(rows)
    assert out["mel"]["n"] == 4 and out["judge"]["n"] == 2
    assert out["mel"]["mass"] == pytest.approx(0.6)
    assert out["mel"]["mass_sd_over_seeds"] == pytest.approx(0.1414, abs=1e-4)  # 0.5 and 0.7
    assert out["mel"]["top2_rate"] == pytest.approx(0.75)  # 0.6, 0.8 and 0.6 are over 0.5
    assert out["judge"]["top2_rate"] == pytest.approx(0.5)


def test_paired_sets_each_track_against_the_same_pair_and_seed():
    before = [_row("jazz", "metal", 1, mel=0.5), _row("jazz", "metal", 2, mel=0.6)]
    after = [
        _row("jazz", "metal", 1, mel=0.6),
        _row("jazz", "metal", 2, mel=0.8),
        _row("jazz", "metal", 3, mel=0.0),  # no partner: left out
    ]
    mass = blend_compare.paired(before, after)["mel"]["mass"]
    assert mass["n"] == 2
    assert (mass["before"], mass["after"], mass["diff"]) == pytest.approx((0.55, 0.7, 0.15))
    assert mass["se"] == pytest.approx(0.05)
    top2 = blend_compare.paired(before, after)["mel"]["top2"]
    assert (top2["before"], top2["after"]) == pytest.approx((0.5, 1.0))


@pytest.mark.slow
def test_a_run_composes_every_pair_resumes_and_compares(tmp_path):
    """End to end on 3-s blends without the judge: 45 tracks, a re-run composes none again,
    and a run compared with itself differs by nothing."""
    script = ROOT / "benchmarks" / "blend_compare.py"
    out = tmp_path / "run"
    args = [sys.executable, str(script), "--seeds", "950", "--seconds", "3", "--no-judge"]
    first = subprocess.run([*args, "--out", str(out)], capture_output=True, text=True, check=True)
    assert "45 pairs heard" in first.stdout
    rows = [json.loads(line) for line in (out / "tracks.jsonl").read_text().splitlines()]
    assert len(rows) == 45 and {r["seed"] for r in rows} == {950}
    assert set(rows[0]["ears"]) == {"mel-cnn", "features-mlp"}
    assert rows[0]["model_version"].startswith("genreblender-composer ")
    again = subprocess.run(
        [*args, "--out", str(out), "--compare", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len((out / "tracks.jsonl").read_text().splitlines()) == 45  # nothing composed twice
    assert "(+0.0000±0.0000)" in again.stdout


def test_bad_input_is_said_before_any_work(tmp_path, refused_before_work):
    refused_before_work(
        "blend_compare.py",
        (
            (["--seeds", "x"], "is not a seed"),
            (["--alpha", "1.5"], "alpha"),
            (["--seconds", "0"], "--seconds takes 3 to 120"),
            (["--compare", str(tmp_path / "none")], "no run at"),
        ),
    )
