"""Generators: the embedded composer (default) and MusicGen, behind one interface.

Names are resolved on first use (PEP 562), so importing ``genreblender.generation.registry``
for its engine names costs nothing: the CLI answers a bad argument before numpy loads.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BlendRequest": "genreblender.generation.base",
    "GenerationResult": "genreblender.generation.base",
    "Generator": "genreblender.generation.base",
    "validate_request": "genreblender.generation.base",
    "validate_mix_request": "genreblender.generation.base",
    "validate_morph_request": "genreblender.generation.base",
    "generate_blend": "genreblender.generation.base",
    "DEFAULT_ENGINE": "genreblender.generation.registry",
    "ENGINES": "genreblender.generation.registry",
    "get_generator": "genreblender.generation.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
