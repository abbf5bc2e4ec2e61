"""The kernel engine against scikit-learn, its reductions, validation and threads."""

import doctest
import subprocess
import sys

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics.pairwise import pairwise_kernels as sk_pairwise_kernels

from skadapt.kernels import (
    KERNEL_PARAMS,
    kernel_matvec,
    kernel_mean,
    make_nystroem,
    mmd2,
    pairwise_kernels,
    resolve_gamma,
)
from skadapt.kernels import _pairwise
from skadapt.kernels import _params as kparams

METRICS = sorted(KERNEL_PARAMS)
DTYPES = [np.float64, np.float32]
RTOL = {np.float64: 1e-10, np.float32: 1e-5}


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Block sizes so small that every test size crosses every block edge."""
    monkeypatch.setattr(_pairwise, "_BLOCK_ROWS", 6)
    monkeypatch.setattr(_pairwise, "_BLOCK_COLS", 40)
    monkeypatch.setattr(_pairwise, "_BLOCK_SYM", 7)
    monkeypatch.setattr(_pairwise, "_MIN_PARALLEL_WORK", 0)  # threads even on tiny data
    monkeypatch.setattr(_pairwise, "_LAPLACIAN_CACHE_BYTES", 1)  # 16 columns per block


def _params(metric):
    return {
        "rbf": {"gamma": 0.2},
        "laplacian": {"gamma": 0.2},
        "linear": {},
        "polynomial": {"gamma": 0.1, "degree": 3, "coef0": 1.0},
        "cosine": {},
        "sigmoid": {"gamma": 0.05, "coef0": 0.5},
    }[metric]


def _data(n, m, d, dtype, seed=0):
    """Data with zero rows and duplicate rows (within X and between X and Y)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 0.5
    Y = rng.normal(size=(m, d)) - 0.3
    if n > 7 and m > 5:
        X[3] = 0.0
        X[7] = X[2]
        Y[1] = 0.0
        Y[5] = X[2]
    return X.astype(dtype), Y.astype(dtype)


def _tol(dtype, ref):
    # relative to the kernel's scale: values near 0 of dot-product kernels
    # carry the rounding of their large neighbours
    scale = max(1.0, float(np.abs(ref).max()))
    return {"rtol": RTOL[dtype], "atol": RTOL[dtype] * scale}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("same", [False, True])
@pytest.mark.parametrize("blocks", ["tiny", "default"])
def test_equals_sklearn(metric, dtype, same, blocks, request):
    if blocks == "tiny":
        request.getfixturevalue("tiny_blocks")
    X, Y = _data(37, 150, 5, dtype)
    Y_arg = None if same else Y
    K = pairwise_kernels(X, Y_arg, metric, **_params(metric))
    ref = sk_pairwise_kernels(X, Y_arg, metric=metric, **_params(metric))
    assert K.dtype == dtype
    assert K.shape == ref.shape
    assert_allclose(K, ref, **_tol(dtype, ref))
    if same and metric in ("rbf", "laplacian"):
        assert_array_equal(np.diag(K), 1)
    if metric in ("rbf", "laplacian"):
        # duplicates give exactly 1, zero rows are handled like any other row
        assert K[7, 2] == K[2, 7] == 1 if same else K[2, 5] == K[7, 5] == 1


@pytest.mark.parametrize("metric", METRICS)
def test_wide_data_and_default_gamma(metric, tiny_blocks):
    # d larger than the laplacian's column-block budget and gamma=None
    X, Y = _data(13, 70, 300, np.float64, seed=1)
    X /= 10
    Y /= 10
    K = pairwise_kernels(X, Y, metric)
    ref = sk_pairwise_kernels(X, Y, metric=metric)
    assert_allclose(K, ref, **_tol(np.float64, ref))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("metric", METRICS)
