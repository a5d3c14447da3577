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
consecutive stretches of its own song, so its music runs on where it left off. A mix of k
genres (:func:`plan_mix_pieces`) gives each genre its weight's share of the time the same way:
the heaviest opens and closes, the others take turns between its pieces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from genreblender.generation.composer.style import heaviest

#: Typical length of one piece: a few 3-s listening windows of pure genre, a phrase or two
TARGET_PIECE_S = 8.0
#: The shortest closing piece of the heavier genre, in its bars (cut at the track's end)
MIN_CLOSING_BARS = 0.5
#: The heavier genre opens and closes only if each of its pieces can last this long: a piece
#: barely one 3-s listening window long is heard only by windows that straddle its neighbours,
#: so a genre split into such pieces is heard less than its share of the time (measured on
#: composer 2.9's equal 3-genre mixes of 20 s: the genre split to open and close was missing
#: from the top three twice as often as either other)
MIN_HEAVY_PIECE_S = TARGET_PIECE_S / 2


@dataclass(frozen=True)
class Piece:
    genre: int  # index of the genre in the mix: 0 for A, 1 for B
    bars: int
    source_start_bar: int  # where in that genre's own song the piece starts


def _split(total: int, parts: int) -> list[int]:
    """``total`` bars in ``parts`` nearly equal whole numbers (larger ones first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_pieces(alpha: float, duration_s: float, bar_a_s: float, bar_b_s: float) -> list[Piece]:
    """The pieces of a ``duration_s`` blend with A's time share ``alpha`` (whole bars): the
    two-genre :func:`plan_mix_pieces`.

    The lighter genre gets ``round(share * duration / bar)`` bars (none when that rounds to 0:
    the track is then the heavier genre alone); the heavier genre fills the rest. Raising
    ``alpha`` never takes bars from A's share.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    return plan_mix_pieces([alpha, 1.0 - alpha], duration_s, [bar_a_s, bar_b_s])


def plan_mix_pieces(weights, duration_s: float, bar_s) -> list[Piece]:
    """The pieces of a ``duration_s`` mix whose genre ``i`` (``Piece.genre``) has weight
    ``weights[i]`` and bars of ``bar_s[i]`` seconds; each genre's share of the time is its weight
    within about half a bar.

    - Every genre but the heaviest (the first of them on a tie) gets ``round(w * duration /
      bar)`` bars (a genre whose share rounds to no bar is left out), split into pieces of about
      :data:`TARGET_PIECE_S` (at least one); the heaviest genre fills the rest of the time.
    - The lighter genres' pieces take turns, heavier genres first in each round; that sequence
      is cut into *slots*, as many as the heaviest genre's time holds pieces of about
      :data:`TARGET_PIECE_S` (at least one, at most one per light piece), and the heaviest
      genre plays before, between and after the slots (``H L L H L H``). Two pieces of one
      genre that meet inside a slot are one piece. For two genres every slot is one piece of
      the lighter genre: ``H L H L ... H``.
    - Every piece is whole bars but the last, which runs to the track's end. Each heavy piece
      lasts a bar and :data:`MIN_HEAVY_PIECE_S` or more (the closing one at least
      :data:`MIN_CLOSING_BARS`): fewer slots where its time holds fewer; where it cannot open
      and close, the heaviest genre opens alone, in the whole bars nearest its share, and the
      others follow to the end (``H L1 L2``).
    - Each genre's pieces are consecutive stretches of its own song.
    """
    weights = [float(w) for w in weights]
    bars_s = [float(b) for b in bar_s]
    if len(weights) != len(bars_s) or not weights:
        raise ValueError("give one bar length per weight")
    if any(w < 0 for w in weights) or not math.isclose(sum(weights), 1.0, abs_tol=1e-6):
        raise ValueError(f"weights must be non-negative and sum to 1, got {weights}")
    heavy = heaviest(weights)
    lights = sorted((i for i in range(len(weights)) if i != heavy), key=lambda i: -weights[i])
    light_bars = {i: int(round(weights[i] * duration_s / bars_s[i])) for i in lights}
    lights = [i for i in lights if light_bars[i] > 0]
    if not lights:
        return [Piece(heavy, max(1, math.ceil(duration_s / bars_s[heavy])), 0)]
    splits = {}
    for i in lights:
        n = max(1, min(light_bars[i], int(round(weights[i] * duration_s / TARGET_PIECE_S))))
        splits[i] = _split(light_bars[i], n)
    # round-robin: each round, every genre that still has a piece plays one, heavier first
    sequence = [
        (i, splits[i][r])
        for r in range(max(map(len, splits.values())))
        for i in lights
        if r < len(splits[i])
    ]
    heavy_time = weights[heavy] * duration_s
    n_slots = max(1, min(len(sequence), int(round(heavy_time / TARGET_PIECE_S))))
    heavy_s = max(0.0, duration_s - sum(light_bars[i] * bars_s[i] for i in lights))
    # the heavier genre's time in its bars, not rounded: its closing piece is cut at the end
    heavy_len = heavy_s / bars_s[heavy]
    # every heavy piece a whole bar or more and MIN_HEAVY_PIECE_S or more, the closing one at
    # least MIN_CLOSING_BARS (a sliver of a bar is a stub no listening window hears as its
    # genre, and a short song would have rung its ending there): fewer slots where the time
    # holds fewer
    # whole bars the pieces before the closing one may take between them
    before_closing = int(math.floor(heavy_len - MIN_CLOSING_BARS + 1e-9))
    n_slots = min(n_slots, before_closing)
    n_slots = min(n_slots, int(math.floor(heavy_s / MIN_HEAVY_PIECE_S + 1e-9)) - 1)
    if n_slots >= 1:
        opening = min(int(round(heavy_len * n_slots / (n_slots + 1))), before_closing)
        closing = max(1, math.ceil(heavy_len - opening - 1e-9))
        heavy_split = [*_split(opening, n_slots), closing]
    else:
        # too short for the heavier genre to open and close: it opens, in the whole bars
        # nearest its share, and the others follow, the last running to the end (one bar
        # fewer where that would leave it less than MIN_CLOSING_BARS: no stub there either)
        n_slots = 1
        opening = max(1, int(round(weights[heavy] * duration_s / bars_s[heavy])))
        last = sequence[-1][0]
        closing_s = (
            duration_s - opening * bars_s[heavy] - sum(b * bars_s[g] for g, b in sequence[:-1])
        )
        if opening > 1 and closing_s < MIN_CLOSING_BARS * bars_s[last]:
            opening -= 1
        heavy_split = [opening]
    slots, at = [], 0
    for size in _split(len(sequence), n_slots):
        slot: list[list[int]] = []
        for genre, bars in sequence[at : at + size]:
            if slot and slot[-1][0] == genre:
                slot[-1][1] += bars  # the same genre twice in a row plays on
            else:
                slot.append([genre, bars])
        slots.append(slot)
        at += size
    plan: list[list[int]] = []  # [genre, bars]
    for k in range(n_slots + 1):
        if k < len(heavy_split):
            plan.append([heavy, heavy_split[k]])
        if k < n_slots:
            plan.extend(list(piece) for piece in slots[k])
    # the last piece runs on to the end of the track (whole bars of its song, cut there)
    covered = sum(bars * bars_s[genre] for genre, bars in plan)
    if covered < duration_s - 1e-9:
        genre = plan[-1][0]
        plan[-1][1] += math.ceil((duration_s - covered) / bars_s[genre] - 1e-9)
    pieces: list[Piece] = []
    used = dict.fromkeys(range(len(weights)), 0)
    for genre, bars in plan:
        pieces.append(Piece(genre, bars, used[genre]))
        used[genre] += bars
    return pieces


