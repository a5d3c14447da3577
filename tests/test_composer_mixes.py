"""The composer's mixes of several genres: the piece plan's time shares, the k-way style rule,
determinism and the sidecar; MusicGen's weighted prompt and mixture of encoder states."""

import numpy as np
import pytest

from genreblender.generation.base import generate_blend
from genreblender.generation.composer import Composer
from genreblender.generation.composer.sections import heard_seconds, plan_mix_pieces, plan_pieces
from genreblender.generation.composer.style import blend_styles, load_style, mix_styles
from genreblender.mixes import parse_mix


@pytest.fixture(scope="module")
def composer():
    return Composer()


MIXES = [
    (0.5, 0.3, 0.2),
    (1 / 3, 1 / 3, 1 / 3),
    (0.4, 0.3, 0.2, 0.1),
    (0.25, 0.25, 0.2, 0.15, 0.15),
    (0.6, 0.3, 0.1, 0.0),
]


@pytest.mark.parametrize("weights", MIXES)
@pytest.mark.parametrize("duration", [10.0, 12.0, 20.0, 30.0, 60.0, 300.0])
def test_time_shares_follow_the_weights(weights, duration):
    from genreblender.generation.composer.sections import MIN_CLOSING_BARS, MIN_HEAVY_PIECE_S

    bars = [2.4, 1.7, 2.0, 2.6, 1.9][: len(weights)]
    pieces = plan_mix_pieces(weights, duration, bars)
    heard = heard_seconds(pieces, bars, duration)
    assert sum(heard) == pytest.approx(duration)  # the pieces cover the track
    # every piece but the last plays whole bars; the last at least half a bar (no stub)
    assert all(
        h == pytest.approx(p.bars * bars[p.genre])
        for p, h in zip(pieces[:-1], heard[:-1], strict=True)
    )
    assert heard[-1] >= MIN_CLOSING_BARS * bars[pieces[-1].genre] - 1e-9
    seconds = np.zeros(len(weights))
    for p, h in zip(pieces, heard, strict=True):
        seconds[p.genre] += h
    heavy = int(np.argmax(weights))
    genres = [p.genre for p in pieces]
    assert genres[0] == heavy  # the heaviest genre opens
    for g, w in enumerate(weights):
        if g == heavy or g == genres[-1]:
            continue  # the genre that plays to the end has the rest of the time
        # within half a bar of its share (a share under half a bar gets no bar at all)
        assert abs(seconds[g] - w * duration) <= bars[g] / 2 + 1e-9, (g, seconds[g], w)
    if genres[-1] != heavy:
        # it closes too unless its time could not hold two pieces of MIN_HEAVY_PIECE_S and a
        # bar and a half: then it opened alone, in the whole bars nearest its share
        assert abs(seconds[heavy] - weights[heavy] * duration) <= bars[heavy] / 2 + 1e-9
        assert (
            seconds[heavy]
            < max(2 * MIN_HEAVY_PIECE_S, (1 + MIN_CLOSING_BARS) * bars[heavy]) + bars[heavy] / 2
        )
    else:
        assert all(
            h >= MIN_HEAVY_PIECE_S - 1e-9
            for p, h in zip(pieces[:-1], heard[:-1], strict=True)
            if p.genre == heavy
        )
    assert all(a != b for a, b in zip(genres, genres[1:], strict=False))  # none follows itself
    # every genre's pieces are consecutive stretches of its own song
    for g in set(genres):
        mine = [p for p in pieces if p.genre == g]
        assert [p.source_start_bar for p in mine] == list(
            np.cumsum([0] + [p.bars for p in mine])[:-1]
        )


def test_the_heaviest_genre_closes_when_its_time_allows():
    # 30 s of an equal mix of three: heavy (5 s), the others, heavy again (5 s)
    assert [p.genre for p in plan_mix_pieces([1 / 3] * 3, 30.0, [2.4, 1.7, 2.0])] == [0, 1, 2, 0]
    # 20 s: split in two, each of its pieces would last about 3.3 s, one listening window: it
    # opens alone, as long as the others
    pieces = plan_mix_pieces([1 / 3] * 3, 20.0, [2.4, 1.7, 2.0])
    assert [p.genre for p in pieces] == [0, 1, 2]
    assert pieces[0].bars * 2.4 == pytest.approx(20 / 3, abs=1.2)
    # 12 s of five genres: the heaviest holds 3 s, 1.25 of its bars: it opens alone
    pieces = plan_mix_pieces([0.25, 0.25, 0.2, 0.15, 0.15], 12.0, [2.4, 1.7, 2.0, 2.6, 1.9])
    assert [p.genre for p in pieces].count(0) == 1 and pieces[0].genre == 0


def test_pieces_are_a_few_listening_windows_long():
    # 20 s of a 50/30/20 mix: no piece of a light genre shorter than one 3-s window
    pieces = plan_mix_pieces([0.5, 0.3, 0.2], 20.0, [2.0, 2.0, 2.0])
    assert min(p.bars * 2.0 for p in pieces) >= 3.0


def test_the_two_genre_plan_is_the_pair_rule():
    for alpha in np.linspace(0, 1, 11):
        assert plan_pieces(float(alpha), 30.0, 2.4, 1.7) == plan_mix_pieces(
            [float(alpha), 1 - float(alpha)], 30.0, [2.4, 1.7]
        )


