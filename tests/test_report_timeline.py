"""The sweep report's timeline of telling tracks, from the listener's analysis windows."""

import base64
import json

import numpy as np
import pandas as pd

from genreblender.evaluation.report import timelines
from genreblender.genres import GENRES


def _rows(n_windows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(3):
        probs = rng.dirichlet(np.ones(len(GENRES)), size=n_windows)
        rows.append(
            {
                "genre_a": "jazz",
                "genre_b": "metal",
                "alpha": 0.5,
                "seed": seed,
                "js": float(seed) / 10,
                "segment_starts_s": json.dumps([1.47 * i for i in range(n_windows)]),
                "segment_probabilities": json.dumps(probs.tolist()),
            }
        )
    return pd.DataFrame(rows)


def test_timeline_is_drawn_from_the_windows():
    png = base64.b64decode(timelines(_rows(12), n_tracks=2))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_no_timeline_without_windows_or_with_one_window():
    assert timelines(_rows(1)) is None
    assert timelines(_rows(12).drop(columns=["segment_probabilities"])) is None
    broken = _rows(12)
    broken.loc[0, "segment_probabilities"] = "not json"
    assert timelines(broken, n_tracks=3) is None
