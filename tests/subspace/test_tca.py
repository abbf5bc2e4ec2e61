"""Tests of TCA and SSTCA: exact solvers against a dense reference, landmarks, properties, errors."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import eigh, subspace_angles
from sklearn.metrics.pairwise import pairwise_kernels as sk_kernels
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from skadapt import SSTCA, TCA
from skadapt.exceptions import ComponentsCappedWarning, NoTargetWarning
from skadapt.subspace import _tca
from skadapt.subspace._sstca import _knn_laplacian, _label_factor
from skadapt.utils import source_target_merge


def _problem(n_s=60, n_t=50, d=4, seed=0, shift=1.0):
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(n_s, d)) * np.linspace(2.0, 0.5, d)
    Xt = rng.normal(size=(n_t, d)) * np.linspace(2.0, 0.5, d) + shift * np.eye(d)[0]
    ys = (Xs[:, 0] + Xs[:, 1] > 0).astype(int)
    return source_target_merge(Xs, ys, Xt)


def _reference(X, sd, kernel, mu, k, gamma=None, middle=None, extra=None):
    """Dense generalized eigh of (K H [M] H K, K (L [+ extra]) K + mu I): the paper's problem."""
    params = {} if gamma is None else {"gamma": gamma}
    K = sk_kernels(X, metric=kernel, **params)
    n = X.shape[0]
    e = np.where(sd > 0, 1.0 / (sd > 0).sum(), -1.0 / (sd < 0).sum())
    H = np.eye(n) - 1.0 / n
    M = np.eye(n) if middle is None else middle
    L = np.outer(e, e) + (0 if extra is None else extra)
    vals, W = eigh(K @ H @ M @ H @ K, K @ L @ K + mu * np.eye(n))
    return vals[::-1][:k], K @ W[:, ::-1][:, :k]


def _max_angle(A, B):
    return np.rad2deg(subspace_angles(A, B)).max()


@pytest.mark.parametrize("kernel", ["rbf", "linear", "laplacian", "polynomial", "cosine"])
def test_tca_exact_matches_dense_generalized_eigh(kernel):
    X, y, sd = _problem()
    tca = TCA(n_components=3, kernel=kernel, mu=0.5, gamma=0.2).fit(X, y, sample_domain=sd)
    vals, Z = _reference(X, sd, kernel, 0.5, 3, gamma=tca.gamma_)
    np.testing.assert_allclose(tca.eigenvalues_, vals, rtol=1e-8)
    assert _max_angle(tca.transform(X), Z) < 1e-6
    # B-normalisation of the paper's generalized problem: w^T (K L K + mu I) w = 1
    np.testing.assert_allclose(np.abs(tca.transform(X)), np.abs(Z), rtol=1e-6, atol=1e-8)


def test_tca_lanczos_path_matches_reference(monkeypatch):
    monkeypatch.setattr(_tca, "_DENSE_MAX", 20)  # force eigsh on a small problem
    X, y, sd = _problem(n_s=70, n_t=60)
    tca = TCA(n_components=4, kernel="rbf", gamma=0.3, mu=1.0).fit(X, y, sample_domain=sd)
    vals, Z = _reference(X, sd, "rbf", 1.0, 4, gamma=0.3)
    np.testing.assert_allclose(tca.eigenvalues_, vals, rtol=1e-8)
    assert _max_angle(tca.transform(X), Z) < 1e-6


def test_linear_feature_space_equals_kernel_path():
    # d <= n: solved in feature space; d > n: on the n x n kernel
    X, y, sd = _problem(n_s=15, n_t=10, d=8)
    wide = np.hstack([X, np.zeros((X.shape[0], 30))])
    a = TCA(n_components=3, kernel="linear").fit(X, y, sample_domain=sd)
    b = TCA(n_components=3, kernel="linear").fit(wide, y, sample_domain=sd)
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-8)
    np.testing.assert_allclose(a.transform(X), b.transform(wide), rtol=1e-6, atol=1e-8)