def test_three_way_style_mixes_probabilities_and_parameters():
    jazz, metal, reggae = load_style("jazz"), load_style("metal"), load_style("reggae")
    style = mix_styles([("jazz", 0.5), ("metal", 0.3), ("reggae", 0.2)])
    kick = lambda s: np.asarray(s["drums"]["grid"].get("kick", [0.0] * 16))  # noqa: E731
    np.testing.assert_allclose(
        kick(style), 0.5 * kick(jazz) + 0.3 * kick(metal) + 0.2 * kick(reggae)
    )
    assert style["tempo_bpm"][0] == pytest.approx(
        jazz["tempo_bpm"][0] ** 0.5 * metal["tempo_bpm"][0] ** 0.3 * reggae["tempo_bpm"][0] ** 0.2
    )
    assert sum(style["scale"].values()) == pytest.approx(1.0)
    assert [w for _, w in style["bass"]["programs"]["layers"]] == [0.5, 0.3, 0.2]
    assert [w for _, w in style["groove_components"]] == [0.5, 0.3, 0.2]
    assert style["meter"] == jazz["meter"] and style["genres"] == ("jazz", "metal", "reggae")
    # the pair is the two-genre mixture exactly
    assert mix_styles([("jazz", 0.7), ("metal", 1 - 0.7)]) == blend_styles("jazz", "metal", 0.7)


def test_three_genre_mix_sidecar_shares_and_determinism(composer):
    mix = parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    result = composer.generate_mix(mix, 12.0, 3)
    meta = result.metadata
    assert meta["mix"]["weights"] == pytest.approx({"jazz": 0.5, "metal": 0.3, "reggae": 0.2})
    assert meta["mix"]["normalised"] is False and "genre_a" not in meta
    blend = meta["blend"]
    assert blend["mode"] == "sections" and set(blend["songs"]) == {"jazz", "metal", "reggae"}
    assert {s["genre"] for s in blend["sections"]} == {"jazz", "metal", "reggae"}
    for genre, weight in mix.items():
        assert blend["shares"][genre] == pytest.approx(weight, abs=0.15)
    assert sum(blend["shares"].values()) == pytest.approx(1.0, abs=1e-3)
    for genre, song in blend["songs"].items():  # each in its own song's key
        assert song["key"] == composer.generate(genre, genre, 1.0, 12.0, 3).metadata["key"]
    assert result.audio.shape == (12 * 44100, 2) and np.abs(result.audio).max() <= 0.99
    again = composer.generate_mix(mix, 12.0, 3)
    np.testing.assert_array_equal(result.audio, again.audio)
    assert result.midi == again.midi
    assert not np.array_equal(result.audio, composer.generate_mix(mix, 12.0, 4).audio)


def test_fused_mix_and_a_mix_with_one_active_genre(composer):
    fuser = Composer(blend="fuse")
    fused = fuser.generate_mix(parse_mix("jazz=1,metal=1,rock=1"), 4.0, 1)
    assert fused.metadata["blend"] == {"mode": "fuse"}
    parts = {i["part"].split(":")[-1] for i in fused.metadata["instruments"]}
    assert parts <= {"drums", "jazz", "metal", "rock"}
    # weights of 0 play nothing: the mix is that genre's own song
    alone = composer.generate_mix(parse_mix("jazz=1,metal=0,rock=0"), 4.0, 1)
    np.testing.assert_array_equal(alone.audio, composer.generate("jazz", "jazz", 1.0, 4.0, 1).audio)
    assert alone.metadata["blend"] == {"mode": "pure"}


def test_engines_of_two_genres_refuse_wider_mixes():
    from genreblender.errors import InvalidInputError

    from .fakes import FakeGenerator

    fake = FakeGenerator()
    generate_blend(fake, parse_mix("jazz=0.6,metal=0.4"), 1.0, 0)
    assert fake.calls == [("jazz", "metal", 0.6, 0)]
    with pytest.raises(InvalidInputError, match="blends two genres only"):
        generate_blend(fake, parse_mix("jazz=1,metal=1,rock=1"), 1.0, 0)


def test_musicgen_mix_prompt_and_mixture_of_states():
    import torch

    from genreblender.generation.musicgen import MusicGenGenerator, conditioning
    from genreblender.generation.musicgen.prompts import genre_prompt, mix_prompt
    from genreblender.generation.musicgen.tiny import build_tiny

    assert mix_prompt(parse_mix("jazz=5,metal=3,hiphop=2")) == (
        "A music track that is 50% jazz, 30% metal and 20% hip hop."
    )
    assert mix_prompt(parse_mix("jazz=1,metal=0,rock=0")) == "A jazz music track."
    assert mix_prompt(parse_mix("jazz=0.7,metal=0.3")) == (
        "A music track that is 70% jazz and 30% metal."
    )
    model, tokenizer = build_tiny()
    gen = MusicGenGenerator(
        model_id="tiny-test", model=model, tokenizer=tokenizer, device="cpu", top_k=8
    )
    mix = parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    cond, prompts = gen.conditioning_mix(mix)
    assert prompts == [genre_prompt(g) for g in mix.genres]
    states = [conditioning.encode(model, tokenizer, p, model.device) for p in prompts]
    length = max(s.hidden.shape[1] for s in states)
    padded = [
        torch.nn.functional.pad(s.hidden, (0, 0, 0, length - s.hidden.shape[1])) for s in states
    ]
    torch.testing.assert_close(cond.hidden, 0.5 * padded[0] + 0.3 * padded[1] + 0.2 * padded[2])
    audio, sr, meta = gen.generate_mix(mix, 0.1, 2)
    assert np.isfinite(audio).all() and meta["mix"]["weights"]["reggae"] == pytest.approx(0.2)
    prompt_mode = MusicGenGenerator(
        model_id="tiny-test", model=model, tokenizer=tokenizer, device="cpu", mode="prompt"
    )
    assert prompt_mode.generate_mix(mix, 0.1, 2).metadata["prompt"] == mix_prompt(mix)
