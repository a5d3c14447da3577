"""The one set of defaults every front end uses (CLI, web app, HTTP API, Python API).

A user who tries the same blend in two front ends without touching any option hears the same
track and sees the same numbers. The README states these values.
"""

from __future__ import annotations

GENRE_A = "jazz"
GENRE_B = "metal"
#: Weight of genre A.
ALPHA = 0.7
#: Track length in seconds: long enough for the classifier to hear a form (intro, verse,
#: chorus), short enough to compose and measure in about a second on a CPU.
SECONDS = 20.0
SEED = 0
STRATEGY = "plain"
#: Candidates for the best-of-N strategy.
N_CANDIDATES = 4
#: The musicnn judge that reports on every blend (it never steers): MSD's genre tags plus
#: MTT's classical, so it sees 9 of the 10 genres (all but reggae).
JUDGE = "MSD_musicnn+MTT_musicnn"
