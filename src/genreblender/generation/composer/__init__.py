"""The embedded composer: an offline generative model of ten genres that blends at any alpha."""

from genreblender.generation.composer.composer import Composer

__all__ = ["Composer"]
