"""benchmarks/temperature_by_training_size.py: its subsets and its likelihood."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
study = pytest.importorskip("temperature_by_training_size")


def test_a_subset_keeps_each_genres_share_and_draws_no_track_twice():
    labels = np.repeat(np.arange(10), [40, 50, 45, 42, 47, 42, 44, 41, 43, 48])
    keep = study.stratified_subset(labels, 150, seed=0)
    assert len(keep) == 150 == len(set(keep.tolist()))
    counts = np.bincount(labels[keep], minlength=10)
    expected = np.bincount(labels, minlength=10) * 150 / len(labels)
    assert np.all(np.abs(counts - expected) < 1)
    # seeded: the same subset every time, another with another seed
    assert np.array_equal(keep, study.stratified_subset(labels, 150, seed=0))
    assert not np.array_equal(keep, study.stratified_subset(labels, 150, seed=1))


def test_a_subset_larger_than_the_list_is_refused():
    with pytest.raises(ValueError, match="subset of 11"):
        study.stratified_subset(np.arange(10), 11, seed=0)


def test_the_likelihood_is_of_the_window_averaged_distribution_at_that_temperature():
    # one track, two windows: logits that put the right genre (0) ahead in one window only
    logits = [np.array([[2.0, 0.0], [0.0, 2.0]])]
    labels = np.array([0])
    p1 = np.exp(2) / (np.exp(2) + 1)
    # window average of p(genre 0): (p1 + (1 - p1)) / 2 = 0.5 at any temperature
    assert study.track_nll(logits, labels, 1.0) == pytest.approx(np.log(2))
    confident = [np.array([[2.0, 0.0], [2.0, 0.0]])]
    assert study.track_nll(confident, labels, 1.0) == pytest.approx(-np.log(p1))
    # a higher temperature flattens it: less likelihood for a right answer
    assert study.track_nll(confident, labels, 2.0) > study.track_nll(confident, labels, 1.0)
