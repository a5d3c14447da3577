"""One colour per genre, used by every chart: the web app, its player timeline and the HTML
report. A genre looks the same wherever it is drawn, and colours that mean something other
than a genre (the target, the ideal line) are greys that no genre uses."""

from __future__ import annotations

from genreblender.genres import GENRES

#: Tableau-10 in GTZAN label order: distinct, colour-blind-friendly, readable on white.
GENRE_COLOURS: dict[str, str] = dict(
    zip(
        GENRES,
        (
            "#4e79a7",  # blues
            "#f28e2b",  # classical
            "#e15759",  # country
            "#76b7b2",  # disco
            "#59a14f",  # hiphop
            "#edc948",  # jazz
            "#b07aa1",  # metal
            "#ff9da7",  # pop
            "#9c755f",  # reggae
            "#bab0ac",  # rock
        ),
        strict=True,
    )
)

#: The blend that was asked for (target bars, outlined) and the measured curve of a sweep.
TARGET_COLOUR = "#3b3b3b"
#: Reference lines (the ideal α̂ = α diagonal) and secondary series (the independent judge).
REFERENCE_COLOUR = "#8c8c8c"


def genre_colour(genre: str) -> str:
    """The colour of ``genre`` (a canonical GTZAN name)."""
    return GENRE_COLOURS[genre]
