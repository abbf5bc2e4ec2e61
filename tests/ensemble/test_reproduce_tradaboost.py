"""The draw of the labeled target set T_s in benchmarks/reproduce_tradaboost.py."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.reproduce_tradaboost import LABELED_FRACTION, _draw  # run from the repo root


@settings(max_examples=50, deadline=None)
@given(
    n_stories=st.integers(20, 400),
    max_copies=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
    grouped=st.booleans(),
)
def test_draw_keeps_stories_whole_and_labels_both_classes(n_stories, max_copies, seed, grouped):
    # a story fills 1..max_copies identical rows of one class (the "table1" Reuters rows)
    rng = np.random.RandomState(seed)
    copies = rng.randint(1, max_copies + 1, size=n_stories)
    story_label = np.r_[0, 1, rng.randint(0, 2, size=n_stories - 2)]
    groups = np.repeat(np.arange(n_stories) * 7 + 3, copies)
    y = np.repeat(story_label, copies)
    lab = _draw(np.random.RandomState(seed), y, groups if grouped else None)
    m = max(math.ceil(LABELED_FRACTION * y.shape[0]), 2)
    assert np.all(np.diff(lab) > 0)
    assert set(np.unique(y[lab])) == {0, 1}
    if not grouped:
        assert lab.shape[0] == m
        return
    assert lab.shape[0] >= m
    rest = np.setdiff1d(np.arange(y.shape[0]), lab)
    assert not set(groups[lab]) & set(groups[rest])  # no story on both sides
    # deterministic for a fixed seed
    np.testing.assert_array_equal(lab, _draw(np.random.RandomState(seed), y, groups))
