"""Tests of the domain-aware splitters."""

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV, cross_validate

import skadapt.model_selection as ms
from skadapt.model_selection import (
    DomainShuffleSplit,
    LeaveOneDomainOut,
    SourceTargetShuffleSplit,
)


def _problem(n_source=12, n_target=8, n_labeled_target=0):
    X = np.arange(n_source + n_target, dtype=float).reshape(-1, 1)
    y = np.r_[np.arange(n_source) % 2, -np.ones(n_target, dtype=int)]
    y[n_source : n_source + n_labeled_target] = 1
    sd = np.r_[np.ones(n_source, dtype=int), -np.ones(n_target, dtype=int)]
    return X, y, sd


def test_all_is_exported():
    for name in ms.__all__:
        assert hasattr(ms, name)


def test_source_target_shuffle_split_folds():
    X, y, sd = _problem()
    cv = SourceTargetShuffleSplit(n_splits=4, test_size=0.25, random_state=0)
    splits = list(cv.split(X, y, groups=sd))
    assert len(splits) == cv.get_n_splits() == 4
    source, target = np.flatnonzero(sd > 0), np.flatnonzero(sd < 0)
    for train, test in splits:
        s_test = np.intersect1d(test, source)
        assert s_test.shape[0] == 3  # ceil(0.25 * 12)
        assert np.intersect1d(train, s_test).size == 0
        np.testing.assert_array_equal(np.union1d(np.intersect1d(train, source), s_test), source)
        # unlabeled target rows: in training and in validation
        np.testing.assert_array_equal(np.intersect1d(train, target), target)
        np.testing.assert_array_equal(np.intersect1d(test, target), target)
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    held_out = {tuple(np.intersect1d(test, source)) for _, test in splits}
    assert len(held_out) > 1


def test_source_target_shuffle_split_target_not_in_test():
    X, y, sd = _problem()
    cv = SourceTargetShuffleSplit(n_splits=2, target_in_test=False, random_state=0)
    for train, test in cv.split(X, y, groups=sd):
        assert np.all(sd[test] > 0)
        assert np.all(np.isin(np.flatnonzero(sd < 0), train))


def test_same_splits_from_groups_sample_domain_and_masked_labels():
    X, y, sd = _problem()
    cv = SourceTargetShuffleSplit(n_splits=3, random_state=1)
    from_groups = list(cv.split(X, y, groups=sd))
    from_sd = list(cv.split(X, y, sample_domain=sd))
    inferred = list(cv.split(X, y))
    for a, b, c in zip(from_groups, from_sd, inferred):
        for i in range(2):
            np.testing.assert_array_equal(a[i], b[i])
            np.testing.assert_array_equal(a[i], c[i])


def test_labeled_target_rows_are_held_out_not_shared():
    X, y, sd = _problem(n_source=10, n_target=10, n_labeled_target=4)
    labeled_target = np.flatnonzero((sd < 0) & (y != -1))
    cv = SourceTargetShuffleSplit(n_splits=5, test_size=0.5, random_state=0)
    for train, test in cv.split(X, y, groups=sd):
        in_test = np.intersect1d(test, labeled_target)
        assert in_test.shape[0] == 2
        assert np.intersect1d(train, in_test).size == 0


def test_seed_determinism():
    X, y, sd = _problem()
    a = list(SourceTargetShuffleSplit(random_state=3).split(X, y, groups=sd))
    b = list(SourceTargetShuffleSplit(random_state=3).split(X, y, groups=sd))
    for (tr_a, te_a), (tr_b, te_b) in zip(a, b):
        np.testing.assert_array_equal(tr_a, tr_b)
        np.testing.assert_array_equal(te_a, te_b)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_splits": 0}, "n_splits"),
        ({"test_size": 1.5}, "test_size"),
        ({"test_size": 0}, "test_size"),
        ({"test_size": "a"}, "test_size"),
    ],
)
def test_bad_parameters(params, match):
    X, y, sd = _problem()
    with pytest.raises(ValueError, match=f"SourceTargetShuffleSplit: `{match}`"):
        list(SourceTargetShuffleSplit(**params).split(X, y, groups=sd))


def test_no_target_and_mismatch_errors():
    X, y, sd = _problem()
    with pytest.raises(ValueError, match="SourceTargetShuffleSplit: no target row"):
        list(SourceTargetShuffleSplit().split(X, np.zeros(X.shape[0], dtype=int)))
    with pytest.raises(ValueError, match="`groups` and `sample_domain`"):
        list(SourceTargetShuffleSplit().split(X, y, groups=sd, sample_domain=-sd))
    with pytest.raises(ValueError, match="sample_domain"):
        list(SourceTargetShuffleSplit().split(X, y, groups=np.zeros(X.shape[0], dtype=int)))


