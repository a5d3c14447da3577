"""Exceptions raised at GenreBlender's boundaries.

Every error a user can cause is a :class:`GenreBlenderError`, whose message says what was wrong
and what is accepted; the CLI prints it without a traceback and the HTTP API turns it into a 4xx.
"""

from __future__ import annotations


class GenreBlenderError(Exception):
    """Base class for errors that a user (not a bug) caused."""


class InvalidInputError(GenreBlenderError, ValueError):
    """An argument or file was rejected at the boundary (bad genre, alpha, audio, path...)."""


class AudioError(InvalidInputError):
    """An audio file or array cannot be analysed (empty, silent, corrupt, too short, too big...)."""


class ArtifactError(GenreBlenderError):
    """A model artifact is missing, unreadable, or disagrees with the code that loads it."""


class EngineUnavailableError(GenreBlenderError):
    """A generation engine cannot run here (e.g. MusicGen weights cannot be loaded)."""
