"""Musical controls a user may impose on a generation: the tempo (``--bpm``) and the key
(``--key``). Everything not imposed follows the genre's style.

Validated here, once, for every front end (CLI, HTTP API, web app, Python API); engines take a
:class:`Controls` and record it in the sidecar (``controls``). No numpy at import: the CLI
checks these before loading anything heavy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from genreblender.errors import InvalidInputError

#: Tempi accepted (beats per minute): the ten styles range over 60-190; this leaves room on
#: both sides without asking the synthesizer for a blur or a crawl.
BPM_RANGE = (40.0, 240.0)
#: Modes a key may name. A key without one keeps the style's own choice of scale.
KEY_MODES = ("major", "minor")
_MODE_ALIASES = {"major": "major", "maj": "major", "minor": "minor", "min": "minor"}
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {"": 0, "#": 1, "♯": 1, "b": -1, "♭": -1}
_KEY_PATTERN = re.compile(r"^\s*([A-Ga-g])\s*([#♯b♭]?)(?:\s+([A-Za-z]+))?\s*$")
KEY_HELP = (
    "a note A-G with an optional # or b, optionally followed by major or minor "
    "(e.g. 'A minor', 'C#', 'Eb major')"
)


@dataclass(frozen=True)
class Key:
    """A tonic (pitch class 0-11, C = 0) and an optional mode (``None``: the style's own)."""

    tonic_pc: int
    mode: str | None
    #: as the user spelled the tonic (C# stays C#, Db stays Db), with the mode if given
    name: str


@dataclass(frozen=True)
class Controls:
    """What the user imposed; ``None`` fields follow the style."""

    bpm: float | None = None
    key: Key | None = None

    @property
    def empty(self) -> bool:
        return self.bpm is None and self.key is None

    def to_dict(self) -> dict:
        """The sidecar's ``controls``: what was asked (the music's own tempo and key are beside)."""
        return {"bpm": self.bpm, "key": self.key.name if self.key else None}


def validate_bpm(value: object) -> float | None:
    """A tempo in :data:`BPM_RANGE` (None: the style's)."""
    if value is None:
        return None
    lo, hi = BPM_RANGE
    accepted = f"accepted: a number of beats per minute in [{lo:g}, {hi:g}]"
    if isinstance(value, bool):
        raise InvalidInputError(f"bpm must be a number, got {value!r}; {accepted}")
    try:
        bpm = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(f"bpm must be a number, got {value!r}; {accepted}") from None
    if not (math.isfinite(bpm) and lo <= bpm <= hi):
        raise InvalidInputError(f"bpm {value!r} is out of range; {accepted}")
    return bpm


def parse_key(value: object) -> Key | None:
    """``"A minor"``, ``"C#"``, ``"Eb major"``, ``"f# min"`` → :class:`Key` (None: the style's)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(
            f"key must be text, got {type(value).__name__}; accepted: {KEY_HELP}"
        )
    match = _KEY_PATTERN.match(value)
    mode = None
    if match and match.group(3) is not None:
        mode = _MODE_ALIASES.get(match.group(3).lower())
    if not match or (match.group(3) is not None and mode is None):
        raise InvalidInputError(f"unknown key {value!r}; accepted: {KEY_HELP}")
    letter, accidental = match.group(1).upper(), match.group(2)
    pc = (_LETTER_PC[letter] + _ACCIDENTAL[accidental]) % 12
    spelled = letter + {"♯": "#", "♭": "b"}.get(accidental, accidental)
    return Key(pc, mode, f"{spelled} {mode}" if mode else spelled)


def validate_controls(bpm: object = None, key: object = None) -> Controls:
    """Both controls checked at the boundary; raise :class:`InvalidInputError` if bad."""
    return Controls(validate_bpm(bpm), parse_key(key))
