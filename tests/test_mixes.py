"""Mixes of several genres: parsing and validation, the pair as a mix, the generalised metrics."""

import math

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.evaluation.metrics import blend_metrics, mix_metrics
from genreblender.genres import GENRES
from genreblender.mixes import (
    MAX_MIX_GENRES,
    Mix,
    make_mix,
    mix_from_dict,
    parse_mix,
    resolve_target,
)


def onehot(**mass):
    p = np.zeros(10)
    for g, v in mass.items():
        p[GENRES.index(g)] = v
    return p


# -- parsing and validation ----------------------------------------------------------------------
def test_parse_normalises_and_says_so():
    mix = parse_mix("jazz=5, metal=3,Reggae=2")
    assert mix.genres == ("jazz", "metal", "reggae")
    assert mix.weights == pytest.approx((0.5, 0.3, 0.2))
    assert mix.requested == (5.0, 3.0, 2.0) and mix.normalised
    record = mix.to_dict()
    assert record["normalised"] is True and record["requested"]["jazz"] == 5.0
    assert record["weights"]["metal"] == pytest.approx(0.3)
    exact = parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    assert not exact.normalised and exact.weights == pytest.approx(mix.weights)


def test_usual_spellings_and_zero_weights_are_accepted():
    mix = parse_mix("hip-hop=1,jazz=0,rock=1")
    assert mix.genres == ("hiphop", "jazz", "rock") and mix.weights == (0.5, 0.0, 0.5)
    assert mix.active == ("hiphop", "rock")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jazz=0.5,metal=much", "weight of metal must be a non-negative number, got 'much'"),
        ("jazz=0.5,metal=-0.1", "weight of metal must be a non-negative number"),
        ("jazz=nan,metal=1", "weight of jazz must be a non-negative number"),
        ("jazz=inf,metal=1", "weight of jazz must be a non-negative number"),
        ("jazz=0.5,polka=0.5", "unknown genre 'polka'; accepted: blues"),
        ("jazz=0.5,jazz=0.5", "jazz appears twice"),
        ("hiphop=0.5,rap=0.5", "hiphop appears twice"),
        ("jazz=0,metal=0,rock=0", "are all 0"),
        ("jazz=1", "a mix names 2 to 10 genres, got 1"),
        ("jazz 0.5,metal=0.5", "is not genre=weight"),
        ("jazz=0.5=1,metal=1", "is not genre=weight"),
        ("", "a mix must be genre=weight pairs"),
    ],
)
def test_bad_mixes_say_what_is_wrong_and_what_is_accepted(text, message):
    with pytest.raises(InvalidInputError) as err:
        parse_mix(text)
    assert message in str(err.value)


def test_more_than_ten_genres_is_refused():
    eleven = ",".join(f"{g}=1" for g in GENRES) + ",rap=1"
    with pytest.raises(InvalidInputError, match=f"2 to {MAX_MIX_GENRES} genres, got 11"):
        parse_mix(eleven)
    # all ten at once is a mix
    assert parse_mix(",".join(f"{g}=1" for g in GENRES)).weights == pytest.approx([0.1] * 10)


@pytest.mark.parametrize("weight", [True, None, "1", [1]])
def test_make_mix_refuses_weights_that_are_not_numbers(weight):
    if weight == "1":  # text that reads as a number is a number (the CLI and JSON forms)
        assert make_mix({"jazz": weight, "metal": 1}).weights == (0.5, 0.5)
        return
    with pytest.raises(InvalidInputError, match="weight of jazz"):
        make_mix({"jazz": weight, "metal": 1})


def test_label_percentages_sum_to_100_and_text_round_trips():
    mix = parse_mix("jazz=1,metal=1,reggae=1")
    assert mix.percentages() == [34, 33, 33] and mix.label == "34% jazz · 33% metal · 33% reggae"
    assert parse_mix(mix.text).weights == pytest.approx(mix.weights)
    assert mix_from_dict(mix.to_dict()) == mix
    assert Mix.pair("jazz", "metal", 0.7).label == "70% jazz · 30% metal"


def test_the_pair_is_the_two_genre_mix_and_converts_back():
    pair = Mix.pair("jazz", "metal", 0.7)
    assert pair.as_pair() == ("jazz", "metal", 0.7) and not pair.normalised and pair.is_pair
    assert Mix.pair("rock", "rock", 0.3).as_pair() == ("rock", "rock", 1.0)
    assert Mix.pair("jazz", "metal", 1.0).active == ("jazz",)
    assert parse_mix("jazz=7,metal=3").as_pair() == ("jazz", "metal", 0.7)
    with pytest.raises(InvalidInputError, match="mix of 3 genres"):
        parse_mix("jazz=1,metal=1,rock=1").as_pair()
    assert Mix.pair("jazz", "metal", 0.7).target()[GENRES.index("metal")] == pytest.approx(0.3)


def test_resolve_target_takes_a_pair_or_a_mix_never_both():
    assert resolve_target("jazz", "metal", 0.7) == Mix.pair("jazz", "metal", 0.7)
    assert resolve_target(mix="jazz=1,rock=1").genres == ("jazz", "rock")
    assert resolve_target(mix={"jazz": 1, "rock": 3}).weights == (0.25, 0.75)
    with pytest.raises(InvalidInputError, match="not both"):
        resolve_target("jazz", "metal", 0.7, mix="jazz=1,rock=1")
    with pytest.raises(InvalidInputError, match="or a mix"):
        resolve_target("jazz", None, 0.7)


