"""Sectioned blends: the piece plan, A's share of the time, determinism, the sidecar."""

import io
import itertools

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.generation.composer import Composer
from genreblender.generation.composer.sections import heard_seconds, plan_pieces


@pytest.fixture(scope="module")
def composer():
    return Composer()


def _heard(pieces, bar_a, bar_b, duration):
    """Each piece's seconds in the track (the last is cut at its end) and A's share of it."""
    heard = heard_seconds(pieces, (bar_a, bar_b), duration)
    share = sum(h for h, p in zip(heard, pieces, strict=True) if p.genre == 0) / duration
    return heard, share


@pytest.mark.parametrize("duration", [10.0, 20.0, 30.0, 60.0])
def test_a_share_follows_alpha_within_a_bar_and_hardly_falls(duration):
    bar_a, bar_b = 2.4, 1.7  # e.g. 100 and 141 BPM in 4/4
    shares = []
    for alpha in np.linspace(0, 1, 21):
        pieces = plan_pieces(float(alpha), duration, bar_a, bar_b)
        total = sum(p.bars * (bar_a if p.genre == 0 else bar_b) for p in pieces)
        assert total >= duration - 1e-9  # the pieces cover the track
        share = _heard(pieces, bar_a, bar_b, duration)[1]
        # within half a bar of whichever genre's bars were rounded
        assert abs(share - alpha) <= max(bar_a, bar_b) / 2 / duration + 1e-9, (alpha, share)
        shares.append(share)
    # whole bars make it a step function that can step back a little where the heavier genre
    # changes, never by more than the rounding allows
    assert all(
        b >= a - max(bar_a, bar_b) / 2 / duration for a, b in zip(shares, shares[1:], strict=False)
    )
    assert shares[0] == 0 and shares[-1] == 1


def test_plan_shape_heavier_genre_opens_and_closes_and_pure_ends():
    assert [p.genre for p in plan_pieces(1.0, 20, 2.4, 1.7)] == [0]
    assert [p.genre for p in plan_pieces(0.0, 20, 2.4, 1.7)] == [1]
    for alpha, heavy in ((0.7, 0), (0.3, 1)):
        pieces = plan_pieces(alpha, 30, 2.4, 1.7)
        genres = [p.genre for p in pieces]
        assert genres[0] == genres[-1] == heavy and 1 - heavy in genres
        assert all(a != b for a, b in zip(genres, genres[1:], strict=False))  # they alternate
        # each genre's pieces are consecutive stretches of its own song
        for g in (0, 1):
            mine = [p for p in pieces if p.genre == g]
            starts = np.cumsum([0] + [p.bars for p in mine])[:-1]
            assert [p.source_start_bar for p in mine] == list(starts)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        plan_pieces(1.5, 20, 2.0, 2.0)


def test_blend_mode_is_validated():
    with pytest.raises(InvalidInputError, match="accepted: sections, fuse"):
        Composer(blend="average")


def test_sectioned_blend_sidecar_share_and_determinism(composer):
    import pretty_midi

    result = composer.generate("jazz", "metal", 0.5, 12.0, 2)
    meta = result.metadata
    assert meta["blend"]["mode"] == "sections"
    sections = meta["blend"]["sections"]
    assert {s["genre"] for s in sections} == {"jazz", "metal"}
    assert sections[0]["start_s"] == 0 and sections[-1]["end_s"] == pytest.approx(12.0, abs=1e-3)
    assert abs(meta["blend"]["share_a"] - 0.5) < 0.25
    assert set(meta["blend"]["songs"]) == {"jazz", "metal"}
    # each genre plays in the key its own song draws for the seed (composer 2.15)
    for genre, song in meta["blend"]["songs"].items():
        assert song["key"] == composer.generate(genre, genre, 1.0, 12.0, 2).metadata["key"]
    opening = meta["blend"]["songs"][sections[0]["genre"]]  # the sidecar's top level
    assert (meta["key"], meta["tempo_bpm"]) == (opening["key"], opening["tempo_bpm"])
    assert result.audio.shape == (12 * 44100, 2) and np.abs(result.audio).max() <= 0.99
    again = composer.generate("jazz", "metal", 0.5, 12.0, 2)
    np.testing.assert_array_equal(result.audio, again.audio)
    assert result.midi == again.midi
    midi = pretty_midi.PrettyMIDI(io.BytesIO(result.midi))
    names = {i.name.split(":")[-1] for i in midi.instruments if ":" in i.name}
    assert names == {"jazz", "metal"}
    assert max(n.end for i in midi.instruments for n in i.notes) <= 12.0 + 1e-6


def test_share_of_a_grows_with_alpha_for_one_seed(composer):
    shares = [
        composer.generate("classical", "hiphop", alpha, 12.0, 4).metadata["blend"]["share_a"]
        for alpha in (0.25, 0.5, 0.75)
    ]
    assert shares[0] < shares[1] < shares[2]


def test_alpha_one_is_the_pure_song_and_fuse_mode_is_kept(composer):
    fuser = Composer(blend="fuse")
    at_one = composer.generate("jazz", "metal", 1.0, 6.0, 3)
    # at alpha = 1 the sectioned blend is the 1.x song of A alone, sample for sample
    np.testing.assert_array_equal(at_one.audio, fuser.generate("jazz", "metal", 1.0, 6.0, 3).audio)
    assert at_one.metadata["blend"] == {"mode": "pure"}
    assert {i["part"].split(":")[-1] for i in at_one.metadata["instruments"]} <= {"drums", "jazz"}
    fused = fuser.generate("jazz", "metal", 0.5, 6.0, 3)
    assert fused.metadata["blend"] == {"mode": "fuse"}
    assert not np.array_equal(fused.audio, composer.generate("jazz", "metal", 0.5, 6.0, 3).audio)


def test_no_closing_stub_and_the_shares_realised():
    from genreblender.generation.composer.sections import MIN_CLOSING_BARS

    def check(bar_a, bar_b, bound):
        for alpha in np.linspace(0, 1, 21):
            pieces = plan_pieces(float(alpha), 10.0, bar_a, bar_b)
            heard, share = _heard(pieces, bar_a, bar_b, 10.0)
            bars = [bar_a if p.genre == 0 else bar_b for p in pieces]
            assert all(h >= MIN_CLOSING_BARS * b - 1e-9 for h, b in zip(heard, bars, strict=True))
            assert abs(share - alpha) <= bound(bar_a, bar_b) / 10.0 + 1e-9, (alpha, pieces)

    # 10 s at α 0.6 with bars of 2.49 and 2.64 s: the old plan gave A 2 + 1 bars around B's 2,
    # so A's closing piece lasted 0.1 s and A's share came out 0.49. Now within half a bar
    check(2.49, 2.64, lambda a, b: max(a, b) / 2)
    # over the tempos of the styles (40 to 170 BPM in 4/4): no piece under half a bar, and
    # within a bar (one bar fewer where the rounding would have left a sliver)
    for bar_a, bar_b in itertools.product(np.linspace(1.4, 3.6, 9), np.linspace(1.5, 3.5, 7)):
        check(bar_a, bar_b, max)
