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


# ------------------------------------------------------------- issue 18


def test_stratified_domain_shuffle_split_keeps_class_proportions_per_domain():
    from skadapt.model_selection import StratifiedDomainShuffleSplit

    rng = np.random.RandomState(0)
    sd = np.r_[np.ones(40, int), 2 * np.ones(30, int), -np.ones(20, int)]
    y = np.r_[(rng.rand(40) < 0.2).astype(int), (rng.rand(30) < 0.6).astype(int),
              -np.ones(20, int)]
    y[70:75] = [0, 1, 0, 1, 1]                     # a few labeled target rows
    X = np.zeros((90, 1))
    cv = StratifiedDomainShuffleSplit(n_splits=5, test_size=0.25, random_state=0)
    for train, test in cv.split(X, y, groups=sd):
        assert np.intersect1d(train, test).size == 0 and np.union1d(train, test).size == 90
        for domain in (1, 2, -1):
            for labeled in (True, False):
                rows = np.flatnonzero((sd == domain) & ((y != -1) == labeled))
                if rows.size == 0:
                    continue
                in_test = np.isin(rows, test)
                # the pool holds out what DomainShuffleSplit holds out ...
                assert in_test.sum() == min(max(int(np.ceil(0.25 * rows.size)), 1), rows.size - 1)
                if labeled:
                    # ... with each class in proportion (largest remainders: within one row)
                    for c in np.unique(y[rows]):
                        share = np.mean(y[rows] == c) * in_test.sum()
                        assert abs(np.sum(y[rows[in_test]] == c) - share) < 1.0
    a = [t.tolist() for _, t in cv.split(X, y, groups=sd)]
    b = [t.tolist() for _, t in cv.split(X, y, groups=sd)]
    assert a == b
    with pytest.raises(ValueError, match="StratifiedDomainShuffleSplit: `y` is needed"):
        next(cv.split(X, None, groups=sd))


def test_stratified_split_rare_class_and_routing():
    from skadapt.model_selection import StratifiedDomainShuffleSplit

    sd = np.r_[np.ones(9, int), -np.ones(3, int)]
    y = np.r_[[0] * 8 + [1], -np.ones(3, int)]     # class 1: a single source row
    cv = StratifiedDomainShuffleSplit(n_splits=3, test_size=0.5, random_state=1)
    for train, test in cv.split(np.zeros((12, 1)), y, sample_domain=sd):
        assert 8 in train                            # the lone row stays in training
        assert np.sum(np.isin(test, np.arange(8))) == 5   # ceil(0.5 * 9) from class 0


def test_leave_one_domain_out_max_n_splits_test_size_random_state():
    X = np.zeros((50, 1))
    sd = np.r_[np.repeat([1, 2, 3, 4], 10), -np.ones(10, int)]
    y = np.r_[np.zeros(40, int), -np.ones(10, int)]
    cv = LeaveOneDomainOut(max_n_splits=2, random_state=0)
    assert cv.get_n_splits(groups=sd) == 2
    splits = list(cv.split(X, y, groups=sd))
    held = [int(np.unique(sd[test][sd[test] > 0])[0]) for _, test in splits]
    assert len(splits) == 2 and len(set(held)) == 2
    assert held == [int(np.unique(sd[t][sd[t] > 0])[0]) for _, t in cv.split(X, y, groups=sd)]
    cv = LeaveOneDomainOut(test_size=0.3, target_in_test=False, random_state=0)
    for domain, (train, test) in zip([1, 2, 3, 4], cv.split(X, y, groups=sd)):
        assert np.all(sd[test] == domain) and test.size == 3
        assert domain not in sd[train]                 # the rest of the domain is not trained on
    assert LeaveOneDomainOut(max_n_splits=None).get_n_splits(groups=sd) == 4
    with pytest.raises(ValueError, match="LeaveOneDomainOut: `max_n_splits` must be"):
        LeaveOneDomainOut(max_n_splits=0).get_n_splits(groups=sd)
    with pytest.raises(ValueError, match="LeaveOneDomainOut: `test_size`"):
        list(LeaveOneDomainOut(test_size=1.5).split(X, y, groups=sd))


def _three_domains(seed=0, n=40):
    rng = np.random.RandomState(seed)
    X = np.r_[rng.normal(0, 1, (n, 2)), rng.normal(1.5, 1, (n, 2)), rng.normal(3, 1, (n, 2))]
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=3 * n) > 0).astype(int)
    return X, y, np.repeat([1, 2, 3], n)


