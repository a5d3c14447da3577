"""GenreBlender's web page: blend two genres, listen, and see the measurement.

Run with ``genreblender app`` (Streamlit). Models are loaded once per server
(``st.cache_resource``); everything a visitor makes lives in their own ``st.session_state``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from genreblender.app import services
from genreblender.app.timeline import player_html
from genreblender.errors import EngineUnavailableError, GenreBlenderError
from genreblender.evaluation.metrics import METRIC_DOCS
from genreblender.genres import GENRES, blend_label

HISTORY_LIMIT = 20


@st.cache_resource(show_spinner="Loading the genre listener…")
def _load_listener(name: str):
    from genreblender.classification.listeners import get_listener

    return get_listener(name)


def get_classifier():
    """The listener chosen in the sidebar (loaded once per server and name)."""
    from genreblender.classification.listeners import DEFAULT_LISTENER

    return _load_listener(st.session_state.get("listener", DEFAULT_LISTENER))


def listener_picker() -> None:
    from genreblender.classification.listeners import (
        DEFAULT_LISTENER,
        LISTENER_NAMES,
        describe_listener,
    )

    st.sidebar.selectbox(
        "Listener",
        LISTENER_NAMES,
        index=LISTENER_NAMES.index(DEFAULT_LISTENER),
        format_func=lambda name: f"{name}: {describe_listener(name)}",
        key="listener",
        help="The genre classifier that measures every blend (and steers the closed loop).",
    )


@st.cache_resource(show_spinner="Loading the generator…")
def get_generator(engine: str):
    from genreblender.generation import get_generator as build

    return build(engine)


@st.cache_data(ttl=300, show_spinner=False)
def get_engine_status(engine: str) -> services.EngineStatus:
    return services.engine_status(engine)


def _state():
    st.session_state.setdefault("history", [])
    st.session_state.setdefault("current", None)
    return st.session_state


def _progress_callback(bar):
    def update(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{done} of {total} tracks")

    return update


def distribution_chart(genres, target, predicted):
    frame = pd.DataFrame({"target": target, "predicted": predicted}, index=list(genres))
    st.bar_chart(frame, stack=False, height=260, color=["#9aa5b1", "#e15759"])


def show_metrics(metrics: dict, asked_alpha: float, key: str = "") -> None:
    cols = st.columns(5)
    cols[0].metric(
        "α̂ (heard)",
        f"{metrics['alpha_hat']:.2f}",
        delta=f"{metrics['alpha_hat'] - asked_alpha:+.2f} vs asked",
        delta_color="off",
        help=METRIC_DOCS["alpha_hat"],
    )
    cols[1].metric("JS divergence", f"{metrics['js']:.3f}", help=METRIC_DOCS["js"])
    cols[2].metric("KL(target‖pred)", f"{metrics['kl']:.2f}", help=METRIC_DOCS["kl"])
    cols[3].metric("TV distance", f"{metrics['tv']:.3f}", help=METRIC_DOCS["tv"])
    cols[4].metric("leakage", f"{metrics['leakage']:.2f}", help=METRIC_DOCS["leakage"])
    st.caption(
        (
            "✅ A and B are the two genres heard most. "
            if metrics["top2_match"]
            else "⚠️ A and B are not the two genres heard most. "
        )
        + " · ".join(
            f"**{k}**: {v}" for k, v in METRIC_DOCS.items() if k in ("alpha_hat", "js", "leakage")
        )
    )


def show_run(run: services.BlendRun, key: str) -> None:
    ev = run.evaluation
    genres = list(ev["target"])
    st.subheader(run.label)
    components.html(
        player_html(
            run.wav,
            ev["segments"],
            genres,
            run.request["seconds"],
            highlight=(run.request["genre_a"], run.request["genre_b"]),
        ),
        height=300,
    )
    show_metrics(ev["metrics"], run.request["alpha"], key)
    distribution_chart(genres, list(ev["target"].values()), list(ev["predicted"].values()))
    cols = st.columns(3)
    stem = f"genreblender_{run.request['genre_a']}_{run.request['genre_b']}_{run.request['alpha']:.2f}_seed{run.request['seed']}"
    cols[0].download_button("Download WAV", run.wav, f"{stem}.wav", "audio/wav", key=f"wav{key}")
    if run.midi:
        cols[1].download_button(
            "Download MIDI", run.midi, f"{stem}.mid", "audio/midi", key=f"mid{key}"
        )
    cols[2].download_button(
        "Download JSON sidecar", run.sidecar, f"{stem}.json", "application/json", key=f"json{key}"
    )
    if run.trials:
        with st.expander(f"Closed loop: {len(run.trials)} trials ({run.request['strategy']})"):
            st.dataframe(pd.DataFrame(run.trials), hide_index=True)
    st.caption(f"Licence: {run.metadata.get('licence') or services.MUSICGEN_LICENCE}")


def blend_tab() -> None:
    state = _state()
    left, right = st.columns([1, 2])
    with left:
        genre_a = st.selectbox("Genre A", GENRES, index=GENRES.index("jazz"), key="genre_a")
        genre_b = st.selectbox("Genre B", GENRES, index=GENRES.index("metal"), key="genre_b")
        percent = st.select_slider(
            "Blend",
            options=list(range(0, 101, 5)),
            value=70,
            key="alpha_percent",
            format_func=lambda v: blend_label(genre_a, genre_b, v / 100),
            help="α, the weight of genre A: 100% is pure A, 0% pure B",
        )
        engines = ("composer", "musicgen")
        statuses = {e: get_engine_status(e) for e in engines}
        engine = st.radio(
            "Engine",
            engines,
            key="engine",
            horizontal=True,
            format_func=lambda e: (
                ("Embedded composer" if e == "composer" else "MusicGen")
                + ("" if statuses[e].available else " (unavailable)")
            ),
        )
        status = statuses[engine]
        if engine == "musicgen":
            st.warning(services.MUSICGEN_LICENCE)
            if not status.available:
                st.error(f"MusicGen is unavailable: {status.reason}")
        seconds = st.slider(
            "Duration (s)", 3, int(services.MAX_GENERATE_SECONDS), 20, key="seconds"
        )
        seed = st.number_input("Seed", 0, 2**31 - 1, 1, step=1, key="seed")
        strategy = st.radio(
            "Closed loop",
            ("plain", "best_of_n", "calibrate"),
            key="strategy",
            format_func={
                "plain": "one take",
                "best_of_n": "best of N seeds",
                "calibrate": "calibrate the blend",
            }.get,
            help="best of N keeps the candidate closest to the target (JS); calibration searches "
            "the engine's internal weight until the measured blend matches the one asked for",
        )
        n_candidates = st.slider("N candidates", 2, 8, 4, key="n") if strategy == "best_of_n" else 4
        go = st.button("Generate", type="primary", disabled=not status.available, key="generate")
    with right:
        if go:
            bar = st.progress(0.0, text="composing…")
            try:
                run = services.run_blend(
                    genre_a,
                    genre_b,
                    percent / 100,
                    seconds,
                    int(seed),
                    engine=engine,
                    strategy=strategy,
                    n_candidates=n_candidates,
                    generator=get_generator(engine),
                    classifier=get_classifier(),
                    progress=_progress_callback(bar),
                )
            except EngineUnavailableError as exc:
                st.error(services.engine_unavailable_message(exc))
                return
            except GenreBlenderError as exc:
                st.error(str(exc))
                return
            finally:
                bar.empty()
            state["current"] = run
            state["history"] = ([run] + state["history"])[:HISTORY_LIMIT]
        if state["current"] is not None:
            show_run(state["current"], "current")
        else:
            st.info("Choose two genres and a blend, then press Generate.")


def classify_tab() -> None:
    st.caption(services.limits_text())
    upload = st.file_uploader(
        "Audio file", type=[e.lstrip(".") for e in services.UPLOAD_EXTENSIONS], key="upload"
    )
    if upload is None:
        return
    try:
        with st.spinner("Listening…"):
            result = services.classify_upload(upload.name, upload.getvalue(), get_classifier())
    except GenreBlenderError as exc:
        st.error(str(exc))
        return
    ranked = sorted(result.distribution.items(), key=lambda kv: -kv[1])
    st.subheader(f"Top genre: {result.top_genre} ({ranked[0][1]:.0%})")
    st.bar_chart(
        pd.DataFrame({"probability": result.probabilities}, index=list(result.genres)), height=240
    )
    if len(result.segment_probabilities) > 1:
        st.markdown("**Over time** (analysis windows of the model, 50% overlap)")
        centres = (result.segment_starts_s + result.segment_ends_s) / 2
        st.line_chart(
            pd.DataFrame(
                result.segment_probabilities,
                columns=list(result.genres),
                index=pd.Index(centres.round(1), name="seconds"),
            ),
            height=260,
        )
    else:
        st.caption("One analysis window: the file is not longer than the model's 30-s window.")


def sweep_tab() -> None:
    cols = st.columns(4)
    genre_a = cols[0].selectbox("Genre A", GENRES, index=GENRES.index("classical"), key="sw_a")
    genre_b = cols[1].selectbox("Genre B", GENRES, index=GENRES.index("hiphop"), key="sw_b")
    points = cols[2].slider("α values", 3, services.MAX_SWEEP_POINTS, 5, key="sw_points")
    seconds = cols[3].slider("Seconds per track", 3, 30, 8, key="sw_seconds")
    if st.button("Run sweep", key="sw_go"):
        alphas = [round(i / (points - 1), 3) for i in range(points)]
        bar = st.progress(0.0, text="sweeping…")
        try:
            rows = services.alpha_sweep(
                genre_a,
                genre_b,
                alphas,
                seconds,
                0,
                get_generator("composer"),
                get_classifier(),
                progress=_progress_callback(bar),
            )
        except GenreBlenderError as exc:
            st.error(str(exc))
            return
        finally:
            bar.empty()
        st.session_state["sweep"] = (genre_a, genre_b, rows)
    if "sweep" in st.session_state:
        genre_a, genre_b, rows = st.session_state["sweep"]
        frame = pd.DataFrame(rows)
        curve = pd.DataFrame(
            {"α̂ heard": frame["alpha_hat"].to_numpy(), "ideal (α̂ = α)": frame["alpha"].to_numpy()},
            index=pd.Index(frame["alpha"], name="α asked"),
        )
        st.markdown(f"**Response curve: {genre_a} (α) vs {genre_b} (1 − α)**")
        st.line_chart(curve, height=280)
        from scipy.stats import spearmanr

        rho = (
            spearmanr(frame["alpha"], frame["alpha_hat"]).statistic
            if frame["alpha_hat"].nunique() > 1
            else float("nan")
        )
        st.caption(
            f"Spearman(α, α̂) = {rho:.2f} · mean |α̂ − α| = "
            f"{(frame['alpha_hat'] - frame['alpha']).abs().mean():.2f}"
        )
        st.dataframe(frame[["alpha", "alpha_hat", "js", "leakage", "top2_match"]], hide_index=True)


def history_tab() -> None:
    history = _state()["history"]
    if not history:
        st.info("Your generations in this session appear here.")
        return
    labels = [f"{i + 1}. {run.label}" for i, run in enumerate(history)]
    chosen = st.multiselect("Compare", labels, default=labels[: min(2, len(labels))], key="compare")
    if not chosen:
        return
    cols = st.columns(len(chosen))
    for col, label in zip(cols, chosen, strict=True):
        run = history[labels.index(label)]
        with col:
            st.markdown(f"**{label}**")
            m = run.evaluation["metrics"]
            st.markdown(f"α̂ {m['alpha_hat']:.2f} · JS {m['js']:.3f} · leakage {m['leakage']:.2f}")
            st.audio(run.wav, format="audio/wav")
            distribution_chart(
                list(run.evaluation["target"]),
                list(run.evaluation["target"].values()),
                list(run.evaluation["predicted"].values()),
            )


def main() -> None:
    st.set_page_config(page_title="GenreBlender", page_icon="🎛️", layout="wide")
    st.title("GenreBlender")
    st.caption("Blend two genres, listen, and see what a genre classifier hears.")
    listener_picker()
    tabs = st.tabs(["Blend", "Classify", "Sweep", "History"])
    with tabs[0]:
        blend_tab()
    with tabs[1]:
        classify_tab()
    with tabs[2]:
        sweep_tab()
    with tabs[3]:
        history_tab()


main()
