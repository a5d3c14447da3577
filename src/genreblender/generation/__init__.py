"""Generators: the embedded composer (default) and MusicGen, behind one interface."""

from genreblender.generation.base import BlendRequest, GenerationResult, Generator, validate_request
from genreblender.generation.registry import DEFAULT_ENGINE, ENGINES, get_generator

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "BlendRequest",
    "GenerationResult",
    "Generator",
    "get_generator",
    "validate_request",
]
