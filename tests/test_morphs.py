"""Morphs: blends that move. The curve's parsing and validation, the piece plan that follows it,
the composer's morph, the timeline figures by hand, and the pipeline and CLI round trips."""

import json

import numpy as np
import pytest

from genreblender.classification.result import ClassificationResult
from genreblender.errors import InvalidInputError
from genreblender.evaluation.morph import SPAN_S, morph_timeline
from genreblender.generation.base import GenerationResult, generate_blend
from genreblender.generation.composer.sections import MORPH_MIN_PIECE_S, plan_morph_pieces
from genreblender.genres import GENRES
from genreblender.mixes import parse_alpha_curve, parse_mix_curve


# -- the curve -------------------------------------------------------------------------------
def test_alpha_curve_is_linear_between_keyframes_and_held_outside():
    morph = parse_alpha_curve("0:1, 30:0", "jazz", "metal")
    assert morph.genres == ("jazz", "metal") and morph.times == (0.0, 30.0)
    assert morph.alpha_at(15) == pytest.approx(0.5) and morph.alpha_at(45) == 0.0
    assert morph.weights_at(6) == pytest.approx((0.8, 0.2))
    # exact integrals of the piecewise-linear curve, and the track's mean mix
    assert morph.integral(0, 30) == pytest.approx((15.0, 15.0))
    assert morph.mean_mix(30).weights == pytest.approx((0.5, 0.5))
    assert morph.mean_mix(60).weights == pytest.approx((0.25, 0.75))
    assert parse_mix_curve(morph.text) == morph


def test_mix_curve_over_three_genres_fills_left_out_genres_with_zero():
    morph = parse_mix_curve("0:jazz=1;20:metal=2,reggae=2;40:reggae=1")
    assert morph.genres == ("jazz", "metal", "reggae")
    assert morph.weights == ((1.0, 0.0, 0.0), (0.0, 0.5, 0.5), (0.0, 0.0, 1.0))
    assert morph.weights_at(10) == pytest.approx((0.5, 0.25, 0.25))
    assert morph.to_dict()["keyframes"][1] == {
        "time_s": 20.0,
        "weights": {"jazz": 0.0, "metal": 0.5, "reggae": 0.5},
    }


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ("0:1", "2 to 200 keyframes, got 1"),
        ("0:1,30:1.5", "alpha must be a number in [0, 1]"),
        ("10:1,5:0", "must increase strictly"),
        ("0:1,0:0", "must increase strictly"),
        ("-1:1,5:0", "must be a number >= 0"),
        ("soon:1,5:0", "keyframe time 'soon' is not a number"),
        ("0-1,5:0", "is not time_s:alpha"),
        ("", "an alpha curve is time_s:alpha"),
    ],
)
def test_bad_alpha_curves(curve, message):
    with pytest.raises(InvalidInputError) as err:
        parse_alpha_curve(curve, "jazz", "metal")
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ("0:jazz=1;10:polka=1", "unknown genre 'polka'"),
        ("0:jazz=1;10:jazz=0,metal=0", "keyframe at 10 s are all 0"),
        ("0:jazz=1,jazz=1;10:metal=1", "jazz appears twice in the keyframe at 0 s"),
        ("0:jazz=1;10:jazz=2", "2 to 10 genres, got 1"),
        ("0:jazz=-1;10:metal=1", "weight of jazz must be a non-negative number"),
        ("0 jazz=1;10:metal=1", "is not time_s:mix"),
        ("0:jazz;10:metal=1", "is not genre=weight"),
    ],
)
def test_bad_mix_curves(curve, message):
    with pytest.raises(InvalidInputError) as err:
        parse_mix_curve(curve)
    assert message in str(err.value)


def test_an_alpha_curve_needs_two_genres():
    with pytest.raises(InvalidInputError, match="A and B are both jazz"):
        parse_alpha_curve("0:1,10:0", "jazz", "jazz")


# -- the piece plan --------------------------------------------------------------------------
def _timeline(pieces, bars):
    edges, t = [], 0.0
    for p in pieces:
        d = p.bars * bars[p.genre]
        edges.append((t, t + d, p.genre))
        t += d
    return edges


