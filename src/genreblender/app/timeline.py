"""A self-contained audio player whose genre timeline follows the playback position.

Streamlit's own audio widget does not report its position to Python, so the player and the
per-window genre probabilities are drawn together in one small HTML component: an SVG of the
window probabilities with a playhead that the audio element's ``timeupdate`` event moves.
"""

from __future__ import annotations

import base64
import html

import numpy as np

from genreblender.palette import GENRE_COLOURS


def player_html(
    wav: bytes, segments: list[dict], genres, duration_s: float, highlight=(), height: int = 220
) -> str:
    """HTML of an ``<audio>`` element above a genre-probability timeline with a playhead.

    ``segments`` are ``{"start_s", "end_s", "probabilities": {genre: p}}`` (the classifier's
    windows); each genre is a line through the window centres; ``highlight`` genres are bold.
    """
    width, top, plot_h = 760, 10, height - 70
    duration_s = max(float(duration_s), 1e-6)

    def x(t):
        return 40 + (width - 60) * t / duration_s

    def y(p):
        return top + plot_h * (1 - p)

    centres = [0.5 * (s["start_s"] + s["end_s"]) for s in segments]
    lines = []
    for genre in genres:
        colour = GENRE_COLOURS[genre]
        values = [s["probabilities"][genre] for s in segments]
        if len(values) == 1:  # one window: a flat line across it
            pts = [
                (x(segments[0]["start_s"]), y(values[0])),
                (x(segments[0]["end_s"]), y(values[0])),
            ]
        else:
            pts = [(x(t), y(v)) for t, v in zip(centres, values, strict=True)]
        if max(values) < 0.05 and genre not in highlight:
            continue
        weight = 3 if genre in highlight else 1.5
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        lines.append(
            f'<polyline data-genre="{html.escape(genre)}" points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{weight}"><title>{html.escape(genre)}</title></polyline>'
        )
    # the legend wraps between entries (the spaces), never inside one (nowrap): a swatch
    # stays with its genre's name on a narrow page
    legend = " ".join(
        f'<span style="color:{c};margin-right:10px;white-space:nowrap;'
        f'font-weight:{700 if g in highlight else 400}">■ {html.escape(g)}</span>'
        for g, c in ((g, GENRE_COLOURS[g]) for g in genres)
    )
    ticks = "".join(
        f'<text x="{x(t):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle">{t:g}s</text>'
        for t in np.linspace(0, duration_s, 6).round(1)
    )
    grid = "".join(
        f'<line x1="40" x2="{width - 20}" y1="{y(p):.1f}" y2="{y(p):.1f}" stroke="#ddd"/>'
        f'<text x="34" y="{y(p) + 4:.1f}" font-size="11" text-anchor="end">{p:.1f}</text>'
        for p in (0, 0.5, 1)
    )
    audio_b64 = base64.b64encode(wav).decode()
    return f"""
<style>html,body{{margin:0;overflow:hidden}}</style>
<div style="font-family:sans-serif;padding:2px">
<audio id="gb-audio" controls style="width:100%" src="data:audio/wav;base64,{audio_b64}"></audio>
<svg id="gb-timeline" width="100%" viewBox="0 0 {width} {plot_h + 30}" role="img"
     aria-label="genre probabilities over time">
{grid}{"".join(lines)}{ticks}
<line id="gb-playhead" x1="40" x2="40" y1="{top}" y2="{top + plot_h}" stroke="#222" stroke-width="2"/>
</svg>
<div style="font-size:12px">{legend}</div>
</div>
<script>
const audio = document.getElementById("gb-audio");
const head = document.getElementById("gb-playhead");
audio.addEventListener("timeupdate", () => {{
  const xPos = 40 + {width - 60} * Math.min(audio.currentTime / {duration_s}, 1);
  head.setAttribute("x1", xPos); head.setAttribute("x2", xPos);
}});
</script>"""
