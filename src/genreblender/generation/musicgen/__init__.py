"""Meta's MusicGen as a GenreBlender engine (weights CC-BY-NC 4.0), through Hugging Face
``transformers``: weighted text prompts, or interpolation of two genres' text-encoder states."""

from genreblender.generation.musicgen.engine import MODES, MusicGenGenerator

__all__ = ["MODES", "MusicGenGenerator"]
