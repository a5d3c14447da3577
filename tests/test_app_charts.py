"""The page's Altair charts: what their specs promise (the browser test checks the drawing)."""

import numpy as np
import pandas as pd

from genreblender.app import charts
from genreblender.genres import GENRES


def test_the_timeline_legend_lists_every_genre_in_rows_under_the_chart():
    frame = pd.DataFrame(np.full((3, len(GENRES)), 0.1), columns=list(GENRES))
    frame.insert(0, "seconds", [1.5, 3.0, 4.5])
    spec = charts.timeline_chart(frame, height=240).to_dict()
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == list(GENRES)
    # beside the chart, ten entries were taller than it and Streamlit cut them off
    legend = colour["legend"]
    assert legend["orient"] == "bottom"
    assert len(GENRES) / legend["columns"] <= 2
    assert spec["height"] == 240 + charts.GENRE_LEGEND_HEIGHT
