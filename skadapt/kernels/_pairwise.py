"""Public kernel API: kernel matrices and blockwise kernel reductions.

How the module is built
-----------------------
Every public function validates its input once (:func:`_validate_pair`,
:func:`_validate_params`), resolves ``gamma`` once, then walks the rows of
``X`` in blocks.  A block of kernel values ``K(X[i0:i1], Y)`` is produced by
:meth:`_Engine.block`:

* rbf / polynomial (dense): a BLAS Gram block ``X_b @ Y.T`` written straight
  into the output (or a reused buffer), then turned into kernel values in
  place by one parallel numba pass (``_numba.rbf_inplace`` /
  ``_numba.polynomial_inplace``).  For rbf both inputs are first centred by
  the mean of ``X`` (distances do not change) to limit the cancellation in
  ``||x||^2 + ||y||^2 - 2 x.y``, which is clipped at 0; when ``Y is X`` the
  diagonal is exactly 1.
* laplacian (dense): ``_numba.laplacian_block`` (cache-blocked L1 distances
  fused with the exponential).
* linear / cosine: the Gram block of the (row-normalised) inputs.
* sparse input: the Gram block comes from scipy's sparse product (the
  laplacian's L1 distances from scikit-learn's sparse ``manhattan_distances``)
  and goes through the same numba pass.

The reductions (:func:`kernel_matvec`, :func:`kernel_mean`, :func:`mmd2`)
reuse one buffer of ``block_rows x n_Y`` values and reduce it with BLAS, so
that memory stays ``O(block * n)``; linear and cosine reductions use
``X @ (Y.T @ v)`` and never form a kernel block at all.  float32 input stays
float32 (mixed input is computed in float64, as scikit-learn does).

The numba functions are imported and compiled at first use, never at import.
"""

import numbers
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, check_random_state

__all__ = [
    "KERNEL_PARAMS",
    "kernel_matvec",
    "kernel_mean",
    "mmd2",
    "pairwise_kernels",
    "resolve_gamma",
]

#: The parameters each metric uses (others are ignored), as in scikit-learn.
KERNEL_PARAMS = {
    "rbf": ("gamma",),
    "laplacian": ("gamma",),
    "linear": (),
    "polynomial": ("gamma", "degree", "coef0"),
    "cosine": (),
}

# Bytes of kernel values produced per block (rows of X times all of Y).
# Measured on a 2-core machine (benchmarks/bench_kernels.py): small enough
# for the in-place pass to find the Gram block in cache, large enough for
# BLAS to run at full speed.
_BLOCK_BYTES = 8 * 2**20
# Bytes of Y.T kept in cache by the laplacian kernel (per column block).
_LAPLACIAN_CACHE_BYTES = 256 * 2**10


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def _validate_array(func, name, X):
    """A 2-d float32/float64 array or CSR matrix with finite values."""
    try:
        X = check_array(
            X,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            ensure_all_finite=False,
            input_name=name,
        )
    except ValueError as exc:
        raise ValueError(f"{func}: invalid argument {name}: {exc}") from exc
    data = X.data if sp.issparse(X) else X
    if not np.isfinite(data).all():
        raise ValueError(
            f"{func}: argument {name} contains NaN or infinity; kernels need finite values."
        )
    return X


def _validate_pair(func, X, Y, *, x_name="X", y_name="Y"):
    """Validate ``X`` and ``Y`` (``None`` means ``X``) to one dtype and width.

    Returns ``(X, Y, same)`` where ``same`` tells that ``Y`` is ``X``.
    """
    same = Y is None or Y is X
    X = _validate_array(func, x_name, X)
    if same:
        return X, X, True
    Y = _validate_array(func, y_name, Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{func}: {x_name} has {X.shape[1]} features but {y_name} has {Y.shape[1]}; "
            "both must have the same number of columns."
        )
    dtype = np.float32 if X.dtype == Y.dtype == np.float32 else np.float64
    X, Y = X.astype(dtype, copy=False), Y.astype(dtype, copy=False)
    if sp.issparse(X) != sp.issparse(Y):
        X, Y = sp.csr_matrix(X), sp.csr_matrix(Y)
    return X, Y, False


