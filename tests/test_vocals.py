"""Vocals: eSpeak NG rap lines where a style asks for them, none where it says none."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from genreblender.generation.composer import Composer, vocals
from genreblender.generation.composer.arrangement import plan_song
from genreblender.generation.composer.style import load_style


@pytest.fixture(scope="module")
def composer():
    return Composer()


#: The genres whose records are songs: their lead is sung (GTZAN jazz, classical, metal and
#: disco stay instrumental here; hip-hop raps)
SUNG = {"blues", "country", "pop", "reggae", "rock"}


def test_every_style_says_whether_it_has_vocals():
    from genreblender.genres import GENRES

    for genre in GENRES:
        spec = load_style(genre)["vocals"]
        expected = "rap" if genre == "hiphop" else "sung" if genre in SUNG else "none"
        assert spec["kind"] == expected, genre
        assert ("voice" in spec) == (expected != "none"), genre
        assert (spec["level"] > 0) == (expected != "none"), genre


def test_rap_lines_sit_on_the_verse_bars_and_are_deterministic():
    style = load_style("hiphop")
    score = plan_song(style, 20.0, np.random.default_rng(0))
    sr = 16000
    n = int(20 * sr)
    line = vocals.rap_part(score, style["vocals"], n, sr, np.random.default_rng(1))
    assert line.shape == (n,) and line.dtype == np.float32
    assert np.abs(line).max() == pytest.approx(1.0)
    bar_s = 4 * 60 / score.bpm
    for section in score.sections:
        a = int(section.first_bar * bar_s * sr)
        b = min(n, int((section.first_bar + section.bars) * bar_s * sr))
        energy = float(np.mean(line[a:b] ** 2)) if b > a else 0.0
        if section.kind in ("verse", "chorus"):
            assert energy > 1e-3, section
        else:
            assert energy == 0.0, section  # no lines over the pickup or the final chord
    again = vocals.rap_part(score, style["vocals"], n, sr, np.random.default_rng(1))
    np.testing.assert_array_equal(line, again)


def test_unknown_voice_is_refused():
    from genreblender.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="no voice"):
        vocals.line_bank("xx-nonexistent-voice")


def test_hiphop_has_rap_and_instrumental_genres_have_none(composer):
    rap = composer.generate("hiphop", "hiphop", 1.0, 8.0, 0)
    assert rap.metadata["vocals"]["kind"] == "rap"
    assert rap.metadata["vocals"]["engine"] == "espeak-ng"
    assert rap.metadata["vocals"]["voice"] == vocals.DEFAULT_VOICE
    assert np.abs(rap.audio).max() <= 0.99 and np.isfinite(rap.audio).all()
    assert composer.generate("metal", "metal", 1.0, 8.0, 0).metadata["vocals"] is None


def test_vocal_presence_follows_alpha(composer):
    """Rap is heard only in hip-hop's sections, whose share grows with hip-hop's weight."""
    shares = []
    for alpha in (0.0, 0.3, 0.7):
        meta = composer.generate("hiphop", "jazz", alpha, 12.0, 5).metadata
        if alpha == 0.0:
            assert meta["vocals"] is None
            continue
        assert meta["vocals"]["kind"] == "rap"
        shares.append(meta["blend"]["share_a"])
    assert shares[0] < shares[1]


@pytest.mark.slow
def test_line_bank_is_identical_in_fresh_processes():
    code = (
        "import hashlib; from genreblender.generation.composer.vocals import line_bank; "
        "print(hashlib.sha256(b''.join(x.tobytes() for x in line_bank())).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(digests) == 1
    here = hashlib.sha256(b"".join(x.tobytes() for x in vocals.line_bank())).hexdigest()
    assert digests == {here}
