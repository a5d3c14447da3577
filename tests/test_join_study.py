"""benchmarks/join_study.py: where a sectioned blend's windows lie (inside a section or across a
join) and what the joins cost each ear."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import join_study  # noqa: E402

SECTIONS = [
    {"genre": "jazz", "start_s": 0.0, "end_s": 5.0},
    {"genre": "metal", "start_s": 5.0, "end_s": 15.0},
    {"genre": "jazz", "start_s": 15.0, "end_s": 20.0},
]


def test_a_window_is_inside_a_section_or_across_a_join_with_its_share_before_it():
    assert join_study.place(0.0, 3.0, SECTIONS) == {"in": "jazz"}
    assert join_study.place(6.0, 9.0, SECTIONS) == {"in": "metal"}
    assert join_study.place(4.5, 7.5, SECTIONS) == {
        "in": "join",
        "before": pytest.approx(1 / 6, abs=1e-4),
    }
    assert join_study.place(13.5, 16.5, SECTIONS) == {"in": "join", "before": 0.5}
    # a window reaching a crossfade's length past its section's end is still inside it
    assert join_study.place(2.03, 5.03, SECTIONS) == {"in": "jazz"}
    # a window padded past the track's end belongs to the last section
    assert join_study.place(18.0, 21.0, SECTIONS) == {"in": "jazz"}


def _window(start, mass, where, before=None):
    w = {"start_s": start, "mass": mass, "in": where}
    if before is not None:
        w["before"] = before
    return w


def test_summary_prices_the_joins_by_the_windows_inside_the_same_track():
    rows = [
        {
            "seed": 0,
            "ears": {
                "mel": [
                    _window(0, 0.8, "jazz"),
                    _window(1.5, 0.4, "join", 0.5),
                    _window(3, 0.6, "metal"),
                    _window(4.5, 0.5, "join", 0.2),
                ],
                "mlp": [_window(0, 0.3, "join", 0.4)],  # one window for the track: left out
            },
        },
        {"seed": 1, "ears": {"mel": [_window(0, 0.9, "rock"), _window(1.5, 0.7, "rock")]}},
    ]
    out = join_study.summary(rows)
    assert set(out) == {"mel"}
    mel = out["mel"]
    assert mel["tracks"] == 2 and mel["windows"] == 6
    assert mel["mass"] == pytest.approx((0.575 + 0.8) / 2)
    # the first track's joins heard like its inside windows (0.7): 0.7; the second has none
    assert mel["mass_joins_free"] == pytest.approx((0.7 + 0.8) / 2)
    assert mel["join_share"] == pytest.approx(2 / 6)
    assert mel["mass_inside"] == pytest.approx(0.75)
    assert mel["mass_at_joins"] == pytest.approx(0.45)
    assert mel["mass_by_share_before_join"] == {
        "0.25": {"n": 1, "mass": pytest.approx(0.5)},
        "0.5": {"n": 1, "mass": pytest.approx(0.4)},
    }


@pytest.mark.slow
def test_a_run_places_every_window_and_draws_the_joins(tmp_path):
    """End to end on 6-s blends without the judge: every pair heard once, each window placed,
    the features MLP (30-s windows) left out, a plot drawn, and a re-run composes nothing."""
    script = ROOT / "benchmarks" / "join_study.py"
    out = tmp_path / "run"
    args = [sys.executable, str(script), "--seeds", "951", "--seconds", "6", "--no-judge"]
    first = subprocess.run([*args, "--out", str(out)], capture_output=True, text=True, check=True)
    assert "45 pairs heard" in first.stdout and "joins free" in first.stdout
    rows = [json.loads(line) for line in (out / "tracks.jsonl").read_text().splitlines()]
    assert len(rows) == 45 and set(rows[0]["ears"]) == {"mel-cnn"}
    for row in rows:
        genres = {s["genre"] for s in row["sections"]}
        for w in row["ears"]["mel-cnn"]:
            assert w["in"] == "join" and 0 < w["before"] < 1 or w["in"] in genres
    assert (out / "join_study.png").stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["mel-cnn"]["join_share"] < 1
    subprocess.run([*args, "--out", str(out)], capture_output=True, text=True, check=True)
    assert len((out / "tracks.jsonl").read_text().splitlines()) == 45


def test_bad_input_is_said_before_any_work(tmp_path, refused_before_work):
    refused_before_work(
        "join_study.py",
        (
            (["--alpha", "1"], "one genre alone"),
            (["--alpha", "-0.1"], "alpha"),
            (["--seconds", "200"], "--seconds takes 3 to 120"),
            (["--seeds", "x"], "is not a seed"),
        ),
    )
