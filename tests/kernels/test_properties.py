"""Properties of the kernels on small random inputs (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skadapt.kernels import kernel_matvec, kernel_mean, mmd2, pairwise_kernels

_finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def _samples(draw, max_rows=12):
    d = draw(st.integers(1, 4))
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_rows))
    X = draw(arrays(np.float64, (n, d), elements=_finite))
    Y = draw(arrays(np.float64, (m, d), elements=_finite))
    return X, Y


_metric = st.sampled_from(["rbf", "laplacian", "linear", "polynomial", "cosine"])
_gamma = st.floats(1e-3, 1.0)


@settings(max_examples=40, deadline=None)
@given(_samples(), _metric, _gamma)
def test_symmetric_and_psd(data, metric, gamma):
    X, _ = data
    K = pairwise_kernels(X, None, metric, gamma=gamma, degree=2)
    assert np.array_equal(K, K.T)
    # every kernel here is positive semi-definite (polynomial: integer
    # degree and coef0 >= 0)
    eig = np.linalg.eigvalsh(K)
    assert eig.min() >= -1e-9 * max(1.0, np.abs(eig).max())


@settings(max_examples=40, deadline=None)
@given(_samples(), st.sampled_from(["rbf", "laplacian"]), _gamma)
def test_bounds_of_translation_invariant_kernels(data, metric, gamma):
    X, Y = data
    K = pairwise_kernels(X, Y, metric, gamma=gamma)
    assert (K >= 0).all() and (K <= 1).all()
    dist = ((X[:, None] - Y[None]) ** 2).sum(-1) if metric == "rbf" else np.abs(X[:, None] - Y[None]).sum(-1)
    # strictly positive wherever exp(-gamma * dist) is a normal float
    assert (K[gamma * dist < 700] > 0).all()
    assert np.array_equal(np.diag(pairwise_kernels(X, None, metric, gamma=gamma)), np.ones(len(X)))


@settings(max_examples=30, deadline=None)
@given(_samples(), _metric, _gamma)
def test_reductions_match_matrix_and_permutations(data, metric, gamma):
    X, Y = data
    K = pairwise_kernels(X, Y, metric, gamma=gamma)
    v = np.linspace(-1, 1, len(Y))
    scale = max(1.0, np.abs(K).max() * len(Y))
    np.testing.assert_allclose(kernel_matvec(X, Y, v, metric, gamma=gamma), K @ v, atol=1e-10 * scale)
    np.testing.assert_allclose(kernel_mean(X, Y, metric, gamma=gamma), K.mean(1), atol=1e-10 * scale)
    # permuting the rows of X permutes the rows of K
    perm = np.arange(len(X))[::-1]
    np.testing.assert_allclose(pairwise_kernels(X[perm], Y, metric, gamma=gamma), K[perm], rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=30, deadline=None)
@given(_samples(), st.sampled_from(["rbf", "laplacian"]), _gamma)
def test_biased_mmd2_nonnegative_and_symmetric(data, metric, gamma):
    X, Y = data
    a = mmd2(X, Y, metric, gamma=gamma)
    assert a >= -1e-12
    assert abs(a - mmd2(Y, X, metric, gamma=gamma)) <= 1e-12