@pytest.mark.parametrize(
    "curve", ["0:1,60:0", "0:0,60:1", "0:1,30:0,60:1", "0:0.3,60:0.3", "10:1,50:0.2"]
)
def test_each_frames_share_follows_the_curve(curve):
    morph = parse_alpha_curve(curve, "jazz", "metal")
    bars = [2.3, 1.8]
    pieces = plan_morph_pieces(morph, 60.0, bars)
    edges = _timeline(pieces, bars)
    assert edges[-1][1] >= 60.0 - 1e-9  # the pieces cover the track
    # every piece but the last is at least one listening window long; neighbours differ
    assert all(b - a >= MORPH_MIN_PIECE_S - 1e-9 for a, b, _ in edges[:-1])
    assert all(x[2] != y[2] for x, y in zip(edges, edges[1:], strict=False))
    # A's time played so far never strays from its share of the curve by more than a frame's
    # worth of pieces (a debt shorter than a window waits)
    for _, end, _ in edges:
        if end > 60:
            break
        played = sum(min(b, end) - a for a, b, g in edges if g == 0 and a < end)
        assert abs(played - morph.integral(0, end)[0]) <= max(bars) + MORPH_MIN_PIECE_S + 1e-6
    # each genre's pieces are consecutive stretches of its own song
    for g in (0, 1):
        mine = [p for p in pieces if p.genre == g]
        assert [p.source_start_bar for p in mine] == list(
            np.cumsum([0] + [p.bars for p in mine])[:-1]
        )


# -- the timeline figures, by hand -------------------------------------------------------------
def test_morph_timeline_figures_by_hand():
    morph = parse_alpha_curve("0:1,10:0", "jazz", "metal")
    starts = np.arange(0.0, 8.0, 1.0)  # windows 0-2, 1-3, ... 7-9: centres 1 .. 8
    ends = starts + 2.0
    p = np.zeros((8, 10))
    heard_a = np.array([1.0, 1.0, 0.75, 0.5, 0.5, 0.25, 0.0, 0.0])
    p[:, GENRES.index("jazz")] = 0.5 * heard_a
    p[:, GENRES.index("metal")] = 0.5 * (1 - heard_a)
    p[:, GENRES.index("rock")] = 0.5
    raw = morph_timeline(starts, ends, p, GENRES, morph, span_s=0.0)
    asked = 1 - (starts + 1.0) / 10
    assert [a[0] for a in raw["asked"]] == pytest.approx(asked)
    assert [h[0] for h in raw["heard"]] == pytest.approx(heard_a)
    assert raw["tracking_error"] == pytest.approx(np.mean(np.abs(heard_a - asked)))
    # Pearson of the ranks: heard's tied ranks deviate (3, 3, 1.5, 0, 0, -1.5, -3, -3) from
    # their mean, asked's (3.5, 2.5, ... -3.5): r = 40.5 / sqrt(40.5 * 42)
    assert raw["spearman"] == pytest.approx((40.5 / 42) ** 0.5)
    assert raw["on_target_mass"] == pytest.approx([0.5] * 8)
    # a span over every window: each window hears the track's mean, α̂ = mean p(A) / mean mass
    wide = morph_timeline(starts, ends, p, GENRES, morph, span_s=100.0)
    assert [h[0] for h in wide["heard_smoothed"]] == pytest.approx([heard_a.mean()] * 8, abs=1e-4)
    assert wide["spearman"] is None and wide["tracking_error_raw"] == raw["tracking_error"]
    # with a 3-window span, the middle windows average their neighbours
    mid = morph_timeline(starts, ends, p, GENRES, morph, span_s=2.0)
    assert mid["heard_smoothed"][3][0] == pytest.approx(heard_a[2:5].mean(), abs=1e-4)
    assert mid["span_s"] == 2.0 and SPAN_S == 12.0


# -- the composer's morph, and the pipeline ---------------------------------------------------------
@pytest.fixture(scope="module")
def composer():
    from genreblender.generation.composer import Composer

    return Composer()


