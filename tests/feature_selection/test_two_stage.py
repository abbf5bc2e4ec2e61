"""Tests of TwoStageFeatureSelector (issue 15).

A synthetic multi-source problem with planted features: four features shared
by every domain (0-3), one decoy per source domain that predicts the label in
that domain only (4, 5, 6), three target-specific features that exist in the
target only (7, 8, 9) and noise.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import skadapt
from skadapt import TwoStageFeatureSelector
from skadapt.exceptions import NoTargetWarning, SingleSourceWarning
from skadapt.feature_selection._two_stage import _consistency_scores, _fit_joint_logistic
from skadapt.model_selection import LeaveOneDomainOut

SHARED, DECOYS, TARGET = [0, 1, 2, 3], [4, 5, 6], [7, 8, 9]


def _planted(seed=0, n=150, n_target=300, d=20):
    rng = np.random.default_rng(seed)
    Xs, ys, ds = [], [], []
    for k in range(3):
        y = rng.integers(0, 2, n)
        s = 2 * y - 1
        X = rng.normal(size=(n, d))
        X[:, SHARED] += s[:, None]
        X[:, DECOYS[k]] += 2.5 * s
        X[:, TARGET] = 0.0  # absent from the sources
        Xs.append(X)
        ys.append(y)
        ds.append(np.full(n, k + 1))
    y_t = rng.integers(0, 2, n_target)
    s = 2 * y_t - 1
    X_t = rng.normal(size=(n_target, d))
    X_t[:, SHARED] += s[:, None]
    X_t[:, TARGET] += 1.5 * s[:, None]
    X = np.vstack(Xs + [X_t])
    y = np.concatenate(ys + [np.full(n_target, -1)])
    sd = np.concatenate(ds + [np.full(n_target, -1)])
    return X, y, sd, y_t


@pytest.fixture(scope="module")
def planted():
    return _planted()


def test_stage1_keeps_shared_and_drops_decoys(planted):
    X, y, sd, _ = planted
    sel = TwoStageFeatureSelector(n_generalizable=4, n_rounds=0).fit(X, y, sample_domain=sd)
    assert sorted(sel.generalizable_.tolist()) == SHARED
    assert not sel.support_[DECOYS].any()
    assert sel.target_specific_.shape == (0,)
    assert sel.n_rounds_ == 0 and np.all(sel.pseudo_labels_ == -1)
    # each decoy is strong in its own domain and weak in the others
    for k, j in enumerate(DECOYS):
        w = sel.domain_weights_[:, j]
        assert np.argmax(w) == k
    assert sel.feature_scores_[SHARED].min() > sel.feature_scores_[DECOYS].max()


def test_stage2_finds_target_features(planted):
    X, y, sd, y_t = planted
    sel = TwoStageFeatureSelector(
        LogisticRegression(), n_generalizable=4, n_target_specific=3, k_per_round=15
    ).fit(X, y, sample_domain=sd)
    assert sorted(sel.target_specific_.tolist()) == TARGET
    assert sel.support_.sum() == 7
    assert sel.n_rounds_ == 10
    pseudo = sel.pseudo_labels_
    assert pseudo.shape == (y_t.shape[0],)
    labeled = pseudo != -1
    assert 250 <= labeled.sum() <= 10 * 2 * 15  # at most k_per_round per class and round
    assert np.mean(pseudo[labeled] == y_t[labeled]) > 0.95
    assert sel.score(X[sd < 0], y_t) > 0.95


def test_auto_is_chosen_on_sources(planted):
    X, y, sd, _ = planted
    sel = TwoStageFeatureSelector(n_generalizable=[2, 4, 7, 20], C=[0.1, 1.0], n_rounds=0)
    sel.fit(X, y, sample_domain=sd)
    table = sel.validation_scores_
    assert table.shape == (2, 4)
    # the largest count within one binomial standard error of the best
    best = table.max()
    se = np.sqrt(best * (1 - best) / 450)
    j = max(np.flatnonzero((table >= best - se).any(axis=0)))
    assert sel.n_generalizable_ == [2, 4, 7, 20][j]
    assert table[[0.1, 1.0].index(sel.C_), j] >= best - se
    # the decoys' counts (7, 20) are worse on held-out sources than the shared four
    assert table[:, 1].max() > table[:, 3].max()


def test_joint_model_is_logistic_regression_on_the_scaled_augmented_design():
    # [X, X_1 / sqrt(rho), ..., X_K / sqrt(rho), 1_k / sqrt(rho)] with one
    # unpenalised intercept: the equivalence stated in the module docstring
    X, y, sd, _ = _planted(n=80)
    C, rho = 0.5, 3.0
    src = sd > 0
    Xs, ys, dom = X[src], y[src], sd[src]
    blocks = [Xs[dom == k] for k in (1, 2, 3)]
    signs = [2.0 * ys[dom == k] - 1 for k in (1, 2, 3)]
    W, w0, _, converged = _fit_joint_logistic(blocks, signs, C, rho, max_iter=2000, tol=1e-9)
    assert converged
    s = 1.0 / np.sqrt(rho)
    onehot = np.column_stack([(dom == k).astype(float) for k in (1, 2, 3)])
    Z = np.hstack([Xs] + [s * onehot[:, [k]] * Xs for k in range(3)] + [s * onehot])
    ref = LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(Z, ys).coef_.ravel()
    d = X.shape[1]
    np.testing.assert_allclose(w0, ref[:d], atol=2e-4)
    for k in range(3):
        np.testing.assert_allclose(W[k], ref[:d] + s * ref[d * (k + 1) : d * (k + 2)], atol=2e-4)


def test_consistency_score_penalises_sign_flips():
    W = np.array([[1.0, 1.0, 2.0], [1.0, -1.0, 0.0]])
    w0 = np.array([1.0, 0.2, 1.0])
    np.testing.assert_allclose(_consistency_scores(W, w0), [1.0, -1.0, 0.0])


@pytest.mark.parametrize("sparse", [False, True])
def test_transform_is_the_kept_columns(planted, sparse):
    X, y, sd, _ = planted
    Xin = sp.csr_matrix(X) if sparse else X
    sel = TwoStageFeatureSelector(n_generalizable=5, n_target_specific=2, k_per_round=20)
    Z = sel.fit_transform(Xin, y, sample_domain=sd)
    assert sp.issparse(Z) == sparse
    expected = Xin[:, sel.support_]
    dense = Z.toarray() if sparse else Z
    np.testing.assert_array_equal(dense, expected.toarray() if sparse else expected)
    np.testing.assert_array_equal(sel.get_support(indices=True), np.flatnonzero(sel.support_))
    back = sel.inverse_transform(Z)
    assert back.shape == X.shape
    names = sel.get_feature_names_out()
    assert list(names) == [f"x{j}" for j in np.flatnonzero(sel.support_)]


def test_sparse_and_dense_agree(planted):
    X, y, sd, _ = planted
    kw = dict(n_generalizable=6, n_target_specific=2, k_per_round=20)
    a = TwoStageFeatureSelector(**kw).fit(X, y, sample_domain=sd)
    b = TwoStageFeatureSelector(**kw).fit(sp.csr_matrix(X), y, sample_domain=sd)
    np.testing.assert_array_equal(a.support_, b.support_)
    np.testing.assert_allclose(a.feature_scores_, b.feature_scores_, rtol=1e-6, atol=1e-8)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_row_order_does_not_change_support(seed):
    X, y, sd, _ = _PLANTED_SMALL
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    kw = dict(n_generalizable=4, n_rounds=3, n_target_specific=3, k_per_round=15, tol=1e-6)
    a = TwoStageFeatureSelector(**kw).fit(X, y, sample_domain=sd)
    b = TwoStageFeatureSelector(**kw).fit(X[perm], y[perm], sample_domain=sd[perm])
    np.testing.assert_array_equal(a.support_, b.support_)
    np.testing.assert_array_equal(a.generalizable_, b.generalizable_)
    assert sorted(a.target_specific_) == sorted(b.target_specific_)


_PLANTED_SMALL = _planted(seed=3, n=100, n_target=200)


def test_grid_search_over_n_generalizable_with_leave_one_source_out(planted):
    X, y, sd, y_t = planted
    pipe = Pipeline(
        [("select", TwoStageFeatureSelector(LogisticRegression(), n_rounds=2, k_per_round=20))]
    )
    search = GridSearchCV(
        pipe,
        {"select__n_generalizable": [2, 4, 12]},
        cv=LeaveOneDomainOut(target_in_test=False),
    )
    search.fit(X, y, groups=sd, select__sample_domain=sd)
    assert search.cv_results_["mean_test_score"].shape == (3,)
    assert search.best_params_["select__n_generalizable"] in (4, 12)
    assert search.score(X[sd < 0], y_t) > 0.9


def test_one_source_domain_warns_and_falls_back(planted):
    X, y, sd, _ = planted
    one = np.where(sd > 0, 1, sd)
    with pytest.warns(SingleSourceWarning, match="one source domain"):
        sel = TwoStageFeatureSelector(n_rounds=1, k_per_round=5).fit(X, y, sample_domain=one)
    assert sel.validation_scores_ is None
    assert sel.n_generalizable_ == X.shape[1]  # "auto" resolves to its largest count
    assert sel.domain_weights_.shape == (1, X.shape[1])


def test_no_target_warns_and_runs_stage1_alone(planted):
    X, y, sd, _ = planted
    src = sd > 0
    with pytest.warns(NoTargetWarning):
        sel = TwoStageFeatureSelector(n_generalizable=4).fit(X[src], y[src])
    assert sel.n_rounds_ == 0 and sel.pseudo_labels_.shape == (0,)
    assert sel.support_.sum() == 4


def test_errors(planted):
    X, y, sd, _ = planted
    with pytest.raises(ValueError, match="TwoStageFeatureSelector: `n_generalizable`=99"):
        TwoStageFeatureSelector(n_generalizable=99).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="`n_generalizable` is an empty list"):
        TwoStageFeatureSelector(n_generalizable=[]).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="`C` candidates"):
        TwoStageFeatureSelector(C=[1.0, -1.0]).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="only one class"):
        TwoStageFeatureSelector().fit(X, np.where(y == 1, 0, y), sample_domain=sd)


def test_multiclass_and_string_free_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    y = np.argmax(X[:, :3], axis=1)
    sd = np.repeat([1, 2, -1], 80)
    y[sd < 0] = -1
    sel = TwoStageFeatureSelector(LogisticRegression(), n_generalizable=3, k_per_round=5)
    sel.fit(X, y, sample_domain=sd)
    assert sorted(sel.generalizable_.tolist()) == [0, 1, 2]
    assert set(np.unique(sel.pseudo_labels_)) <= {-1, 0, 1, 2}
    assert sel.predict_proba(X[:5]).shape == (5, 3)


def test_verbose_prints(planted, capsys):
    X, y, sd, _ = planted
    TwoStageFeatureSelector(n_generalizable=[4, 8], n_rounds=1, verbose=1).fit(
        X, y, sample_domain=sd
    )
    out = capsys.readouterr().out
    assert "validation accuracy" in out and "stage 1: kept" in out and "round 1" in out


def test_exported():
    assert skadapt.TwoStageFeatureSelector is skadapt.feature_selection.TwoStageFeatureSelector
    assert clone(TwoStageFeatureSelector(n_generalizable=3)).n_generalizable == 3


def test_labeled_target_rows_train_stage2_not_stage1(planted):
    X, y, sd, y_t = planted
    y = y.copy()
    first_target = np.flatnonzero(sd < 0)[:20]
    y[first_target] = y_t[:20]
    sel = TwoStageFeatureSelector(LogisticRegression(), n_generalizable=4, n_rounds=2, k_per_round=10)
    sel.fit(X, y, sample_domain=sd)
    assert sel.pseudo_labels_.shape == (y_t.shape[0] - 20,)
    assert sel.domain_weights_.shape == (3, X.shape[1])
    assert sorted(sel.generalizable_.tolist()) == SHARED


def test_leave_one_domain_out_accepts_source_only_domains():
    # stage 1's validation splits the source rows alone (no target domain)
    X = np.zeros((6, 1))
    groups = np.array([1, 1, 2, 2, 3, 3])
    folds = list(LeaveOneDomainOut(target_in_test=False).split(X, groups=groups))
    assert [test.tolist() for _, test in folds] == [[0, 1], [2, 3], [4, 5]]
    assert [train.tolist() for train, _ in folds][0] == [2, 3, 4, 5]