def test_pack_domains_layout_and_errors():
    from skadapt.model_selection import pack_domains

    X, y, d = _three_domains(n=5)
    Xp, yp, sdp = pack_domains(X, y, d)
    np.testing.assert_array_equal(Xp, np.r_[X, X])
    np.testing.assert_array_equal(yp, np.r_[y, -np.ones(15, int)])
    np.testing.assert_array_equal(sdp, np.r_[d, -d])
    _, yf, _ = pack_domains(X, y.astype(float) + 0.5, d)
    assert np.isnan(yf[15:]).all()
    import scipy.sparse as sp
    assert sp.issparse(pack_domains(sp.csr_matrix(X), y, d)[0])
    with pytest.raises(ValueError, match="pack_domains: `sample_domain` must number"):
        pack_domains(X, y, -d)
    y_bad = y.copy()
    y_bad[0] = -1
    with pytest.raises(ValueError, match="pack_domains: `y` has masked labels"):
        pack_domains(X, y_bad, d)


def test_leave_one_target_domain_out_folds():
    from skadapt.model_selection import LeaveOneTargetDomainOut, pack_domains

    X, y, d = _three_domains(n=10)
    Xp, yp, sdp = pack_domains(X, y, d)
    cv = LeaveOneTargetDomainOut()
    assert cv.get_n_splits(groups=sdp) == 3
    for k, (train, test) in zip([1, 2, 3], cv.split(Xp, yp, groups=sdp)):
        # scored on domain k's labeled rows, trained on the others + k unlabeled
        assert np.all(sdp[test] == k) and test.size == 10 and np.all(yp[test] != -1)
        assert set(sdp[train]) == {1, 2, 3, -k} - {k}
        assert np.all(yp[train][sdp[train] == -k] == -1)
        np.testing.assert_array_equal(Xp[train][sdp[train] == -k], Xp[test])
    cv = LeaveOneTargetDomainOut(max_n_splits=2, test_size=0.3, random_state=0)
    splits = list(cv.split(Xp, yp, groups=sdp))
    assert len(splits) == 2 == cv.get_n_splits(groups=sdp)
    for train, test in splits:
        k = sdp[test][0]
        assert test.size == 3
        masked = train[sdp[train] == -k]
        assert masked.size == 7   # the scored rows are not even seen unlabeled
        assert not np.intersect1d(masked - 30, test).size
    d_unpacked = np.where(d == 3, -1, d)          # sources 1, 2 and one target
    with pytest.raises(ValueError, match="LeaveOneTargetDomainOut: expects data packed"):
        list(cv.split(X, np.where(d == 3, -1, y), groups=d_unpacked))
    with pytest.raises(ValueError, match="LeaveOneTargetDomainOut: `sample_domain` has no target"):
        list(cv.split(X, y, groups=d))


@pytest.mark.parametrize("routing", [False, True])
# the grid's B=1000 concentrates KMM's weights on these small domains (it warns);
# the splitter is under test here
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.LowEffectiveSampleSizeWarning")
def test_pack_lodo_in_a_plain_grid_search(routing):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skadapt import KMM
    from skadapt.model_selection import LeaveOneTargetDomainOut, pack_domains

    X, y, d = _three_domains()
    Xp, yp, sdp = pack_domains(X, y, d)
    pipe = make_pipeline(StandardScaler(), KMM(LogisticRegression(), gamma=0.5))
    grid = {"kmm__B": [2.0, 1000.0]}
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            pipe[0].set_fit_request(sample_weight=False)
            search = GridSearchCV(pipe, grid, cv=LeaveOneTargetDomainOut(), refit=False)
            search.fit(Xp, yp, sample_domain=sdp)
        else:
            search = GridSearchCV(pipe, grid, cv=LeaveOneTargetDomainOut(), refit=False)
            search.fit(Xp, yp, groups=sdp)
    assert search.n_splits_ == 3
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores > 0.6) & (scores <= 1.0))
    # the split score is the target accuracy of the model adapted to that domain
    train, test = next(LeaveOneTargetDomainOut().split(Xp, yp, groups=sdp))
    model = make_pipeline(StandardScaler(), KMM(LogisticRegression(), gamma=0.5, B=2.0))
    model.fit(Xp[train], yp[train], kmm__sample_domain=sdp[train])
    assert np.isclose(model.score(Xp[test], yp[test]), search.cv_results_["split0_test_score"][0])
