"""Engine lookup by name, so front ends never import an engine they do not use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from genreblender.errors import EngineUnavailableError, InvalidInputError

if TYPE_CHECKING:  # only for the annotation: importing base would load numpy
    from genreblender.generation.base import Generator

#: Engine names accepted by :func:`get_generator`; the first is the default.
ENGINES: tuple[str, ...] = ("composer", "musicgen")
DEFAULT_ENGINE = ENGINES[0]
#: Engines that can split a track into stems (one WAV per part). MusicGen generates one mixed
#: waveform: it has no parts to split.
STEM_ENGINES: tuple[str, ...] = ("composer",)


def check_stems(engine: str, stems: bool) -> None:
    """Refuse stems from an engine that cannot make them, before anything is generated."""
    if stems and engine not in STEM_ENGINES:
        raise InvalidInputError(
            f"the {engine} engine makes no stems (it generates one mixed waveform, with no "
            f"parts to split); engines with stems: {', '.join(STEM_ENGINES)}"
        )


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