def test_domain_shuffle_split_is_disjoint_and_stratified_by_domain():
    X = np.zeros((30, 1))
    sd = np.r_[np.ones(10, int), 2 * np.ones(10, int), -np.ones(10, int)]
    y = np.r_[np.zeros(20, int), -np.ones(10, int)]
    y[25:] = 1  # five labeled target rows
    cv = DomainShuffleSplit(n_splits=3, test_size=0.2, random_state=0)
    for train, test in cv.split(X, y, groups=sd):
        assert np.intersect1d(train, test).size == 0
        assert np.union1d(train, test).shape[0] == 30
        assert np.sum(sd[test] == 1) == 2 and np.sum(sd[test] == 2) == 2
        assert np.sum((sd[test] < 0) & (y[test] != -1)) == 1
        assert np.sum((sd[test] < 0) & (y[test] == -1)) == 1


def test_leave_one_domain_out():
    X = np.zeros((9, 1))
    sd = np.array([1, 1, 2, 2, 3, 3, -1, -1, -1])
    y = np.r_[np.zeros(6, int), -np.ones(3, int)]
    cv = LeaveOneDomainOut()
    assert cv.get_n_splits(X, y, groups=sd) == 3
    assert cv.get_n_splits(sample_domain=sd) == 3
    splits = list(cv.split(X, y, groups=sd))
    for domain, (train, test) in zip([1, 2, 3], splits):
        assert set(sd[test]) == {domain, -1}
        assert domain not in sd[train] and np.all(np.isin([6, 7, 8], train))
    cv = LeaveOneDomainOut(target_in_test=False)
    assert all(set(sd[test]) == {d} for d, (_, test) in zip([1, 2, 3], cv.split(X, y, groups=sd)))


def test_leave_one_domain_out_errors():
    X, y, sd = _problem()
    with pytest.raises(ValueError, match="LeaveOneDomainOut: found 1 source domain"):
        list(LeaveOneDomainOut().split(X, y, groups=sd))
    with pytest.raises(ValueError, match="LeaveOneDomainOut: get_n_splits needs"):
        LeaveOneDomainOut().get_n_splits(X, y)


@settings(max_examples=40, deadline=None)
@given(
    n_source=st.integers(2, 30),
    n_target=st.integers(1, 20),
    n_labeled_target=st.integers(0, 5),
    test_size=st.one_of(st.floats(0.05, 0.95), st.integers(1, 5)),
    seed=st.integers(0, 1000),
)
def test_property_source_target_shuffle_split(n_source, n_target, n_labeled_target, test_size, seed):
    n_labeled_target = min(n_labeled_target, n_target - 1)
    X, y, sd = _problem(n_source, n_target, n_labeled_target)
    cv = SourceTargetShuffleSplit(n_splits=2, test_size=test_size, random_state=seed)
    unlabeled_target = np.flatnonzero((sd < 0) & (y == -1))
    for train, test in cv.split(X, y, groups=sd):
        labeled_test = np.setdiff1d(test, unlabeled_target)
        assert np.intersect1d(train, labeled_test).size == 0  # no label on both sides
        assert np.union1d(train, test).shape[0] == X.shape[0]  # every row is used
        assert np.any(sd[test] > 0) and np.any(sd[train] > 0)
        assert np.all(np.isin(unlabeled_target, train)) and np.all(np.isin(unlabeled_target, test))


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Records the domains of its training rows (test helper)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_train_ = X.shape[0]
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[-1])


@pytest.mark.parametrize("routing", [False, True])
def test_splitters_inside_search(routing):
    X, y, sd = _problem(n_source=20, n_target=10)
    cv = SourceTargetShuffleSplit(n_splits=2, test_size=5, target_in_test=False, random_state=0)
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            res = cross_validate(_RecordingClassifier(), X, y, cv=cv, params={"sample_domain": sd},
                                 return_estimator=True)
        else:
            res = cross_validate(_RecordingClassifier(), X, y, cv=cv, groups=sd,
                                 return_estimator=True)
        assert [e.n_train_ for e in res["estimator"]] == [25, 25]
        search = GridSearchCV(_RecordingClassifier(), {}, cv=LeaveOneDomainOut())
        sd2 = np.r_[np.ones(10, int), 2 * np.ones(10, int), -np.ones(10, int)]
        if routing:
            search.fit(X, y, sample_domain=sd2)
        else:
            search.fit(X, y, groups=sd2)
        assert search.n_splits_ == 2


def test_repr_and_split_request():
    assert " ".join(repr(SourceTargetShuffleSplit(n_splits=3)).split()) == (
        "SourceTargetShuffleSplit(n_splits=3, random_state=None, target_in_test=True, "
        "test_size=0.2)"
    )
    routing = SourceTargetShuffleSplit().get_metadata_routing()
    assert routing.split.requests == {"groups": True, "sample_domain": True}