def test_sparse_equals_dense(metric, dtype, tiny_blocks):
    X, Y = _data(21, 66, 6, dtype)
    X[np.abs(X) < 0.8] = 0
    Y[np.abs(Y) < 0.8] = 0
    dense = pairwise_kernels(X, Y, metric, **_params(metric))
    for Xa, Ya in [(sp.csr_matrix(X), sp.csr_matrix(Y)), (sp.csc_matrix(X), Y), (X, sp.csr_matrix(Y))]:
        K = pairwise_kernels(Xa, Ya, metric, **_params(metric))
        assert K.dtype == dtype
        assert_allclose(K, dense, **_tol(dtype, dense))
    K = pairwise_kernels(sp.csr_matrix(X), None, metric, **_params(metric))
    assert_allclose(K, pairwise_kernels(X, None, metric, **_params(metric)), **_tol(dtype, dense))


def test_mixed_dtypes_give_float64():
    X, Y = _data(9, 11, 3, np.float64)
    K = pairwise_kernels(X.astype(np.float32), Y, "rbf", gamma=0.5)
    assert K.dtype == np.float64
    K = pairwise_kernels(X.astype(int), None, "linear")
    assert K.dtype == np.float64


def test_polynomial_fractional_and_zero_degree():
    X, Y = _data(10, 12, 4, np.float64)
    X, Y = np.abs(X), np.abs(Y)  # non-negative base for a fractional power
    for degree in (0, 1, 2.5, 5):
        K = pairwise_kernels(X, Y, "polynomial", gamma=0.3, degree=degree, coef0=0.5)
        ref = sk_pairwise_kernels(X, Y, metric="polynomial", gamma=0.3, degree=degree, coef0=0.5)
        assert_allclose(K, ref, rtol=1e-10)


def test_large_distances_underflow_to_zero():
    X = np.array([[0.0], [1.0]])
    Y = np.array([[0.0], [40.0], [1e3]])
    for metric, gamma in (("rbf", 1.0), ("laplacian", 30.0)):
        K = pairwise_kernels(X, Y, metric, gamma=gamma)
        ref = sk_pairwise_kernels(X, Y, metric=metric, gamma=gamma)
        assert_allclose(K, ref, rtol=1e-12, atol=1e-300)
        assert (K >= 0).all()
    K32 = pairwise_kernels(X.astype(np.float32), Y.astype(np.float32), "rbf", gamma=0.05)
    assert_allclose(K32, np.exp(-0.05 * (X - Y.T) ** 2), rtol=1e-5, atol=1e-37)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_accuracy(dtype):
    from skadapt.kernels import _numba

    c, int_dtype, shift = _numba.exp_constants(dtype)
    x = np.linspace(0, 700 if dtype == np.float64 else 85, 200_001).astype(dtype)[None, :]
    out = x.copy()
    _numba.exp_neg_inplace(out, np.empty(0, int_dtype), shift, dtype(1), c)
    ref = np.exp(-x.astype(np.float64))
    rel = np.abs(out - ref) / ref
    assert rel.max() < (5e-16 if dtype == np.float64 else 3e-7)


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("sparse", [False, True])
def test_reductions_equal_full_matrix(metric, dtype, sparse, tiny_blocks):
    X, Y = _data(23, 90, 4, dtype)
    K = pairwise_kernels(X, Y, metric, **_params(metric)).astype(np.float64)
    if sparse:
        X, Y = sp.csr_matrix(X), sp.csr_matrix(Y)
    rng = np.random.default_rng(3)
    v1 = rng.normal(size=90).astype(dtype)
    v2 = rng.normal(size=(90, 3)).astype(dtype)
    tol = {"rtol": 10 * RTOL[dtype], "atol": 10 * RTOL[dtype] * max(1.0, np.abs(K).max() * 90)}
    for v in (v1, v2):
        Kv = kernel_matvec(X, Y, v, metric, **_params(metric))
        assert Kv.dtype == dtype
        assert Kv.shape == (23,) + v.shape[1:]
        assert_allclose(Kv, K @ v.astype(np.float64), **tol)
    mean = kernel_mean(X, Y, metric, **_params(metric))
    assert mean.dtype == dtype
    assert_allclose(mean, K.mean(axis=1), **tol)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("unbiased", [False, True])
