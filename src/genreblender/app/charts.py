"""The page's charts (Altair), all drawn with the one genre palette and the same y-scale, so two
charts side by side can be compared by eye and a genre has one colour everywhere."""

from __future__ import annotations

import altair as alt
import pandas as pd

from genreblender.genres import GENRES
from genreblender.palette import GENRE_COLOURS, REFERENCE_COLOUR, TARGET_COLOUR

#: Probabilities are always drawn on [0, 1]: a shared scale, whichever run is shown.
PROBABILITY_SCALE = alt.Scale(domain=[0, 1])
GENRE_SCALE = alt.Scale(domain=list(GENRES), range=[GENRE_COLOURS[g] for g in GENRES])
#: A legend of every genre under the chart, in two rows of five: beside it, ten entries were
#: taller than the chart and Streamlit cut them off after metal.
GENRE_LEGEND = alt.Legend(orient="bottom", columns=5, title=None, offset=6, padding=0)
#: The room :data:`GENRE_LEGEND` takes under a chart (px), added to its height.
GENRE_LEGEND_HEIGHT = 60


def distribution_chart(
    target: dict[str, float] | None, predicted: dict[str, float], height: int = 230
) -> alt.Chart:
    """Predicted probability per genre as bars in the genre's colour; the target (the blend
    asked for) as a dashed outline over them."""
    frame = pd.DataFrame(
        {
            "genre": list(predicted),
            "predicted": list(predicted.values()),
            "target": [target.get(g, 0.0) for g in predicted] if target else 0.0,
        }
    )
    x = alt.X("genre:N", sort=list(GENRES), title=None, axis=alt.Axis(labelAngle=-40))
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("predicted:Q", scale=PROBABILITY_SCALE, title="probability"),
            color=alt.Color("genre:N", scale=GENRE_SCALE, legend=None),
            tooltip=["genre", alt.Tooltip("predicted:Q", format=".1%", title="heard")]
            + ([alt.Tooltip("target:Q", format=".0%", title="asked")] if target else []),
        )
    )
    if not target:
        return bars.properties(height=height)
    outline = (
        alt.Chart(frame[frame["target"] > 0])
        .mark_bar(fillOpacity=0, stroke=TARGET_COLOUR, strokeWidth=2, strokeDash=[5, 3])
        .encode(x=x, y=alt.Y("target:Q", scale=PROBABILITY_SCALE))
    )
    return alt.layer(bars, outline).properties(height=height)


def timeline_chart(frame: pd.DataFrame, height: int = 240) -> alt.Chart:
    """Genre probabilities per analysis window: ``frame`` has ``seconds`` + one column per
    genre; every genre in the legend under it (``height`` is the plot's and axes', the legend
    adds :data:`GENRE_LEGEND_HEIGHT`)."""
    long = frame.melt("seconds", var_name="genre", value_name="probability")
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("seconds:Q", title="seconds (window centre)"),
            y=alt.Y("probability:Q", scale=PROBABILITY_SCALE),
            color=alt.Color("genre:N", scale=GENRE_SCALE, sort=list(GENRES), legend=GENRE_LEGEND),
            tooltip=["genre", "seconds", alt.Tooltip("probability:Q", format=".1%")],
        )
        .properties(height=height + GENRE_LEGEND_HEIGHT)
    )


def response_chart(rows: pd.DataFrame, height: int = 280) -> alt.Chart:
    """α asked → α̂ heard: every track as a dot, the mean over seeds as a line, the ideal
    α̂ = α dashed. Neutral colours: these are not genres."""
    base = alt.Chart(rows)
    x = alt.X("alpha:Q", scale=alt.Scale(domain=[0, 1]), title="α asked")
    ideal = (
        alt.Chart(pd.DataFrame({"alpha": [0.0, 1.0], "alpha_hat": [0.0, 1.0]}))
        .mark_line(color=REFERENCE_COLOUR, strokeDash=[6, 4])
        .encode(x=x, y="alpha_hat:Q")
    )
    dots = base.mark_circle(color=TARGET_COLOUR, opacity=0.45, size=50).encode(
        x=x,
        y=alt.Y("alpha_hat:Q", scale=PROBABILITY_SCALE, title="α̂ heard"),
        tooltip=["alpha", "seed", alt.Tooltip("alpha_hat:Q", format=".2f")],
    )
    mean = base.mark_line(color=TARGET_COLOUR, strokeWidth=2.5).encode(
        x=x, y=alt.Y("mean(alpha_hat):Q", scale=PROBABILITY_SCALE)
    )
    return alt.layer(ideal, dots, mean).properties(height=height)


