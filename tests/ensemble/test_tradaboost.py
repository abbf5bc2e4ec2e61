"""Tests of TrAdaBoostClassifier, TrAdaBoostR2 and TwoStageTrAdaBoostR2.

Small problems only; the reproduction of the paper's Table 3 lives in
benchmarks/reproduce_tradaboost.py.
"""

import math
import pickle
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skadapt import TrAdaBoostClassifier, TrAdaBoostR2, TwoStageTrAdaBoostR2
from skadapt.ensemble._base import _normalize_weights, _source_beta, _vote_start
from skadapt.ensemble._tradaboost import _soft_errors
from skadapt.ensemble._tradaboost_r2 import (
    _adjusted_errors,
    _solve_source_beta,
    _weighted_median,
)
from skadapt.exceptions import BoostingStoppedWarning, NoTargetWarning


def _clf_problem(seed=0, n_s=120, n_t=60, n_lab=16, d=3, n_classes=2):
    """Source rows partly mislabeled w.r.t. the target concept."""
    rng = np.random.RandomState(seed)
    Xs = rng.normal(size=(n_s, d))
    Xt = rng.normal(size=(n_t, d)) + 0.3
    w = np.arange(1.0, d + 1)
    if n_classes == 2:
        ys = (Xs @ w > 0).astype(int)
        yt = (Xt @ w > 0).astype(int)
        ys[Xs[:, 0] > 0.8] = 1 - ys[Xs[:, 0] > 0.8]
    else:
        ys = np.digitize(Xs @ w, [-1.5, 1.5])
        yt = np.digitize(Xt @ w, [-1.5, 1.5])
        ys[Xs[:, 0] > 0.8] = (ys[Xs[:, 0] > 0.8] + 1) % 3
    lab = np.r_[np.flatnonzero(yt == yt.min())[:2], np.flatnonzero(yt == yt.max())[:2]]
    lab = np.unique(np.r_[lab, np.arange(n_lab)])[:n_lab]
    X = np.vstack([Xs, Xt])
    y = np.r_[ys, np.full(n_t, -1)]
    y[n_s + lab] = yt[lab]
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    test = np.setdiff1d(np.arange(n_t), lab)
    return X, y, sd, Xt[test], yt[test]


def _reg_problem(seed=0, n_s=120, n_t=40, n_lab=15):
    rng = np.random.RandomState(seed)
    Xs = rng.uniform(-1, 1, size=(n_s, 2))
    Xt = rng.uniform(-1, 1, size=(n_t, 2))
    ys = np.sin(3 * Xs[:, 0]) + Xs[:, 1]
    yt = np.sin(3 * Xt[:, 0]) + Xt[:, 1] + 0.5 * Xt[:, 0]
    X = np.vstack([Xs, Xt])
    y = np.r_[ys, np.full(n_t, np.nan)]
    y[n_s : n_s + n_lab] = yt[:n_lab]
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return X, y, sd, Xt[n_lab:], yt[n_lab:]


# ------------------------------------------------------------- helpers


def test_source_beta_matches_paper():
    assert _source_beta(3600, 100) == pytest.approx(1 / (1 + math.sqrt(2 * math.log(3600) / 100)))
    assert _source_beta(1, 100) == 1.0
    assert _source_beta(0, 100) == 1.0


@pytest.mark.parametrize("n, expected", [(1, 0), (2, 0), (3, 1), (100, 49), (101, 50)])
def test_vote_start_is_ceil_half(n, expected):
    # 0-based index of round ceil(N/2)
    assert _vote_start(n, "second_half") == expected
    assert _vote_start(n, "all") == 0


def test_weighted_median():
    preds = np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 3.0]])
    assert _weighted_median(preds, np.array([1.0, 1.0, 1.0])).tolist() == [2.0, 4.0]
    assert _weighted_median(preds, np.array([10.0, 1.0, 1.0])).tolist() == [1.0, 5.0]


def test_adjusted_errors_losses():
    y = np.array([0.0, 1.0, 2.0])
    pred = np.array([0.0, 2.0, 4.0])
    assert _adjusted_errors(y, pred, "linear").tolist() == [0.0, 0.5, 1.0]
    assert _adjusted_errors(y, pred, "square").tolist() == [0.0, 0.25, 1.0]
    np.testing.assert_allclose(_adjusted_errors(y, pred, "exponential"), 1 - np.exp(-np.array([0, 0.5, 1])))
    assert _adjusted_errors(y, y, "linear").tolist() == [0.0, 0.0, 0.0]


def test_solve_source_beta():
    rng = np.random.RandomState(0)
    w = rng.uniform(size=20)
    e = rng.uniform(size=20)
    e[:3] = 0.0
    wanted = 0.6 * w.sum()
    beta = _solve_source_beta(w, e, wanted)
    assert 0 < beta < 1
    assert np.dot(w, beta**e) == pytest.approx(wanted, rel=1e-8)
    assert _solve_source_beta(w, e, 2 * w.sum()) == 1.0
    assert _solve_source_beta(w, e, w[:3].sum() * 0.5) == 0.0


def test_normalize_weights_keeps_zeros_and_warns_on_nonfinite():
    w = np.array([0.0, 2.0, 2.0, -1e-300])
    out = _normalize_weights(TrAdaBoostClassifier(), w)
    assert out.tolist() == [0.0, 0.5, 0.5, 0.0]
    with pytest.warns(RuntimeWarning, match="summed to"):
        assert _normalize_weights(TrAdaBoostClassifier(), np.array([np.inf, 1.0])) is None


# ------------------------------------------------------------- classifier