def heard_seconds(pieces: list[Piece], bar_s, duration_s: float) -> list[float]:
    """How long each piece of a plan is heard in a ``duration_s`` track (genre ``i``'s bars of
    ``bar_s[i]`` seconds): its whole bars, but the last piece's are cut at the track's end."""
    heard, t = [], 0.0
    for p in pieces:
        seconds = p.bars * float(bar_s[p.genre])
        heard.append(max(0.0, min(seconds, duration_s - t)))
        t += seconds
    return heard


#: A morph's frame: within every frame each genre catches up to its share of the time so far,
#: so any stretch of about this length holds each genre for its weight's share there
MORPH_FRAME_S = 12.0
#: The shortest piece a morph plays (one 3-s listening window, in whole bars); a genre whose
#: catch-up is shorter waits for a later frame
MORPH_MIN_PIECE_S = 3.0


def plan_morph_pieces(
    morph,
    duration_s: float,
    bar_s,
    frame_s: float = MORPH_FRAME_S,
    min_piece_s: float = MORPH_MIN_PIECE_S,
) -> list[Piece]:
    """The pieces of a ``duration_s`` morph (:class:`~genreblender.mixes.Morph`) whose genre
    ``i`` has bars of ``bar_s[i]`` seconds.

    Frame by frame (about :data:`MORPH_FRAME_S` each, from where the last one ended), every
    genre, in the morph's order, plays the whole bars that bring its time
    played so far to ``∫_0^end w_i(t) dt`` at the frame's end (a genre that would play less
    than ``min_piece_s`` waits: its debt carries to the next frame; when every genre waits, the
    one the frame asks for most plays a shortest piece). So the share of each genre over
    any stretch of a frame or two follows its weight there, each piece is at least one
    listening window long, and two pieces of one genre that meet are one piece. The last piece
    runs on to the end of the track.
    """
    bars = [float(b) for b in bar_s]
    if len(bars) != morph.k:
        raise ValueError("give one bar length per genre of the morph")
    played = [0.0] * morph.k
    pieces: list[Piece] = []
    used = dict.fromkeys(range(morph.k), 0)
    t = 0.0

    def play(genre: int, n: int) -> None:
        nonlocal t
        if pieces and pieces[-1].genre == genre:
            last = pieces.pop()
            pieces.append(Piece(genre, last.bars + n, last.source_start_bar))
        else:
            pieces.append(Piece(genre, n, used[genre]))
        used[genre] += n
        played[genre] += n * bars[genre]
        t += n * bars[genre]

    while t < duration_s - 1e-9:
        end = min(duration_s, t + frame_s)
        due = morph.integral(0.0, end)
        before = t
        for g in range(morph.k):
            n = int(round((due[g] - played[g]) / bars[g]))
            if n > 0 and n * bars[g] >= min_piece_s - 1e-9:
                play(g, n)
        if t <= before:
            # every debt too short for a piece: the genre this frame asks for most plays one
            here = morph.integral(t, end)
            g = max(range(morph.k), key=lambda i: (here[i], -i))
            play(g, max(1, math.ceil(min_piece_s / bars[g])))
    return pieces