def test_composer_morph_follows_the_curve_without_clicks(composer):
    morph = parse_alpha_curve("0:1,24:0", "jazz", "metal")
    result = composer.generate_morph(morph, 24.0, 1)
    meta = result.metadata
    assert meta["blend"]["mode"] == "morph" and meta["morph"]["text"] == morph.text
    sections = meta["blend"]["sections"]
    assert sections[0]["genre"] == "jazz" and sections[-1]["genre"] == "metal"
    # each section says what the curve asked in its middle: jazz's weight falls through them
    asked = [s["asked"]["jazz"] for s in sections]
    assert asked == sorted(asked, reverse=True)
    assert meta["mix"]["weights"]["jazz"] == pytest.approx(0.5)
    again = composer.generate_morph(morph, 24.0, 1)
    np.testing.assert_array_equal(result.audio, again.audio)
    # no clicks at section changes: the largest step around a boundary is no larger than the
    # music's own large steps elsewhere
    mono = result.audio.mean(axis=1)
    steps = np.abs(np.diff(mono))
    typical = np.quantile(steps, 0.999)
    sr = result.sample_rate
    for s in sections[1:]:
        i = int(s["start_s"] * sr)
        assert steps[i - 220 : i + 220].max() <= 1.5 * typical, s


def test_engines_without_curves_say_so():
    from .fakes import FakeGenerator

    with pytest.raises(InvalidInputError, match="cannot follow a curve"):
        generate_blend(FakeGenerator(), parse_alpha_curve("0:1,5:0", "jazz", "rock"), 5.0, 0)


class CurveGenerator:
    """A morph engine whose audio holds the curve's α, one value per 1/8 s, read back by
    :class:`WindowListener` (which hears A with probability 0.8 α + 0.1)."""

    name = "fake-curve"
    output_licence = "test"

    def generate_morph(self, morph, duration_s, seed):
        sr = 800
        t = np.arange(int(duration_s * sr)) / sr
        audio = np.array([morph.alpha_at(x) for x in t], dtype=np.float32)
        meta = {"engine": self.name, "morph": morph.to_dict(), "seed": seed}
        return GenerationResult(audio=audio, sample_rate=sr, metadata=meta)


class WindowListener:
    name = "fake-window-listener"

    def classify(self, audio, sr=None):
        starts = np.arange(0.0, len(audio) / sr - 3.0 + 1e-9, 1.5)
        ends = starts + 3.0
        rows = []
        for s, e in zip(starts, ends, strict=True):
            alpha = float(np.mean(audio[int(s * sr) : int(e * sr)]))
            p = np.full(10, 0.1 / 8)
            p[GENRES.index("jazz")] = 0.9 * (0.8 * alpha + 0.1)
            p[GENRES.index("metal")] = 0.9 * (1 - 0.8 * alpha - 0.1)
            rows.append(p)
        rows = np.asarray(rows)
        return ClassificationResult(
            GENRES, rows.mean(axis=0), rows, starts, ends, len(audio) / sr, {"name": self.name}
        )


def test_pipeline_measures_a_morph_over_time(tmp_path):
    from genreblender.pipeline import blend

    morph = parse_alpha_curve("0:1,30:0", "jazz", "metal")
    outcome = blend(
        morph=morph,
        seconds=30,
        generator=CurveGenerator(),
        classifier=WindowListener(),
        ears=[WindowListener()],
        output=tmp_path / "m.wav",
    )
    timeline = outcome.evaluation.morph["timeline"]
    assert timeline["spearman"] == pytest.approx(1.0) and timeline["spearman_raw"] == 1.0
    # heard 0.8 α + 0.1: |α̂ − α| = |0.1 − 0.2 α|, mean over the windows
    asked = np.array([a[0] for a in timeline["asked"]])
    assert timeline["tracking_error_raw"] == pytest.approx(
        np.mean(np.abs(0.1 - 0.2 * asked)), abs=0.01
    )
    assert outcome.evaluation.ears[0]["morph"]["spearman"] == pytest.approx(1.0)
    meta = json.loads((tmp_path / "m.json").read_text())
    assert meta["requested_morph"]["text"] == morph.text
    assert meta["measurement"]["morph"]["timeline"]["times_s"] == timeline["times_s"]
    with pytest.raises(InvalidInputError, match="strategy plain"):
        blend(
            morph=morph,
            seconds=30,
            strategy="best_of_n",
            generator=CurveGenerator(),
            classifier=WindowListener(),
        )
    with pytest.raises(InvalidInputError, match="not inside"):
        blend(
            morph=parse_alpha_curve("40:1,50:0", "jazz", "metal"),
            seconds=30,
            generator=CurveGenerator(),
            classifier=WindowListener(),
        )