def _validate_metric(func, metric):
    if not isinstance(metric, str) or metric not in KERNEL_PARAMS:
        raise ValueError(
            f"{func}: unknown metric {metric!r}; expected one of {sorted(KERNEL_PARAMS)}."
        )


def _check_positive_float(func, name, value, *, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{func}: {name} must be a real number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{func}: {name} must be a finite number {bound}, got {value!r}.")
    return value


def _validate_params(func, metric, X, gamma, degree, coef0, random_state):
    """Resolve and check the parameters ``metric`` uses; returns a dict of floats."""
    _validate_metric(func, metric)
    params = {}
    if "gamma" in KERNEL_PARAMS[metric]:
        params["gamma"] = _resolve_gamma(func, X, gamma, metric, random_state)
    if metric == "polynomial":
        params["degree"] = _check_positive_float(func, "degree", degree, allow_zero=True)
        if isinstance(coef0, bool) or not isinstance(coef0, numbers.Real):
            raise ValueError(f"{func}: coef0 must be a real number, got {coef0!r}.")
        if not np.isfinite(coef0):
            raise ValueError(f"{func}: coef0 must be finite, got {coef0!r}.")
        params["coef0"] = float(coef0)
    return params


@contextmanager
def _numba_threads(func, n_jobs):
    """Set numba's thread count for one call; the old value is restored after."""
    if n_jobs is None:
        yield
        return
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"{func}: n_jobs must be None or a non-zero integer, got {n_jobs!r}.")
    import numba

    available = numba.config.NUMBA_NUM_THREADS
    n_threads = n_jobs if n_jobs > 0 else available + 1 + n_jobs
    n_threads = int(min(max(n_threads, 1), available))
    old = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    try:
        yield
    finally:
        numba.set_num_threads(old)


# --------------------------------------------------------------------------
# gamma heuristics
# --------------------------------------------------------------------------
def resolve_gamma(X, gamma, *, metric="rbf", random_state=None, n_subsample=1000):
    """Resolve a ``gamma`` specification to a positive float.

    Estimators call this once in ``fit`` and store the result as ``gamma_``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data the heuristic looks at (usually the training data).
    gamma : float, "scale", "median" or None
        - a float: checked (finite, > 0) and returned;
        - ``None``: ``1 / n_features``, scikit-learn's default for
          ``pairwise_kernels``;
        - ``"scale"``: ``1 / (n_features * X.var())`` (``X.var()`` over all
          entries, as ``SVC(gamma="scale")``); 1.0 when ``X`` is constant;
        - ``"median"``: the median heuristic, ``1 / median`` of the pairwise
          squared Euclidean distances (L1 distances for ``metric="laplacian"``)
          between distinct rows of a random subsample of at most
          ``n_subsample`` rows.  When more than half the pairs coincide the
          median of the non-zero distances is used, and 1.0 when all rows are
          equal.
    metric : str, default="rbf"
        The kernel the value is for (chooses the distance of ``"median"``).
    random_state : int, RandomState instance or None, default=None
        Seed of the ``"median"`` subsample.  ``None`` uses the fixed seed 0 so
        that the heuristic is reproducible; only used when ``X`` has more than
        ``n_subsample`` rows.
    n_subsample : int, default=1000
        Size of the ``"median"`` subsample.

    Returns
    -------
    gamma : float
        A finite positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import resolve_gamma
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> resolve_gamma(X, None)
    0.5
    >>> resolve_gamma(X, "median")  # median of the squared distances 1, 4, 5
    0.25
    """
    _validate_metric("resolve_gamma", metric)
    X = _validate_array("resolve_gamma", "X", X)
    return _resolve_gamma("resolve_gamma", X, gamma, metric, random_state, n_subsample)


def _resolve_gamma(func, X, gamma, metric, random_state, n_subsample=1000):
    if gamma is None:
        return 1.0 / X.shape[1]
    if isinstance(gamma, str):
        if gamma == "scale":
            if sp.issparse(X):
                var = X.multiply(X).mean() - X.mean() ** 2
            else:
                var = float(X.var(dtype=np.float64))
            return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
        if gamma == "median":
            return _median_gamma(func, X, metric, random_state, n_subsample)
        raise ValueError(
            f"{func}: gamma must be a positive float, 'scale', 'median' or None, got {gamma!r}."
        )
    return _check_positive_float(func, "gamma", gamma)


