"""KMM, KLIEP, uLSIF and RuLSIF on sparse rows: the dense-input fit, to 1e-8 in float64.

(1e-8 relative to the largest weight, or ratio, or 1 when they are smaller.)

float32 input gives float32 kernels (about 1e-7 relative), which the solvers
carry into the weights: there the documented tolerance is 1e-3 relative to
the largest weight (KMM: its objective to 1e-4, as its optimum need not be
unique when the kernel matrix is singular, e.g. with repeated empty rows).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler

from skadapt import KLIEP, KMM, ULSIF, RuLSIF
from skadapt.kernels import _pairwise
from skadapt.utils import source_target_merge

FITS = {
    "KMM": lambda kernel: KMM(kernel=kernel),
    "KMM-nystroem": lambda kernel: KMM(kernel=kernel, n_components=15, random_state=0),
    "KLIEP": lambda kernel: KLIEP(kernel=kernel, n_centers=20, random_state=0),
    "ULSIF": lambda kernel: ULSIF(kernel=kernel, n_centers=20, random_state=0),
    "RuLSIF": lambda kernel: RuLSIF(kernel=kernel, n_centers=20, random_state=0),
}


def _domains(seed, n_s, n_t, d, density, dtype):
    """Source rows in [0, 1), target rows shifted and scaled, as CSR.

    A last column of distinct values keeps the rows distinct: with repeated
    rows (e.g. empty ones) KMM's optimum is not unique (only the sum of the
    weights of equal rows is), and equal fits could not be asked for.
    """
    rng = np.random.default_rng(seed)
    distinct = rng.permutation(n_s + n_t)[:, None] / (n_s + n_t) + 0.5
    Xs = sp.hstack([sp.random(n_s, d, density=density, random_state=seed), distinct[:n_s]])
    Xt = sp.hstack([sp.random(n_t, d, density=density, random_state=seed + 1), distinct[n_s:]])
    Xs, Xt = Xs.tocsr(), Xt.tocsr()
    Xt.data = 1.5 * Xt.data + 0.5
    ys = (np.asarray(Xs.sum(axis=1)).ravel() > 0.5 * density * d).astype(int)
    X, y, sample_domain = source_target_merge(Xs.astype(dtype), ys, Xt.astype(dtype))
    return sp.csr_matrix(X), y, sample_domain


def _fit(estimator, X, y, sample_domain):
    with warnings.catch_warnings():
        # a heuristic gamma on tiny random data may warn identically for both inputs
        warnings.simplefilter("ignore")
        return estimator.fit(X, y, sample_domain=sample_domain)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    n_s=st.integers(8, 40),
    n_t=st.integers(5, 30),
    d=st.integers(2, 60),
    density=st.floats(0.05, 0.5),
    dtype=st.sampled_from([np.float64, np.float32]),
    kernel=st.sampled_from(["rbf", "laplacian"]),
    name=st.sampled_from(sorted(FITS)),
    csc=st.booleans(),
)
@example(seed=0, n_s=24, n_t=19, d=13, density=0.5, dtype=np.float64, kernel="laplacian",
         name="KMM-nystroem", csc=False)
def test_sparse_fit_equals_dense_fit(seed, n_s, n_t, d, density, dtype, kernel, name, csc,
                                     monkeypatch):
    monkeypatch.setattr(_pairwise, "_BLOCK_ROWS", 8)  # the sparse path crosses tiles
    monkeypatch.setattr(_pairwise, "_BLOCK_COLS", 16)
    X, y, sd = _domains(seed, n_s, n_t, d, density, dtype)
    sparse = _fit(FITS[name](kernel), sp.csc_matrix(X) if csc else X, y, sd)
    dense = _fit(FITS[name](kernel), X.toarray(), y, sd)
    Xt = X[sd < 0]
    assert sparse.gamma_ == pytest.approx(dense.gamma_, rel=1e-12)
    scale = max(1.0, np.abs(dense.weights_).max())
    if dtype == np.float64 and name == "KMM-nystroem" and n_s > 15:
        # more source rows than Nystroem components: the factor QP's optimum is
        # a face, not a point, so only its value is defined (CI draw seed=0,
        # n_s=24, laplacian: weights 2e-3 apart at the same objective)
        assert sparse.objective_ == pytest.approx(dense.objective_, rel=1e-8, abs=1e-10)
    elif dtype == np.float64:
        assert_allclose(sparse.weights_, dense.weights_, rtol=0, atol=1e-8 * scale)
        ratio = dense.density_ratio(Xt.toarray())
        assert_allclose(sparse.density_ratio(Xt), ratio,
                        rtol=0, atol=1e-8 * max(1.0, np.abs(ratio).max()))
    elif name.startswith("KMM"):
        assert sparse.objective_ == pytest.approx(dense.objective_, rel=1e-4, abs=1e-6)
    else:
        assert_allclose(sparse.weights_, dense.weights_, rtol=0, atol=1e-3 * scale)


@pytest.mark.parametrize("kernel", ["polynomial", "cosine", "linear"])
def test_kmm_every_engine_kernel_on_sparse(kernel):
    X, y, sd = _domains(3, 30, 20, 12, 0.3, np.float64)
    sparse = _fit(KMM(kernel=kernel, degree=2, tol=1e-10), X, y, sd)
    dense = _fit(KMM(kernel=kernel, degree=2, tol=1e-10), X.toarray(), y, sd)
    assert sparse.objective_ == pytest.approx(dense.objective_, rel=1e-8, abs=1e-12)
    if kernel == "polynomial":  # the others have rank <= 12 < 30: the optimum is not unique
        assert_allclose(sparse.weights_, dense.weights_, rtol=0, atol=1e-8)


def test_default_kmm_in_a_pipeline_on_sparse_rows():
    # the target rows are marked by y = -1, so a plain Pipeline routes them
    X, y, sd = _domains(5, 40, 30, 50, 0.1, np.float64)
    model = make_pipeline(MaxAbsScaler(), KMM(LogisticRegression())).fit(X, y)
    kmm = model[-1]
    assert kmm.gamma_ > 0 and kmm.weights_.shape == (70,) and np.isfinite(kmm.weights_).all()
    assert model.predict(X[sd < 0]).shape == (30,)
    assert kmm.__sklearn_tags__().input_tags.sparse