def test_generate_and_blend_commands_take_curves(tmp_path, capsys):
    from genreblender.cli.main import main

    out = tmp_path / "m.wav"
    argv = ["--a", "jazz", "--b", "rock", "--alpha-curve", "0:1,6:0"]
    assert main(["generate", *argv, "--seconds", "6", "-o", str(out)]) == 0
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["morph"]["genres"] == ["jazz", "rock"] and meta["blend"]["mode"] == "morph"
    for extra, message in (
        (["--alpha", "0.5"], "give either --alpha-curve or --alpha, not both"),
        (["--strategy", "calibrate"], "a curve is generated once"),
    ):
        assert main(["blend", *argv, *extra, "--no-judge", "-o", str(out)]) == 2
        assert message in capsys.readouterr().err
    bad = ["blend", "--mix-curve", "0:jazz=1;5:polka=1", "--no-judge", "-o", str(out)]
    assert main(bad) == 2 and "unknown genre 'polka'" in capsys.readouterr().err


# -- the API and the app ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from genreblender.app import api, workers

    previous = api.set_pool(workers.WorkPool(workers=1, kind="thread"))
    yield TestClient(api.app, raise_server_exceptions=False)
    api.set_pool(previous)


def test_api_generates_a_morph_and_returns_its_timeline(client):
    body = {
        "genre_a": "classical",
        "genre_b": "metal",
        "alpha_curve": [[0, 1], [6, 0]],
        "seconds": 6,
        "include_audio": False,
    }
    out = client.post("/generate", json=body)
    assert out.status_code == 200, out.text
    data = out.json()
    assert data["request"]["morph"]["genres"] == ["classical", "metal"]
    assert data["request"]["mix"]["weights"]["classical"] == pytest.approx(0.5)
    timeline = data["evaluation"]["morph"]["timeline"]
    assert len(timeline["times_s"]) == len(timeline["asked"]) == timeline["n_windows"] >= 2
    assert data["metadata"]["blend"]["mode"] == "morph"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"alpha_curve": [[0, 1], [6, 0]], "alpha": 0.5}, "give either alpha_curve or alpha"),
        ({"alpha_curve": [[0, 1], [6, 0]], "strategy": "best_of_n"}, "generated once"),
        ({"alpha_curve": [[0, 1.5], [6, 0]]}, "alpha must be a number in [0, 1]"),
        ({"alpha_curve": [[4, 1], [2, 0]]}, "must increase strictly"),
        ({"alpha_curve": [[0, 1], [6, 0]], "genre_b": "jazz"}, "A and B are both jazz"),
        ({"mix_curve": [{"time_s": 0, "mix": {"jazz": 1}}]}, "2 to 200 keyframes, got 1"),
        (
            {
                "mix_curve": [{"time_s": 0, "mix": {"jazz": 1}}, {"time_s": 3, "mix": {"rock": 1}}],
                "genre_a": "pop",
            },
            "give either mix_curve or genre_a",
        ),
        (
            {"alpha_curve": [[0, 1], [6, 0]], "mix": {"jazz": 1, "rock": 1}},
            "give one of mix, alpha_curve, not both",
        ),
    ],
)
def test_api_refuses_bad_curves(client, body, message):
    out = client.post("/generate", json={"seconds": 6} | body)
    assert out.status_code == 400, out.text
    assert message in out.json()["detail"]


