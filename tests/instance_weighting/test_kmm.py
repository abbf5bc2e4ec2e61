"""KMM: the auto solver against cvxpy, the constraints, properties and errors."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from skadapt import KMM
from skadapt.exceptions import NoTargetWarning
from skadapt.instance_weighting._box_solver import (
    _working_set,
    duality_gap,
    lmo_value,
    project_box_band,
    solve_box_band_qp,
)
from skadapt.instance_weighting._kmm_cvxpy import solve_cvxpy
from skadapt.instance_weighting._kmm_qp import DenseQuadratic, FactorQuadratic
from skadapt.kernels import kernel_mean, pairwise_kernels
from skadapt.utils import source_target_merge


def _problem(seed, n_s=40, n_t=30, d=3, shift=0.5):
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(n_s, d))
    Xt = 0.7 * rng.normal(size=(n_t, d)) + shift
    ys = (Xs[:, 0] > 0).astype(int)
    return Xs, ys, Xt


def _qp(Xs, Xt, gamma):
    K = pairwise_kernels(Xs, metric="rbf", gamma=gamma)
    kappa = Xs.shape[0] * kernel_mean(Xs, Xt, metric="rbf", gamma=gamma)
    return K, kappa


def _objective(K, kappa, beta):
    return 0.5 * beta @ K @ beta - kappa @ beta


def _band(n_s, eps):
    return n_s * (1 - eps), n_s * (1 + eps)


# ------------------------------------------------------------ the solver


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_s=st.integers(3, 30),
    n_t=st.integers(2, 25),
    d=st.integers(1, 4),
    log_gamma=st.floats(-2.0, 1.5),
    B=st.sampled_from([1.0, 2.0, 5.0, 1000.0]),
    eps=st.sampled_from([0.0, 0.05, 0.3, None]),
    shift=st.floats(0.0, 1.5),
)
def test_auto_solver_matches_cvxpy(seed, n_s, n_t, d, log_gamma, B, eps, shift):
    Xs, _, Xt = _problem(seed, n_s, n_t, d, shift)
    K, kappa = _qp(Xs, Xt, 10.0**log_gamma)
    eps = (np.sqrt(n_s) - 1) / np.sqrt(n_s) if eps is None else eps
    lo, hi = _band(n_s, eps)
    Q = DenseQuadratic(K)
    beta, info = solve_box_band_qp(Q, kappa, B, lo, hi, tol=1e-10)
    ref, _ = solve_cvxpy(Q, kappa, B, lo, hi)
    # bounds exactly, band to round-off
    assert beta.min() >= 0.0 and beta.max() <= B
    assert lo - 1e-9 * n_s <= beta.sum() <= hi + 1e-9 * n_s
    f, f_ref = _objective(K, kappa, beta), _objective(K, kappa, ref)
    gap, _, scale = duality_gap(beta, K @ beta, kappa, B, lo, hi)
    assert info["converged"]
    # the objective is the optimum: never worse than cvxpy beyond 1e-6 relative
    assert f <= f_ref + 1e-6 * max(abs(f_ref), scale)
    assert abs(f - f_ref) <= 1e-6 * max(abs(f_ref), scale)
    # the weights agree in the K-norm: 1/2 ||b - b*||_K^2 <= f(b) - f*
    diff = beta - ref
    assert diff @ K @ diff <= 1e-5 * max(scale, 1.0)


def test_weights_equal_cvxpy_on_a_well_conditioned_problem():
    Xs, ys, Xt = _problem(0, 60, 50, d=4)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    auto = KMM(gamma=0.3).fit(X, y)
    ref = KMM(gamma=0.3, solver="cvxpy").fit(X, y)
    # cvxpy's interior-point solution is accurate to about 1e-5 relative
    np.testing.assert_allclose(auto.weights_, ref.weights_, atol=1e-4 * auto.weights_.max())
    assert auto.objective_ <= ref.objective_ + 1e-9 * abs(ref.objective_)


def test_cvxpy_named_solver():
    Xs, ys, Xt = _problem(1, 20, 15)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    a = KMM(gamma=0.5, solver="cvxpy:OSQP").fit(X, y)
    b = KMM(gamma=0.5).fit(X, y)
    assert abs(a.objective_ - b.objective_) <= 1e-4 * abs(b.objective_)
    with pytest.raises(ValueError, match="KMM: `solver`"):
        KMM(solver="cvxpy:NOPE").fit(X, y)
    with pytest.raises(ValueError, match="KMM: `solver`"):
        KMM(solver="fast").fit(X, y)


@settings(max_examples=40, deadline=None)
@given(
    z=st.lists(st.floats(-50, 50), min_size=1, max_size=30),
    B=st.floats(0.5, 10),
    lo_frac=st.floats(0, 1),
    width=st.floats(0, 1),
)
def test_projection_is_exact(z, B, lo_frac, width):
    z = np.array(z)
    n = z.shape[0]
    lo = lo_frac * n * B
    hi = lo + width * n * B
    x, lam = project_box_band(z, B, lo, hi)
    assert x.min() >= 0 and x.max() <= B
    assert lo - 1e-9 * n * B <= x.sum() <= hi + 1e-9 * n * B
    # optimality of a projection: (z - x)^T (v - x) <= 0 for feasible v
    rng = np.random.default_rng(0)
    for _ in range(20):
        v, _ = project_box_band(rng.uniform(-B, 2 * B, n), B, lo, hi)
        assert (z - x) @ (v - x) <= 1e-7 * (1 + np.abs(z).sum() * B)


def test_lmo_is_the_minimum_over_the_vertices():
    rng = np.random.default_rng(3)
    g = rng.normal(size=6)
    B, lo, hi = 2.0, 3.0, 7.0
    # brute force over a fine grid of the box is too big; check by a LP
    from scipy.optimize import linprog

    res = linprog(g, A_ub=np.r_[[np.ones(6)], [-np.ones(6)]], b_ub=[hi, -lo],
                  bounds=[(0, B)] * 6)
    assert lmo_value(g, B, lo, hi) == pytest.approx(res.fun, abs=1e-9)


def test_factor_quadratic_agrees_with_dense():
    Xs, _, Xt = _problem(2, 25, 20)
    K, kappa = _qp(Xs, Xt, 0.4)
    lo, hi = _band(25, 0.2)
    dense, _ = solve_box_band_qp(DenseQuadratic(K), kappa, 1000.0, lo, hi, tol=1e-10)
    Phi = DenseQuadratic(K).factor()
    np.testing.assert_allclose(Phi @ Phi.T, K, atol=1e-9)
    fact, info = solve_box_band_qp(FactorQuadratic(Phi), kappa, 1000.0, lo, hi, tol=1e-10)
    assert _objective(K, kappa, fact) == pytest.approx(_objective(K, kappa, dense), rel=1e-7)


def _feature_problem(seed, n_s, n_t, d, m, shift, scale, generic_kappa=False):
    """A factor of rank m < n_s (random Fourier features of an rbf kernel) and its kappa."""
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(n_s, d))
    Xt = scale * rng.normal(size=(n_t, d)) + shift
    W = rng.normal(size=(d, m))
    phase = rng.uniform(0, 2 * np.pi, m)

    def features(X):
        return np.sqrt(2.0 / m) * np.cos(X @ W + phase)

    Phi = features(Xs)
    kappa = n_s * (Phi @ features(Xt).mean(axis=0))
    if generic_kappa:  # a linear term outside the range of Phi
        kappa = kappa + rng.normal(scale=0.1 * np.abs(kappa).mean() + 1e-3, size=n_s)
    return Phi, kappa


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_s=st.integers(20, 150),
    m_frac=st.floats(0.02, 0.6),
    d=st.integers(1, 6),
    shift=st.floats(0.0, 2.0),
    scale=st.sampled_from([0.5, 0.7, 1.0]),
    B=st.sampled_from([1.0, 2.0, 5.0, 1000.0]),
    eps=st.sampled_from([0.0, 0.05, 0.3, None]),
    generic_kappa=st.booleans(),
)
def test_rank_deficient_factor_matches_cvxpy(seed, n_s, m_frac, d, shift, scale, B, eps,
                                             generic_kappa):
    # K = Phi Phi^T of rank m < n: the working set (or, when it gives up, the
    # projected Newton path) reaches the optimum of the same QP as cvxpy
    m = max(1, int(m_frac * n_s))
    Phi, kappa = _feature_problem(seed, n_s, 30, d, m, shift, scale, generic_kappa)
    eps = (np.sqrt(n_s) - 1) / np.sqrt(n_s) if eps is None else eps
    lo, hi = _band(n_s, eps)
    Q = FactorQuadratic(Phi)
    beta, info = solve_box_band_qp(Q, kappa, B, lo, hi, tol=1e-10)
    ref, _ = solve_cvxpy(Q, kappa, B, lo, hi)
    # (the working set runs unless the start, all ones, is already optimal)
    assert info["converged"]
    assert beta.min() >= 0.0 and beta.max() <= B
    assert lo - 1e-9 * n_s <= beta.sum() <= hi + 1e-9 * n_s
    K = Phi @ Phi.T
    f, f_ref = _objective(K, kappa, beta), _objective(K, kappa, ref)
    gap, _, scale_ = duality_gap(beta, K @ beta, kappa, B, lo, hi)
    assert gap <= 1e-10 * scale_ * (1 + 1e-6)
    assert f <= f_ref + 1e-6 * max(abs(f_ref), scale_)


def test_working_set_solves_a_sparse_optimum_alone():
    # the shifted problem with many more rows than features: the working set
    # alone finds a sparse optimum (the dense path on K = Phi Phi^T takes
    # seconds here), at cvxpy's optimum; the solver's own answer (projected
    # Newton, which converges here) has the same objective
    Phi, kappa = _feature_problem(5, 700, 400, 4, 40, 0.5, 0.7)
    lo, hi = _band(700, (np.sqrt(700) - 1) / np.sqrt(700))
    Q = FactorQuadratic(Phi)
    sparse, rounds, done = _working_set(Q, kappa, 1000.0, lo, hi, np.ones(700), 1e-9, 30, None)
    assert done and rounds >= 1
    assert np.count_nonzero(sparse) <= 0.2 * 700  # a sparse optimum
    beta, info = solve_box_band_qp(Q, kappa, 1000.0, lo, hi, tol=1e-9)
    assert info["converged"]
    ref, _ = solve_cvxpy(Q, kappa, 1000.0, lo, hi)
    K = Phi @ Phi.T
    f_ref = _objective(K, kappa, ref)
    for point in (sparse, beta):
        assert _objective(K, kappa, point) <= f_ref + 1e-7 * abs(f_ref)


def test_working_set_gives_up_on_a_dense_optimum():
    # no shift and a tight band: the optimal weights are all near 1, more
    # non-zeros than the working set may hold (1.5 m; 600 rows, more than the
    # 500 it may always hold): the working set gives up, and projected Newton
    # solves the problem, to cvxpy's optimum
    Phi, kappa = _feature_problem(7, 600, 600, 3, 20, 0.0, 1.0)
    lo, hi = _band(600, 0.01)
    Q = FactorQuadratic(Phi)
    _, rounds, done = _working_set(Q, kappa, 2.0, lo, hi, np.ones(600), 1e-9, 30, None)
    assert not done and rounds >= 1
    beta, info = solve_box_band_qp(Q, kappa, 2.0, lo, hi, tol=1e-9)
    assert info["converged"] and info["n_newton"] >= 1
    assert np.count_nonzero(beta) > 1.5 * 20
    ref, _ = solve_cvxpy(Q, kappa, 2.0, lo, hi)
    K = Phi @ Phi.T
    f, f_ref = _objective(K, kappa, beta), _objective(K, kappa, ref)
    assert f <= f_ref + 1e-6 * abs(f_ref)


@pytest.mark.parametrize("seed", [0, 1])
def test_nystroem_fit_keeps_the_spread_optimum_of_projected_newton(seed):
    # a rank-30 factor of 700 rows, mildly shifted: the optimum is a face of
    # many points with one objective.  Projected Newton converges from the
    # unit weights to one on about 200 effective rows; the working set's
    # optimum there (same objective) rests on 14.  Where projected Newton
    # converges, its point is kept.
    rng = np.random.RandomState(seed)
    X = np.r_[rng.normal(0.0, 1.0, (700, 4)), rng.normal(0.5, 0.7, (500, 4))]
    y = np.r_[(X[:700, 0] > 0).astype(int), -np.ones(500, dtype=int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no LowEffectiveSampleSizeWarning
        kmm = KMM(gamma="scale", n_components=30, random_state=0).fit(X, y)
    assert kmm.effective_sample_size_ > 150


# ------------------------------------------------------------ the estimator


def test_default_band_and_bounds():
    Xs, ys, Xt = _problem(4, 50, 30)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    kmm = KMM(B=3.0).fit(X, y)
    w = kmm.weights_
    assert np.all(w[50:] == 0)
    assert w.min() >= 0 and w.max() <= 3.0
    assert kmm.eps_ == pytest.approx((np.sqrt(50) - 1) / np.sqrt(50))
    assert abs(w.sum() - 50) <= 50 * kmm.eps_ * (1 + 1e-12)
    assert kmm.duality_gap_ >= 0
    assert kmm.gamma_ > 0


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.LowEffectiveSampleSizeWarning")  # solver check
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000))
def test_permutation_equivariance_and_target_order(seed):
    Xs, ys, Xt = _problem(seed, 25, 20, d=4)
    rng = np.random.default_rng(seed)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    base = KMM(gamma=0.3, tol=1e-10).fit(X, y).weights_[:25]
    p = rng.permutation(25)
    X2, y2, _ = source_target_merge(Xs[p], ys[p], Xt[rng.permutation(20)])
    perm = KMM(gamma=0.3, tol=1e-10).fit(X2, y2).weights_[:25]
    np.testing.assert_allclose(perm, base[p], atol=1e-6 * max(1.0, base.max()))


def test_determinism_with_nystroem_seed():
    Xs, ys, Xt = _problem(5, 60, 40)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    a = KMM(n_components=15, random_state=0).fit(X, y).weights_
    b = KMM(n_components=15, random_state=0).fit(X, y).weights_
    np.testing.assert_array_equal(a, b)


def test_nystroem_with_all_landmarks_is_the_exact_problem():
    Xs, ys, Xt = _problem(6, 30, 20)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    exact = KMM(gamma=0.5, tol=1e-10).fit(X, y)
    low = KMM(gamma=0.5, tol=1e-10, n_components=50, random_state=0).fit(X, y)
    assert low.objective_ == pytest.approx(exact.objective_, rel=1e-5)


def test_nystroem_float32_weights_equal_float64():
    """float32 input gets the float64 Nystroem map: the weights of float64 input.

    100 landmarks of 120 rows in 2-d with a wide kernel: ``K(Z, Z)`` has
    eigenvalues far below float32's precision, which the map drops.  The 20
    source rows' factor has full rank, so the weights are unique and only the
    rounding of ``X`` to float32 separates the two fits (scikit-learn's
    float32 Nystroem, KMM's map before, put them 1.5e-3 apart).
    """
    rng = np.random.default_rng(0)
    Xs, Xt = rng.normal(size=(20, 2)), rng.normal(0.5, 0.7, size=(100, 2))
    X, y, _ = source_target_merge(Xs, (Xs[:, 0] > 0).astype(int), Xt)
    params = dict(gamma=0.3, B=10, n_components=100, random_state=0)
    w64 = KMM(**params).fit(X, y)
    w32 = KMM(**params).fit(X.astype(np.float32), y)
    assert w32.weights_.dtype == np.float32
    assert w32.objective_ == pytest.approx(w64.objective_, rel=1e-7)
    np.testing.assert_allclose(w32.weights_, w64.weights_, rtol=0, atol=1e-5 * w64.weights_.max())


def test_nystroem_attribute_is_the_fitted_map():
    Xs, ys, Xt = _problem(8, 50, 40)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    kmm = KMM(gamma=0.5, n_components=25, random_state=0).fit(X, y)
    idx = kmm.nystroem_.landmark_indices_
    assert idx.shape == (25,) and (np.diff(idx) > 0).all() and idx.max() < 90
    # the landmarks are rows of the source-then-target rows of fit
    np.testing.assert_array_equal(kmm.nystroem_.landmarks_, np.r_[Xs, Xt][idx])
    Phi = kmm.nystroem_.transform(Xs)
    beta = kmm.weights_[:50]
    kappa = 50 * Phi @ kmm.nystroem_.transform(Xt).mean(axis=0)
    v = Phi.T @ beta
    assert 0.5 * v @ v - kappa @ beta == pytest.approx(kmm.objective_, rel=1e-10)
    assert KMM(gamma=0.5).fit(X, y).nystroem_ is None


def test_no_target_gives_unit_weights():
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.warns(NoTargetWarning):
        kmm = KMM().fit(X)
    np.testing.assert_allclose(kmm.weights_, 1.0, atol=1e-8)


def test_infeasible_bounds_error():
    Xs, ys, Xt = _problem(7, 30, 10)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    with pytest.raises(ValueError, match=r"KMM.*`B`.*`eps`"):
        KMM(B=0.5, eps=0.1).fit(X, y)
    KMM(B=0.5, eps=0.5).fit(X, y)  # feasible: B = 1 - eps


def test_sparse_linear_and_cosine_match_dense():
    rng = np.random.default_rng(8)
    Xs = np.abs(rng.normal(size=(30, 6)))
    Xt = np.abs(rng.normal(size=(20, 6))) + 0.3
    X, y, _ = source_target_merge(Xs, (Xs[:, 0] > 0.7).astype(int), Xt)
    for kernel in ("linear", "cosine"):
        dense = KMM(kernel=kernel, tol=1e-10).fit(X, y)
        sparse = KMM(kernel=kernel, tol=1e-10).fit(sp.csr_matrix(X), y)
        assert sparse.objective_ == pytest.approx(dense.objective_, rel=1e-8)
        assert sparse.gamma_ is None


def test_float32_input():
    Xs, ys, Xt = _problem(9, 30, 20)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    w32 = KMM(gamma=0.5).fit(X.astype(np.float32), y).weights_
    w64 = KMM(gamma=0.5).fit(X, y).weights_
    assert w32.dtype == np.float32 and w64.dtype == np.float64  # float32 in, float32 out (issue 12)
    np.testing.assert_allclose(w32, w64, atol=1e-3 * w64.max())


def test_estimator_fitted_with_weights_and_delegation():
    Xs, ys, Xt = _problem(10, 40, 30)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    kmm = KMM(LogisticRegression(), gamma=0.5).fit(X, y)
    direct = LogisticRegression().fit(Xs, ys, sample_weight=kmm.weights_[:40])
    np.testing.assert_allclose(kmm.predict_proba(Xt), direct.predict_proba(Xt))
    assert kmm.score(Xs, ys) == direct.score(Xs, ys)
    with pytest.raises(TypeError, match="sample_weight"):
        KMM(KNeighborsClassifier()).fit(X, y)


def test_regression_estimator():
    rng = np.random.default_rng(11)
    Xs = rng.uniform(-1, 1, size=(40, 1))
    Xt = rng.uniform(0, 1, size=(20, 1))
    X, y, _ = source_target_merge(Xs, Xs[:, 0] ** 2 + 0.01, Xt)
    model = KMM(LinearRegression(), gamma=2.0).fit(X, y)
    assert np.isnan(y[40:]).all()
    assert model.predict(Xt).shape == (20,)


@pytest.mark.filterwarnings("ignore::skadapt.exceptions.LowEffectiveSampleSizeWarning")  # solver check
def test_convergence_warning_when_max_iter_is_hit():
    Xs, ys, Xt = _problem(12, 80, 40, d=1)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    with pytest.warns(ConvergenceWarning, match="KMM"):
        kmm = KMM(gamma=3.0, max_iter=1, tol=0.0).fit(X, y)
    assert kmm.n_iter_ == 1


@pytest.mark.parametrize("gamma", [-1.0, 0.0, np.inf, "huge"])
def test_bad_gamma(gamma):
    Xs, ys, Xt = _problem(13, 10, 10)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    with pytest.raises(ValueError, match="KMM"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            KMM(gamma=gamma).fit(X, y)


def test_projected_newton_phase_solves_a_typical_problem_alone():
    # the usual KMM problem (band inactive, rbf kernel of moderate width) is
    # solved by the projected Newton phase, without the gradient fallback,
    # to the same optimum as the gradient phase alone
    Xs, _, Xt = _problem(21, 150, 120, d=5, shift=0.7)
    K, kappa = _qp(Xs, Xt, 0.1)
    lo, hi = _band(150, (np.sqrt(150) - 1) / np.sqrt(150))
    Q = DenseQuadratic(K)
    beta, info = solve_box_band_qp(Q, kappa, 1000.0, lo, hi, tol=1e-10)
    assert info["converged"] and info["n_newton"] == info["n_iter"] <= 30
    slow, info_slow = solve_box_band_qp(Q, kappa, 1000.0, lo, hi, tol=1e-10, newton=False)
    assert info_slow["n_newton"] == 0 and info_slow["converged"]
    f, f_slow = _objective(K, kappa, beta), _objective(K, kappa, slow)
    assert abs(f - f_slow) <= 1e-9 * abs(f_slow)


@pytest.mark.parametrize("n_s, n_t", [(17, 4), (18, 8), (19, 7)])
def test_degenerate_problems_are_solved_exactly(n_s, n_t):
    # 1-D data, a wide kernel and an equality band (eps = 0): K is singular
    # to round-off and the optimal face is not strictly complementary; the
    # iterations stall there and the finite active-set finisher certifies
    Xs, _, Xt = _problem(0, n_s, n_t, 1, 0.0)
    K, kappa = _qp(Xs, Xt, 1.0)
    lo, hi = _band(n_s, 0.0)
    beta, info = solve_box_band_qp(DenseQuadratic(K), kappa, 5.0, lo, hi, tol=1e-10)
    assert info["converged"] and info["rel_gap"] <= 1e-10
    assert beta.min() >= 0.0 and beta.max() <= 5.0
    assert abs(beta.sum() - lo) <= 1e-9 * n_s
    ref, _ = solve_cvxpy(DenseQuadratic(K), kappa, 5.0, lo, hi)
    assert _objective(K, kappa, beta) <= _objective(K, kappa, ref) + 1e-9


# ------------------------------------------------- polynomial / sigmoid kernels


def _fit_kmm(Xs, Xt, **params):
    X = np.r_[Xs, Xt]
    sd = np.r_[np.ones(len(Xs), int), -np.ones(len(Xt), int)]
    return KMM(**params).fit(X, None, sample_domain=sd)


@pytest.mark.parametrize("solver", ["auto", "cvxpy"])
def test_polynomial_kernel_solves_the_polynomial_qp(solver):
    Xs, _, Xt = _problem(0)
    kmm = _fit_kmm(Xs, Xt, kernel="polynomial", gamma=0.5, degree=2, coef0=1.0, solver=solver)
    K = pairwise_kernels(Xs, metric="polynomial", gamma=0.5, degree=2, coef0=1.0)
    kappa = len(Xs) * kernel_mean(Xs, Xt, metric="polynomial", gamma=0.5, degree=2, coef0=1.0)
    beta = kmm.weights_[: len(Xs)]
    assert kmm.gamma_ == 0.5
    assert np.isclose(_objective(K, kappa, beta), kmm.objective_, rtol=1e-9)
    # second moments are matched far better than by the unweighted source
    assert _objective(K, kappa, beta) < _objective(K, kappa, np.ones(len(Xs)))
    lo, hi = _band(len(Xs), kmm.eps_)
    assert beta.min() >= 0 and lo - 1e-6 <= beta.sum() <= hi + 1e-6


def test_polynomial_gamma_scale_is_resolved_on_the_rows():
    Xs, _, Xt = _problem(1)
    kmm = _fit_kmm(Xs, Xt, kernel="polynomial", degree=2)
    X = np.r_[Xs, Xt]
    assert np.isclose(kmm.gamma_, 1.0 / (X.shape[1] * X.var()))


def test_sigmoid_kernel_where_psd_and_error_where_not():
    Xs, _, Xt = _problem(2)
    # tanh(1e-5 x.y + 0.1): a PSD Gram matrix on these rows (numerically)
    kmm = _fit_kmm(Xs, Xt, kernel="sigmoid", gamma=1e-5, coef0=0.1)
    K = pairwise_kernels(Xs, metric="sigmoid", gamma=1e-5, coef0=0.1)
    assert np.linalg.eigvalsh(K).min() >= -1e-8 * np.abs(np.linalg.eigvalsh(K)).max()
    assert np.all(kmm.weights_ >= 0)
    with pytest.raises(ValueError, match="KMM: the sigmoid kernel .* is not positive semi-definite "
                       "on the source rows: the smallest eigenvalue"):
        _fit_kmm(Xs, Xt, kernel="sigmoid", gamma=0.5, coef0=1.0)
    with pytest.raises(ValueError, match="not positive semi-definite on the Nystroem landmarks"):
        _fit_kmm(Xs, Xt, kernel="sigmoid", gamma=0.5, coef0=1.0, n_components=20,
                 random_state=0)


def test_polynomial_that_is_not_a_kernel_errors():
    Xs, _, Xt = _problem(3)
    with pytest.raises(ValueError, match="KMM: the polynomial kernel is not finite"):
        _fit_kmm(Xs, Xt, kernel="polynomial", degree=1.5, coef0=-1.0)
    with pytest.raises(ValueError, match="KMM: the polynomial kernel .* not positive semi-definite"):
        _fit_kmm(Xs, Xt, kernel="polynomial", degree=2, coef0=-3.0, gamma=1.0)


# ------------------------------------------------------------- density_ratio


def _true_ratio(Z, shift=0.5, scale=0.7):
    d = Z.shape[1]
    log_t = -0.5 * np.sum((Z - shift) ** 2, axis=1) / scale**2 - d * np.log(scale)
    log_s = -0.5 * np.sum(Z**2, axis=1)
    return np.exp(log_t - log_s)


def test_density_ratio_equals_weights_in_sample_when_the_kernel_is_well_conditioned():
    Xs, _, Xt = _problem(4, n_s=80, n_t=60, d=2)
    kmm = _fit_kmm(Xs, Xt, kernel="laplacian", gamma=5.0)
    w = kmm.weights_[: len(Xs)]
    r = kmm.density_ratio(Xs)
    assert kmm.ratio_residual_ < 0.01
    assert np.max(np.abs(r - w)) <= kmm.ratio_residual_ * w.max() + 1e-12
    # a larger ridge follows the weights less closely
    smooth = _fit_kmm(Xs, Xt, kernel="laplacian", gamma=5.0, ratio_ridge=0.1)
    assert smooth.ratio_ridge_ == 0.1 and smooth.ratio_residual_ > kmm.ratio_residual_


@pytest.mark.parametrize("params", [{}, {"n_components": 40, "random_state": 0},
                                    {"kernel": "polynomial", "degree": 2}])
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.LowEffectiveSampleSizeWarning")  # ratio check
def test_density_ratio_out_of_sample_follows_the_in_sample_ratio(params):
    from scipy.stats import spearmanr

    rng = np.random.default_rng(5)
    Xs = rng.normal(size=(200, 2))
    Xt = 0.7 * rng.normal(size=(150, 2)) + 0.5
    Xs_new = rng.normal(size=(200, 2))       # unseen rows from the source law
    kmm = _fit_kmm(Xs, Xt, **params)
    r_in, r_out = kmm.density_ratio(Xs), kmm.density_ratio(Xs_new)
    assert r_out.min() >= 0 and r_in.min() >= 0
    # out of sample as good as in sample at ranking the rows by the true ratio
    rho_in = spearmanr(r_in, _true_ratio(Xs))[0]
    rho_out = spearmanr(r_out, _true_ratio(Xs_new))[0]
    assert rho_out > 0.8 and abs(rho_out - rho_in) < 0.1
    # and the average importance on source rows is about 1 on both
    assert abs(r_in.mean() - r_out.mean()) < 0.3 * r_in.mean()
    assert kmm.density_ratio(Xs[:7]).shape == (7,)


def test_density_ratio_sparse_linear():
    Xs, _, Xt = _problem(6)
    X = sp.csr_matrix(np.r_[Xs, Xt])
    sd = np.r_[np.ones(len(Xs), int), -np.ones(len(Xt), int)]
    kmm = KMM(kernel="linear").fit(X, None, sample_domain=sd)
    dense = KMM(kernel="linear").fit(X.toarray(), None, sample_domain=sd)
    np.testing.assert_allclose(kmm.density_ratio(X[:5]), dense.density_ratio(Xs[:5]), atol=1e-8)