# -- the generalised metrics, hand-computed --------------------------------------------------------
def _js_bits(t, p):
    m = (t + p) / 2

    def kl(x, y):
        mask = x > 0
        return float(np.sum(x[mask] * np.log2(x[mask] / y[mask])))

    return 0.5 * kl(t, m) + 0.5 * kl(p, m)


def test_three_genre_mix_figures_by_hand():
    mix = parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    p = onehot(jazz=0.4, metal=0.2, reggae=0.1, rock=0.3)
    m = mix_metrics(p, mix)
    assert m.on_target_mass == pytest.approx(0.7) and m.leakage == pytest.approx(0.3)
    assert m.heard_weights == pytest.approx({"jazz": 4 / 7, "metal": 2 / 7, "reggae": 1 / 7})
    # ½ (|4/7 − 0.5| + |2/7 − 0.3| + |1/7 − 0.2|)
    assert m.weight_error == pytest.approx(0.5 * (0.5 / 7 + 0.1 / 7 + 0.4 / 7))
    assert m.tv == pytest.approx(0.5 * (0.1 + 0.1 + 0.1 + 0.3))
    assert m.js == pytest.approx(_js_bits(np.asarray(mix.target()), p))
    t = np.asarray(mix.target())
    assert m.kl == pytest.approx(
        sum(t[i] * math.log(t[i] / ((p[i] + 1e-6) / (1 + 1e-5))) for i in range(10) if t[i])
    )
    # rock (0.3) is among the top three: reggae (0.1, weight 0.2 > 0.15) must beat it
    assert not m.topk_match and m.alpha_hat == pytest.approx(4 / 7)
    assert m.landing.missed_by == {"rank": pytest.approx(0.2)}
    assert "reggae (0.10) is not among the three most probable genres" in m.landing.summary


def test_three_genre_mix_that_lands():
    mix = parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    m = mix_metrics(onehot(jazz=0.4, metal=0.22, reggae=0.16, rock=0.12, pop=0.1), mix)
    assert m.topk_match and m.landed and m.on_target_mass == pytest.approx(0.78)
    d = m.to_dict()
    assert d["topk_match"] and d["top2_match"] and d["weight_error"] == m.abs_alpha_error
    # the weight error alone can fail it
    wrong = mix_metrics(onehot(jazz=0.12, metal=0.2, reggae=0.58, rock=0.1), mix)
    assert set(wrong.landing.missed_by) == {"alpha"}
    assert "weight error" in wrong.landing.summary and "α̂" not in wrong.landing.summary


def test_light_genres_need_not_be_heard_on_top():
    # 0.1 is within the tolerance: a mix with no rock at all is within the weight error bound
    mix = parse_mix("jazz=0.5,metal=0.4,rock=0.1")
    m = mix_metrics(onehot(jazz=0.45, metal=0.35, pop=0.2), mix)
    assert m.landed and not m.topk_match
    # ten genres at 0.1 each: no genre must be on top, and every genre is asked for
    even = parse_mix(",".join(f"{g}=1" for g in GENRES))
    m = mix_metrics(np.full(10, 0.1), even)
    assert m.landed and m.weight_error == pytest.approx(0.0) and m.on_target_mass == 1.0


def test_nothing_heard_reads_as_even_weights():
    m = mix_metrics(onehot(pop=1.0), parse_mix("jazz=0.6,metal=0.2,rock=0.2"))
    assert m.heard == pytest.approx((1 / 3,) * 3) and m.on_target_mass == 0.0 and m.js == 1.0


def test_pair_figures_are_the_mix_figures_of_two_genres():
    rng = np.random.default_rng(3)
    for _ in range(50):
        p = rng.dirichlet(np.ones(10))
        a, b = rng.choice(GENRES, 2, replace=False)
        alpha = float(rng.random())
        pair = blend_metrics(p, str(a), str(b), alpha)
        mixed = mix_metrics(p, parse_mix(f"{a}={alpha},{b}={1 - alpha}"))
        flat, flat_mixed = pair.to_dict(), mixed.to_dict()
        assert flat.pop("heard_weights") == pytest.approx(flat_mixed.pop("heard_weights"))
        assert flat == pytest.approx(flat_mixed)
        # for two genres the weight error is |α̂ − α|
        assert pair.weight_error == pytest.approx(
            abs(p[GENRES.index(a)] / (p[GENRES.index(a)] + p[GENRES.index(b)]) - alpha)
        )


def test_mix_metrics_over_a_subset_of_genres():
    nine = tuple(g for g in GENRES if g != "reggae")
    p = {g: 1 / 9 for g in nine}
    assert mix_metrics(p, parse_mix("jazz=1,metal=1,rock=1"), nine).on_target_mass == (
        pytest.approx(1 / 3)
    )
    with pytest.raises(InvalidInputError, match="reggae is not among"):
        mix_metrics(p, parse_mix("jazz=1,reggae=1,rock=1"), nine)