def test_classifier_fit_attributes_and_methods():
    X, y, sd, Xt, yt = _clf_problem()
    clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=12, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    assert len(clf.estimators_) == 12
    assert clf.estimator_weights_.shape == clf.estimator_errors_.shape == (12,)
    assert np.all(clf.estimator_weights_ > 0)
    assert np.all((clf.estimator_errors_ >= 0) & (clf.estimator_errors_ <= 1))
    assert clf.classes_.tolist() == [0, 1]
    assert clf.beta_ == pytest.approx(_source_beta(120, 12))
    proba = clf.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    dec = clf.decision_function(Xt)
    assert dec.shape == (Xt.shape[0],)
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[(dec > 0).astype(int)])
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[np.argmax(proba, axis=1)])
    staged = list(clf.staged_predict(Xt))
    assert len(staged) == 12
    np.testing.assert_array_equal(staged[-1], clf.predict(Xt))
    # unlabeled target rows get no weight; source weight mass is recorded
    assert np.all(clf.sample_weight_[y == -1] == 0)
    assert clf.sample_weight_.sum() == pytest.approx(1.0)
    assert clf.source_weight_mass_[0] == pytest.approx(120 / 136)


def test_classifier_second_half_vote_matches_paper_rule():
    """For two classes the vote is prod beta_t^-h_t(x) > prod beta_t^-1/2 over rounds ceil(N/2)..N."""
    X, y, sd, Xt, _ = _clf_problem(seed=3)
    n = 9
    clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=n, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    start = math.ceil(n / 2) - 1
    h = np.array([est.predict(Xt) for est in clf.estimators_[start:]])
    log_beta = -clf.estimator_weights_[start:]
    lhs = -(log_beta[:, None] * h).sum(axis=0)
    rhs = -0.5 * log_beta.sum()
    np.testing.assert_array_equal(clf.predict(Xt), (lhs > rhs).astype(int))
    clf_all = clone(clf).set_params(vote="all").fit(X, y, sample_domain=sd)
    assert len(clf_all.estimators_) == n


def test_classifier_one_round_update_is_the_papers():
    """Round 2's distribution: source rows times beta^miss, target rows times beta_t^-miss."""
    X, y, sd, _, _ = _clf_problem(seed=1)
    clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=2, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    labeled = y != -1
    Xl, yl, src = X[labeled], y[labeled], sd[labeled] > 0
    miss = clf.estimators_[0].predict(Xl) != yl
    eps = miss[~src].mean()
    assert clf.estimator_errors_[0] == pytest.approx(eps)
    beta_t = eps / (1 - eps)
    w = np.where(src, clf.beta_ ** miss, beta_t ** -miss.astype(float))
    w /= w.sum()
    np.testing.assert_allclose(clf.sample_weight_[labeled], w, rtol=1e-10)


class _FixedProba(ClassifierMixin, BaseEstimator):
    """Row ``i`` (``X[i, 0] == i``) gets P(class 1) = ``p1[i]`` whatever the weights."""

    def __init__(self, p1=None):
        self.p1 = p1

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = np.asarray(self.p1)[np.asarray(X)[:, 0].astype(int)]
        return np.c_[1 - p, p]

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def test_classifier_soft_update_by_hand():
    """error='soft': e_i = 1 - P(y_i | x_i), hand-computed for 2 source + 2 target rows."""
    X = np.arange(4.0).reshape(-1, 1)
    y = np.array([1, 0, 1, 0])
    sd = np.array([1, 1, -1, -1])
    # P(class 1) per row -> P(true class): 0.9, 0.4, 0.8, 0.6 -> e = 0.1, 0.6, 0.2, 0.4
    learner = _FixedProba(p1=[0.9, 0.6, 0.8, 0.4])
    clf = TrAdaBoostClassifier(learner, n_estimators=2, error="soft").fit(X, y, sample_domain=sd)
    eps = (0.2 + 0.4) / 2  # uniform weights on the two target rows
    assert clf.estimator_errors_[0] == pytest.approx(0.3)
    beta_t = eps / (1 - eps)  # 3/7
    beta = 1 / (1 + math.sqrt(2 * math.log(2) / 2))
    w = np.array([beta**0.1, beta**0.6, beta_t**-0.2, beta_t**-0.4])
    np.testing.assert_allclose(clf.sample_weight_, w / w.sum(), rtol=1e-12)
    assert clf.estimator_weights_[0] == pytest.approx(math.log(7 / 3))
    # dynamic=True: source rows also times the growth of the target mass
    dyn = TrAdaBoostClassifier(learner, n_estimators=2, error="soft", dynamic=True)
    dyn.fit(X, y, sample_domain=sd)
    growth = (beta_t**-0.2 + beta_t**-0.4) / 2
    w = np.array([beta**0.1 * growth, beta**0.6 * growth, beta_t**-0.2, beta_t**-0.4])
    np.testing.assert_allclose(dyn.sample_weight_, w / w.sum(), rtol=1e-12)
    # hard errors on the same learner: only source row 1 is wrong (P(true) = 0.4)
    hard = TrAdaBoostClassifier(learner, n_estimators=2).fit(X, y, sample_domain=sd)
    w = np.array([1, beta, 1, 1])
    np.testing.assert_allclose(hard.sample_weight_, w / w.sum(), rtol=1e-12)
    assert np.all(hard.estimator_errors_ == 0)


