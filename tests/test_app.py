"""The Streamlit page, driven by Streamlit's AppTest (no browser)."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genreblender import defaults
from genreblender.palette import GENRE_COLOURS

PAGE = Path(__file__).resolve().parents[1] / "src/genreblender/app/streamlit_app.py"


@pytest.fixture
def app():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    return at.run()


def _vega_specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def _layer_scales(spec: dict) -> list:
    return [layer["encoding"]["y"].get("scale") for layer in spec.get("layer", [spec])]


def test_page_loads_with_the_projects_defaults_and_an_example(app):
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Blend", "Classify", "Sweep", "History"]
    assert app.selectbox(key="genre_a").value == defaults.GENRE_A
    assert app.selectbox(key="genre_b").value == defaults.GENRE_B
    assert app.select_slider(key="alpha_percent").value == round(100 * defaults.ALPHA)
    assert app.slider(key="seconds").value == defaults.SECONDS
    assert app.number_input(key="seed").value == defaults.SEED
    # the example on first load is the default blend, shown but not in the history
    assert app.subheader[0].value == (
        f"70% {defaults.GENRE_A} · 30% {defaults.GENRE_B} · composer · seed {defaults.SEED}"
        " · one take"
    )
    assert app.session_state["history"] == []
    assert [m.label for m in app.metric] == ["α̂ (heard)", "on target", "JS divergence", "leakage"]


def test_distribution_chart_colours_each_genre_and_fixes_the_scale(app):
    spec = _vega_specs(app)[0]
    bars = spec["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(bars["domain"], bars["range"], strict=True)) == GENRE_COLOURS
    assert all(s == {"domain": [0, 1]} for s in _layer_scales(spec))


@pytest.mark.slow
def test_generate_shows_measurement_and_keeps_history(app):
    app.selectbox(key="genre_a").select("classical")
    app.selectbox(key="genre_b").select("rock")
    app.select_slider(key="alpha_percent").set_value(60)
    app.slider(key="seconds").set_value(4)
    app.button(key="generate").click().run()
    assert not app.exception
    request = dict(app.session_state["current"].request)
    assert request.pop("mix")["weights"] == {"classical": 0.6, "rock": 0.4}
    assert request.pop("morph") is None
    assert request == {
        "genre_a": "classical",
        "genre_b": "rock",
        "alpha": 0.6,
        "seconds": 4.0,
        "seed": defaults.SEED,
        "engine": "composer",
        "strategy": "plain",
        "bpm": None,
        "key": None,
        "stems": False,
    }
    alpha_hat = app.session_state["current"].evaluation["metrics"]["alpha_hat"]
    assert app.metric[0].value == f"{alpha_hat:.2f}"
    landed = app.session_state["current"].evaluation["metrics"]["landed"]
    assert any("best of N seeds" in c.value for c in app.caption) == (not landed)
    assert app.subheader[0].value.endswith("· one take")
    # a second generation: both stay in the history under the ids they got, and the two
    # newest are the ones compared (the old entry is neither renamed nor dropped)
    app.number_input(key="seed").set_value(2)
    app.button(key="generate").click().run()
    history = app.session_state["history"]
    assert [(run.run_id, run.request["seed"]) for run in history] == [(1, defaults.SEED), (2, 2)]
    assert app.multiselect(key="compare").value == [1, 2]
    titles = [m.value for m in app.markdown if m.value.startswith("**#")]
    assert titles == [
        f"**#1 · 60% classical · 40% rock · composer · seed {defaults.SEED}**",
        "**#2 · 60% classical · 40% rock · composer · seed 2**",
    ]
    # the blend chart and the two History charts share one y-scale
    specs = _vega_specs(app)
    assert len(specs) == 3
    assert all(s == {"domain": [0, 1]} for spec in specs for s in _layer_scales(spec))
    # a third run: the selection moves to the two newest, ids unchanged
    app.number_input(key="seed").set_value(3)
    app.button(key="generate").click().run()
    assert app.multiselect(key="compare").value == [2, 3]


@pytest.mark.slow
def test_calibrated_heading_names_the_internal_weight(app):
    app.slider(key="seconds").set_value(3)
    app.selectbox(key="strategy").select("calibrate")
    app.button(key="generate").click().run()
    assert not app.exception
    run = app.session_state["current"]
    internal = run.metadata["internal_alpha"]
    assert app.subheader[0].value.endswith(f"· calibrated, internal weight {internal:.2f}")


@pytest.mark.slow
def test_preset_sets_the_controls_and_runs(app):
    app.button_group(key="preset").set_value("classical × hip-hop 50/50").run()
    assert not app.exception
    assert app.selectbox(key="genre_a").value == "classical"
    assert app.selectbox(key="genre_b").value == "hiphop"
    assert app.select_slider(key="alpha_percent").value == 50
    assert app.session_state["current"].request["alpha"] == 0.5
    assert app.button_group(key="preset").value is None  # the pill does not stay selected


@pytest.mark.slow
def test_sweep_tab_draws_response_curve_with_seeds_and_audio(app):
    app.slider(key="sw_points").set_value(3)
    app.slider(key="sw_seconds").set_value(3)
    app.slider(key="sw_seeds").set_value(2)
    app.number_input(key="sw_seed").set_value(5)
    app.button(key="sw_go").click().run()
    assert not app.exception
    genre_a, genre_b, rows = app.session_state["sweep"]
    assert [(r["alpha"], r["seed"]) for r in rows] == [
        (0.0, 5),
        (0.5, 5),
        (1.0, 5),
        (0.0, 6),
        (0.5, 6),
        (1.0, 6),
    ]
    assert all(r["wav"][:4] == b"RIFF" for r in rows)
    assert len(app.selectbox(key="sw_listen").options) == 6
    assert any("Spearman" in c.value for c in app.caption)
    table = app.dataframe[0].value
    assert list(table["seed"]) == [5, 5, 5, 6, 6, 6]
    assert "right genres on top" in table.columns


def test_sessions_are_isolated():
    first = AppTest.from_file(str(PAGE), default_timeout=60).run()
    second = AppTest.from_file(str(PAGE), default_timeout=60).run()
    first.session_state["history"] = ["x"]
    assert second.session_state["history"] == []


@pytest.mark.slow
def test_tempo_key_and_stems_from_the_page(app):
    app.selectbox(key="genre_a").select("rock")
    app.selectbox(key="genre_b").select("rock")
    app.slider(key="seconds").set_value(3)
    app.checkbox(key="set_bpm").check()
    app.selectbox(key="tonic").select("Eb").run()  # the tempo and mode are enabled now
    app.number_input(key="bpm").set_value(100)
    app.selectbox(key="mode").select("major")
    app.checkbox(key="stems").check()
    app.button(key="generate").click().run()
    assert not app.exception
    run = app.session_state["current"]
    assert (run.request["bpm"], run.request["key"], run.request["stems"]) == (
        100.0,
        "Eb major",
        True,
    )
    assert run.metadata["controls"] == {"bpm": 100.0, "key": "Eb major"}
    assert run.stems_zip and run.stems_zip[:2] == b"PK"
    assert any("Tempo 100 BPM" in c.value for c in app.caption)


@pytest.mark.slow
def test_mix_editor_shows_the_weights_and_what_was_heard(app):
    app.radio(key="blend_kind").set_value("a mix").run()
    assert not app.exception
    assert app.multiselect(key="mix_genres").value == ["jazz", "metal", "reggae"]
    assert any("50% jazz · 30% metal · 20% reggae" in m.value for m in app.markdown)
    # 50 + 30 + 20 = 100%: the mix as set, nothing normalised
    assert not any("so they are normalised" in m.value for m in app.markdown)
    app.slider(key="mix_w_jazz").set_value(100).run()  # 100 + 30 + 20: normalised, and said so
    assert any(
        "sum to 150%, not 100%, so they are normalised: **67% jazz" in m.value for m in app.markdown
    )
    app.slider(key="seconds").set_value(4)
    app.button(key="generate").click().run()
    assert not app.exception
    run = app.session_state["current"]
    assert run.request["mix"]["requested"] == {"jazz": 1.0, "metal": 0.3, "reggae": 0.2}
    assert run.request["mix"]["normalised"] and run.request["genre_a"] is None
    assert app.subheader[0].value.startswith("67% jazz · 20% metal · 13% reggae · composer")
    assert [m.label for m in app.metric][0] == "weight error"
    # the asked-and-heard bars: both in the genre colours, on one [0, 1] scale
    bars = [s for s in _vega_specs(app) if s.get("mark", {}).get("type") == "bar"]
    assert bars and bars[0]["encoding"]["x"]["scale"] == {"domain": [0, 1]}
    heard = run.evaluation["metrics"]["heard_weights"]
    assert set(heard) == {"jazz", "metal", "reggae"}
    # calibration searches a mix's weights too: Generate stays on
    app.selectbox(key="strategy").select("calibrate").run()
    assert not app.button(key="generate").disabled


@pytest.mark.slow
def test_a_mix_whose_sliders_sum_to_100_is_made_as_set(app):
    app.radio(key="blend_kind").set_value("a mix").run()
    assert not any("normalised" in m.value for m in app.markdown)
    app.slider(key="seconds").set_value(4)
    app.button(key="generate").click().run()
    assert not app.exception
    mix = app.session_state["current"].request["mix"]
    assert mix["requested"] == {"jazz": 0.5, "metal": 0.3, "reggae": 0.2}
    assert mix["normalised"] is False


def test_mix_editor_explains_what_is_not_a_mix(app):
    app.radio(key="blend_kind").set_value("a mix").run()
    app.multiselect(key="mix_genres").set_value(["jazz"]).run()
    assert not app.exception
    assert any("2 to 10 genres" in i.value for i in app.info)
    assert app.button(key="generate").disabled


def test_a_miss_on_blues_says_how_far_to_trust_it(app):
    app.selectbox(key="genre_a").select("pop")
    app.selectbox(key="genre_b").select("blues")
    app.select_slider(key="alpha_percent").set_value(50)
    app.slider(key="seconds").set_value(4)
    app.number_input(key="seed").set_value(2)
    app.button(key="generate").click().run()
    assert not app.exception
    caution = app.session_state["current"].evaluation["caution"]
    assert caution and "names blues right only 12%" in caution
    assert f"Caution: {caution}." in [c.value for c in app.caption]
    # one take that missed points to the loop that tries other seeds
    assert any("best of N seeds" in c.value for c in app.caption)
