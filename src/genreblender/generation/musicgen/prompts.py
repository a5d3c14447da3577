"""The text MusicGen is conditioned on."""

from __future__ import annotations

# How people write the genres in text (what MusicGen's text encoder saw in training captions).
GENRE_WORDS = {
    "blues": "blues",
    "classical": "classical",
    "country": "country",
    "disco": "disco",
    "hiphop": "hip hop",
    "jazz": "jazz",
    "metal": "metal",
    "pop": "pop",
    "reggae": "reggae",
    "rock": "rock",
}


def weighted_prompt(genre_a: str, genre_b: str, alpha: float) -> str:
    """The original design's prompt: "A music track that is 70% classical and 30% hip hop."."""
    a, b = GENRE_WORDS[genre_a], GENRE_WORDS[genre_b]
    pa = round(100 * alpha)
    if genre_a == genre_b or pa == 100:
        return f"A {a} music track."
    if pa == 0:
        return f"A {b} music track."
    return f"A music track that is {pa}% {a} and {100 - pa}% {b}."


def genre_prompt(genre: str) -> str:
    """The prompt of one genre alone, used at each end of an embedding interpolation."""
    return f"A {GENRE_WORDS[genre]} music track."


def with_controls(prompt: str, controls) -> str:
    """The prompt with the user's tempo and key said in words, as MusicGen's training captions
    say them ("A jazz music track at 120 BPM in A minor."): a hint the model may follow, not a
    constraint it must meet. ``controls`` is a :class:`~genreblender.generation.controls.Controls`."""
    if controls is None or controls.empty:
        return prompt
    words = []
    if controls.bpm is not None:
        words.append(f"at {controls.bpm:g} BPM")
    if controls.key is not None:
        words.append(f"in {controls.key.name}")
    return f"{prompt.rstrip('.')} {' '.join(words)}."