def test_landmarks_close_to_exact_and_equal_with_all_rows():
    X, y, sd = _problem(n_s=150, n_t=120, d=3)
    exact = TCA(n_components=2, kernel="rbf", gamma=0.5).fit(X, y, sample_domain=sd)
    all_rows = TCA(n_components=2, kernel="rbf", gamma=0.5, n_landmarks=X.shape[0], random_state=0)
    all_rows.fit(X, y, sample_domain=sd)
    assert _max_angle(all_rows.transform(X), exact.transform(X)) < 1e-5
    np.testing.assert_allclose(all_rows.eigenvalues_, exact.eigenvalues_, rtol=1e-6)
    some = TCA(n_components=2, kernel="rbf", gamma=0.5, n_landmarks=100, random_state=0)
    some.fit(X, y, sample_domain=sd)
    assert some.components_.shape == (100, 2)
    assert _max_angle(some.transform(X), exact.transform(X)) < 5.0
    np.testing.assert_allclose(some.eigenvalues_, exact.eigenvalues_, rtol=0.05)


def test_landmark_accuracy_close_to_exact():
    X, y, sd = _problem(n_s=300, n_t=300, d=3, shift=2.0)
    Xt = X[sd < 0]
    rng = np.random.default_rng(0)
    yt = (Xt[:, 0] - 2.0 + Xt[:, 1] > 0).astype(int)
    accs = []
    for m in (None, 150):
        tca = TCA(KNeighborsClassifier(5), n_components=2, gamma=0.3, n_landmarks=m, random_state=rng.integers(1000))
        accs.append(tca.fit(X, y, sample_domain=sd).score(Xt, yt))
    assert abs(accs[0] - accs[1]) < 0.05


def test_transform_keeps_row_order_and_is_out_of_sample():
    X, y, sd = _problem()
    tca = TCA(n_components=3, gamma=0.3).fit(X, y, sample_domain=sd)
    Z = tca.transform(X)
    perm = np.random.default_rng(3).permutation(X.shape[0])
    np.testing.assert_allclose(tca.transform(X[perm]), Z[perm], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tca.fit_transform(X, y, sample_domain=sd), Z, rtol=1e-8, atol=1e-10)
    new = np.random.default_rng(4).normal(size=(7, X.shape[1]))
    K = sk_kernels(new, tca.X_fit_, metric="rbf", gamma=tca.gamma_)
    np.testing.assert_allclose(tca.transform(new), K @ tca.components_, rtol=1e-10)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), kernel=st.sampled_from(["rbf", "linear"]))
def test_subspace_invariant_to_row_permutation_of_fit_data(seed, kernel):
    X, y, sd = _problem(n_s=25, n_t=20, d=3, seed=seed % 7)
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    a = TCA(n_components=2, kernel=kernel, gamma=0.4).fit(X, y, sample_domain=sd)
    b = TCA(n_components=2, kernel=kernel, gamma=0.4).fit(X[perm], y[perm], sample_domain=sd[perm])
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-7)
    # same embedding of any row, up to the deterministic sign convention
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-6, atol=1e-8)


def test_float32_input():
    X, y, sd = _problem()
    a = TCA(n_components=3, gamma=0.3).fit(X, y, sample_domain=sd)
    b = TCA(n_components=3, gamma=0.3).fit(X.astype(np.float32), y, sample_domain=sd)
    assert _max_angle(a.transform(X), b.transform(X.astype(np.float32))) < 1e-2
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-4)


def test_sparse_input_with_linear_kernel():
    X, y, sd = _problem(d=6)
    X[np.abs(X) < 0.8] = 0.0
    dense = TCA(n_components=3, kernel="linear").fit(X, y, sample_domain=sd)
    sparse = TCA(n_components=3, kernel="linear").fit(sp.csr_matrix(X), y, sample_domain=sd)
    np.testing.assert_allclose(sparse.transform(sp.csr_matrix(X)), dense.transform(X), atol=1e-8)
    model = SSTCA(n_components=3, kernel="linear").fit(sp.csr_matrix(X), y, sample_domain=sd)
    assert model.transform(sp.csr_matrix(X)).shape == (X.shape[0], 3)