def test_mmd2_equals_full_matrix(metric, unbiased, tiny_blocks):
    X, Y = _data(17, 30, 3, np.float64)
    kw = _params(metric)
    Kxx = sk_pairwise_kernels(X, metric=metric, **kw)
    Kyy = sk_pairwise_kernels(Y, metric=metric, **kw)
    Kxy = sk_pairwise_kernels(X, Y, metric=metric, **kw)
    m, n = len(X), len(Y)
    if unbiased:
        ref = (
            (Kxx.sum() - np.trace(Kxx)) / (m * (m - 1))
            + (Kyy.sum() - np.trace(Kyy)) / (n * (n - 1))
            - 2 * Kxy.mean()
        )
    else:
        ref = Kxx.mean() + Kyy.mean() - 2 * Kxy.mean()
    got = mmd2(X, Y, metric, unbiased=unbiased, **kw)
    assert isinstance(got, float)
    assert_allclose(got, ref, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(Kxx).max()))
    assert_allclose(mmd2(sp.csr_matrix(X), Y, metric, unbiased=unbiased, **kw), got, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(Kxx).max()))


def test_mmd2_identical_samples_is_zero():
    X, _ = _data(20, 5, 3, np.float64)
    assert abs(mmd2(X, X.copy())) < 1e-12


def test_matvec_dtype_follows_numpy_rules():
    X, Y = _data(9, 11, 3, np.float32)
    v = np.ones(11)  # float64
    assert kernel_matvec(X, Y, v, gamma=0.5).dtype == np.float64
    assert kernel_matvec(X, Y, np.ones(11, dtype=int), gamma=0.5).dtype == np.float64
    assert kernel_matvec(X, Y, v.astype(np.float32), gamma=0.5).dtype == np.float32


# --------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------
@pytest.mark.parametrize("metric", METRICS)
def test_deterministic_across_n_jobs(metric, tiny_blocks):
    X, Y = _data(41, 130, 5, np.float64)
    v = np.random.default_rng(0).normal(size=130)
    before = numba.get_num_threads()
    results = [
        (
            pairwise_kernels(X, Y, metric, n_jobs=n_jobs, **_params(metric)),
            kernel_matvec(X, Y, v, metric, n_jobs=n_jobs, **_params(metric)),
            kernel_mean(X, Y, metric, n_jobs=n_jobs, **_params(metric)),
            mmd2(X, Y, metric, n_jobs=n_jobs, **_params(metric)),
        )
        for n_jobs in (1, 2, -1, None)
    ]
    assert numba.get_num_threads() == before
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert_array_equal(a, b)


def test_thread_count_restored_after_error():
    before = numba.get_num_threads()
    with pytest.raises(ValueError):
        with kparams.numba_threads(1):
            assert numba.get_num_threads() == 1
            raise ValueError("boom")
    assert numba.get_num_threads() == before


def test_import_compiles_nothing():
    code = (
        "import sys, skadapt, skadapt.kernels; "
        "assert 'skadapt.kernels._numba' not in sys.modules, 'numba code imported at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# gamma
# --------------------------------------------------------------------------
def test_resolve_gamma():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4)) * 3
    assert resolve_gamma(X, None) == 0.25
    assert resolve_gamma(X, 2) == 2.0
    assert resolve_gamma(X, "scale") == pytest.approx(1 / (4 * X.var()))
    assert resolve_gamma(sp.csr_matrix(X), "scale") == pytest.approx(1 / (4 * X.var()))
    assert resolve_gamma(np.ones((5, 2)), "scale") == 1.0
    iu = np.triu_indices(40, k=1)
    sq = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)[iu]
    assert resolve_gamma(X, "median") == pytest.approx(1 / np.median(sq))
    l1 = np.abs(X[:, None, :] - X[None, :, :]).sum(-1)[iu]
    assert resolve_gamma(X, "median", metric="laplacian") == pytest.approx(1 / np.median(l1))
    assert resolve_gamma(np.ones((5, 2)), "median") == 1.0


