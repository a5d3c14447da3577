"""Ears: models that score a finished track beside the one that steers, and never steer.

A loop steered by one listener can learn that listener's quirks (calibration teaches the engine
what *this* classifier hears), so its result is also scored by other ears: other listeners (any
object with ``.classify(samples, sr=...) -> ClassificationResult``) and the independent musicnn
judge (``.genre_scores(samples, sr) -> {genre: score}`` over the genres it can see). Every ear
reports the same figures in the same shape (:func:`hear`), so front ends show them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from genreblender.errors import AudioError, InvalidInputError
from genreblender.evaluation.metrics import mix_metrics
from genreblender.mixes import Mix

LISTENER, JUDGE = "listener", "judge"


@dataclass(frozen=True)
class Ear:
    """A model that scores tracks: ``kind`` is ``"listener"`` or ``"judge"``."""

    name: str
    model: Any
    kind: str
    #: why this ear cannot listen (its model is missing); None when it can
    note: str | None = None


def ear_name(model: Any) -> str:
    """A readable name: the model's own ``name`` attribute, else what it reports about itself."""
    name = getattr(model, "name", None)
    if isinstance(name, str) and name:
        return name
    if hasattr(model, "genre_scores") and hasattr(model, "model"):
        return f"musicnn:{model.model}"
    source = getattr(model, "source", None)
    return str(source) if source else type(model).__name__


def as_ear(model: Any, name: str | None = None) -> Ear:
    """Wrap a listener or a judge (an :class:`Ear` is returned as it is)."""
    if isinstance(model, Ear):
        return model
    if hasattr(model, "classify"):
        kind = LISTENER
    elif hasattr(model, "genre_scores"):
        kind = JUDGE
    else:
        raise InvalidInputError(
            f"{type(model).__name__} cannot score audio: an ear needs .classify(samples, sr=...) "
            "(a listener) or .genre_scores(samples, sr) (a judge)"
        )
    return Ear(name or ear_name(model), model, kind)


def as_ears(models) -> list[Ear]:
    return [as_ear(m) for m in (models or ())]


def hear(ear: Ear, mono: np.ndarray, sr: int, genre_a: str, genre_b: str, alpha: float):
    """:func:`hear_mix` of the two-genre target ``alpha·A + (1 − alpha)·B``."""
    return hear_mix(ear, mono, sr, Mix.pair(genre_a, genre_b, alpha))


def hear_mix(ear: Ear, mono: np.ndarray, sr: int, mix: Mix):
    """One ear's view of a track: its distribution, the blend metrics and the landing verdict.

    ``metrics`` and ``landing`` are None when the ear cannot see a genre of the mix (the musicnn
    judge never sees reggae); ``note`` then says so.
    """
    view: dict[str, Any] = {
        "name": ear.name,
        "kind": ear.kind,
        "predicted": {},
        "metrics": None,
        "landing": None,
        "note": None,
    }
    if ear.model is None:
        view["note"] = ear.note or f"{ear.name} cannot listen"
        return view
    try:
        if ear.kind == LISTENER:
            result = ear.model.classify(mono, sr=sr)
            genres, predicted = tuple(result.genres), np.asarray(result.probabilities, float)
        else:
            scores = ear.model.genre_scores(mono, sr)
            genres, predicted = tuple(scores), np.array(list(scores.values()), float)
    except AudioError as exc:  # e.g. shorter than the ear's window: say so, keep the others
        view["note"] = f"{ear.name} cannot score this audio: {exc}"
        return view
    view["predicted"] = {g: float(p) for g, p in zip(genres, predicted, strict=True)}
    blind = [g for g in mix.genres if g not in genres]
    if blind:
        view["note"] = f"{ear.name} cannot see {' or '.join(blind)}"
        return view
    metrics = mix_metrics(predicted, mix, genres)
    view["metrics"] = metrics.to_dict()
    view["landing"] = metrics.landing.to_dict()
    return view


def other_listener_ears(steering: str | None) -> list[Ear]:
    """Every registered listener except the steering one, as ears (loaded once per process).

    A listener whose model is not installed becomes an ear that says so instead of a crash: the
    blend is still measured by the others.
    """
    from genreblender.classification.listeners import DEFAULT_LISTENER, LISTENER_NAMES, get_listener
    from genreblender.errors import ArtifactError

    steering = steering or DEFAULT_LISTENER
    ears = []
    for name in LISTENER_NAMES:
        if name == steering:
            continue
        try:
            ears.append(Ear(name, get_listener(name), LISTENER))
        except ArtifactError as exc:
            ears.append(Ear(name, None, LISTENER, note=f"{name} is not available here: {exc}"))
    return ears
