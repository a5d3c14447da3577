"""Exceptions raised at GenreBlender's boundaries.

Every error a user can cause is a :class:`GenreBlenderError`, whose message says what was wrong
and what is accepted; the CLI prints it on one line without a traceback and the HTTP API maps its
*type* (never its message, which may hold a user's file name) to a status in one table
(``app/api.py``). One type per kind of failure:

=============================  ============================================  ======  =========
type                           meaning                                       HTTP    CLI exit
=============================  ============================================  ======  =========
:class:`InvalidInputError`     a value or file is not acceptable             400     2
:class:`TooLargeError`         a size limit in bytes is exceeded             413     2
:class:`UnsupportedFormatError`  a file type that is not accepted            415     2
:class:`EngineUnavailableError`  an engine cannot run here (no weights...)   503     3
:class:`BusyError`             the server's work queue is full               503     3
:class:`ArtifactError`         a shipped model file is missing or broken     500     1
=============================  ============================================  ======  =========

:class:`AudioError` marks problems with audio (it is an :class:`InvalidInputError`);
:class:`AudioTooLargeError` and :class:`UnsupportedAudioFormatError` are audio problems of the
two special kinds, so ``except AudioError`` still catches every audio problem.
"""

from __future__ import annotations


class GenreBlenderError(Exception):
    """Base class for errors that a user (not a bug) caused."""


class InvalidInputError(GenreBlenderError, ValueError):
    """An argument or file was rejected at the boundary (bad genre, alpha, audio, path...)."""


class TooLargeError(InvalidInputError):
    """A file or request body is over a size limit (bytes)."""


class UnsupportedFormatError(InvalidInputError):
    """A file type that is not accepted (by its extension or its content)."""


class AudioError(InvalidInputError):
    """An audio file or array cannot be analysed (empty, silent, corrupt, too short, too long...)."""


class AudioTooLargeError(AudioError, TooLargeError):
    """An audio file is over the size limit in bytes."""


class UnsupportedAudioFormatError(AudioError, UnsupportedFormatError):
    """An audio file of a type that is not accepted."""


class ArtifactError(GenreBlenderError):
    """A model artifact is missing, unreadable, or disagrees with the code that loads it."""


class EngineUnavailableError(GenreBlenderError):
    """A generation engine cannot run here (e.g. MusicGen weights cannot be loaded)."""


class BusyError(GenreBlenderError):
    """Too much work is already queued; try again after ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: int = 5):
        super().__init__(message)
        self.retry_after_s = int(retry_after_s)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (library messages sometimes span several)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