def test_median_gamma_subsample_is_seeded():
    X = np.random.default_rng(0).normal(size=(300, 3))
    a = resolve_gamma(X, "median", random_state=1, n_subsample=50)
    assert a == resolve_gamma(X, "median", random_state=1, n_subsample=50)
    assert resolve_gamma(X, "median", n_subsample=50) == resolve_gamma(X, "median", n_subsample=50)
    assert a != resolve_gamma(X, "median", random_state=2, n_subsample=50)


def test_heuristic_gamma_in_pairwise_kernels():
    X, Y = _data(30, 20, 3, np.float64)
    g = resolve_gamma(X, "median", random_state=0)
    assert_allclose(
        pairwise_kernels(X, Y, gamma="median", random_state=0), pairwise_kernels(X, Y, gamma=g)
    )
    g = resolve_gamma(X, "scale")
    assert_allclose(pairwise_kernels(X, Y, gamma="scale"), sk_pairwise_kernels(X, Y, metric="rbf", gamma=g))


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "func", [pairwise_kernels, kernel_mean, mmd2, "kernel_matvec"], ids=lambda f: str(f)
)
def test_bad_input_errors(func):
    X, Y = _data(6, 7, 3, np.float64)
    if func == "kernel_matvec":
        name = "kernel_matvec"

        def call(X, Y, *args, **kw):
            return kernel_matvec(X, Y, np.ones(len(Y) if Y is not None else len(X)), *args, **kw)
    else:
        name, call = func.__name__, func
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=rf"{name}: argument X contains NaN or infinity"):
        call(bad, Y)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match=rf"{name}: argument Y contains NaN or infinity"):
        call(X, bad)
    with pytest.raises(ValueError, match=rf"{name}: argument X contains NaN"):
        call(sp.csr_matrix(np.where(np.isfinite(bad), bad, np.nan)), Y)
    for gamma in (-1.0, 0, np.inf, np.nan, "auto", [1.0], True):
        with pytest.raises(ValueError, match=rf"{name}: gamma"):
            call(X, Y, "rbf", gamma=gamma)
    with pytest.raises(ValueError, match=rf"{name}: unknown metric 'chi2'"):
        call(X, Y, "chi2")
    with pytest.raises(ValueError, match=rf"{name}: coef0"):
        call(X, Y, "sigmoid", coef0=np.nan)
    with pytest.raises(ValueError, match=rf"{name}: X has 3 features but Y has 2"):
        call(X, Y[:, :2])
    with pytest.raises(ValueError, match=rf"{name}: degree"):
        call(X, Y, "polynomial", degree=-1)
    with pytest.raises(ValueError, match=rf"{name}: coef0"):
        call(X, Y, "polynomial", coef0=np.inf)
    with pytest.raises(ValueError, match=rf"{name}: invalid argument X"):
        call(np.ones(3), Y)
    with pytest.raises(ValueError, match=rf"{name}: n_jobs"):
        call(X, Y, n_jobs=0)


def test_matvec_bad_v():
    X, Y = _data(6, 7, 3, np.float64)
    with pytest.raises(ValueError, match=r"kernel_matvec: v must have shape \(7,\)"):
        kernel_matvec(X, Y, np.ones(6))
    with pytest.raises(ValueError, match=r"kernel_matvec: argument v contains NaN"):
        kernel_matvec(X, Y, np.full(7, np.nan))
    with pytest.raises(ValueError, match=r"kernel_matvec: v must be a real array"):
        kernel_matvec(X, Y, np.array(["a"] * 7))


def test_small_samples():
    X, Y = _data(6, 7, 3, np.float64)
    with pytest.raises(ValueError, match="mmd2: unbiased=True needs at least 2 rows"):
        mmd2(X[:1], Y, unbiased=True)
    assert pairwise_kernels(X[:1], Y[:1]).shape == (1, 1)
    assert_allclose(kernel_mean(X[:1], Y), sk_pairwise_kernels(X[:1], Y, metric="rbf").mean(1))


