"""KLIEP, uLSIF and RuLSIF: solvers, cross-validation, properties and errors."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from skadapt import KLIEP, ULSIF, RuLSIF
from skadapt.exceptions import NoTargetWarning
from skadapt.instance_weighting._kliep import kliep_solve
from skadapt.instance_weighting._lsif import lsif_fit, lsif_loo_scores
from skadapt.utils import source_target_merge

ESTIMATORS = [KLIEP, ULSIF, RuLSIF]


def _shifted(seed=0, n_s=120, n_t=80, d=2):
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(n_s, d))
    Xt = 0.6 * rng.normal(size=(n_t, d)) + 0.5
    ys = (Xs[:, 0] > 0).astype(int)
    return source_target_merge(Xs, ys, Xt)


# ------------------------------------------------------------ solvers


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 8), log_gamma=st.floats(-1.5, 1.0))
@example(seed=1, m=7, log_gamma=0.5739273988961071)  # the worst draw seen: gap 5.0e-9
def test_kliep_solver_reaches_the_optimum(seed, m, log_gamma):
    rng = np.random.default_rng(seed)
    Xt = rng.normal(size=(25, 2)) + 0.5
    Xs = rng.normal(size=(30, 2))
    C = Xt[:m]
    gamma = 10.0**log_gamma

    def k(X):
        return np.exp(-gamma * ((X[:, None, :] - C[None]) ** 2).sum(-1))

    A, b = k(Xt), k(Xs).mean(axis=0)
    alpha, _, gap = kliep_solve(A, b, tol=1e-10, max_iter=200)
    assert alpha.min() >= 0 and b @ alpha == pytest.approx(1.0, abs=1e-12)
    # tol=1e-10 is below what float64 SQP steps resolve on ill-conditioned draws:
    # the solver stops when its model gives no descent (gap 4.3e-10 at seed=322,
    # m=6; 5.0e-9 at the @example above).  KLIEP warns whenever the gap ends
    # above its own tol (default 1e-6), so this stall never passes silently.
    assert gap <= 1e-8
    ours = np.mean(np.log(A @ alpha))
    # reference: SLSQP on the same program
    res = minimize(lambda a: -np.mean(np.log(np.maximum(A @ a, 1e-300))),
                   np.full(m, 1 / b.sum()), method="SLSQP", bounds=[(0, None)] * m,
                   constraints=[{"type": "eq", "fun": lambda a: b @ a - 1}],
                   options={"ftol": 1e-12, "maxiter": 500})
    assert ours >= -res.fun - 1e-7


@pytest.mark.parametrize("alpha", [0.0, 0.4])
@pytest.mark.parametrize("lam", [1e-3, 0.5])
def test_lsif_loo_equals_brute_force(alpha, lam):
    rng = np.random.default_rng(1)
    Phi_s, Phi_t = rng.random((11, 4)), rng.random((8, 4))
    ps, pt = rng.permutation(11)[:8], rng.permutation(8)
    fast = lsif_loo_scores(Phi_s, Phi_t, [lam], alpha, ps, pt)[0]
    total = 0.0
    for i in range(8):
        ms = np.ones(11, bool)
        mt = np.ones(8, bool)
        ms[ps[i]] = mt[pt[i]] = False
        theta = lsif_fit(Phi_s[ms], Phi_t[mt], lam, alpha)
        rt, rs = theta @ Phi_t[pt[i]], theta @ Phi_s[ps[i]]
        total += 0.5 * alpha * rt**2 + 0.5 * (1 - alpha) * rs**2 - rt
    assert fast == pytest.approx(total / 8, rel=1e-10)


# ------------------------------------------------------------ estimators


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_weights_and_density_ratio(cls):
    X, y, sd = _shifted()
    model = cls(random_state=0).fit(X, y)
    w = model.weights_
    assert w.shape == (200,) and np.all(w[120:] == 0) and w.min() >= 0
    np.testing.assert_allclose(model.density_ratio(X[:120]), w[:120])
    # the ratio is larger near the target mean than far from it
    r = model.density_ratio(np.array([[0.5, 0.5], [-2.5, -2.5]]))
    assert r[0] > r[1]
    assert model.gamma_ in model.cv_results_["param_gamma"]
    assert model.cv_results_["rank_test_score"].min() == 1


def test_kliep_cv_results_and_single_gamma():
    X, y, _ = _shifted()
    model = KLIEP(gamma=[0.1, 1.0, 10.0], cv=3, random_state=0).fit(X, y)
    res = model.cv_results_
    assert set(res) >= {"params", "mean_test_score", "std_test_score", "rank_test_score",
                        "split0_test_score", "split2_test_score"}
    assert model.gamma_ == res["param_gamma"][np.argmax(res["mean_test_score"])]
    one = KLIEP(gamma=0.5, random_state=0).fit(X, y)
    assert one.cv_results_ is None and one.gamma_ == 0.5 and one.n_iter_ >= 1
    # normalisation: the weights average to one on the source rows
    assert one.weights_[:120].mean() == pytest.approx(1.0, abs=1e-8)


def test_ulsif_grid_and_lambda():
    X, y, _ = _shifted()
    model = ULSIF(gamma=[0.2, 1.0], lambdas=[0.01, 0.1, 1.0], random_state=0).fit(X, y)
    res = model.cv_results_
    assert len(res["params"]) == 6
    best = res["params"][int(np.argmax(res["mean_test_score"]))]
    assert (model.gamma_, model.lambda_) == (best["gamma"], best["lambda"])
    assert np.all(model.alpha_ >= 0)


def test_rulsif_alpha_zero_is_ulsif():
    X, y, _ = _shifted()
    a = RuLSIF(alpha=0.0, random_state=0).fit(X, y)
    b = ULSIF(random_state=0).fit(X, y)
    np.testing.assert_allclose(a.weights_, b.weights_)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_determinism_and_target_order(cls):
    X, y, _ = _shifted(2, 60, 40)
    a = cls(random_state=3).fit(X, y).weights_
    b = cls(random_state=3).fit(X, y).weights_
    np.testing.assert_array_equal(a, b)
    # with every target row a centre and one hyper-parameter the fit does not
    # depend on the order of the rows
    kw = {"gamma": 0.7} if cls is KLIEP else {"gamma": 0.7, "lambdas": 0.1}
    perm_t = 60 + np.random.default_rng(0).permutation(40)
    perm_s = np.random.default_rng(1).permutation(60)
    order = np.r_[perm_s, perm_t]
    w = cls(**kw, tol=1e-10).fit(X, y).weights_ if cls is KLIEP else cls(**kw).fit(X, y).weights_
    wp = (cls(**kw, tol=1e-10) if cls is KLIEP else cls(**kw)).fit(X[order], y[order]).weights_
    np.testing.assert_allclose(wp, w[order], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_no_target_gives_weights_near_one(cls):
    X = np.random.default_rng(0).normal(size=(200, 2))
    with pytest.warns(NoTargetWarning):
        model = cls(random_state=0).fit(X)
    assert abs(np.median(model.weights_) - 1.0) < 0.3


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("kernel", ["linear", "cosine"])
def test_sparse_linear_kernels(cls, kernel):
    rng = np.random.default_rng(4)
    Xs = rng.random((50, 5))
    Xt = rng.random((30, 5)) + np.array([0.5, 0, 0, 0, 0])
    X, y, _ = source_target_merge(Xs, (Xs[:, 1] > 0.5).astype(int), Xt)
    dense = cls(kernel=kernel, random_state=0).fit(X, y)
    sparse = cls(kernel=kernel, random_state=0).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.weights_, dense.weights_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(sparse.density_ratio(sp.csr_matrix(Xt)),
                               dense.density_ratio(Xt), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_float32_and_estimator(cls):
    X, y, _ = _shifted(5)
    a = cls(LogisticRegression(), random_state=0).fit(X.astype(np.float32), y)
    b = cls(LogisticRegression(), random_state=0).fit(X, y)
    np.testing.assert_allclose(a.weights_, b.weights_, rtol=1e-3, atol=1e-4)
    assert a.predict(X[:5]).shape == (5,)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_parameters(cls):
    X, y, _ = _shifted()
    for gamma in ([], [0.1, -1.0], [np.inf]):
        with pytest.raises(ValueError, match=cls.__name__):
            cls(gamma=gamma).fit(X, y)
    if cls is not KLIEP:
        with pytest.raises(ValueError, match=cls.__name__):
            cls(lambdas=[0.1, 0.0]).fit(X, y)


def test_kliep_needs_a_non_negative_basis():
    rng = np.random.default_rng(6)
    X, y, _ = source_target_merge(rng.normal(size=(30, 3)), np.zeros(30, int),
                                  rng.normal(size=(20, 3)))
    with pytest.raises(ValueError, match="KLIEP.*non-negative"):
        KLIEP(kernel="linear").fit(X, y)


def test_kliep_too_few_target_rows_for_cv():
    X, y, _ = source_target_merge(np.zeros((5, 1)) + np.arange(5)[:, None], np.zeros(5, int),
                                  np.ones((3, 1)))
    with pytest.raises(ValueError, match="KLIEP.*cv=5"):
        KLIEP().fit(X, y)
