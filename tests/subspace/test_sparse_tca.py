"""TCA and SSTCA on sparse rows with every kernel: the dense-input embedding.

Equal to 1e-8 (relative to the largest embedded value) for float64 and
float32 input alike: TCA converts its input to float64 before the kernel.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skadapt import SSTCA, TCA
from skadapt.kernels import _pairwise

KERNELS = ["rbf", "laplacian", "polynomial", "cosine", "linear"]


def _rows(seed, n, d, density, dtype):
    """Source then target rows (the target shifted), CSR, with labels and domains."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=seed).astype(dtype)
    n_t = n // 2
    X.data += np.where(np.repeat(np.arange(n) >= n - n_t, np.diff(X.indptr)), 0.7, 0.0).astype(dtype)
    y = np.r_[rng.integers(0, 2, n - n_t), -np.ones(n_t, int)]
    y[:2] = [0, 1]
    sample_domain = np.r_[np.ones(n - n_t, int), -np.ones(n_t, int)]
    return X, y, sample_domain


def _assert_same_embedding(sparse, dense, Xs, Xd, tol):
    Z = dense.transform(Xd)
    scale = max(1.0, np.abs(Z).max())
    assert_allclose(sparse.eigenvalues_, dense.eigenvalues_, rtol=tol, atol=tol * scale)
    assert_allclose(sparse.transform(Xs), Z, rtol=0, atol=tol * scale)


# Very sparse draws can have rank 1, where TCA caps n_components=2 with a
# warning; sparse and dense input must then cap alike (asserted below).
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.ComponentsCappedWarning")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(12, 40),
    d=st.integers(2, 50),
    density=st.floats(0.1, 0.6),
    dtype=st.sampled_from([np.float64, np.float32]),
    kernel=st.sampled_from(KERNELS),
    variant=st.sampled_from(["TCA", "TCA-landmarks", "SSTCA"]),
)
@example(seed=1778, n=12, d=2, density=0.1015625, dtype=np.float64, kernel="rbf", variant="TCA")
def test_sparse_embedding_equals_dense(seed, n, d, density, dtype, kernel, variant, monkeypatch):
    monkeypatch.setattr(_pairwise, "_BLOCK_ROWS", 8)
    monkeypatch.setattr(_pairwise, "_BLOCK_COLS", 16)
    X, y, sd = _rows(seed, n, d, density, dtype)
    params = {"n_components": 2, "kernel": kernel, "degree": 2}
    if variant == "TCA-landmarks":
        make = lambda: TCA(n_landmarks=n // 2, random_state=0, **params)  # noqa: E731
    elif variant == "SSTCA":
        make = lambda: SSTCA(n_neighbors=3, **params)  # noqa: E731
    else:
        make = lambda: TCA(**params)  # noqa: E731
    sparse = make().fit(X, y, sample_domain=sd)
    dense = make().fit(X.toarray(), y, sample_domain=sd)
    assert sparse.n_components_ == dense.n_components_
    eig = dense.eigenvalues_
    # the embedding is defined up to rotations inside a repeated eigenvalue
    gaps = np.abs(np.diff(np.r_[eig, 0.0])) > 1e-6 * max(1.0, abs(eig[0]))
    assume(gaps.all())
    _assert_same_embedding(sparse, dense, sp.csc_matrix(X), X.toarray(), 1e-8)


@pytest.mark.parametrize("kernel", ["rbf", "laplacian"])
def test_sparse_gamma_heuristics(kernel):
    X, y, sd = _rows(1, 30, 40, 0.2, np.float64)
    for gamma in ("scale", "median"):
        sparse = TCA(n_components=2, kernel=kernel, gamma=gamma).fit(X, y, sample_domain=sd)
        dense = TCA(n_components=2, kernel=kernel, gamma=gamma).fit(X.toarray(), y, sample_domain=sd)
        assert sparse.gamma_ == pytest.approx(dense.gamma_, rel=1e-12)
        _assert_same_embedding(sparse, dense, X, X.toarray(), 1e-8)