def test_check_finite_names_owner_argument_and_expectation():
    from skadapt import KLIEP, KMM

    check = kparams.check_finite
    assert check("f", "coef0", -2) == -2.0 and isinstance(check("f", "coef0", 3), float)
    assert check("f", "gamma", "scale", bound="> 0", alternatives=("scale", None)) == "scale"
    assert check("f", "gamma", None, bound="> 0", alternatives=("scale", None)) is None
    assert check("f", "n", 4.0, bound="> 0", integer=True) == 4
    cases = [
        (("f", "coef0", np.nan), {}, "f: coef0 must be a finite number, got nan."),
        (("f", "degree", -1), {"bound": ">= 0"}, "f: degree must be a finite number >= 0, got -1."),
        (("f", "gamma", 0.0), {"bound": "> 0", "alternatives": ("scale", "median", None)},
         "f: gamma must be a finite number > 0, 'scale', 'median' or None, got 0.0."),
        (("f", "gamma", "auto"), {"bound": "> 0", "alternatives": ("scale",)},
         "f: gamma must be a finite number > 0 or 'scale', got 'auto'."),
        (("f", "gamma", True), {"bound": "> 0"}, "f: gamma must be a finite number > 0, got True."),
        (("f", "n", 2.5), {"bound": "> 0", "integer": True}, "f: n must be an integer > 0, got 2.5."),
        ((KLIEP(), "gamma", np.inf), {"bound": "> 0", "listed": True},
         "KLIEP: `gamma` must be a finite number > 0 (or a list of them), got inf."),
        ((KMM(), "B", -1.0), {"bound": "> 0"}, "KMM: `B` must be a finite number > 0, got -1.0."),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(ValueError) as info:
            check(*args, **kwargs)
        assert str(info.value) == message


def test_resolve_gamma_errors():
    X, _ = _data(6, 7, 3, np.float64)
    with pytest.raises(ValueError, match="resolve_gamma: gamma must be a finite number > 0, 'scale'"):
        resolve_gamma(X, "mean")
    with pytest.raises(ValueError, match="resolve_gamma: unknown metric"):
        resolve_gamma(X, 1.0, metric="chi2")
    with pytest.raises(ValueError, match="resolve_gamma: n_subsample"):
        resolve_gamma(X, "median", n_subsample=1)


# --------------------------------------------------------------------------
# Nystroem and docstrings
# --------------------------------------------------------------------------
@pytest.mark.parametrize("metric", [m for m in METRICS if m != "sigmoid"])
def test_make_nystroem_approximates_kernel(metric):
    X, _ = _data(60, 5, 3, np.float64)
    kw = _params(metric)
    ny = make_nystroem(metric, n_components=60, random_state=0, **kw)
    Z = ny.fit_transform(X)
    K = pairwise_kernels(X, None, metric, **kw)
    assert_allclose(Z @ Z.T, K, atol=1e-6 * max(1.0, np.abs(K).max()))


def test_sigmoid_kernel_and_nystroem_where_psd():
    # the sigmoid kernel is not PSD in general; with a small gamma and
    # coef0 = 0 it is close to the (PSD) linear kernel gamma x.y on this data
    X, _ = _data(40, 5, 3, np.float64)
    K = pairwise_kernels(X, None, "sigmoid", gamma=1e-3, coef0=0.0)
    assert_allclose(K, np.tanh(1e-3 * X @ X.T), rtol=1e-12)
    ny = make_nystroem("sigmoid", gamma=1e-3, coef0=0.0, n_components=40, random_state=0)
    Z = ny.fit_transform(X)
    if np.linalg.eigvalsh(K).min() >= -1e-12:
        assert_allclose(Z @ Z.T, K, atol=1e-6)
    # a large coef0 gives negative eigenvalues
    K2 = pairwise_kernels(X, None, "sigmoid", gamma=1.0, coef0=-1.0)
    assert np.linalg.eigvalsh(K2).min() < 0


@pytest.mark.parametrize("metric", [m for m in METRICS if m != "sigmoid"])
def test_landmark_features_all_landmarks_give_the_kernel(metric):
    from skadapt.kernels._nystroem import LandmarkFeatures

    X, _ = _data(60, 5, 3, np.float64)
    kw = _params(metric)
    nys = LandmarkFeatures(metric, **kw).fit(X, 60, np.random.RandomState(0))
    assert_array_equal(nys.landmark_indices_, np.arange(60))
    Phi = nys.transform(X)
    K = pairwise_kernels(X, None, metric, **kw)
    assert_allclose(Phi @ Phi.T, K, atol=1e-8 * max(1.0, np.abs(K).max()))


def test_landmark_features_root_drops_the_null_space_and_blocks_agree():
    from skadapt.kernels import _nystroem
    from skadapt.kernels._nystroem import LandmarkFeatures, draw_landmarks

    X, _ = _data(40, 5, 3, np.float64)
    # the linear kernel of 3 features has rank 3 on any 10 landmarks
    nys = LandmarkFeatures("linear").fit(X, 10, np.random.RandomState(1))
    assert nys.root_.shape == (10, 3)
    assert_array_equal(nys.landmark_indices_, draw_landmarks(40, 10, np.random.RandomState(1)))
    assert_array_equal(nys.landmarks_, X[nys.landmark_indices_])
    Phi = nys.transform(X)
    assert_allclose(Phi @ Phi.T, X @ X.T, atol=1e-10)
    # row blocks of any size give the same features; sparse rows the dense ones
    full = nys.kernel(X) @ nys.root_
    old = _nystroem._BLOCK_BYTES
    try:
        _nystroem._BLOCK_BYTES = 8 * 10 * 7  # blocks of 7 rows
        assert_array_equal(nys.transform(X), full)
    finally:
        _nystroem._BLOCK_BYTES = old
    Xs = sp.csr_matrix(np.where(np.abs(X) < 0.5, 0.0, X))
    dense = LandmarkFeatures("rbf", gamma=0.3).fit(Xs.toarray(), 12, np.random.RandomState(2))
    sparse = LandmarkFeatures("rbf", gamma=0.3).fit(Xs, 12, np.random.RandomState(2))
    assert sp.issparse(sparse.landmarks_)
    assert_allclose(sparse.transform(Xs), dense.transform(Xs.toarray()), atol=1e-10)


def test_landmark_features_on_dask_gather_the_same_landmarks():
    da = pytest.importorskip("dask.array")
    from skadapt.kernels._nystroem import LandmarkFeatures

    X, _ = _data(50, 5, 3, np.float64)
    a = LandmarkFeatures("rbf", gamma=0.5).fit(X, 15, np.random.RandomState(3))
    b = LandmarkFeatures("rbf", gamma=0.5).fit(
        da.from_array(X, chunks=(12, 3)), 15, np.random.RandomState(3)
    )
    assert isinstance(b.landmarks_, np.ndarray)
    assert_array_equal(a.landmarks_, b.landmarks_)
    assert_array_equal(a.root_, b.root_)


def test_make_nystroem_errors():
    with pytest.raises(ValueError, match="make_nystroem: gamma must be a float or None"):
        make_nystroem(gamma="median")
    with pytest.raises(ValueError, match="make_nystroem: unknown metric"):
        make_nystroem("chi2")
    with pytest.raises(ValueError, match="make_nystroem: gamma"):
        make_nystroem(gamma=-1.0)
    with pytest.raises(ValueError, match="make_nystroem: n_components"):
        make_nystroem(n_components=2.5)


def test_docstring_examples():
    from skadapt.kernels import _nystroem

    for module in (_pairwise, kparams, _nystroem):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
        assert result.attempted > 0