def test_no_target_is_kernel_pca_scaled():
    X, y, sd = _problem()
    y_all = np.where(y < 0, 0, y)
    with pytest.warns(NoTargetWarning):
        tca = TCA(n_components=3, kernel="rbf", gamma=0.3, mu=2.0).fit(X, y_all)
    K = sk_kernels(X, metric="rbf", gamma=0.3)
    n = X.shape[0]
    H = np.eye(n) - 1.0 / n
    vals, W = eigh(K @ H @ K)
    # without the MMD term: K H K w = lambda mu w, kernel PCA's directions
    np.testing.assert_allclose(tca.eigenvalues_, vals[::-1][:3] / 2.0, rtol=1e-7)
    assert _max_angle(tca.transform(X), K @ W[:, ::-1][:, :3]) < 1e-6


def test_more_components_than_rank_are_capped_with_a_warning():
    # issue 12: no silent all-zero columns beyond the rank
    X, y, sd = _problem(n_s=20, n_t=15, d=2)
    with pytest.warns(ComponentsCappedWarning, match=r"TCA: n_components=5 exceeds the rank.*keeping 2"):
        tca = TCA(n_components=5, kernel="linear").fit(X, y, sample_domain=sd)
    Z = tca.transform(X)
    assert Z.shape == (35, 2) and tca.n_components_ == 2
    assert np.all(tca.eigenvalues_ > 0) and np.all(np.abs(Z).max(axis=0) > 0)


def test_default_n_components_is_capped_silently_to_the_rank():
    X, y, sd = _problem(n_s=20, n_t=15, d=2)
    tca = TCA(kernel="linear").fit(X, y, sample_domain=sd)  # no warning (errors in tests)
    assert tca.n_components_ == 2 and tca.transform(X).shape == (35, 2)
    X, y, sd = _problem(n_s=40, n_t=30, d=3)
    assert TCA(gamma=0.3).fit(X, y, sample_domain=sd).transform(X).shape == (70, 30)
    assert SSTCA(kernel="linear").fit(X, y, sample_domain=sd).n_components_ == 3


def test_n_components_500_on_100_rows_has_no_zero_column():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    y = np.r_[(X[:60, 0] > 0).astype(int), -np.ones(40, int)]
    with pytest.warns(ComponentsCappedWarning, match="n_components=500"):
        Z = TCA(n_components=500, gamma=0.2).fit_transform(X, y)
    assert Z.shape[1] <= 100 and np.all(np.abs(Z).max(axis=0) > 0)


def test_float32_in_float32_out():
    X, y, sd = _problem()
    X32 = X.astype(np.float32)
    tca = TCA(LogisticRegression(), n_components=3, gamma=0.3)
    assert tca.fit_transform(X32, y, sample_domain=sd).dtype == np.float32
    assert tca.transform(X32).dtype == np.float32
    assert tca.transform(X).dtype == np.float64
    assert tca.predict(X32).shape == (X.shape[0],)


def test_pandas_output_predicts_without_feature_name_warning():
    pd = pytest.importorskip("pandas")
    X, y, sd = _problem()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    tca = TCA(LogisticRegression(), n_components=3, gamma=0.3).set_output(transform="pandas")
    tca.fit(frame, y, sample_domain=sd)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tca.predict(frame)
        tca.predict_proba(frame)
        tca.score(frame[y != -1], y[y != -1])
    out = tca.transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["tca0", "tca1", "tca2"]


def test_errors():
    X, y, sd = _problem()
    with pytest.raises(ValueError, match="n_landmarks"):
        TCA(n_landmarks=X.shape[0] + 1).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="gamma"):
        TCA(gamma=np.inf).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="mu"):
        TCA(mu=-1.0).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="kernel"):
        TCA(kernel="sigmoid").fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="SSTCA: no labeled row"):
        SSTCA().fit(X, np.full_like(y, -1), sample_domain=sd)
    tca = TCA(n_components=2).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="features"):
        tca.transform(X[:, :2])