def _median_gamma(func, X, metric, random_state, n_subsample):
    if isinstance(n_subsample, bool) or not isinstance(n_subsample, numbers.Integral):
        raise ValueError(f"{func}: n_subsample must be an integer >= 2, got {n_subsample!r}.")
    if n_subsample < 2:
        raise ValueError(f"{func}: n_subsample must be an integer >= 2, got {n_subsample!r}.")
    n = X.shape[0]
    if n > n_subsample:
        rng = check_random_state(0 if random_state is None else random_state)
        X = X[np.sort(rng.choice(n, n_subsample, replace=False))]
    if sp.issparse(X):
        X = X.toarray()
    X = np.asarray(X, dtype=np.float64)
    iu = np.triu_indices(X.shape[0], k=1)
    if metric == "laplacian":
        from scipy.spatial.distance import pdist

        dist = pdist(X, "cityblock")
    else:
        sq = np.einsum("ij,ij->i", X, X)
        dist = np.maximum(sq[:, None] + sq[None, :] - 2 * (X @ X.T), 0)[iu]
    if dist.size == 0:
        return 1.0 / X.shape[1]
    med = np.median(dist)
    if med <= 0:
        nonzero = dist[dist > 0]
        med = np.median(nonzero) if nonzero.size else 1.0
    return 1.0 / float(med)


