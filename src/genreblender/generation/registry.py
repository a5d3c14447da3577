"""Engine lookup by name, so front ends never import an engine they do not use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from genreblender.errors import EngineUnavailableError, InvalidInputError

if TYPE_CHECKING:  # only for the annotation: importing base would load numpy
    from genreblender.generation.base import Generator

#: Engine names accepted by :func:`get_generator`; the first is the default.
ENGINES: tuple[str, ...] = ("composer", "musicgen")
DEFAULT_ENGINE = ENGINES[0]


def get_generator(name: str = DEFAULT_ENGINE, **options: Any) -> Generator:
    """Return a ready engine: ``"composer"`` (embedded, offline) or ``"musicgen"``."""
    if name == "composer":
        from genreblender.generation.composer import Composer

        return Composer(**options)
    if name == "musicgen":
        try:
            from genreblender.generation.musicgen import MusicGenGenerator
        except ImportError as exc:
            raise EngineUnavailableError(
                f"the MusicGen engine cannot be imported ({exc}); "
                "use --engine composer, which works offline"
            ) from None
        return MusicGenGenerator(**options)
    raise InvalidInputError(f"unknown engine {name!r}; accepted: {', '.join(ENGINES)}")