# ------------------------------------------------------------------ SSTCA


@pytest.mark.parametrize("kernel", ["rbf", "linear"])
def test_sstca_matches_dense_reference(kernel):
    X, y, sd = _problem()
    model = SSTCA(
        n_components=3, kernel=kernel, gamma=0.3, mu=0.5, lambda_locality=3.0, gamma_labels=0.4
    ).fit(X, y, sample_domain=sd)
    n = X.shape[0]
    Lg, sigma = _knn_laplacian(X, 5, None)
    assert sigma == model.sigma_
    Y = _label_factor(y, y >= 0)
    middle = 0.4 * Y @ Y.T + 0.6 * np.eye(n)
    vals, Z = _reference(
        X, sd, kernel, 0.5, 3, gamma=model.gamma_, middle=middle, extra=3.0 / n**2 * Lg.toarray()
    )
    np.testing.assert_allclose(model.eigenvalues_, vals, rtol=1e-8)
    assert _max_angle(model.transform(X), Z) < 1e-6


def test_sstca_graph_and_labels():
    X = np.array([[0.0], [1.0], [3.0], [3.0]])
    Lg, sigma = _knn_laplacian(X, 1, 1.0)
    L = Lg.toarray()
    np.testing.assert_allclose(L.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(L, L.T)
    assert L[0, 1] == pytest.approx(-np.exp(-0.5))
    assert L[2, 3] == pytest.approx(-1.0)  # duplicate rows: distance 0, weight 1
    assert L[0, 2] == 0
    Y = _label_factor(np.array([2, 5, 2, -1]), np.array([True, True, True, False]))
    np.testing.assert_array_equal(Y @ Y.T, [[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])


def test_sstca_gamma_zero_no_locality_is_tca():
    X, y, sd = _problem()
    a = SSTCA(n_components=3, gamma=0.3, gamma_labels=0.0, lambda_locality=0.0).fit(X, y, sample_domain=sd)
    b = TCA(n_components=3, gamma=0.3).fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-8)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-6, atol=1e-9)


def test_sstca_label_dependence_helps_separate_classes():
    X, y, sd = _problem(n_s=80, n_t=60, d=6, seed=2)
    src = y >= 0
    a = SSTCA(n_components=1, kernel="linear", gamma_labels=1.0, lambda_locality=0.0)
    z = a.fit(X, y, sample_domain=sd).transform(X)[src, 0]
    b = TCA(n_components=1, kernel="linear").fit(X, y, sample_domain=sd).transform(X)[src, 0]

    def separation(z):
        return abs(z[y[src] == 1].mean() - z[y[src] == 0].mean()) / z.std()

    assert separation(z) > separation(b)


def test_sstca_lanczos_path_matches_dense_path(monkeypatch):
    X, y, sd = _problem(n_s=50, n_t=40)
    params = dict(n_components=3, gamma=0.3, mu=0.5, lambda_locality=2.0)
    dense = SSTCA(**params).fit(X, y, sample_domain=sd)
    monkeypatch.setattr(_tca, "_DENSE_MAX", 20)
    lanczos = SSTCA(**params).fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(lanczos.eigenvalues_, dense.eigenvalues_, rtol=1e-8)
    np.testing.assert_allclose(lanczos.transform(X), dense.transform(X), rtol=1e-6, atol=1e-8)


def test_sstca_regression_labels():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    Xs, Xt = rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) + 0.5
    X, y, sd = source_target_merge(Xs, Xs @ [1.0, -2.0, 0.5], Xt)
    Y = _label_factor(y, ~np.isnan(y))
    assert Y.shape == (70, 1) and np.all(Y[40:] == 0)
    np.testing.assert_allclose(Y[:40].mean(), 0, atol=1e-12)
    model = SSTCA(Ridge(), n_components=2, kernel="linear").fit(X, y, sample_domain=sd)
    assert model.predict(Xt).shape == (30,)