def test_classifier_soft_one_round_update_with_logistic_regression():
    X, y, sd, _, _ = _clf_problem(seed=1)
    clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=2, error="soft", random_state=0)
    clf.fit(X, y, sample_domain=sd)
    labeled = y != -1
    Xl, yl, src = X[labeled], y[labeled], sd[labeled] > 0
    e = 1 - clf.estimators_[0].predict_proba(Xl)[np.arange(yl.shape[0]), yl]
    eps = e[~src].mean()
    assert clf.estimator_errors_[0] == pytest.approx(eps)
    w = np.where(src, clf.beta_**e, (eps / (1 - eps)) ** -e)
    np.testing.assert_allclose(clf.sample_weight_[labeled], w / w.sum(), rtol=1e-10)


def test_classifier_soft_errors_reweight_when_hard_errors_are_all_zero():
    """On separable rows hard errors freeze the weights; soft ones still move them."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    X[:, 0] += np.sign(X[:, 0])  # a wide gap between the classes
    y = (X[:, 0] > 0).astype(int)
    sd = np.r_[np.ones(50, int), -np.ones(10, int)]
    base = LogisticRegression(C=100.0)
    with pytest.warns(BoostingStoppedWarning, match="round 1 of 5 makes no error"):
        hard = TrAdaBoostClassifier(base, n_estimators=5).fit(X, y, sample_domain=sd)
    soft = TrAdaBoostClassifier(base, n_estimators=5, error="soft").fit(X, y, sample_domain=sd)
    assert np.all(hard.estimator_errors_ == 0)
    assert np.all(hard.source_weight_mass_ == hard.source_weight_mass_[0])
    assert np.all(soft.estimator_errors_ > 0)
    assert soft.source_weight_mass_[-1] < soft.source_weight_mass_[0]


def test_soft_errors_of_a_class_the_round_never_saw():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    est = LogisticRegression().fit(X, [0, 0, 2, 2])
    e = _soft_errors(est, X, np.array([0, 1, 2, 1]))
    proba = est.predict_proba(X)
    np.testing.assert_allclose(e, [1 - proba[0, 0], 1.0, 1 - proba[2, 1], 1.0])


@pytest.mark.parametrize(
    "initial_weights, target_share",
    [("uniform", 16 / 136), ("balanced", 0.5), (0.25, 0.25), (0.9, 0.9)],
)
def test_classifier_initial_weights(initial_weights, target_share):
    X, y, sd, _, _ = _clf_problem()
    clf = TrAdaBoostClassifier(
        LogisticRegression(), n_estimators=1, initial_weights=initial_weights
    ).fit(X, y, sample_domain=sd)
    assert clf.source_weight_mass_[0] == pytest.approx(1 - target_share)
    w = clf.sample_weight_[y != -1]
    src = sd[y != -1] > 0
    np.testing.assert_allclose(w[src], (1 - target_share) / 120)
    np.testing.assert_allclose(w[~src], target_share / 16)


def test_classifier_initial_weights_without_source_rows_are_uniform():
    X, y, _, _, _ = _clf_problem()
    labeled = y != -1
    with pytest.warns(NoTargetWarning):
        clf = TrAdaBoostClassifier(
            LogisticRegression(), n_estimators=1, initial_weights="balanced"
        ).fit(X[labeled], y[labeled])
    np.testing.assert_allclose(clf.sample_weight_, 1 / labeled.sum())


def test_classifier_dynamic_keeps_more_source_weight():
    X, y, sd, _, _ = _clf_problem(seed=2)
    plain = TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=15, random_state=0)
    dyn = clone(plain).set_params(dynamic=True)
    plain.fit(X, y, sample_domain=sd)
    dyn.fit(X, y, sample_domain=sd)
    assert dyn.source_weight_mass_[-1] >= plain.source_weight_mass_[-1] - 1e-12


def test_classifier_dynamic_factor_is_target_growth():
    """C_t = 2 (1 - eps_t) for two classes: with dynamic=True and no source error the
    source share stays what it was after the round."""
    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(50, 2))
    ys = (Xs[:, 0] > 0).astype(int)
    Xt = rng.normal(size=(10, 2))
    yt = (Xt[:, 0] > 0).astype(int)
    yt[0] = 1 - yt[0]  # one target row the learner cannot fit with the source
    X, y = np.vstack([Xs, Xt]), np.r_[ys, yt]
    sd = np.r_[np.ones(50, int), -np.ones(10, int)]
    clf = TrAdaBoostClassifier(
        DecisionTreeClassifier(max_depth=1), n_estimators=2, dynamic=True, random_state=0,
        learning_rate=0.5,  # the second round stays below chance on the target
    ).fit(X, y, sample_domain=sd)
    eps = clf.estimator_errors_[0]
    if eps > 0 and not (clf.estimators_[0].predict(Xs) != ys).any():
        assert clf.source_weight_mass_[1] == pytest.approx(clf.source_weight_mass_[0])
    assert 2 * (1 - eps) > 0


def test_classifier_zero_error_stops_and_repeats_last_learner():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    sd = np.r_[np.ones(30, int), -np.ones(10, int)]
    clf = TrAdaBoostClassifier(DecisionTreeClassifier(), n_estimators=7, random_state=0)
    with pytest.warns(BoostingStoppedWarning, match="TrAdaBoostClassifier: round 1 of 7"):
        clf.fit(X, y, sample_domain=sd)
    assert len(clf.estimators_) == 7
    assert all(est is clf.estimators_[0] for est in clf.estimators_)
    assert np.all(clf.estimator_errors_ == 0)
    assert np.all(np.isfinite(clf.estimator_weights_))


def test_classifier_bad_rounds_get_almost_no_vote():
    X, y, sd, _, _ = _clf_problem(seed=5)
    clf = TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=15, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    bad = clf.estimator_errors_ >= 0.5
    assert np.all(clf.estimator_weights_[bad] < 1e-8)
    assert np.all(clf.estimator_weights_ > 0)


def test_classifier_multiclass_samme():
    X, y, sd, Xt, yt = _clf_problem(n_classes=3, n_lab=20)
    clf = TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=10, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    assert clf.n_classes_ == 3
    proba = clf.predict_proba(Xt)
    assert proba.shape == (Xt.shape[0], 3)
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[proba.argmax(axis=1)])
    assert clf.decision_function(Xt).shape == (Xt.shape[0], 3)
    # SAMME weight: log((1 - e) / e) + log(K - 1)
    e = np.clip(clf.estimator_errors_, 1e-10, 2 / 3 - 1e-10)
    np.testing.assert_allclose(clf.estimator_weights_, np.log((1 - e) / e) + np.log(2))


def test_classifier_string_labels():
    X, y, sd, Xt, yt = _clf_problem()
    names = np.array(["neg", "pos"])
    y_str = np.where(y == -1, None, names[np.clip(y, 0, 1)]).astype(object)
    clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=5, random_state=0)
    clf.fit(X, y_str, sample_domain=sd)
    assert set(clf.predict(Xt)) <= {"neg", "pos"}


def test_classifier_learning_rate_scales_vote_weights():
    X, y, sd, _, _ = _clf_problem()
    a = TrAdaBoostClassifier(LogisticRegression(), n_estimators=1, random_state=0)
    b = clone(a).set_params(learning_rate=0.5)
    a.fit(X, y, sample_domain=sd)
    b.fit(X, y, sample_domain=sd)
    assert b.estimator_weights_[0] == pytest.approx(0.5 * a.estimator_weights_[0])


# ------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "Est, problem",
    [(TrAdaBoostClassifier, _clf_problem), (TrAdaBoostR2, _reg_problem), (TwoStageTrAdaBoostR2, _reg_problem)],
)
def test_no_labeled_target_rows_is_an_error(Est, problem):
    X, y, sd, _, _ = problem()
    y = y.copy()
    mask = -1 if Est is TrAdaBoostClassifier else np.nan
    y[sd < 0] = mask
    with pytest.raises(ValueError, match=f"{Est.__name__} needs some labeled target rows"):
        Est(n_estimators=2).fit(X, y, sample_domain=sd)
    # without sample_domain, masked rows are the (unlabeled) target: same error
    with pytest.raises(ValueError, match="needs some labeled target rows"):
        Est(n_estimators=2).fit(X, y)


@pytest.mark.parametrize("Est", [TrAdaBoostClassifier, TrAdaBoostR2, TwoStageTrAdaBoostR2])
def test_plain_fit_warns_no_target_and_boosts_on_all_rows(Est):
    if Est is TrAdaBoostClassifier:
        X, y, _, _, _ = _clf_problem()
    else:
        X, y, _, _, _ = _reg_problem()
    keep = ~(np.isnan(y.astype(float)) | (y == -1))
    with pytest.warns(NoTargetWarning):
        est = Est(n_estimators=3, random_state=0).fit(X[keep], y[keep])
    assert np.all(est.source_weight_mass_ == 0)


def test_estimator_without_sample_weight():
    X, y, sd, Xt, _ = _clf_problem()
    with pytest.raises(TypeError, match="does not accept sample_weight.*weighting='resample'"):
        TrAdaBoostClassifier(KNeighborsClassifier(), n_estimators=3).fit(X, y, sample_domain=sd)
    clf = TrAdaBoostClassifier(
        KNeighborsClassifier(), n_estimators=3, weighting="resample", random_state=0
    ).fit(X, y, sample_domain=sd)
    assert clf.predict(Xt).shape == (Xt.shape[0],)


def test_soft_error_needs_predict_proba():
    X, y, sd, _, _ = _clf_problem()
    with pytest.raises(
        TypeError, match="TrAdaBoostClassifier: error='soft'.*LinearSVC has no predict_proba"
    ):
        TrAdaBoostClassifier(LinearSVC(), error="soft").fit(X, y, sample_domain=sd)


def test_bad_parameters_are_rejected():
    X, y, sd, _, _ = _clf_problem()
    with pytest.raises(ValueError, match="error"):
        TrAdaBoostClassifier(error="squared").fit(X, y, sample_domain=sd)
    for bad in ("equal", 0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="initial_weights"):
            TrAdaBoostClassifier(initial_weights=bad).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="vote"):
        TrAdaBoostClassifier(vote="first_half").fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="n_estimators"):
        TrAdaBoostClassifier(n_estimators=0).fit(X, y, sample_domain=sd)
    Xr, yr, sdr, _, _ = _reg_problem()
    with pytest.raises(ValueError, match="loss"):
        TrAdaBoostR2(loss="huber").fit(Xr, yr, sample_domain=sdr)
    with pytest.raises(ValueError, match="cv=20 folds need at least 20 labeled target rows, got n_samples=15"):
        TwoStageTrAdaBoostR2(cv=20).fit(Xr, yr, sample_domain=sdr)


# ------------------------------------------------------------- properties


@pytest.fixture
def record_rounds(monkeypatch):
    """Capture the distribution passed to the base learner at every round."""
    from skadapt.ensemble import _base, _tradaboost_r2

    seen = []
    original = _base._fit_round

    def spy(estimator, X, y, p, weighting, random_state, *args):
        seen.append(p.copy())
        return original(estimator, X, y, p, weighting, random_state, *args)

    monkeypatch.setattr(_base, "_fit_round", spy)
    monkeypatch.setattr(_tradaboost_r2, "_fit_round", spy)
    return seen


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")  # may stop early
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_rounds=st.integers(1, 8),
    dynamic=st.booleans(),
    lr=st.floats(0.1, 2.0),
    error=st.sampled_from(["hard", "soft"]),
    initial_weights=st.sampled_from(["uniform", "balanced", 0.3]),
)
def test_classifier_weights_are_a_distribution_each_round(
    seed, n_rounds, dynamic, lr, error, initial_weights
):
    from skadapt.ensemble import _base

    X, y, sd, _, _ = _clf_problem(seed=seed, n_s=40, n_t=20, n_lab=6)
    seen = []
    original = _base._fit_round

    def spy(estimator, X, y, p, weighting, random_state, *args):
        seen.append(p.copy())
        return original(estimator, X, y, p, weighting, random_state, *args)

    _base._fit_round = spy
    try:
        clf = TrAdaBoostClassifier(
            DecisionTreeClassifier(max_depth=1),
            n_estimators=n_rounds,
            dynamic=dynamic,
            learning_rate=lr,
            error=error,
            initial_weights=initial_weights,
            random_state=seed,
        ).fit(X, y, sample_domain=sd)
    finally:
        _base._fit_round = original
    assert 1 <= len(seen) <= n_rounds
    for p in seen:
        assert np.all(p >= 0)
        assert p.sum() == pytest.approx(1.0)
    # zero stays zero
    for before, after in zip(seen, seen[1:]):
        assert np.all(after[before == 0] == 0)
    w = clf.sample_weight_
    assert np.all(w[y == -1] == 0) and w.sum() == pytest.approx(1.0)
    assert np.all((clf.source_weight_mass_ >= 0) & (clf.source_weight_mass_ <= 1))
    assert np.all(np.isfinite(clf.estimator_weights_)) and np.all(clf.estimator_weights_ > 0)


def test_zero_weight_stays_zero(record_rounds):
    """Misclassified source rows underflow to exactly 0 and stay there."""
    rng = np.random.RandomState(0)
    Xs = rng.uniform(-1, 1, size=(60, 1))
    ys = (Xs[:, 0] > 0).astype(int)
    ys[:12] = 1 - ys[:12]  # source rows a stump cannot fit
    Xt = np.array([[-2.0], [-1.5], [1.5], [2.0]])
    X, y = np.vstack([Xs, Xt]), np.r_[ys, [0, 0, 1, 1]]
    sd = np.r_[np.ones(60, int), -np.ones(4, int)]
    clf = TrAdaBoostClassifier(
        DecisionTreeClassifier(max_depth=1), n_estimators=5, learning_rate=3000.0, random_state=0
    ).fit(X, y, sample_domain=sd)
    assert len(record_rounds) == 5
    assert (record_rounds[1] == 0).sum() > 0
    for before, after in zip(record_rounds, record_rounds[1:]):
        assert np.all(after[before == 0] == 0)
    assert np.all(clf.estimator_errors_ == 0)


def test_overflow_warns_and_stops():
    X, y, sd, Xt, _ = _clf_problem(seed=7)
    clf = TrAdaBoostClassifier(
        DecisionTreeClassifier(max_depth=1), n_estimators=6, learning_rate=1e6, random_state=0
    )
    with pytest.warns(RuntimeWarning, match="not a positive finite number"):
        clf.fit(X, y, sample_domain=sd)
    assert len(clf.estimators_) < 6
    assert clf.predict(Xt).shape == (Xt.shape[0],)


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")  # may stop early
@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    perm_seed=st.integers(0, 10_000),
    error=st.sampled_from(["hard", "soft"]),
    initial_weights=st.sampled_from(["uniform", "balanced"]),
)
# Round 3 of this draw has a target error of exactly 1/2 in exact arithmetic
# (the two earlier rounds had eps = 1/4, so the target weights are v, 3v and 9v
# and the misclassified 9v is half of v * 6 + 3v + 9v); the float lands 1 ulp
# below or at 0.5 depending on the summation order of the rows.
@example(seed=530, perm_seed=0, error="hard", initial_weights="uniform")
@example(seed=48, perm_seed=337, error="hard", initial_weights="uniform")  # another such tie
def test_invariance_to_row_order(seed, perm_seed, error, initial_weights):
    X, y, sd, Xt, _ = _clf_problem(seed=seed, n_s=50, n_t=20, n_lab=8)
    perm = np.random.RandomState(perm_seed).permutation(X.shape[0])
    base = LogisticRegression()
    kw = dict(n_estimators=5, error=error, initial_weights=initial_weights, random_state=0)
    a = TrAdaBoostClassifier(base, **kw).fit(X, y, sample_domain=sd)
    b = TrAdaBoostClassifier(base, **kw).fit(
        X[perm], y[perm], sample_domain=sd[perm]
    )
    np.testing.assert_allclose(b.sample_weight_, a.sample_weight_[perm], atol=1e-7)
    np.testing.assert_allclose(b.estimator_errors_, a.estimator_errors_, atol=1e-7)
    np.testing.assert_allclose(b.decision_function(Xt), a.decision_function(Xt), atol=1e-6)


def test_r2_and_two_stage_weights_are_distributions(record_rounds):
    X, y, sd, _, _ = _reg_problem(seed=1, n_s=40, n_t=20, n_lab=6)
    TrAdaBoostR2(n_estimators=6, random_state=0).fit(X, y, sample_domain=sd)
    TwoStageTrAdaBoostR2(n_steps=4, n_estimators=3, cv=3, random_state=0).fit(X, y, sample_domain=sd)
    assert len(record_rounds) > 6
    for p in record_rounds:
        assert np.all(p >= 0) and p.sum() == pytest.approx(1.0)


# ------------------------------------------------------------- determinism & co.


@pytest.mark.parametrize(
    "est, problem",
    [
        (TrAdaBoostClassifier(n_estimators=6, random_state=4), _clf_problem),
        (TrAdaBoostClassifier(n_estimators=6, weighting="resample", random_state=4), _clf_problem),
        (
            TrAdaBoostClassifier(
                n_estimators=6, error="soft", initial_weights="balanced", random_state=4
            ),
            _clf_problem,
        ),
        (TrAdaBoostR2(n_estimators=6, random_state=4), _reg_problem),
        (TwoStageTrAdaBoostR2(n_steps=3, n_estimators=4, cv=3, random_state=4), _reg_problem),
    ],
)
def test_determinism_clone_and_pickle(est, problem):
    X, y, sd, Xt, _ = problem()
    a = clone(est).fit(X, y, sample_domain=sd)
    b = clone(est).fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(a.predict(Xt), b.predict(Xt))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict(Xt), a.predict(Xt))
    assert clone(est).get_params() == est.get_params()


def test_verbose_prints_one_line_per_round(capsys):
    X, y, sd, _, _ = _clf_problem()
    TrAdaBoostClassifier(LogisticRegression(), n_estimators=4, verbose=1, random_state=0).fit(
        X, y, sample_domain=sd
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert "target error" in lines[0] and "source weight mass" in lines[0]
    Xr, yr, sdr, _, _ = _reg_problem()
    TwoStageTrAdaBoostR2(n_steps=3, n_estimators=2, cv=3, verbose=1, random_state=0).fit(
        Xr, yr, sample_domain=sdr
    )
    assert len(capsys.readouterr().out.strip().splitlines()) == 3


# ------------------------------------------------------------- sparse


def test_sparse_stays_sparse_on_100k_features():
    """A 100k-feature CSR problem is fitted and predicted without densifying:
    a dense copy of X would take 400 * 100_000 * 8 bytes = 320 MB."""
    rng = np.random.RandomState(0)
    n, d = 400, 100_000
    noise = sp.random(n, d - 50, density=2e-4, format="csr", random_state=rng)
    signal = sp.random(n, 50, density=0.3, format="csr", random_state=rng)
    X = sp.hstack([signal, noise], format="csr")
    score = np.asarray(signal[:, :25].sum(axis=1) - signal[:, 25:].sum(axis=1)).ravel()
    y = (score > 0).astype(int)
    sd = np.r_[np.ones(300, int), -np.ones(100, int)]
    y[320:] = -1
    clf = TrAdaBoostClassifier(LinearSVC(class_weight="balanced"), n_estimators=5, random_state=0)
    tracemalloc.start()
    try:
        with pytest.warns(BoostingStoppedWarning):  # 100k features: every row is fitted
            clf.fit(X, y, sample_domain=sd)
        pred = clf.predict(X[320:])
        list(clf.staged_predict(X[320:]))
        clf.decision_function(X[320:])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pred.shape == (80,)
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.1f} MB suggests densification"


def test_sparse_and_dense_agree():
    X, y, sd, Xt, _ = _clf_problem()
    dense = TrAdaBoostClassifier(LogisticRegression(), n_estimators=4, random_state=0)
    sparse = clone(dense)
    dense.fit(X, y, sample_domain=sd)
    sparse.fit(sp.csr_matrix(X), y, sample_domain=sd)
    np.testing.assert_allclose(sparse.decision_function(sp.csr_matrix(Xt)), dense.decision_function(Xt), atol=1e-6)


# ------------------------------------------------------------- regression


def test_r2_fit_and_staged_predict():
    X, y, sd, Xt, yt = _reg_problem()
    reg = TrAdaBoostR2(Ridge(), n_estimators=8, random_state=0).fit(X, y, sample_domain=sd)
    assert len(reg.estimators_) == 8
    staged = list(reg.staged_predict(Xt))
    assert len(staged) == 8
    np.testing.assert_allclose(staged[-1], reg.predict(Xt))
    assert reg.beta_ == pytest.approx(_source_beta(120, 8))
    for loss in ["square", "exponential"]:
        r = TrAdaBoostR2(n_estimators=4, loss=loss, random_state=0).fit(X, y, sample_domain=sd)
        assert np.all(np.isfinite(r.predict(Xt)))


def test_two_stage_schedule_of_target_weight():
    """Step t holds m/(n+m) + (t-1)/(S-1) (1 - m/(n+m)) of the weight on the target."""
    X, y, sd, Xt, yt = _reg_problem()
    S = 5
    reg = TwoStageTrAdaBoostR2(Ridge(), n_steps=S, n_estimators=3, cv=3, random_state=0)
    reg.fit(X, y, sample_domain=sd)
    share = 15 / 135
    expected_target = share + np.arange(S) / (S - 1) * (1 - share)
    np.testing.assert_allclose(1 - reg.source_weight_mass_, expected_target, atol=1e-6)
    assert reg.cv_errors_.shape == (S,)
    assert reg.best_step_ == int(np.argmin(reg.cv_errors_))
    assert reg.predict(Xt).shape == Xt[:, 0].shape


def test_two_stage_beats_target_only_on_related_source():
    from sklearn.tree import DecisionTreeRegressor

    X, y, sd, Xt, yt = _reg_problem(n_s=200, n_t=60, n_lab=20)
    lab = (sd < 0) & ~np.isnan(y)
    target_only = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[lab], y[lab])
    reg = TwoStageTrAdaBoostR2(n_steps=5, n_estimators=10, cv=4, random_state=0)
    reg.fit(X, y, sample_domain=sd)
    mse_t = np.mean((target_only.predict(Xt) - yt) ** 2)
    mse_r = np.mean((reg.predict(Xt) - yt) ** 2)
    assert mse_r < mse_t


def test_warm_start_learner_refits_the_previous_round():
    # a learner with warm_start=True starts each round from the last round's
    # solution: the same models up to the solver's tolerance, distinct objects
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(200, 5))
    ys = (Xs[:, 0] + 0.5 * Xs[:, 1] > 0).astype(int)
    Xt = rng.normal(size=(20, 5)) + 0.5
    yt = (Xt[:, 0] - 0.5 * Xt[:, 1] > 0.5).astype(int)
    X, y = np.vstack([Xs, Xt]), np.r_[ys, yt]
    sd = np.r_[np.ones(200, int), -np.ones(20, int)]
    kw = dict(n_estimators=8, error="soft", initial_weights="balanced", random_state=0)
    cold = TrAdaBoostClassifier(LogisticRegression(tol=1e-10, max_iter=10000), **kw)
    warm = TrAdaBoostClassifier(
        LogisticRegression(tol=1e-10, max_iter=10000, warm_start=True), **kw
    )
    cold.fit(X, y, sample_domain=sd)
    warm.fit(X, y, sample_domain=sd)
    assert len({id(e) for e in warm.estimators_}) == len(warm.estimators_)
    for a, b in zip(cold.estimators_, warm.estimators_):
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cold.estimator_errors_, warm.estimator_errors_, rtol=1e-5)
    # later rounds of the warm learner needed fewer solver iterations
    assert sum(int(e.n_iter_[0]) for e in warm.estimators_[1:]) < sum(
        int(e.n_iter_[0]) for e in cold.estimators_[1:]
    )


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")  # may stop early
def test_warm_start_ensemble_is_refitted_fresh_each_round():
    # an ensemble's warm_start adds members: a copy of last round's forest
    # refitted with the same n_estimators would fit nothing new (and warn),
    # so such learners are cloned fresh and give what warm_start=False gives
    from sklearn.ensemble import RandomForestClassifier

    X, y, sd, _, _ = _clf_problem()
    fits = []
    for warm in (False, True):
        forest = RandomForestClassifier(n_estimators=5, max_depth=3, warm_start=warm)
        clf = TrAdaBoostClassifier(forest, n_estimators=6, random_state=0)
        fits.append(clf.fit(X, y, sample_domain=sd))
    cold, warm = fits
    np.testing.assert_array_equal(cold.estimator_errors_, warm.estimator_errors_)
    np.testing.assert_array_equal(cold.sample_weight_, warm.sample_weight_)
    assert len({id(e) for e in warm.estimators_}) == len(warm.estimators_)


def test_r2_warm_start_learner_refits_the_previous_round():
    # TrAdaBoost.R2 shares the classifier's loop: a warm-started linear
    # regressor gives the cold fits' rounds, from fewer solver iterations
    from sklearn.linear_model import ElasticNet

    X, y, sd, _, _ = _reg_problem()
    fits = []
    for warm in (False, True):
        base = ElasticNet(alpha=0.01, tol=1e-12, max_iter=100000, warm_start=warm)
        fits.append(TrAdaBoostR2(base, n_estimators=6, random_state=0).fit(
            X, y, sample_domain=sd))
    cold, warm = fits
    for a, b in zip(cold.estimators_, warm.estimators_):
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cold.estimator_errors_, warm.estimator_errors_, rtol=1e-6)
    assert sum(e.n_iter_ for e in warm.estimators_[1:]) < sum(
        e.n_iter_ for e in cold.estimators_[1:])


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")  # may stop early
def test_n_jobs_is_set_on_the_base_learner_and_changes_nothing_else():
    # the rounds are sequential: n_jobs reaches every n_jobs parameter of the
    # learner (nested too); None leaves the learner's own setting
    from sklearn.ensemble import BaggingClassifier, RandomForestClassifier, RandomForestRegressor

    X, y, sd, Xt, _ = _clf_problem()
    nested = BaggingClassifier(RandomForestClassifier(n_estimators=3, max_depth=3), n_estimators=2)
    fits = [TrAdaBoostClassifier(nested, n_estimators=4, n_jobs=n_jobs, random_state=0).fit(
        X, y, sample_domain=sd) for n_jobs in (None, 2)]
    for est in fits[0].estimators_:
        assert est.n_jobs is None and est.estimator.n_jobs is None
    for est in fits[1].estimators_:
        assert est.n_jobs == 2 and est.estimator.n_jobs == 2
    assert nested.n_jobs is None and nested.estimator.n_jobs is None  # the user's learner
    np.testing.assert_array_equal(fits[0].sample_weight_, fits[1].sample_weight_)
    np.testing.assert_array_equal(fits[0].predict(Xt), fits[1].predict(Xt))

    X, y, sd, Xt, _ = _reg_problem()
    base = RandomForestRegressor(n_estimators=4, max_depth=3)
    r2 = [TrAdaBoostR2(base, n_estimators=4, n_jobs=n_jobs, random_state=0).fit(
        X, y, sample_domain=sd) for n_jobs in (1, 2)]
    assert all(e.n_jobs == 2 for e in r2[1].estimators_)
    # (a forest regressor's mean over trees may differ in the last bit across threads)
    np.testing.assert_allclose(r2[0].predict(Xt), r2[1].predict(Xt), rtol=1e-12)


def test_two_stage_folds_in_parallel_give_the_same_model():
    X, y, sd, Xt, _ = _reg_problem()
    kw = dict(n_steps=3, n_estimators=4, cv=3, random_state=0)
    serial = TwoStageTrAdaBoostR2(**kw).fit(X, y, sample_domain=sd)
    parallel = TwoStageTrAdaBoostR2(n_jobs=2, **kw).fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(serial.cv_errors_, parallel.cv_errors_)
    np.testing.assert_array_equal(serial.predict(Xt), parallel.predict(Xt))


# ------------------------------------------------ issue 12: weight scale and degenerate rounds


class _WeightSpy(BaseEstimator, ClassifierMixin):
    """Wraps a learner and records the sample_weight of every fit."""

    def __init__(self, estimator, record=None):
        self.estimator = estimator
        self.record = record

    def fit(self, X, y, sample_weight=None):
        self.record.append(np.asarray(sample_weight, dtype=np.float64).copy())
        self.estimator_ = clone(self.estimator).fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)


@pytest.mark.parametrize("learner", [LogisticRegression(C=0.1), LinearSVC(C=0.1)])
def test_boosting_weights_keep_the_learners_regularization(learner):
    """The learner sees weights of mean one (total = number of training rows) in every
    round, so a fixed C means what it means in an unweighted fit: the first round IS
    the unweighted fit on the labeled rows."""
    X, y, sd, _, _ = _clf_problem(seed=3)
    record = []
    clf = TrAdaBoostClassifier(_WeightSpy(learner, record), n_estimators=6, random_state=0)
    clf.fit(X, y, sample_domain=sd)
    labeled = y != -1
    for sample_weight in record:
        assert sample_weight.shape == (labeled.sum(),)
        assert sample_weight.sum() == pytest.approx(labeled.sum())
    rows = np.r_[np.flatnonzero(labeled & (sd > 0)), np.flatnonzero(labeled & (sd < 0))]
    plain = clone(learner).fit(X[rows], y[rows])
    np.testing.assert_allclose(clf.estimators_[0].estimator_.coef_, plain.coef_, rtol=1e-6, atol=1e-8)


def test_a_round_no_better_than_chance_stops_boosting_with_a_warning():
    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(50, 2))
    ys = (Xs[:, 0] > 0).astype(int)
    Xt = rng.normal(size=(10, 2))
    yt = (Xt[:, 0] > 0).astype(int)
    yt[0] = 1 - yt[0]  # a target row no stump fits: it soon holds half the target weight
    X, y = np.vstack([Xs, Xt]), np.r_[ys, yt]
    sd = np.r_[np.ones(50, int), -np.ones(10, int)]
    clf = TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=10, random_state=0)
    with pytest.warns(BoostingStoppedWarning, match=r"round \d+ of 10 is no better than chance"):
        clf.fit(X, y, sample_domain=sd)
    assert 1 <= len(clf.estimators_) < 10
    assert np.all(clf.estimator_errors_[1:] < 0.5)
    assert clf.estimator_weights_.shape == clf.source_weight_mass_.shape == (len(clf.estimators_),)
    assert clf.predict(Xt).shape == (10,)


def _small_20ng(shared_data, seed, n=500, n_labeled=20):
    """A 20 Newsgroups text task (rec vs talk), subsampled: TF-IDF of words in >= 3 documents."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from skadapt.datasets import fetch_20newsgroups_transfer

    data = fetch_20newsgroups_transfer("rec_vs_talk", data_home=shared_data, download_if_missing=False)
    rng = np.random.RandomState(seed)
    s = rng.choice(data.X_source.shape[0], n, replace=False)
    t = rng.choice(data.X_target.shape[0], n, replace=False)
    Xs, ys, Xt, yt = data.X_source[s], data.y_source[s], data.X_target[t], data.y_target[t]
    df = np.asarray((sp.vstack([Xs, Xt]) > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(df >= 3)
    Xs, Xt = Xs[:, keep], Xt[:, keep]
    half = n_labeled // 2
    lab = np.r_[np.flatnonzero(yt == 0)[:half], np.flatnonzero(yt == 1)[:half]]
    rest = np.setdiff1d(np.arange(n), lab)
    tfidf = TfidfTransformer().fit(sp.vstack([Xs, Xt]))
    X = tfidf.transform(sp.vstack([Xs, Xt[lab]]))
    y = np.r_[ys, yt[lab]]
    sd = np.r_[np.ones(n, int), -np.ones(lab.shape[0], int)]
    return X, y, sd, tfidf.transform(Xt[rest]), yt[rest]


@pytest.mark.parametrize("seed", [0, 1])
def test_text_task_regularized_learner_is_not_worse_than_its_first_round(shared_data, seed):
    """Issue 12: on text, TrAdaBoost(LogisticRegression(C=0.1)) drifted to predicting one
    class for every target row (0.58 against its first round's 0.66); now the round that
    falls to chance on the labeled target rows stops the boosting, with a warning."""
    X, y, sd, X_eval, y_eval = _small_20ng(shared_data, seed)
    clf = TrAdaBoostClassifier(LogisticRegression(C=0.1), n_estimators=10, random_state=0)
    with pytest.warns(BoostingStoppedWarning, match="no better than chance"):
        clf.fit(X, y, sample_domain=sd)
    first_pred = clf.estimators_[0].predict(X_eval)
    pred = clf.predict(X_eval)
    assert np.mean(pred == y_eval) >= np.mean(first_pred == y_eval)
    assert pred.mean() <= first_pred.mean() + 0.02  # no drift towards one class
    # LinearSVC(C=0.1) fits the labeled target rows: it boosts all 10 rounds, no collapse
    svc = TrAdaBoostClassifier(LinearSVC(C=0.1), n_estimators=10, random_state=0)
    svc.fit(X, y, sample_domain=sd)
    first = np.mean(svc.estimators_[0].predict(X_eval) == y_eval)
    pred = svc.predict(X_eval)
    assert np.mean(pred == y_eval) >= first - 0.02 and 0.1 < pred.mean() < 0.9
