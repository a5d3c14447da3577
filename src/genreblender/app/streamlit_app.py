"""GenreBlender's web page: blend two genres (or a mix of several), listen, and see the
measurement.

Run with ``genreblender app`` (Streamlit). Models are loaded once per server
(``st.cache_resource``); everything a visitor makes lives in their own ``st.session_state``.
Every widget's value is set up in :func:`_state` and never passed as a default as well, so the
presets can set the controls without Streamlit's "default and Session State" warning.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from genreblender import defaults
from genreblender.app import charts, services
from genreblender.app.timeline import player_html
from genreblender.app.verdict import mix_verdict, right_genres_on_top
from genreblender.errors import EngineUnavailableError, GenreBlenderError
from genreblender.generation.controls import BPM_RANGE
from genreblender.generation.registry import STEM_ENGINES
from genreblender.genres import GENRES, blend_label
from genreblender.keys import tempo_key_caption
from genreblender.mixes import MAX_MIX_GENRES, MIN_MIX_GENRES, make_mix, parse_alpha_curve

HISTORY_LIMIT = 20
ENGINES = ("composer", "musicgen")
STRATEGIES = {
    "plain": "one take",
    "best_of_n": "best of N seeds",
    "calibrate": "calibrate the blend",
}
#: One click from an empty page to a result: (genre A, genre B, % of A).
PRESETS = {
    "jazz × metal 70/30": ("jazz", "metal", 70),
    "classical × hip-hop 50/50": ("classical", "hiphop", 50),
    "disco × reggae 60/40": ("disco", "reggae", 60),
    "blues × rock 30/70": ("blues", "rock", 30),
}
#: The mix editor's first mix, and the weight (%) a genre gets when it is added to a mix.
MIX_DEFAULT = {"jazz": 50, "metal": 30, "reggae": 20}
MIX_NEW_WEIGHT = 25
BLEND_KINDS = ("two genres", "a mix", "a morph")
#: the morph editor's first curve: A to B over the default duration
MORPH_DEFAULT = f"0:1,{int(defaults.SECONDS)}:0"


#: the tempo, key or mode select's "leave it to the style" entry
STYLE_CHOICE = "style"
KEY_TONICS = (STYLE_CHOICE, "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
WIDGET_DEFAULTS = {
    "blend_kind": BLEND_KINDS[0],
    "morph_curve": MORPH_DEFAULT,
    "mix_genres": list(MIX_DEFAULT),
    **{f"mix_w_{g}": MIX_DEFAULT.get(g, MIX_NEW_WEIGHT) for g in GENRES},
    "genre_a": defaults.GENRE_A,
    "genre_b": defaults.GENRE_B,
    "alpha_percent": round(100 * defaults.ALPHA),
    "seconds": int(defaults.SECONDS),
    "seed": defaults.SEED,
    "engine": "composer",
    "strategy": defaults.STRATEGY,
    "n": defaults.N_CANDIDATES,
    "set_bpm": False,
    "bpm": 120,
    "tonic": STYLE_CHOICE,
    "mode": STYLE_CHOICE,
    "stems": False,
    "sw_a": "classical",
    "sw_b": "hiphop",
    "sw_points": 5,
    "sw_seconds": 8,
    "sw_seeds": 1,
    "sw_seed": defaults.SEED,
}
AUDIO_TYPES = {".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".flac": "audio/flac"}

HOW_TO_READ = """
**What you see.** The classifier listened to the track and says how much of each genre it
heard. The coloured bars are what it heard; the dashed outlines are the blend you asked for
(for 70% jazz · 30% metal: 0.7 on jazz, 0.3 on metal, nothing elsewhere). A blend *lands* when
the genres you asked for lead, hold at least half of what it heard, and their balance is
within 15 points of yours.

- **α̂ (heard)** — the balance between your two genres that the classifier heard: its share
  of A among A and B. 0.70 is exactly a 70/30 blend; the small number under it is how far off
  that is from what you asked.
- **on target** — how much of what it heard is one of your two genres. 100% means it heard
  nothing else; below 50% it mostly heard other genres.
- **leakage** — the rest: how much went to genres you did not ask for (100% − on target).
- **JS divergence** — one number for how far the whole distribution is from your target:
  0 is a perfect match, 1 is nothing in common. Below ~0.2 is close, above ~0.5 is far.
