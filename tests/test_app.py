"""The Streamlit page, driven by Streamlit's AppTest (no browser)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[1] / "src/genreblender/app/streamlit_app.py"


@pytest.fixture
def app():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    return at.run()


def test_page_loads_with_defaults(app):
    assert not app.exception
    assert [t.label for t in app.tabs] == ["Blend", "Classify", "Sweep", "History"]
    assert app.selectbox(key="genre_a").value == "jazz"
    assert app.selectbox(key="genre_b").value == "metal"
    assert app.select_slider(key="alpha_percent").value == 70
    assert "Choose two genres" in app.info[0].value


@pytest.mark.slow
def test_generate_shows_measurement_and_keeps_history(app):
    app.selectbox(key="genre_a").select("classical")
    app.selectbox(key="genre_b").select("rock")
    app.select_slider(key="alpha_percent").set_value(60)
    app.slider(key="seconds").set_value(4)
    app.button(key="generate").click().run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert "α̂ (heard)" in labels and "JS divergence" in labels
    assert app.session_state["current"].request == {
        "genre_a": "classical",
        "genre_b": "rock",
        "alpha": 0.6,
        "seconds": 4.0,
        "seed": 1,
        "engine": "composer",
        "strategy": "plain",
    }
    alpha_hat = app.session_state["current"].evaluation["metrics"]["alpha_hat"]
    assert app.metric[0].value == f"{alpha_hat:.2f}"
    # a second generation goes to the history, newest first
    app.number_input(key="seed").set_value(2)
    app.button(key="generate").click().run()
    history = app.session_state["history"]
    assert [run.request["seed"] for run in history] == [2, 1]


@pytest.mark.slow
def test_sweep_tab_draws_response_curve(app):
    app.slider(key="sw_points").set_value(3)
    app.slider(key="sw_seconds").set_value(3)
    app.button(key="sw_go").click().run()
    assert not app.exception
    genre_a, genre_b, rows = app.session_state["sweep"]
    assert [r["alpha"] for r in rows] == [0.0, 0.5, 1.0]
    assert any("Spearman" in c.value for c in app.caption)


def test_sessions_are_isolated():
    first = AppTest.from_file(str(PAGE), default_timeout=60).run()
    second = AppTest.from_file(str(PAGE), default_timeout=60).run()
    first.session_state["history"] = ["x"]
    assert second.session_state["history"] == []
