"""Which musicnn tags stand for which GTZAN genre: an explicit table with the reason for each row.

musicnn predicts 50 tags per model, each an independent sigmoid (several can be near 1 at once;
they do not sum to 1). A GTZAN genre's score is the **largest** probability among the tags mapped
to it: the mapped tags are near-synonyms ("metal", "heavy metal") that fire together, so a sum
would count the same evidence twice and favour genres with more tags. The scores of the visible
genres are then normalised to sum to 1 (see ``MusicnnJudge.genre_scores``).

What each model can see
-----------------------
``MSD_musicnn`` (Last.fm tags of the Million Song Dataset) has genre tags for blues, country,
disco (through funk and dance, see below), hiphop, jazz, metal, pop and rock. It has no tag for
classical music (classical clips come out as "instrumental", which is not a genre) nor for
reggae. ``MTT_musicnn`` (MagnaTagATune) has classical, country, metal, pop and rock, and disco
through "dance"; it has no jazz, blues, hip-hop or reggae tag. ``MSD_musicnn+MTT_musicnn`` reads
every genre MSD sees from MSD and adds classical from MTT.

**Reggae is visible to none of them**: no tag of either model names it or a near genre (GTZAN
reggae clips come out as "soul" under MSD). Rather than guess, reggae is left out of
``visible_genres``, and a blend involving it gets no alpha_hat from this judge.

Tags deliberately not mapped: moods and eras ("Mellow", "80s", "oldies"), instrumentation
("guitar", "piano", "instrumental"), and genres with no GTZAN counterpart ("soul", "rnb", "folk",
"electronic", "indie", "alternative", "punk", "ambient", "House", "techno", "new age"). Mapping
them would make the judge agree with GTZAN by construction rather than by listening.

The table was written from the tags' meanings before looking at the judge's outputs on any
GenreBlender track; it must not be tuned on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES

MSD = "MSD_musicnn"
MTT = "MTT_musicnn"
#: Judge configurations: the models each one runs.
JUDGE_MODELS: dict[str, tuple[str, ...]] = {
    MSD: (MSD,),
    MTT: (MTT,),
    f"{MSD}+{MTT}": (MSD, MTT),
}


@dataclass(frozen=True)
class TagRule:
    """The tags of one model that stand for one GTZAN genre, and why."""

    model: str
    genre: str
    tags: tuple[str, ...]
    reason: str


#: Every mapping, per model. A genre has at most one rule per model.
RULES: tuple[TagRule, ...] = (
    # --- MSD_musicnn (Last.fm top-50) ---
    TagRule(MSD, "blues", ("blues",), "the genre's own tag"),
    TagRule(MSD, "country", ("country",), "the genre's own tag"),
    TagRule(
        MSD,
        "disco",
        ("funk", "dance"),
        "no 'disco' tag in the top 50; disco is 1970s dance music grown out of funk and soul. "
        "'soul' is left out: it is its own genre and also fires on reggae. A weak view: 'dance' "
        "also fires on modern pop and electronic music",
    ),
    TagRule(MSD, "hiphop", ("Hip-Hop",), "the genre's own tag (there is no 'rap' tag)"),
    TagRule(MSD, "jazz", ("jazz",), "the genre's own tag"),
    TagRule(MSD, "metal", ("metal", "heavy metal"), "the genre's tag and its classic form"),
    TagRule(MSD, "pop", ("pop",), "the genre's own tag ('indie pop' names the indie scene)"),
    TagRule(
        MSD,
        "rock",
        ("rock", "classic rock", "hard rock", "alternative rock", "indie rock", "Progressive rock"),
        "the genre's tag and the tags that name a kind of rock ('punk' is its own genre)",
    ),
    # --- MTT_musicnn (MagnaTagATune top-50) ---
    TagRule(MTT, "classical", ("classical",), "the genre's own tag"),
    TagRule(MTT, "country", ("country",), "the genre's own tag"),
    TagRule(
        MTT,
        "disco",
        ("dance",),
        "no 'disco' or 'funk' tag; disco is dance music. A weak view ('dance' also fires on "
        "techno and pop)",
    ),
    TagRule(MTT, "metal", ("metal",), "the genre's own tag"),
    TagRule(MTT, "pop", ("pop",), "the genre's own tag"),
    TagRule(MTT, "rock", ("rock",), "the genre's own tag"),
)


def rules_for(judge: str) -> tuple[TagRule, ...]:
    """The rules a judge configuration uses, in GTZAN genre order.

    A combined configuration reads each genre from the first of its models that sees it, so that
    one genre's score never mixes two models' differently calibrated outputs.
    """
    if judge not in JUDGE_MODELS:
        raise InvalidInputError(
            f"unknown musicnn judge {judge!r}; accepted: {', '.join(JUDGE_MODELS)}"
        )
    chosen: dict[str, TagRule] = {}
    for model in JUDGE_MODELS[judge]:
        for rule in RULES:
            if rule.model == model and rule.genre not in chosen:
                chosen[rule.genre] = rule
    return tuple(chosen[g] for g in GENRES if g in chosen)


def visible_genres(judge: str) -> tuple[str, ...]:
    """GTZAN genres the judge configuration can see through its tags (GTZAN order)."""
    return tuple(rule.genre for rule in rules_for(judge))


def invisible_genres(judge: str) -> tuple[str, ...]:
    """GTZAN genres the judge configuration cannot see (never guessed)."""
    seen = set(visible_genres(judge))
    return tuple(g for g in GENRES if g not in seen)


def as_markdown() -> str:
    """The table as Markdown (for the README and reports)."""
    lines = ["| model | GTZAN genre | musicnn tags (score = max) | why |", "|---|---|---|---|"]
    for rule in RULES:
        tags = ", ".join(f"`{t}`" for t in rule.tags)
        lines.append(f"| {rule.model} | {rule.genre} | {tags} | {rule.reason} |")
    return "\n".join(lines)