@pytest.mark.slow
def test_app_morph_editor_draws_the_curve_and_both_curves_after(tmp_path):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parents[1] / "src/genreblender/app/streamlit_app.py"
    app = AppTest.from_file(str(page), default_timeout=120).run()
    app.radio(key="blend_kind").set_value("a morph").run()
    assert not app.exception
    assert app.text_input(key="morph_curve").value == "0:1,20:0"
    app.text_input(key="morph_curve").set_value("0:1,,4:0").run()
    assert any("is not time_s:alpha" in i.value for i in app.info)
    assert app.button(key="generate").disabled
    app.text_input(key="morph_curve").set_value("0:1,4:0").run()
    app.slider(key="seconds").set_value(4)
    app.button(key="generate").click().run()
    assert not app.exception
    run = app.session_state["current"]
    assert run.request["morph"]["genres"] == ["jazz", "metal"]
    assert app.subheader[0].value.startswith("jazz · metal morph, α 1 → 0 at 0 · 4 s")
    labels = [m.label for m in app.metric]
    assert "tracking error" in labels and "per window: Spearman" in labels
    app.selectbox(key="strategy").select("best_of_n").run()
    assert app.button(key="generate").disabled


class WindowJudge:
    """A judge that cannot see reggae, scoring whatever audio it is given like WindowListener."""

    model = "fake-judge"

    def genre_scores(self, audio, sr):
        alpha = float(np.mean(audio))
        scores = {g: 0.01 for g in GENRES if g != "reggae"}
        scores["jazz"], scores["metal"] = 0.8 * alpha + 0.1, 0.9 - 0.8 * alpha
        return scores


def test_the_judge_scores_the_listeners_windows_and_says_what_it_cannot_see():
    from genreblender.evaluation.ears import as_ear
    from genreblender.evaluation.morph import hear_morph

    morph = parse_alpha_curve("0:1,30:0", "jazz", "metal")
    audio = CurveGenerator().generate_morph(morph, 30.0, 0).audio
    windows = (np.arange(0.0, 27.1, 1.5), np.arange(3.0, 30.1, 1.5))
    view = hear_morph(as_ear(WindowJudge()), audio, 800, morph, windows)
    assert view["timeline"]["n_windows"] == len(windows[0])
    assert view["timeline"]["spearman_raw"] == pytest.approx(1.0)
    blind = hear_morph(
        as_ear(WindowJudge()), audio, 800, parse_alpha_curve("0:1,30:0", "jazz", "reggae"), windows
    )
    assert blind["timeline"] is None and "cannot see reggae" in blind["note"]


def test_sweep_of_curves_summary_report_and_resume(tmp_path, monkeypatch):
    from genreblender.evaluation import sweep as sweep_mod
    from genreblender.evaluation.executors import InlineExecutor
    from genreblender.evaluation.sweep import SweepSpec, run_sweep

    generator = CurveGenerator()

    def parts(*args):
        return generator, WindowListener(), WindowJudge()

    monkeypatch.setattr(sweep_mod, "_worker_parts", parts)
    # no other listener: the fakes' audio is not music
    monkeypatch.setattr("genreblender.evaluation.ears.other_listener_ears", lambda name: [])
    curves = ("0:jazz=1,metal=0;30:jazz=0,metal=1", "0:jazz=0,metal=1;30:jazz=1,metal=0")
    spec = SweepSpec(morphs=curves, seeds=2, seconds=30.0, judge="fake")
    assert {j["morph"] for j in spec.jobs()} == set(curves)
    assert spec.jobs()[0]["alpha"] == pytest.approx(0.5)  # the curve's mean
    summary = run_sweep(spec, tmp_path / "s", InlineExecutor(), progress=False)
    assert summary["kind"] == "morphs" and summary["overall"]["n_tracks"] == 4
    assert summary["overall"]["mean_spearman"] == pytest.approx(1.0)
    assert summary["overall"]["spearman_at_least_0.8_rate"] == 1.0
    judge = summary["overall"]["ears"]["judge"]
    assert judge["mean_spearman_raw"] == pytest.approx(1.0) and judge["n_tracks"] == 4
    assert set(summary["overall"]["by_seed"]) == {"0", "1"}
    page = (tmp_path / "s" / "report.html").read_text()
    assert "sweep of blends that move" in page and "Asked and heard over time" in page
    run_sweep(spec, tmp_path / "s", InlineExecutor(), progress=False)  # resumed: nothing reruns
    rows = (tmp_path / "s" / "results.csv").read_text().splitlines()
    assert len(rows) == 5 and "morph_timeline" in rows[0]
    with pytest.raises(InvalidInputError, match="generated once"):
        SweepSpec(morphs=curves, strategy="best_of_n")
