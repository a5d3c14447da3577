"""Sectioned blends: a song whose sections alternate between A's and B's own music.

Averaging two styles into one loop gives music that is neither: a metal kick pattern at
jazz's level under a jazz ride, at a tempo between both, mastered halfway, is heard as a third
genre. A musician blending two genres keeps each recognisable and lets them take turns (a
beat switch, a bridge in the other style, a medley). So a blend here is a sequence of pieces,
each a stretch of whole bars of one genre's own song (its groove and kit, bass, harmony, lead,
vocals and master bus), with A's share of the track's time equal to ``alpha``. A listener that
averages short windows over the track (3 s, 1.5 s hop) then measures about ``alpha`` of A.

Form: the heavier genre opens and closes the track and the lighter one plays in between
(``H L H L ... H``), with pieces of about :data:`TARGET_PIECE_S`. Each genre's pieces are
consecutive stretches of its own song, so its music runs on where it left off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Typical length of one piece: a few 3-s listening windows of pure genre, a phrase or two
TARGET_PIECE_S = 8.0


@dataclass(frozen=True)
class Piece:
    genre: int  # 0 for A, 1 for B
    bars: int
    source_start_bar: int  # where in that genre's own song the piece starts


def _split(total: int, parts: int) -> list[int]:
    """``total`` bars in ``parts`` nearly equal whole numbers (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_pieces(alpha: float, duration_s: float, bar_a_s: float, bar_b_s: float) -> list[Piece]:
    """The pieces of a ``duration_s`` blend with A's time share ``alpha`` (whole bars).

    The lighter genre gets ``round(share * duration / bar)`` bars (none when that rounds to 0:
    the track is then the heavier genre alone); the heavier genre fills the rest. Raising
    ``alpha`` never takes bars from A's share.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    heavy = 0 if alpha >= 0.5 else 1
    light = 1 - heavy
    bar_h, bar_l = (bar_a_s, bar_b_s) if heavy == 0 else (bar_b_s, bar_a_s)
    light_share = 1.0 - alpha if heavy == 0 else alpha
    light_bars = int(round(light_share * duration_s / bar_l))
    if light_bars == 0:
        return [Piece(heavy, max(1, math.ceil(duration_s / bar_h)), 0)]
    n_light = max(1, min(light_bars, int(round(light_share * duration_s / TARGET_PIECE_S))))
    heavy_s = max(0.0, duration_s - light_bars * bar_l)
    heavy_bars = max(n_light + 1, math.ceil(heavy_s / bar_h))
    light_split = _split(light_bars, n_light)
    heavy_split = _split(heavy_bars, n_light + 1)
    pieces: list[Piece] = []
    used = {heavy: 0, light: 0}
    for i in range(n_light + 1):
        pieces.append(Piece(heavy, heavy_split[i], used[heavy]))
        used[heavy] += heavy_split[i]
        if i < n_light:
            pieces.append(Piece(light, light_split[i], used[light]))
            used[light] += light_split[i]
    return pieces
