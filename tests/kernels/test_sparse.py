"""Sparse (CSR/CSC) rows in the kernel engine: equal to the dense computation, never densified."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skadapt.kernels import KERNEL_PARAMS, kernel_matvec, kernel_mean, pairwise_kernels, resolve_gamma
from skadapt.kernels import _pairwise

# float32 kernels agree with the float64 / dense ones to a few float32 ulps
# of the distances, which the exponential turns into ~1e-6 absolute
TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 1e-4, "atol": 1e-5}}
PARAMS = {
    "rbf": {"gamma": "median"},
    "laplacian": {"gamma": "scale"},
    "linear": {},
    "polynomial": {"gamma": 0.1, "degree": 2, "coef0": 1.0},
    "cosine": {},
    "sigmoid": {"gamma": 0.05, "coef0": 0.5},
}


def _sparse(seed, n, d, density, dtype, shift=0.0):
    """A random CSR matrix with signed values (some rows may be empty)."""
    X = sp.random(n, d, density=density, format="csr", dtype=np.float64, random_state=seed)
    X.data = 3.0 * X.data - 1.0 + shift
    return X.astype(dtype)


@pytest.fixture
def no_densify(monkeypatch):
    """Any ``toarray``/``todense`` of a sparse matrix fails the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"a sparse matrix of shape {self.shape} was densified")

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 30),
    m=st.integers(1, 50),
    d=st.integers(1, 80),
    density=st.floats(0.0, 0.5),
    dtype=st.sampled_from([np.float64, np.float32]),
    metric=st.sampled_from(sorted(KERNEL_PARAMS)),
    same=st.booleans(),
)
def test_sparse_kernels_equal_dense(seed, n, m, d, density, dtype, metric, same, monkeypatch):
    # tiny tiles so that the blockwise path crosses tile edges
    monkeypatch.setattr(_pairwise, "_BLOCK_ROWS", 4)
    monkeypatch.setattr(_pairwise, "_BLOCK_COLS", 7)
    monkeypatch.setattr(_pairwise, "_BLOCK_SYM", 5)
    X = _sparse(seed, n, d, density, dtype)
    Y = None if same else _sparse(seed + 1, m, d, density, dtype, shift=0.5)
    Xd, Yd = X.toarray(), (None if same else Y.toarray())
    params = PARAMS[metric]
    K = pairwise_kernels(X, Y, metric, **params)
    ref = pairwise_kernels(Xd, Yd, metric, **params)
    assert K.dtype == dtype
    assert_allclose(K, ref, **TOL[dtype])
    if metric in ("rbf", "laplacian") and same:
        assert_allclose(np.diag(K), 1.0, rtol=0, atol=TOL[dtype]["atol"])
    assert_allclose(kernel_mean(X, Y if Y is not None else X, metric, **params),
                    ref.mean(axis=1), **TOL[dtype])
    v = np.linspace(-1.0, 1.0, ref.shape[1]).astype(dtype)
    assert_allclose(kernel_matvec(sp.csc_matrix(X), Y, v, metric, **params), ref @ v,
                    rtol=TOL[dtype]["rtol"], atol=TOL[dtype]["atol"] * max(1, ref.shape[1]))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 40),
    d=st.integers(1, 60),
    density=st.floats(0.01, 0.6),
    dtype=st.sampled_from([np.float64, np.float32]),
    metric=st.sampled_from(["rbf", "laplacian"]),
    gamma=st.sampled_from(["scale", "median"]),
)
def test_gamma_heuristics_on_sparse_equal_dense(seed, n, d, density, dtype, metric, gamma):
    X = _sparse(seed, n, d, density, dtype)
    g_sparse = resolve_gamma(X, gamma, metric=metric, n_subsample=25)
    g_dense = resolve_gamma(X.toarray(), gamma, metric=metric, n_subsample=25)
    assert g_sparse == pytest.approx(g_dense, rel=1e-10)


def test_duplicate_and_unsorted_entries():
    # a CSR matrix with a duplicate entry and unsorted column indices
    indptr = np.array([0, 3, 4, 6])
    indices = np.array([2, 0, 2, 1, 3, 0])
    data = np.array([1.0, 2.0, 0.5, -1.0, 4.0, 1.5])
    X = sp.csr_matrix((data, indices, indptr), shape=(3, 4))
    assert not X.has_canonical_format
    dense = X.toarray()  # duplicates summed
    for metric in ("rbf", "laplacian", "polynomial"):
        params = {"gamma": 0.3}
        assert_allclose(pairwise_kernels(X, metric=metric, **params),
                        pairwise_kernels(dense, metric=metric, **params), rtol=1e-12)
        assert_allclose(resolve_gamma(X, "median", metric=metric),
                        resolve_gamma(dense, "median", metric=metric), rtol=1e-12)
    assert not X.has_canonical_format  # the caller's matrix is left as it was


@pytest.mark.parametrize("metric", sorted(KERNEL_PARAMS))
def test_wide_sparse_rows_are_never_densified(metric, no_densify):
    # 50k features, as a TF-IDF vocabulary: only kernel tiles are dense
    X = _sparse(0, 60, 50_000, 0.002, np.float32)
    Y = _sparse(1, 40, 50_000, 0.002, np.float32)
    gamma = None if metric in ("linear", "cosine") else "median"
    K = pairwise_kernels(X, Y, metric, gamma=gamma)
    assert K.shape == (60, 40) and K.dtype == np.float32 and np.isfinite(K).all()
    assert kernel_mean(X, Y, metric, gamma=gamma).shape == (60,)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("max_dense", [1, 128])
def test_frequent_columns_through_blas(dtype, max_dense, monkeypatch):
    # three columns in every row (as "the" in every document), the rest rare
    monkeypatch.setattr(_pairwise, "_MAX_DENSE_COLUMNS", max_dense)
    monkeypatch.setattr(_pairwise, "_BLOCK_ROWS", 5)
    rng = np.random.default_rng(0)
    X = _sparse(2, 30, 200, 0.02, dtype).tolil()
    Y = _sparse(3, 20, 200, 0.02, dtype).tolil()
    for A in (X, Y):
        A[:, [7, 50, 199]] = rng.random((A.shape[0], 3)).astype(dtype)
    X, Y = X.tocsr(), Y.tocsr()
    Xg, XF, Yg, YF = _pairwise._split_frequent(X, Y, False)
    assert XF.shape == (30, min(3, max_dense)) and YF.shape == (20, min(3, max_dense))
    assert Xg.nnz + np.count_nonzero(XF) == X.nnz
    for metric in ("rbf", "polynomial", "cosine", "linear", "sigmoid"):
        params = {} if metric in ("linear", "cosine") else {"gamma": 0.3}
        for Y_arg in (Y, None):
            ref = pairwise_kernels(X.toarray(), None if Y_arg is None else Y.toarray(), metric, **params)
            assert_allclose(pairwise_kernels(X, Y_arg, metric, **params), ref, **TOL[dtype])
