"""benchmarks/gtzan_blend_reference.py: real blends cut from images in the composer's form."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
reference = pytest.importorskip("gtzan_blend_reference")

from genreblender.classification.melspec import COLUMNS_PER_SECOND  # noqa: E402
from genreblender.mixes import Mix, make_mix  # noqa: E402


def _clip(owner: int, width: int = 387) -> np.ndarray:
    """A fake image whose column j holds ``owner * 70 + j % 70`` in every band but band 5 (the
    clip's loudest, at 250): each column says which clip and which moment it came from."""
    cols = owner * 70 + np.arange(width) % 70
    image = np.repeat(cols[None, :], 128, axis=0).astype(np.uint8)
    image[5, :] = 250
    return image


def _owners_and_moments(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = image[0].astype(int) - (255 - 250)  # undo the re-reference (loudest bin to 255)
    return values // 70, values % 70


def test_a_pair_at_one_half_is_a_b_a_with_each_clip_played_on_where_it_left_off():
    image = reference.splice(
        [_clip(0), _clip(1)], Mix.pair("jazz", "metal", 0.5), 20.0, np.random.default_rng(1)
    )
    assert image.shape == (128, int(round(20 * COLUMNS_PER_SECOND)))
    assert image.max() == 255  # re-referenced to its own loudest bin
    owner, moment = _owners_and_moments(image)
    assert owner[0] == 0 and owner[-1] == 0  # the heavier (first on a tie) opens and closes
    assert np.count_nonzero(np.diff(owner)) == 2  # A, B, A
    # B holds half the time, within one 2-s bar
    assert abs(owner.mean() - 0.5) * 20.0 <= reference.REAL_BAR_S
    # each clip plays on where it left off: A's second piece continues its first
    for g in (0, 1):
        assert np.all(np.diff(moment[owner == g]) % 70 == 1)


def test_each_genre_of_a_mix_comes_from_its_own_clip_in_the_plan_order():
    image = reference.splice(
        [_clip(0), _clip(1), _clip(2)],
        make_mix([("jazz", 1), ("metal", 1), ("pop", 1)]),
        20.0,
        np.random.default_rng(0),
    )
    owner, moment = _owners_and_moments(image)
    assert set(owner) == {0, 1, 2}
    assert owner[0] == 0  # the first of equal weights is the heaviest and opens
    for g in (0, 1, 2):
        share = np.mean(owner == g)
        assert abs(share - 1 / 3) * 20.0 <= reference.REAL_BAR_S
        assert np.all(np.diff(moment[owner == g]) % 70 == 1)


def test_a_blend_longer_than_a_clip_holds_is_refused():
    with pytest.raises(ValueError, match="columns of one clip"):
        reference.splice(
            [_clip(0, 100), _clip(1, 100)],
            Mix.pair("jazz", "metal", 0.5),
            20.0,
            np.random.default_rng(0),
        )


def test_figures_give_the_spread_over_draws():
    rows = [
        {
            "draw": d,
            "metrics": {"topk_match": t, "landed": t, "on_target_mass": m, "weight_error": 0.1},
        }
        for d, t, m in [(0, True, 0.6), (0, False, 0.4), (1, True, 0.8), (1, True, 0.6)]
    ]
    fig = reference.blend_figures(rows)
    assert fig["n"] == 4
    assert fig["topk_match"]["mean"] == pytest.approx(0.75)
    # per-draw means 0.5 and 1.0
    assert fig["topk_match"]["sd_over_draws"] == pytest.approx(np.std([0.5, 1.0], ddof=1))
    assert fig["on_target_mass"]["mean"] == pytest.approx(0.6)


def test_the_report_figure_is_written_as_a_png(tmp_path):
    fig = {n: {"mean": 0.5, "sd_over_draws": 0.1} for n in reference.BLEND_FIGURES}
    table = dict.fromkeys(reference.GENRES, 0.5) | {"mean": 0.5}
    keys = [f"{source}, {m}" for source in ("real", "composer") for m in ("held-out", "shipped")]
    report = {
        "pure": dict.fromkeys(keys, table),
        "pairs": dict.fromkeys(keys, fig),
        "triples": dict.fromkeys(keys, fig),
    }
    path = reference.plot_report(report, tmp_path / "deep" / "reference.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