- **KL** and **TV** (below) say the same in other units: KL grows without bound when the
  classifier gives almost nothing to a genre you asked for; TV is the share of probability in
  the wrong place.

The player's timeline shows the same distribution over the course of the track, one point
per analysis window, so you can hear where it sounds most like each genre.
"""


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


@st.cache_resource(show_spinner="Composing an example…")
def _example_run(listener: str) -> services.BlendRun:
    return services.run_blend(
        defaults.GENRE_A,
        defaults.GENRE_B,
        defaults.ALPHA,
        defaults.SECONDS,
        defaults.SEED,
        generator=get_generator("composer"),
        classifier=_load_listener(listener),
    )


def example_run() -> services.BlendRun:
    """The default blend, made once per server and listener, shown on a first load."""
    from genreblender.classification.listeners import DEFAULT_LISTENER

    return _example_run(st.session_state.get("listener", DEFAULT_LISTENER))


def _state():
    state = st.session_state
    for key, value in WIDGET_DEFAULTS.items():
        state.setdefault(key, value)
    state.setdefault("history", [])  # newest last; each run keeps its id for good
    state.setdefault("next_id", 1)
    state.setdefault("compare", [])
    state.setdefault("current", None)
    return state


def _progress_callback(bar):
    def update(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{done} of {total} tracks")

    return update


def _apply_preset() -> None:
    """Set the controls to the chosen preset and make it (a callback: runs before the page)."""
    state = st.session_state
    name = state.get("preset")
    if name in PRESETS:
        state["genre_a"], state["genre_b"], state["alpha_percent"] = PRESETS[name]
        state["blend_kind"] = BLEND_KINDS[0]
        state["run_now"] = True
    state["preset"] = None  # the pills act as buttons: nothing stays selected


def _remember(run: services.BlendRun) -> None:
    state = _state()
    run.run_id = state["next_id"]
    state["next_id"] += 1
    state["current"] = run
    state["history"] = (state["history"] + [run])[-HISTORY_LIMIT:]
    # compare the two newest by default; the ids stay the same, so nothing is renamed
    state["compare"] = [r.run_id for r in state["history"][-2:]]


def _run_title(run: services.BlendRun) -> str:
    return f"#{run.run_id} · {run.label}" if run.run_id else run.label


def show_verdict(run: services.BlendRun) -> None:
    ev = run.evaluation
    verdict = mix_verdict(ev["metrics"], ev["predicted"], run.target)
    (st.success if verdict.landed else st.warning)(
        f"**{verdict.headline}**. {verdict.details}", icon="✅" if verdict.landed else "⚠️"
    )
    if ev.get("caution"):
        st.caption(f"Caution: {ev['caution']}.")
    if not verdict.landed and run.request.get("strategy") == "plain" and run.morph is None:
        # one take is one seed's draw of tempos, keys and instruments: another may land
        st.caption(
            "One take is one seed's draw. **Closed loop → best of N seeds** composes several "
            "and keeps the one the listener hears land best; the other ears still report on it."
        )


def show_metrics(run: services.BlendRun) -> None:
    metrics, target = run.evaluation["metrics"], run.target
    cols = st.columns(4)
    if target.is_pair:
        asked = target.as_pair()[2]
        cols[0].metric(
            "α̂ (heard)",
            f"{metrics['alpha_hat']:.2f}",
            delta=f"{metrics['alpha_hat'] - asked:+.2f} vs asked",
            delta_color="off",
            help="The balance of A among A and B that the classifier heard.",
        )
    else:
        cols[0].metric(
            "weight error",
            f"{metrics['weight_error']:.2f}",
            delta=f"top {target.k}: {'yes' if metrics['topk_match'] else 'no'}",
            delta_color="off",
            help="Half the summed gap between the weights heard (the classifier's share of each "
            "asked genre, among the asked genres) and the weights asked for: 0 is exact. 'top "
            "k' says whether the asked genres are the k most probable.",
        )
    cols[1].metric(
        "on target",
        f"{1 - metrics['leakage']:.0%}",
        help="How much of what the classifier heard is one of the genres asked for.",
    )
    cols[2].metric(
        "JS divergence",
        f"{metrics['js']:.3f}",
        help="Distance between heard and asked distributions: 0 = same, 1 = nothing in common.",
    )
    cols[3].metric(
        "leakage",
        f"{metrics['leakage']:.2f}",
        help="Share of what was heard that went to genres not asked for.",
    )


def show_morph(run: services.BlendRun) -> None:
    """How the heard blend followed the curve: the figures, and both curves over time."""
    ev = run.evaluation
    timeline = ev["morph"]["timeline"]

    def f(x):
        return "n/a" if x is None else f"{x:.2f}"

    cols = st.columns(4)
    cols[0].metric(
        "tracking error",
        f(timeline["tracking_error"]),
        help=f"Mean over the listener's windows of |α̂(t) − α(t)|, on what it heard over "
        f"{timeline['span_s']:g}-s spans (a window mostly hears one genre's section)",
    )
    cols[1].metric(
        "Spearman",
        f(timeline["spearman"]),
        help="Rank correlation of the heard weight with the asked one over the windows: 1 = "
        "it rises and falls with the curve",
    )
    cols[2].metric("per window: error", f(timeline["tracking_error_raw"]))
    cols[3].metric("per window: Spearman", f(timeline["spearman_raw"]))
    st.altair_chart(charts.morph_chart(timeline), width="stretch")
    other = next((v for v in ev.get("ears", []) if v.get("morph")), None)
    st.caption(
        f"Dashed: the curve asked for. Line: heard over {timeline['span_s']:g}-s spans. Dots: "
        "each 3-s window. The bars below are against the curve's average."
        + (
            f" {other['name']} (did not steer): tracking error "
            f"{f(other['morph']['tracking_error'])}, Spearman {f(other['morph']['spearman'])}."
            if other
            else ""
        )
    )


def show_loop_and_ears(evaluation: dict, closed_loop: dict | None) -> None:
    """The closed loop's outcome (it may have missed) and what the ears that did not steer heard
    (the landing verdict itself is :func:`show_verdict`)."""
    if closed_loop and not closed_loop["reached"]:
        st.warning(closed_loop["message"])
    for view in evaluation.get("ears", []):
        verdict = view["note"] or view["landing"]["summary"]
        st.caption(f"{view['name']} ({view['kind']}, did not steer): {verdict}")


def show_run(run: services.BlendRun, key: str) -> None:
    ev = run.evaluation
    genres = list(ev["target"])
    target = run.target
    st.subheader(run.heading)
    show_verdict(run)
    st.iframe(
        player_html(
            run.wav, ev["segments"], genres, run.request["seconds"], highlight=target.genres
        ),
        height="content",
        alt="player with the genre timeline",
    )
    show_metrics(run)
    show_loop_and_ears(ev, run.closed_loop)
    if ev.get("morph"):
        show_morph(run)
    if target.is_pair:
        st.altair_chart(charts.distribution_chart(ev["target"], ev["predicted"]), width="stretch")
        st.caption("Bars: what the classifier heard. Dashed outlines: the blend asked for.")
    else:
        left, right = st.columns([2, 3])
        heard = ev["metrics"].get("heard_weights") or {}
        left.altair_chart(charts.mix_chart(dict(target.items()), heard), width="stretch")
        left.caption(
            "The mix asked for, and the weights heard: the classifier's share of each asked "
            f"genre among them ({ev['metrics']['on_target_mass']:.0%} of all it heard)."
        )
        right.altair_chart(
            charts.distribution_chart(ev["target"], ev["predicted"]), width="stretch"
        )
        right.caption("Bars: what the classifier heard. Dashed outlines: the mix asked for.")
    with st.expander("How to read this"):
        st.markdown(HOW_TO_READ)
        m = ev["metrics"]
        st.markdown(
            f"This track: KL(target‖heard) = {m['kl']:.2f} nats, TV = {m['tv']:.2f} "
            f"({m['tv']:.0%} of the probability is in the wrong place)."
        )
    r = run.request
    meta = run.metadata
    if meta.get("tempo_bpm") is not None:
        st.caption(tempo_key_caption(meta, r))
    if run.morph is not None:
        stem = f"genreblender_morph_{'_'.join(run.morph.genres)}_seed{r['seed']}"
    elif r.get("genre_a") is not None:
        stem = f"genreblender_{r['genre_a']}_{r['genre_b']}_{r['alpha']:.2f}_seed{r['seed']}"
    else:
        parts = "_".join(
            f"{g}{p}" for g, p in zip(target.genres, target.percentages(), strict=True)
        )
        stem = f"genreblender_{parts}_seed{r['seed']}"
    files = [("Download WAV", run.wav, "wav", "audio/wav")]
    if run.midi:
        files.append(("Download MIDI", run.midi, "mid", "audio/midi"))
    files.append(("Download JSON sidecar", run.sidecar, "json", "application/json"))
    if run.stems_zip:
        files.append(("Download stems (zip)", run.stems_zip, "zip", "application/zip"))
    cols = st.columns(len(files))
    for col, (label, data, ext, mime) in zip(cols, files, strict=True):
        # deferred (a callable): the file is made when clicked, so a re-run cannot leave the
        # browser holding the address of a file the server has already dropped
        col.download_button(
            label,
            lambda data=data: data,
            f"{stem}.{ext}",
            mime,
            key=f"{ext}{key}",
            on_click="ignore",
        )
    if run.trials:
        with st.expander(f"Closed loop: {len(run.trials)} trials ({STRATEGIES[r['strategy']]})"):
            st.dataframe(pd.DataFrame(run.trials), hide_index=True)
    st.caption(f"Licence of this audio: {run.metadata.get('licence') or services.MUSICGEN_LICENCE}")


def mix_editor(state) -> dict | None:
    """The mix editor: 2 to 10 genres, a weight for each, and the mix as a pie; the weights
    (None when they do not make a mix: the reason is shown)."""
    chosen = st.multiselect(
        "Genres of the mix",
        GENRES,
        key="mix_genres",
        max_selections=MAX_MIX_GENRES,
        help=f"{MIN_MIX_GENRES} to {MAX_MIX_GENRES} genres; the first is listed first everywhere",
    )
    percents = {}
    cols = st.columns(2)
    for i, genre in enumerate(chosen):
        percents[genre] = cols[i % 2].slider(
            f"{genre} (weight)", 0, 100, step=5, key=f"mix_w_{genre}"
        )
    # the sliders are in percent: as fractions, sliders that sum to 100% are a mix as set, and
    # only others are normalised (and the sidecar says so)
    weights = {genre: p / 100 for genre, p in percents.items()}
    try:
        mix = make_mix(weights)
    except GenreBlenderError as exc:
        st.info(str(exc))
        return None
    # the pie fills its column (a drawn size would spill over the label in a narrow one)
    left, right = st.columns(2)
    left.altair_chart(charts.mix_pie(dict(mix.items())), width="stretch")
    note = (
        f"The weights sum to {sum(percents.values())}%, not 100%, so they are normalised: "
        if mix.normalised
        else ""
    )
    right.markdown(f"{note}**{mix.label}**")
    return weights


def blend_controls(state) -> dict | None:
    """The left column; returns the request when it should run now, else None."""
    # the label is hidden to keep Generate above the fold; the choices say what it is
    kind = st.radio(
        "Blend of", BLEND_KINDS, key="blend_kind", horizontal=True, label_visibility="collapsed"
    )
    if kind == BLEND_KINDS[1]:
        target = {"mix": mix_editor(state)}
    elif kind == BLEND_KINDS[2]:
        target = {"morph": morph_editor(state)}
    else:
        target = pair_controls(state)
    return common_controls(state, target)


def morph_editor(state) -> str | None:
    """A blend that moves: genre A, genre B and the curve of A's weight (keyframes
    ``time_s:alpha``), drawn as it will be asked for; the curve's text (None when it is not a
    curve: the reason is shown)."""
    a, b = st.columns(2)
    genre_a = a.selectbox("Genre A", GENRES, key="genre_a")
    genre_b = b.selectbox("Genre B", GENRES, key="genre_b")
    text = st.text_input(
        "Curve of A's weight",
        key="morph_curve",
        help="keyframes time_s:alpha separated by commas, linear between and held after the "
        "last: 0:1,20:0 moves from pure A to pure B over 20 s",
    )
    try:
        morph = parse_alpha_curve(text, genre_a, genre_b)
    except GenreBlenderError as exc:
        st.info(str(exc))
        return None
    seconds = max(float(state.get("seconds", defaults.SECONDS)), morph.times[-1])
    st.altair_chart(charts.curve_preview(morph, seconds), width="stretch")
    return morph.text


def pair_controls(state) -> dict:
    """Genre A, genre B and α."""
    a, b = st.columns(2)
    genre_a = a.selectbox("Genre A", GENRES, key="genre_a")
    genre_b = b.selectbox("Genre B", GENRES, key="genre_b")
    # the slider's labels name the genres, so a new genre makes it a new widget to Streamlit;
    # writing the value back first carries it over instead of resetting it to 0%
    state["alpha_percent"] = state["alpha_percent"]
    percent = st.select_slider(
        "Blend",
        options=list(range(0, 101, 5)),
        key="alpha_percent",
        format_func=lambda v: blend_label(genre_a, genre_b, v / 100),
        help="α, the weight of genre A: 100% is pure A, 0% pure B",
    )
    return {"genre_a": genre_a, "genre_b": genre_b, "alpha": percent / 100}


def common_controls(state, target: dict) -> dict | None:
    """Duration, seed, engine, closed loop and Generate; the request when it should run now."""
    left, right = st.columns(2)
    seconds = left.slider("Duration (s)", 3, int(services.MAX_GENERATE_SECONDS), key="seconds")
    seed = right.number_input(
        "Seed", 0, 2**31 - 1, step=1, key="seed", help="the same seed makes the same track"
    )
    left, right = st.columns(2)
    statuses = {e: get_engine_status(e) for e in ENGINES}
    engine = left.selectbox(
        "Engine",
        ENGINES,
        key="engine",
        format_func=lambda e: (
            ("Composer" if e == "composer" else "MusicGen (CC-BY-NC)")
            + ("" if statuses[e].available else " — unavailable")
        ),
    )
    strategy = right.selectbox(
        "Closed loop",
        list(STRATEGIES),
        key="strategy",
        format_func=STRATEGIES.get,
        help="best of N keeps the candidate closest to the target; calibration searches the "
        "engine's internal weight until the measured blend matches the one asked for",
    )
    n_candidates = (
        st.slider("N candidates", 2, 8, key="n")
        if strategy == "best_of_n"
        else defaults.N_CANDIDATES
    )
    with st.expander("Tempo, key and stems"):
        left, right = st.columns(2)
        set_bpm = left.checkbox("Set the tempo", key="set_bpm")
        bpm = left.number_input(
            "BPM",
            int(BPM_RANGE[0]),
            int(BPM_RANGE[1]),
            step=1,
            key="bpm",
            disabled=not set_bpm,
            help="otherwise each genre plays at its own style's tempo",
        )
        tonic = right.selectbox(
            "Key",
            KEY_TONICS,
            key="tonic",
            format_func=lambda k: "the style's" if k == STYLE_CHOICE else k,
        )
        mode = right.selectbox(
            "Mode",
            (STYLE_CHOICE, "major", "minor"),
            key="mode",
            format_func=lambda k: "the style's" if k == STYLE_CHOICE else k,
            disabled=tonic == STYLE_CHOICE,
        )
        can_stem = engine in STEM_ENGINES
        stems = st.checkbox(
            "Stems: one WAV per part (drums, bass, comp, pad, lead, voice), as a zip",
            key="stems",
            disabled=not can_stem,
            help="they sum to the mix; "
            + ("" if can_stem else "MusicGen makes one mixed waveform, with no parts to split"),
        )
    key_name = None
    if tonic != STYLE_CHOICE:
        key_name = tonic if mode == STYLE_CHOICE else f"{tonic} {mode}"
    status = statuses[engine]
    ready = status.available and all(target.get(k, True) is not None for k in ("mix", "morph"))
    if "morph" in target and (strategy != "plain" or engine != "composer"):
        st.info(
            "A morph is made once, by the composer (it follows the curve with sections of each "
            "genre's own music): pick one take and the composer."
        )
        ready = False
    go = st.button("Generate", type="primary", disabled=not ready, key="generate")
    if engine == "musicgen":
        if status.available:
            st.caption(services.MUSICGEN_LICENCE)
        else:
            st.info(services.web_engine_message(status))
    if not (go or state.pop("run_now", False)) or not ready:
        return None
    return {
        **target,
        "seconds": seconds,
        "seed": int(seed),
        "engine": engine,
        "strategy": strategy,
        "n_candidates": n_candidates,
        "bpm": float(bpm) if set_bpm else None,
        "key": key_name,
        "stems": bool(stems and can_stem),
    }


def blend_tab() -> None:
    state = _state()
    st.pills(
        "Try a preset",
        list(PRESETS),
        key="preset",
        on_change=_apply_preset,
        help="Sets the genres and the blend, and makes it at once",
    )
    left, right = st.columns([1, 2], gap="large")
    with left:
        request = blend_controls(state)
    with right:
        if request is not None:
            bar = st.progress(0.0, text="composing…")
            try:
                run = services.run_blend(
                    **request,
                    generator=get_generator(request["engine"]),
                    classifier=get_classifier(),
                    progress=_progress_callback(bar),
                )
            except EngineUnavailableError:
                st.info(services.web_engine_message(get_engine_status(request["engine"])))
                return
            except GenreBlenderError as exc:
                st.error(str(exc))
                return
            finally:
                bar.empty()
            _remember(run)
        if state["current"] is not None:
            show_run(state["current"], "current")
        else:
            st.caption(
                "An example to start from: 70% jazz · 30% metal. Pick a preset, or choose two "
                "genres and a blend and press Generate."
            )
            show_run(example_run(), "example")


def classify_tab() -> None:
    st.caption(services.limits_text())
    upload = st.file_uploader(
        "Audio file", type=[e.lstrip(".") for e in services.UPLOAD_EXTENSIONS], key="upload"
    )
    if upload is None:
        st.info("Upload a song to see which genres the classifier hears in it, and when.")
        return
    data = upload.getvalue()
    st.audio(data, format=AUDIO_TYPES.get(Path(upload.name).suffix.lower(), "audio/wav"))
    try:
        with st.spinner("Listening…"):
            result = services.classify_upload(upload.name, data, get_classifier())
    except GenreBlenderError as exc:
        st.error(str(exc))
        return
    ranked = sorted(result.distribution.items(), key=lambda kv: -kv[1])
    st.subheader(f"Top genre: {result.top_genre} ({ranked[0][1]:.0%})")
    st.caption(
        "Next: "
        + ", ".join(f"{g} {p:.0%}" for g, p in ranked[1:4])
        + f" · {result.duration_s:.0f} s"
    )
    st.altair_chart(charts.distribution_chart(None, result.distribution), width="stretch")
    if len(result.segment_probabilities) > 1:
        st.markdown("**Over time** (analysis windows of the model, 50% overlap)")
        centres = (result.segment_starts_s + result.segment_ends_s) / 2
        frame = pd.DataFrame(result.segment_probabilities, columns=list(result.genres))
        frame.insert(0, "seconds", centres.round(1))
        st.altair_chart(charts.timeline_chart(frame), width="stretch")
    else:
        st.caption("One analysis window: the file is not longer than the model's 30-s window.")


def sweep_tab() -> None:
    state = _state()
    cols = st.columns(6)
    genre_a = cols[0].selectbox("Genre A", GENRES, key="sw_a")
    genre_b = cols[1].selectbox("Genre B", GENRES, key="sw_b")
    points = cols[2].slider("α values", 3, services.MAX_SWEEP_POINTS, key="sw_points")
    seconds = cols[3].slider("Seconds per track", 3, 30, key="sw_seconds")
    n_seeds = cols[4].slider("Seeds", 1, services.MAX_SWEEP_SEEDS, key="sw_seeds")
    first = cols[5].number_input("First seed", 0, 2**31 - 1, step=1, key="sw_seed")
    st.caption(
        f"{points} blends from pure {genre_b} to pure {genre_a}, each with {n_seeds} seed"
        f"{'s' if n_seeds > 1 else ''}: {points * n_seeds} tracks, the embedded composer."
    )
    if st.button("Run sweep", key="sw_go", type="primary"):
        alphas = [round(i / (points - 1), 3) for i in range(points)]
        bar = st.progress(0.0, text="sweeping…")
        try:
            rows = services.alpha_sweep(
                genre_a,
                genre_b,
                alphas,
                seconds,
                seeds=range(int(first), int(first) + n_seeds),
                generator=get_generator("composer"),
                classifier=get_classifier(),
                progress=_progress_callback(bar),
            )
        except GenreBlenderError as exc:
            st.error(str(exc))
            return
        finally:
            bar.empty()
        state["sweep"] = (genre_a, genre_b, rows)
    if "sweep" not in state:
        return
    genre_a, genre_b, rows = state["sweep"]
    frame = pd.DataFrame(
        [{k: v for k, v in r.items() if k not in ("wav", "predicted")} for r in rows]
    )
    frame["right genres on top"] = [
        right_genres_on_top(r["predicted"], genre_a, genre_b, r["alpha"]) for r in rows
    ]
    chart_col, listen_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.markdown(f"**Response curve: {genre_a} (α) vs {genre_b} (1 − α)**")
        st.altair_chart(charts.response_chart(frame), width="stretch")
        from scipy.stats import spearmanr

        rho = (
            spearmanr(frame["alpha"], frame["alpha_hat"]).statistic
            if frame["alpha_hat"].nunique() > 1
            else float("nan")
        )
        st.caption(
            f"Dots: each track; line: the mean over seeds; dashed: α̂ = α. "
            f"Spearman(α, α̂) = {rho:.2f} (1 = the heard blend follows α) · mean |α̂ − α| = "
            f"{(frame['alpha_hat'] - frame['alpha']).abs().mean():.2f}"
        )
    with listen_col:
        choice = st.selectbox(
            "Listen to a point",
            range(len(rows)),
            key="sw_listen",
            format_func=lambda i: (
                f"{blend_label(genre_a, genre_b, rows[i]['alpha'])} · seed {rows[i]['seed']}"
                f" — heard α̂ {rows[i]['alpha_hat']:.2f}"
            ),
        )
        st.audio(rows[choice]["wav"], format="audio/wav")
        st.altair_chart(
            charts.distribution_chart(
                {g: 0.0 for g in GENRES}
                | {genre_b: 1 - rows[choice]["alpha"]}
                | {genre_a: rows[choice]["alpha"] if genre_a != genre_b else 1.0},
                rows[choice]["predicted"],
                height=200,
            ),
            width="stretch",
        )
    st.dataframe(
        frame[["alpha", "seed", "alpha_hat", "js", "leakage", "right genres on top"]],
        hide_index=True,
    )


def history_tab() -> None:
    state = _state()
    history = state["history"]
    if not history:
        st.info("Your generations in this session appear here, to compare side by side.")
        return
    by_id = {run.run_id: run for run in history}
    # a selection of runs that the history limit dropped would be refused by the widget
    state["compare"] = [i for i in state["compare"] if i in by_id]
    chosen = st.multiselect(
        "Compare",
        list(reversed(by_id)),
        key="compare",
        format_func=lambda i: _run_title(by_id[i]),
        max_selections=4,
    )
    if not chosen:
        return
    cols = st.columns(len(chosen))
    for col, run_id in zip(cols, chosen, strict=True):
        run = by_id[run_id]
        with col:
            st.markdown(f"**{_run_title(run)}**")
            show_verdict(run)
            m = run.evaluation["metrics"]
            st.markdown(f"α̂ {m['alpha_hat']:.2f} · JS {m['js']:.3f} · leakage {m['leakage']:.2f}")
            st.audio(run.wav, format="audio/wav")
            st.altair_chart(
                charts.distribution_chart(run.evaluation["target"], run.evaluation["predicted"]),
                width="stretch",
            )
    st.caption("All charts share one scale (0 to 1), so bars can be compared across runs.")


def main() -> None:
    st.set_page_config(page_title="GenreBlender", page_icon="🎛️", layout="wide")
    st.markdown("### GenreBlender")
    st.caption(
        "Pick two genres and a blend: GenreBlender composes a new track that should sound like "
        "it, then a genre classifier trained on GTZAN listens and says whether the blend landed."
    )
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