# --------------------------------------------------------------------------
# the block engine
# --------------------------------------------------------------------------
class _Engine:
    """Everything needed to produce blocks ``K(X[i0:i1], Y)`` of one kernel."""

    def __init__(self, X, Y, same, metric, params):
        from . import _numba

        self.nb = _numba
        self.metric, self.same = metric, same
        self.sparse = sp.issparse(X)
        self.dtype = X.dtype
        self.n, self.m, self.d = X.shape[0], Y.shape[0], X.shape[1]
        self.c, self.int_dtype, self.shift = _numba.exp_constants(self.dtype)
        t = self.dtype.type
        self.gamma = t(params.get("gamma", 1.0))
        if metric == "polynomial":
            degree = params["degree"]
            self.degree = t(degree)
            self.int_degree = int(degree) if float(degree).is_integer() else -1
            self.coef0 = t(params["coef0"])
        if metric == "cosine":
            X = _normalize_rows(X)
            Y = X if same else _normalize_rows(Y)
        if metric == "rbf":
            if not self.sparse:
                mean = X.mean(axis=0, dtype=np.float64).astype(self.dtype)
                X = X - mean
                Y = X if same else Y - mean
            self.xx = _row_sq_norms(X)
            self.yy = self.xx if same else _row_sq_norms(Y)
        if metric == "laplacian" and not self.sparse:
            self.Yt = np.ascontiguousarray(Y.T)
            per_col = max(1, self.d) * self.dtype.itemsize
            self.col_block = int(max(64, min(self.m, _LAPLACIAN_CACHE_BYTES // per_col)))
        self.X, self.Y = X, Y

    def block_rows(self):
        """Rows per block: about ``_BLOCK_BYTES`` of kernel values."""
        per_row = max(1, self.m) * self.dtype.itemsize
        return int(max(4, min(self.n, _BLOCK_BYTES // per_row)))

    def block(self, i0, i1, out):
        """Write ``K(X[i0:i1], Y)`` into ``out`` (C-contiguous, ``(i1 - i0, m)``)."""
        nb, Xb = self.nb, self.X[i0:i1]
        if self.metric == "laplacian":
            if self.sparse:
                from sklearn.metrics.pairwise import manhattan_distances

                out[...] = manhattan_distances(Xb, self.Y)
                nb.exp_neg_inplace(out, out.view(self.int_dtype), self.shift, self.gamma, self.c)
            else:
                nb.laplacian_block(
                    Xb,
                    self.Yt,
                    self.gamma,
                    out,
                    out.view(self.int_dtype),
                    self.shift,
                    self.c,
                    self.col_block,
                )
            return out
        self._gram(Xb, out)
        if self.metric == "rbf":
            nb.rbf_inplace(
                out,
                out.view(self.int_dtype),
                self.shift,
                self.xx[i0:i1],
                self.yy,
                self.gamma,
                i0 if self.same else -1,
                self.c,
            )
        elif self.metric == "polynomial":
            nb.polynomial_inplace(
                out, self.gamma, self.coef0, self.degree, self.int_degree, self.c[6]
            )
        return out

    def _gram(self, Xb, out):
        if self.sparse:
            G = Xb @ self.Y.T
            out[...] = G.toarray() if sp.issparse(G) else G
        else:
            np.dot(Xb, self.Y.T, out=out)


def _row_sq_norms(X):
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1), dtype=X.dtype).ravel()
    return np.einsum("ij,ij->i", X, X)


def _normalize_rows(X):
    """Rows divided by their Euclidean norm; zero rows stay zero (as sklearn)."""
    norms = np.sqrt(_row_sq_norms(X))
    norms[norms == 0] = 1
    if sp.issparse(X):
        return sp.csr_matrix(sp.diags(1 / norms) @ X, dtype=X.dtype)
    return X / norms[:, None]


def _setup(func, X, Y, metric, gamma, degree, coef0, random_state, *, x_name="X", y_name="Y"):
    X, Y, same = _validate_pair(func, X, Y, x_name=x_name, y_name=y_name)
    params = _validate_params(func, metric, X, gamma, degree, coef0, random_state)
    return _Engine(X, Y, same, metric, params)


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------
def pairwise_kernels(
    X,
    Y=None,
    metric="rbf",
    *,
    gamma=None,
    degree=3,
    coef0=1,
    n_jobs=None,
    random_state=None,
):
    """Kernel matrix ``K(X, Y)``.

    Equals :func:`sklearn.metrics.pairwise.pairwise_kernels` (to about 1e-15
    relative in float64) for the five metrics below, computed blockwise with
    BLAS and numba on dense input and with scipy on sparse input.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
        Finite values.  float32 input (with float32 ``Y``) is computed and
        returned in float32, anything else in float64.
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features), default=None
        ``None`` means ``Y = X``; then the rbf diagonal is exactly 1.
    metric : {"rbf", "laplacian", "linear", "polynomial", "cosine"}, default="rbf"
        - rbf: ``exp(-gamma ||x - y||^2)``;
        - laplacian: ``exp(-gamma ||x - y||_1)``;
        - linear: ``x . y``;
        - polynomial: ``(gamma x . y + coef0) ** degree``;
        - cosine: ``x . y / (||x|| ||y||)`` (0 for a zero row).
    gamma : float, "scale", "median" or None, default=None
        Kernel width of rbf, laplacian and polynomial (ignored otherwise).
        ``None`` is ``1 / n_features`` as in scikit-learn; the heuristics
        ``"scale"`` and ``"median"`` are computed on ``X`` by
        :func:`resolve_gamma`.  A float must be finite and > 0.
    degree : float, default=3
        Degree of the polynomial kernel (>= 0).
    coef0 : float, default=1
        Constant of the polynomial kernel.
    n_jobs : int, default=None
        Number of numba threads for this call (``None``: numba's current
        setting; ``-1``: all; ``-2``: all but one...).  The result does not
        depend on it.  BLAS keeps its own thread pool.
    random_state : int, RandomState instance or None, default=None
        Seed of the ``gamma="median"`` subsample (see :func:`resolve_gamma`).

    Returns
    -------
    K : ndarray of shape (n_samples_X, n_samples_Y)
        The kernel matrix.

    See Also
    --------
    kernel_matvec, kernel_mean, mmd2 : reductions that never hold ``K``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import pairwise_kernels
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> pairwise_kernels(X, metric="rbf", gamma=1.0)
    array([[1.        , 0.36787944],
           [0.36787944, 1.        ]])
    """
    func = "pairwise_kernels"
    eng = _setup(func, X, Y, metric, gamma, degree, coef0, random_state)
    K = np.empty((eng.n, eng.m), dtype=eng.dtype)
    if eng.n == 0 or eng.m == 0:
        return K
    if metric in ("linear", "cosine") and not eng.sparse:
        np.dot(eng.X, eng.Y.T, out=K)
        return K
    step = eng.block_rows()
    with _numba_threads(func, n_jobs):
        for i0 in range(0, eng.n, step):
            i1 = min(i0 + step, eng.n)
            eng.block(i0, i1, K[i0:i1])
    return K


def _validate_v(func, v, m, dtype):
    v = np.asarray(v)
    if v.dtype.kind not in "fiub":
        raise ValueError(f"{func}: v must be a real array, got dtype {v.dtype}.")
    if v.dtype.kind != "f":
        v = v.astype(np.float64)
    if v.ndim not in (1, 2) or v.shape[0] != m:
        raise ValueError(
            f"{func}: v must have shape ({m},) or ({m}, k) to match the {m} rows of Y, "
            f"got shape {v.shape}."
        )
    if not np.isfinite(v).all():
        raise ValueError(f"{func}: argument v contains NaN or infinity.")
    return v


def _reduce_rows(eng, func, n_jobs, vec, out):
    """``out[i0:i1] = K(X[i0:i1], Y) @ vec`` block by block (one reused buffer)."""
    step = eng.block_rows()
    buf = np.empty((min(step, eng.n), eng.m), dtype=eng.dtype)
    with _numba_threads(func, n_jobs):
        for i0 in range(0, eng.n, step):
            i1 = min(i0 + step, eng.n)
            block = eng.block(i0, i1, buf[: i1 - i0])
            np.matmul(block, vec, out=out[i0:i1])
    return out


def kernel_matvec(
    X,
    Y,
    v,
    metric="rbf",
    *,
    gamma=None,
    degree=3,
    coef0=1,
    n_jobs=None,
    random_state=None,
):
    """``K(X, Y) @ v`` without holding ``K``.

    The kernel is computed in blocks of rows of ``X`` (a few MB each) that
    are multiplied by ``v`` and dropped, so the memory is
    ``O(block * n_samples_Y)``.  For linear and cosine kernels it is
    ``X @ (Y.T @ v)`` (with normalised rows for cosine).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features) or None
        ``None`` means ``X``.
    v : array-like of shape (n_samples_Y,) or (n_samples_Y, k)
        Finite values.
    metric, gamma, degree, coef0, n_jobs, random_state
        As in :func:`pairwise_kernels`.

    Returns
    -------
    Kv : ndarray of shape (n_samples_X,) or (n_samples_X, k)
        In the dtype of ``K @ v`` under numpy's rules (float32 when ``X``,
        ``Y`` and ``v`` are float32).

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import kernel_matvec
    >>> X = np.array([[0.0], [1.0]])
    >>> kernel_matvec(X, X, np.array([1.0, -1.0]), gamma=1.0)
    array([ 0.63212056, -0.63212056])
    """
    func = "kernel_matvec"
    eng = _setup(func, X, Y, metric, gamma, degree, coef0, random_state)
    v = _validate_v(func, v, eng.m, eng.dtype)
    out_dtype = np.result_type(eng.dtype, v.dtype)
    out = np.zeros((eng.n,) + v.shape[1:], dtype=out_dtype)
    if eng.n == 0 or eng.m == 0:
        return out
    if metric in ("linear", "cosine"):
        out[...] = eng.X @ (eng.Y.T @ v.astype(out_dtype, copy=False))
        return out
    return _reduce_rows(eng, func, n_jobs, v.astype(out_dtype, copy=False), out)


def kernel_mean(
    X,
    Y,
    metric="rbf",
    *,
    gamma=None,
    degree=3,
    coef0=1,
    n_jobs=None,
    random_state=None,
):
    """Row means of ``K(X, Y)`` without holding ``K``.

    ``kernel_mean(X, Y)[i] = mean_j k(x_i, y_j)``: with ``X`` the source and
    ``Y`` the target sample, ``n_source * kernel_mean(Xs, Xt)`` is the linear
    term ``kappa`` of kernel mean matching.  Blockwise as :func:`kernel_matvec`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features) or None
        ``None`` means ``X``.  Must have at least one row.
    metric, gamma, degree, coef0, n_jobs, random_state
        As in :func:`pairwise_kernels`.

    Returns
    -------
    means : ndarray of shape (n_samples_X,)
        In the dtype of the kernel (float32 for float32 input).

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import kernel_mean
    >>> X = np.array([[0.0], [1.0]])
    >>> kernel_mean(X, X, gamma=1.0)
    array([0.68393972, 0.68393972])
    """
    func = "kernel_mean"
    eng = _setup(func, X, Y, metric, gamma, degree, coef0, random_state)
    if eng.m == 0:
        raise ValueError(f"{func}: Y must have at least one row to average over.")
    ones = np.full(eng.m, 1.0 / eng.m, dtype=eng.dtype)
    out = np.zeros(eng.n, dtype=eng.dtype)
    if eng.n == 0:
        return out
    if metric in ("linear", "cosine"):
        out[...] = eng.X @ (eng.Y.T @ ones)
        return out
    return _reduce_rows(eng, func, n_jobs, ones, out)


def _kernel_sum(eng, func, n_jobs):
    """Sum of all entries of the kernel matrix, accumulated in float64."""
    if eng.metric in ("linear", "cosine"):
        sx = np.asarray(eng.X.sum(axis=0), dtype=np.float64).ravel()
        sy = sx if eng.same else np.asarray(eng.Y.sum(axis=0), dtype=np.float64).ravel()
        return float(sx @ sy)
    row_sums = np.zeros(eng.n, dtype=eng.dtype)
    _reduce_rows(eng, func, n_jobs, np.ones(eng.m, dtype=eng.dtype), row_sums)
    return float(row_sums.sum(dtype=np.float64))


def _kernel_trace(eng):
    """Sum of ``k(x_i, x_i)`` (``eng`` built with ``Y is X``)."""
    if eng.metric in ("rbf", "laplacian"):
        return float(eng.n)
    sq = _row_sq_norms(eng.X).astype(np.float64)
    if eng.metric == "linear":
        return float(sq.sum())
    if eng.metric == "cosine":
        return float(np.count_nonzero(sq))
    base = float(eng.gamma) * sq + float(eng.coef0)
    return float((base ** float(eng.degree)).sum())


def mmd2(
    X,
    Y,
    metric="rbf",
    *,
    gamma=None,
    degree=3,
    coef0=1,
    unbiased=False,
    n_jobs=None,
    random_state=None,
):
    """Squared maximum mean discrepancy between the samples ``X`` and ``Y``.

    Biased (V-statistic): ``mean K(X, X) + mean K(Y, Y) - 2 mean K(X, Y)``.
    Unbiased (U-statistic, Gretton et al., 2012): the diagonals of ``K(X, X)``
    and ``K(Y, Y)`` are left out of their means; it can be negative.  Sums
    are accumulated blockwise in float64, never holding a kernel matrix.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features)
    metric, gamma, degree, coef0, n_jobs, random_state
        As in :func:`pairwise_kernels`; a heuristic ``gamma`` is resolved on
        ``X`` once and used for the three blocks.
    unbiased : bool, default=False
        The U-statistic instead of the V-statistic (needs two rows in each
        sample).

    Returns
    -------
    mmd2 : float

    References
    ----------
    A. Gretton, K. Borgwardt, M. Rasch, B. Schölkopf, A. Smola. A kernel
    two-sample test. JMLR 13, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import mmd2
    >>> X = np.array([[0.0], [1.0]])
    >>> round(mmd2(X, X + 1.0, gamma=1.0), 6)
    0.490842
    """
    func = "mmd2"
    X, Y, _ = _validate_pair(func, X, Y)
    params = _validate_params(func, metric, X, gamma, degree, coef0, random_state)
    m, n = X.shape[0], Y.shape[0]
    if m == 0 or n == 0:
        raise ValueError(f"{func}: X and Y need at least one row each.")
    if unbiased and (m < 2 or n < 2):
        raise ValueError(f"{func}: unbiased=True needs at least 2 rows in X and in Y.")
    exx = _Engine(X, X, True, metric, params)
    eyy = _Engine(Y, Y, True, metric, params)
    exy = _Engine(X, Y, False, metric, params)
    sxx, syy = _kernel_sum(exx, func, n_jobs), _kernel_sum(eyy, func, n_jobs)
    sxy = _kernel_sum(exy, func, n_jobs)
    if unbiased:
        txx, tyy = _kernel_trace(exx), _kernel_trace(eyy)
        return (sxx - txx) / (m * (m - 1)) + (syy - tyy) / (n * (n - 1)) - 2 * sxy / (m * n)
    return sxx / m**2 + syy / n**2 - 2 * sxy / (m * n)
