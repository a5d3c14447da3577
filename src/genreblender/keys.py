"""A track's key in the words a person reads: "D harmonic minor", not "D harmonic_minor".

A sidecar's ``key`` (and the HTTP API's metadata) keeps the composer's own scale name, which a
program can match on; every text shown to a person (the web app, the CLI) goes through
:func:`key_label` instead.
"""

from __future__ import annotations

#: Scale names whose usual English name is not just the internal one with spaces.
_SCALE_WORDS = {
    "pentatonic_major": "major pentatonic",
    "pentatonic_minor": "minor pentatonic",
}


def scale_label(scale: str) -> str:
    """``"harmonic_minor"`` → ``"harmonic minor"``, ``"pentatonic_minor"`` → ``"minor
    pentatonic"``; ``"major"`` stays ``"major"``."""
    scale = scale.strip()
    return _SCALE_WORDS.get(scale, scale.replace("_", " "))


def key_label(key: str | None) -> str | None:
    """A key as recorded (``"D harmonic_minor"``) or as asked (``"Eb major"``, ``"C#"``) in
    words: ``"D harmonic minor"``, ``"Eb major"``, ``"C#"`` (None stays None)."""
    if key is None:
        return None
    tonic, _, scale = key.strip().partition(" ")
    return f"{tonic} {scale_label(scale)}" if scale.strip() else tonic


def tempo_key_caption(metadata: dict, request: dict) -> str:
    """The line under a result: the music's tempo and key (from its sidecar ``metadata``), and
    the tempo and key the ``request`` asked for, if any, all in words."""
    bpm, key = request.get("bpm"), key_label(request.get("key"))
    asked = [x for x in (bpm and f"{bpm:g} BPM", key) if x]
    return f"Tempo {metadata['tempo_bpm']:g} BPM · key {key_label(metadata.get('key'))}" + (
        f" (asked for: {', '.join(asked)})" if asked else " (the style's)"
    )
