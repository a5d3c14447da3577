"""A long song's form varies (bridges, breakdowns, solos) while a short one keeps the opening
verse-chorus form; breakdowns and solos change what plays."""

import numpy as np
import pytest

from genreblender.generation.composer import Composer
from genreblender.generation.composer.arrangement import _BREAKDOWN_DRUMS
from genreblender.generation.composer.score import STEPS_PER_BAR


@pytest.fixture(scope="module")
def composer():
    return Composer()


def test_a_ten_minute_song_has_more_than_verses_and_choruses(composer):
    score, *_ = composer.compose("rock", "rock", 1.0, 600.0, 0)
    kinds = [s.kind for s in score.sections]
    assert {"bridge", "breakdown", "solo"} <= set(kinds)
    assert kinds[1:5] == ["verse", "chorus", "verse", "chorus"]  # the opening, as before
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))  # no kind repeats
    assert score.n_bars * 4 * 60 / score.bpm == pytest.approx(600.0, abs=4 * 60 / score.bpm * 2)


@pytest.mark.parametrize("seconds", [10.0, 20.0, 30.0, 45.0])
def test_short_songs_keep_the_verse_chorus_form(composer, seconds):
    for genre in ("jazz", "metal", "pop"):
        score, *_ = composer.compose(genre, genre, 1.0, seconds, 3)
        assert {s.kind for s in score.sections} <= {"intro", "verse", "chorus", "outro"}


def _bars_of(score, kind):
    return {
        b
        for s in score.sections
        if s.kind == kind
        for b in range(s.first_bar, s.first_bar + s.bars)
    }


def test_breakdowns_and_solos_change_what_plays(composer):
    score, *_ = composer.compose("metal", "metal", 1.0, 600.0, 1)
    breakdown = _bars_of(score, "breakdown")
    last_bars = {s.first_bar + s.bars - 1 for s in score.sections if s.kind == "breakdown"}
    assert breakdown
    for note in score.parts["drums"]:
        bar, step = divmod(note.start, STEPS_PER_BAR)
        if int(bar) in breakdown and not (int(bar) in last_bars and step >= 8):
            assert note.pitch in _BREAKDOWN_DRUMS  # no kick, no snare until the fill
    assert not [n for n in score.parts["lead"] if int(n.start // STEPS_PER_BAR) in breakdown]
    assert all(
        n.start % STEPS_PER_BAR == 0
        for n in score.parts["bass"]
        if int(n.start // STEPS_PER_BAR) in breakdown
    )
    solo, verse = _bars_of(score, "solo"), _bars_of(score, "verse")

    def mean_velocity(part, bars):
        return np.mean([n.velocity for n in score.parts[part] if int(n.start // 16) in bars])

    assert mean_velocity("comp", solo) < mean_velocity("comp", verse) - 10