def mix_pie(weights: dict[str, float], height: int = 170) -> alt.Chart:
    """The weights of a mix as a pie, each genre in its colour (the mix editor)."""
    total = sum(weights.values()) or 1.0
    frame = pd.DataFrame({"genre": list(weights), "weight": [w / total for w in weights.values()]})
    return (
        alt.Chart(frame)
        .mark_arc(stroke="white")
        .encode(
            theta=alt.Theta("weight:Q", stack=True),
            color=alt.Color("genre:N", scale=GENRE_SCALE, sort=list(GENRES), legend=None),
            order=alt.Order("genre:N", sort="ascending"),
            tooltip=["genre", alt.Tooltip("weight:Q", format=".0%", title="asked")],
        )
        .properties(height=height, width=height)
    )


def mix_chart(asked: dict[str, float], heard: dict[str, float], height: int = 120) -> alt.Chart:
    """Two stacked bars on one [0, 1] scale: the weights asked for, and the heard weights (the
    classifier's distribution restricted to the asked genres, renormalised), each genre in its
    colour and in the same order, so a shifted boundary is a weight heard wrong."""
    order = list(asked)
    rows = [
        {"bar": "asked", "genre": g, "weight": asked[g], "rank": i} for i, g in enumerate(order)
    ] + [
        {"bar": "heard", "genre": g, "weight": heard.get(g, 0.0), "rank": i}
        for i, g in enumerate(order)
    ]
    frame = pd.DataFrame(rows)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("bar:N", sort=["asked", "heard"], title=None),
            x=alt.X("weight:Q", scale=PROBABILITY_SCALE, stack="zero", title="weight"),
            color=alt.Color("genre:N", scale=GENRE_SCALE, sort=list(GENRES), legend=None),
            order=alt.Order("rank:Q"),
            tooltip=["bar", "genre", alt.Tooltip("weight:Q", format=".0%")],
        )
        .properties(height=height)
    )


def morph_chart(timeline: dict, height: int = 240) -> alt.Chart:
    """A blend that moves: each genre's weight asked for (dashed) and heard over 12-s spans
    (line) and per window (dots), on the [0, 1] scale, over the listener's window centres; for
    two genres only A's weight (α)."""
    genres = timeline["genres"]
    shown = genres[:1] if len(genres) == 2 else genres
    rows = []
    for i, t in enumerate(timeline["times_s"]):
        for g in shown:
            j = genres.index(g)
            rows += [
                {"seconds": t, "genre": g, "series": "asked", "weight": timeline["asked"][i][j]},
                {
                    "seconds": t,
                    "genre": g,
                    "series": f"heard ({timeline['span_s']:g}-s spans)",
                    "weight": timeline["heard_smoothed"][i][j],
                },
                {
                    "seconds": t,
                    "genre": g,
                    "series": "heard (window)",
                    "weight": timeline["heard"][i][j],
                },
            ]
    frame = pd.DataFrame(rows)
    x = alt.X("seconds:Q", title="seconds (window centre)")
    y = alt.Y("weight:Q", scale=PROBABILITY_SCALE, title="α" if len(genres) == 2 else "weight")
    colour = alt.Color("genre:N", scale=GENRE_SCALE, sort=list(GENRES), legend=None)
    base = alt.Chart(frame).encode(
        x=x,
        y=y,
        color=colour,
        tooltip=["genre", "series", "seconds", alt.Tooltip("weight:Q", format=".2f")],
    )
    asked = base.transform_filter(alt.datum.series == "asked").mark_line(strokeDash=[6, 4])
    heard = base.transform_filter(
        alt.FieldOneOfPredicate("series", [r["series"] for r in rows[1:2]])
    ).mark_line(strokeWidth=2.5)
    dots = base.transform_filter(alt.datum.series == "heard (window)").mark_circle(
        size=30, opacity=0.5
    )
    return alt.layer(asked, heard, dots).properties(height=height)


def curve_preview(morph, seconds: float, height: int = 120) -> alt.Chart:
    """The curve a morph asks for (A's weight, or each genre's), before it is made."""
    import numpy as np

    times = np.linspace(0.0, float(seconds), 61)
    shown = morph.genres[:1] if morph.is_pair else morph.genres
    rows = [
        {
            "seconds": float(t),
            "genre": g,
            "weight": morph.weights_at(float(t))[morph.genres.index(g)],
        }
        for t in times
        for g in shown
    ]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(strokeDash=[6, 4])
        .encode(
            x=alt.X("seconds:Q"),
            y=alt.Y("weight:Q", scale=PROBABILITY_SCALE, title="α" if morph.is_pair else "weight"),
            color=alt.Color("genre:N", scale=GENRE_SCALE, sort=list(GENRES), legend=None),
        )
        .properties(height=height)
    )
