"""The player's genre timeline (HTML): every genre in its legend, each entry wrapping whole."""

import re

from genreblender.app.timeline import player_html
from genreblender.genres import GENRES


def test_every_legend_entry_keeps_its_swatch_with_its_name():
    segments = [
        {"start_s": 3.0 * i, "end_s": 3.0 * i + 3, "probabilities": dict.fromkeys(GENRES, 0.1)}
        for i in range(3)
    ]
    page = player_html(b"RIFF", segments, list(GENRES), 9.0, highlight=("jazz",))
    entries = re.findall(r'<span style="([^"]*)">■ (\w+)</span>', page)
    assert [g for _, g in entries] == list(GENRES)
    # without nowrap the last entry broke between its swatch and "rock" at 1400 px; the
    # legend still wraps, between entries
    assert all("white-space:nowrap" in style for style, _ in entries)
    assert page.count("</span> <span") == len(GENRES) - 1
