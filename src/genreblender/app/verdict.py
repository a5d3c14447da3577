"""A plain-words verdict on one measured blend: did it land, and by how much.

The page shows this above the numbers, so a visitor who does not read divergences still knows
what happened. Whether it landed is the landing rule's (``metrics["landed"]``,
:data:`~genreblender.evaluation.metrics.LANDING_RULE`); this module only puts it in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from genreblender.mixes import Mix


@dataclass(frozen=True)
class Verdict:
    landed: bool
    #: p(A) + p(B) (p(A) when A = B): the share of the prediction on the asked-for genres.
    on_target_mass: float
    #: |α̂ − α| (for a mix: the weight error), the distance between the blend heard and asked.
    alpha_error: float
    #: A and B lead the prediction (for a pure α = 1 or 0 track: A, resp. B, is on top; for a
    #: mix, its genres of weight > 0).
    right_genres_on_top: bool
    headline: str
    details: str


def asked_genres(genre_a: str, genre_b: str, alpha: float) -> list[str]:
    """The genres a blend asks for: both for 0 < α < 1, else the one with all the weight."""
    return list(Mix.pair(genre_a, genre_b, alpha).active)


def right_genres_on_top(predicted: dict[str, float], genre_a: str, genre_b: str, alpha) -> bool:
    """The asked-for genres lead: for 0 < α < 1, A and B are the two most probable; for a pure
    track (α = 1, α = 0 or A = B) the one genre asked for is the most probable.

    (``top2_match`` asks for A and B on top even at α = 1, where B is not asked for at all.)
    """
    return mix_on_top(predicted, Mix.pair(genre_a, genre_b, alpha))


def mix_on_top(predicted: dict[str, float], mix: Mix) -> bool:
    """The genres of ``mix`` with a weight above 0 are the most probable ones."""
    asked = mix.active
    ranked = sorted(predicted, key=lambda g: -predicted[g])
    return set(ranked[: len(asked)]) == set(asked)


def blend_verdict(
    metrics: dict, predicted: dict[str, float], genre_a: str, genre_b: str, alpha: float
) -> Verdict:
    """The verdict on one two-genre blend from its metrics dict and predicted distribution."""
    return mix_verdict(metrics, predicted, Mix.pair(genre_a, genre_b, alpha))


def mix_verdict(metrics: dict, predicted: dict[str, float], mix: Mix) -> Verdict:
    """The verdict on one blend of ``mix`` from its metrics dict and predicted distribution."""
    asked = list(mix.active)
    on_top = mix_on_top(predicted, mix)
    # the share on the genres actually asked for (at α = 1 that is A alone), for the words
    mass = float(sum(predicted[g] for g in asked))
    heard = metrics.get("heard_weights") or _heard(predicted, mix)
    error = _weight_error(heard, mix) if mix.k > 1 else 0.0
    landed = bool(metrics["landed"])
    names = " and ".join(asked) if len(asked) < 3 else ", ".join(asked[:-1]) + f" and {asked[-1]}"
    if mix.k == 1:
        headline = f"{mix.genres[0]} makes up {mass:.0%} of what the classifier heard"
    else:
        points = round(100 * error)
        heard_mix = Mix(mix.genres, tuple(heard[g] for g in mix.genres), mix.requested)
        headline = f"the classifier heard {heard_mix.label}" + (
            f", {points} point{'' if points == 1 else 's'} from the {mix.label} asked for"
            if points
            else ", as asked"
        )
    reasons = [f"{mass:.0%} of what it heard is {names}"]
    others = sorted((g for g in predicted if g not in asked), key=lambda g: -predicted[g])
    if others:
        reasons.append(f"the strongest other genre is {others[0]} ({predicted[others[0]]:.0%})")
    if not on_top:
        reasons.append(f"{names} {'is' if len(asked) == 1 else 'are'} not the top genres")
    return Verdict(
        landed=bool(landed),
        on_target_mass=mass,
        alpha_error=float(error),
        right_genres_on_top=on_top,
        headline=("Landed: " if landed else "Did not land: ") + headline,
        details="; ".join(reasons) + ".",
    )


def _heard(predicted: dict[str, float], mix: Mix) -> dict[str, float]:
    mass = sum(predicted[g] for g in mix.genres)
    if mass <= 0:
        return {g: 1.0 / mix.k for g in mix.genres}
    return {g: predicted[g] / mass for g in mix.genres}


def _weight_error(heard: dict[str, float], mix: Mix) -> float:
    return 0.5 * sum(abs(heard[g] - w) for g, w in mix.items())
