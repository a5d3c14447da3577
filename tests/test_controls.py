"""--bpm and --key: parsing and validation at the boundary, the composer honouring them, the
sidecar recording them, and MusicGen's prompt words."""

import json

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.generation.composer import Composer
from genreblender.generation.composer.arrangement import _scales_in_mode, plan_song
from genreblender.generation.composer.style import blend_styles
from genreblender.generation.composer.theory import HARMONY_MODE, SCALES
from genreblender.generation.controls import (
    BPM_RANGE,
    Controls,
    parse_key,
    validate_bpm,
    validate_controls,
)
from genreblender.generation.musicgen.prompts import weighted_prompt, with_controls


@pytest.mark.parametrize(
    "text, pc, mode, name",
    [
        ("A minor", 9, "minor", "A minor"),
        ("C#", 1, None, "C#"),
        ("Eb major", 3, "major", "Eb major"),
        ("  f# min ", 6, "minor", "F# minor"),
        ("Db", 1, None, "Db"),
        ("B maj", 11, "major", "B major"),
        ("Cb", 11, None, "Cb"),
        ("E♭ minor", 3, "minor", "Eb minor"),
    ],
)
def test_key_names_parse(text, pc, mode, name):
    key = parse_key(text)
    assert (key.tonic_pc, key.mode, key.name) == (pc, mode, name)


@pytest.mark.parametrize("text", ["H major", "A dorian", "", "C##", "minor", "A minor x", "7"])
def test_bad_key_names_say_what_is_accepted(text):
    with pytest.raises(
        InvalidInputError, match="accepted: a note A-G.*'A minor', 'C#', 'Eb major'"
    ):
        parse_key(text)


def test_key_must_be_text():
    with pytest.raises(InvalidInputError, match="key must be text"):
        parse_key(9)


@pytest.mark.parametrize("value", [39.9, 240.1, float("nan"), float("inf"), "fast", True, [120]])
def test_bad_bpm_is_refused_with_the_range(value):
    with pytest.raises(InvalidInputError, match=r"\[40, 240\]"):
        validate_bpm(value)


def test_bpm_bounds_and_none():
    assert validate_bpm(BPM_RANGE[0]) == 40.0 and validate_bpm("120") == 120.0
    assert validate_bpm(None) is None
    assert validate_controls().empty
    c = validate_controls(96, "A minor")
    assert c.to_dict() == {"bpm": 96.0, "key": "A minor"} and not c.empty


def test_plan_song_imposes_tempo_and_mode_and_keeps_later_draws():
    style = blend_styles("jazz", "jazz", 1.0)
    free = plan_song(style, 30.0, np.random.default_rng(3))
    fixed = plan_song(style, 30.0, np.random.default_rng(3), tonic_pc=9, bpm=77.0, mode="minor")
    assert fixed.bpm == 77.0 and fixed.tonic % 12 == 9
    assert SCALES[HARMONY_MODE[fixed.scale]][2] == 3  # a minor third: the chords are minor
    # the draws after the key (progressions) are the same with or without the controls
    assert [s.kind for s in free.sections][:3] == [s.kind for s in fixed.sections][:3]


def test_scales_in_mode_keep_the_styles_weights_or_fall_back():
    assert _scales_in_mode({"major": 0.6, "minor": 0.2, "harmonic_minor": 0.2}, "minor") == {
        "minor": 0.2,
        "harmonic_minor": 0.2,
    }
    assert _scales_in_mode({"major": 0.8, "pentatonic_major": 0.2}, "minor") == {"minor": 1.0}
    assert set(_scales_in_mode({"blues": 0.7, "dorian": 0.3}, "major")) == {"blues"}


@pytest.fixture(scope="module")
def composer():
    return Composer()


def test_composer_plays_the_asked_tempo_and_key_in_both_genres_of_a_blend(composer):
    controls = validate_controls(100, "Eb major")
    result = composer.generate("jazz", "metal", 0.6, 8.0, 1, controls=controls)
    meta = result.metadata
    assert meta["controls"] == {"bpm": 100.0, "key": "Eb major"}
    for song in meta["blend"]["songs"].values():
        assert song["tempo_bpm"] == 100.0
        assert song["key"].startswith("Eb ")
        assert SCALES[HARMONY_MODE[song["key"].split()[1]]][2] == 4  # major third
    # the MIDI carries the tempo too
    import io

    import pretty_midi

    midi = pretty_midi.PrettyMIDI(io.BytesIO(result.midi))
    assert midi.get_tempo_changes()[1][0] == pytest.approx(100.0, abs=0.01)


def test_without_controls_the_sidecar_says_the_style_chose(composer):
    meta = composer.generate("rock", "rock", 1.0, 4.0, 0).metadata
    assert meta["controls"] == {"bpm": None, "key": None}


def test_musicgen_gets_tempo_and_key_as_prompt_words():
    prompt = with_controls(weighted_prompt("jazz", "metal", 0.7), validate_controls(120, "A minor"))
    assert prompt == "A music track that is 70% jazz and 30% metal at 120 BPM in A minor."
    assert with_controls("A jazz music track.", Controls()) == "A jazz music track."


def test_cli_refuses_bad_tempo_and_key_with_exit_2(tmp_path, capsys):
    from genreblender.cli.main import main

    out = tmp_path / "x.wav"
    assert main(["generate", "--bpm", "20", "-o", str(out)]) == 2
    assert "[40, 240]" in capsys.readouterr().err
    assert main(["blend", "--key", "Q", "-o", str(out), "--no-judge"]) == 2
    assert "accepted: a note A-G" in capsys.readouterr().err
    assert not out.exists()


def test_cli_generate_records_the_controls(tmp_path):
    from genreblender.cli.main import main

    out = tmp_path / "x.wav"
    assert main(["generate", "--a", "pop", "--b", "pop", "--seconds", "4", "--bpm", "90",
                 "--key", "D minor", "-o", str(out)]) == 0  # fmt: skip
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["controls"] == {"bpm": 90.0, "key": "D minor"}
    assert meta["tempo_bpm"] == 90.0 and meta["key"].startswith("D ")
