"""A key in words for a person (the app's caption); the sidecar keeps the scale's own name."""

import pytest

from genreblender.generation.composer.theory import SCALES
from genreblender.keys import key_label, tempo_key_caption


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("D harmonic_minor", "D harmonic minor"),
        ("A pentatonic_minor", "A minor pentatonic"),
        ("F# pentatonic_major", "F# major pentatonic"),
        ("Eb major", "Eb major"),
        ("C blues", "C blues"),
        ("C#", "C#"),
        (None, None),
    ],
)
def test_a_key_in_words(key, words):
    assert key_label(key) == words


def test_every_scale_the_composer_records_reads_as_words():
    for scale in SCALES:
        assert "_" not in key_label(f"G {scale}")


def test_the_caption_under_a_result_names_the_key_in_words():
    meta = {"tempo_bpm": 96.0, "key": "D harmonic_minor"}
    assert tempo_key_caption(meta, {"bpm": 96.0, "key": "D minor"}) == (
        "Tempo 96 BPM · key D harmonic minor (asked for: 96 BPM, D minor)"
    )
    assert tempo_key_caption(meta, {"bpm": None, "key": None}) == (
        "Tempo 96 BPM · key D harmonic minor (the style's)"
    )
