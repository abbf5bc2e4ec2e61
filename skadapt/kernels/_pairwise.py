"""Public kernel API: kernel matrices and blockwise kernel reductions.

How the module is built
-----------------------
Every public function validates its input once (``_params.validate_pair``,
``_params.validate_params``: errors name the function and the argument),
resolves ``gamma`` once, then cuts ``K(X, Y)`` into tiles of at most
``_BLOCK_ROWS x _BLOCK_COLS`` entries (a few hundred KB, so a tile stays in a
core's cache between the steps that produce and consume it).  A tile is
produced by :meth:`_Engine.tile` (for ``K(X, X)`` only the tiles on and
above the diagonal, the others are their transposes):

* rbf / polynomial (dense): a BLAS Gram tile ``X_b @ Y_b.T``, turned into
  kernel values in place by one numba pass (``_numba.rbf_inplace_serial`` /
  ``polynomial_inplace_serial``).  For rbf both inputs are first centred by
  the mean of ``X`` (distances do not change) to limit the cancellation in
  ``||x||^2 + ||y||^2 - 2 x.y``, which is clipped at 0; when ``Y is X`` the
  diagonal is exactly 1.
* laplacian (dense): ``_numba.laplacian_block_serial`` (L1 distances
  vectorised over a column tile of ``Y.T``, fused with the exponential).
* linear / cosine: the Gram tile of the (row-normalised) inputs; sigmoid:
  the Gram tile through numpy's in-place ``tanh(gamma G + coef0)``.
* sparse (CSR) input, never densified: the Gram tile is written straight
  from the nonzeros by ``_numba.csr_gram_block_serial`` (``Y``'s column tile
  is kept transposed, as CSR) and goes through the same numba pass (rbf
  from the row norms, without centring); the laplacian's L1 distances come
  from ``_numba.csr_l1_block_serial`` (the row of ``X`` scattered into a
  dense vector, the nonzeros of ``Y``'s rows visited), then the exponential.

Row blocks are shared among ``n_jobs`` worker threads (numba code runs
without the GIL; BLAS is limited to one thread meanwhile so that the two
thread pools never fight over the cores).  Each worker walks the column
tiles of its row block in a fixed order, so the result does not depend on
``n_jobs``.  A tile is then copied into the output (:func:`pairwise_kernels`)
or reduced at once with BLAS (:func:`kernel_matvec`, :func:`kernel_mean`,
:func:`mmd2`): the reductions hold one tile per worker, never ``K``.
Linear and cosine reductions are ``X @ (Y.T @ v)`` and form no tile at all.
The dense laplacian matrix is filled by the ``parallel=True`` numba kernel
directly.  float32 input stays float32 (mixed input is computed in float64,
as scikit-learn does).

The numba functions are imported and compiled at first use, never at import.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from ._params import (
    KERNEL_PARAMS,
    n_workers,
    numba_threads,
    resolve_gamma,
    single_threaded_blas,
    validate_pair,
    validate_params,
)

__all__ = [
    "KERNEL_PARAMS",
    "kernel_matvec",
    "kernel_mean",
    "mmd2",
    "pairwise_kernels",
    "resolve_gamma",
]

# Tile shape (rows of X, rows of Y): 256 x 1024 float64 is 2 MB, one core's
# L2 cache on the development machine, where the tile stays between the BLAS
# product, the numba pass and the reduction that consume it.
_BLOCK_ROWS = 256
_BLOCK_COLS = 1024
# Square tiles of the symmetric K(X, X), which computes only j >= i.
_BLOCK_SYM = 512
# Below this many elementary operations (n * m * (d + 40)) a kernel runs in
# one thread: waking threads costs more than it gains (and much more when
# other jobs load the machine).
_MIN_PARALLEL_WORK = 2e7
# Sparse Gram tiles: a column is handled densely (BLAS) when its
# nnz(X) * nnz(Y) exceeds n * m / _DENSE_COLUMN_FACTOR (a scattered sparse
# multiply-add costs about this many vectorised BLAS ones; 32 was the
# fastest of 8, 32 and none on TF-IDF of 20 Newsgroups), at most
# _MAX_DENSE_COLUMNS of them.
_DENSE_COLUMN_FACTOR = 32.0
_MAX_DENSE_COLUMNS = 128  # XF is at most n x 128 (100 MB at n = 100,000 in float64)
# Bytes of Y.T the laplacian kernel keeps in cache per column block.
_LAPLACIAN_CACHE_BYTES = 256 * 2**10


# --------------------------------------------------------------------------
# the tile engine
# --------------------------------------------------------------------------
class _Engine:
    """Everything needed to produce tiles ``K(X[i0:i1], Y[j0:j1])`` of one kernel."""

    def __init__(self, X, Y, same, metric, params):
        from . import _numba

        self.nb = _numba
        self.metric, self.same = metric, same
        self.sparse = sp.issparse(X)
        if self.sparse:
            X = _canonical(X)
            Y = X if same else _canonical(Y)
        self.dtype = X.dtype
        self.n, self.m, self.d = X.shape[0], Y.shape[0], X.shape[1]
        self.c, int_dtype, self.shift = _numba.exp_constants(self.dtype)
        self.tok = np.empty(0, dtype=int_dtype)
        t = self.dtype.type
        self.gamma = t(params.get("gamma", 1.0))
        if metric == "polynomial":
            degree = params["degree"]
            self.degree = t(degree)
            self.int_degree = int(degree) if float(degree).is_integer() else -1
            self.coef0 = t(params["coef0"])
        if metric == "sigmoid":
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
        self.X, self.Y = X, Y
        if self.sparse and metric != "laplacian":
            # the Gram tiles: frequent columns through BLAS, the rest from the nonzeros
            self.Xg, self.XF, self.Yg, self.YF = _split_frequent(X, Y, same)
        self._set_tiles(_BLOCK_ROWS, _BLOCK_COLS)

    def _set_tiles(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.col_starts = list(range(0, self.m, cols))
        self._y_tiles = {}

    def _laplacian_col_block(self, width):
        per_col = max(1, self.d) * self.dtype.itemsize
        return int(max(16, min(width, _LAPLACIAN_CACHE_BYTES // per_col)))

    def _y_tile(self, j0):
        """Rows ``j0:j0 + self.cols`` of ``Y`` (as ``Y.T`` for the laplacian), cached."""
        tile = self._y_tiles.get(j0)
        if tile is None:
            tile = self.Y[j0 : j0 + self.cols]
            if self.metric == "laplacian" and not self.sparse:
                tile = np.ascontiguousarray(tile.T)
            elif self.sparse and self.metric != "laplacian":
                # the columns of the tile (for the Gram block) and its frequent columns
                tile = (self.Yg[j0 : j0 + self.cols].T.tocsr(), self.YF[j0 : j0 + self.cols])
            self._y_tiles[j0] = tile
        return tile

    def prepare(self):
        """Build the cached ``Y`` tiles before worker threads read them."""
        for j0 in self.col_starts:
            self._y_tile(j0)

    def tile(self, i0, i1, j0, buf):
        """``K(X[i0:i1], Y[j0:j0 + self.cols])`` in ``buf`` (flat, reused)."""
        nb, Xb, Yb = self.nb, self.X[i0:i1], self._y_tile(j0)
        j1 = min(j0 + self.cols, self.m)
        out = buf[: (i1 - i0) * (j1 - j0)].reshape(i1 - i0, j1 - j0)
        if self.metric == "laplacian":
            if self.sparse:
                nb.csr_l1_block_serial(
                    Xb.indptr, Xb.indices, Xb.data, Yb.indptr, Yb.indices, Yb.data, self.d, out
                )
                nb.exp_neg_inplace_serial(
                    out, self.tok, self.shift, self.gamma, self.c
                )
            else:
                nb.laplacian_block_serial(
                    Xb,
                    Yb,
                    self.gamma,
                    out,
                    self.tok,
                    self.shift,
                    self.c,
                    self._laplacian_col_block(j1 - j0),
                )
            return out
        if self.sparse:
            Xb, (Yt, YF) = self.Xg[i0:i1], Yb
            np.dot(self.XF[i0:i1], YF.T, out=out)
            nb.csr_gram_block_serial(
                Xb.indptr, Xb.indices, Xb.data, Yt.indptr, Yt.indices, Yt.data, out
            )
        else:
            np.dot(Xb, Yb.T, out=out)
        if self.metric == "rbf":
            diag = i0 - j0 if self.same else nb.NO_DIAG
            nb.rbf_inplace_serial(
                out,
                self.tok,
                self.shift,
                self.xx[i0:i1],
                self.yy[j0:j1],
                self.gamma,
                diag,
                self.c,
            )
        elif self.metric == "polynomial":
            nb.polynomial_inplace_serial(
                out, self.gamma, self.coef0, self.degree, self.int_degree, self.c[6]
            )
        elif self.metric == "sigmoid":
            # numpy's in-place ufuncs release the GIL like the numba passes
            out *= self.gamma
            out += self.coef0
            np.tanh(out, out=out)
        return out

    def threads(self, func, n_jobs):
        """Threads for this kernel: ``n_jobs``, or 1 when the work is too small to share."""
        n_threads = n_workers(func, n_jobs)
        return n_threads if self.n * self.m * (self.d + 40) >= _MIN_PARALLEL_WORK else 1

    def laplacian_matrix(self, K):
        """The whole dense laplacian matrix into ``K`` with the parallel kernel."""
        Yt = np.ascontiguousarray(self.Y.T)
        self.nb.laplacian_block(
            self.X,
            Yt,
            self.gamma,
            K,
            self.tok,
            self.shift,
            self.c,
            self._laplacian_col_block(self.m),
        )
        return K

    def for_each_tile(self, func, n_jobs, consume, *, upper=False):
        """Call ``consume(i0, i1, j0, j1, tile)`` on every tile, row blocks in parallel.

        Each row block is handled by one worker (the next free one), which
        visits its column tiles in increasing order; ``consume`` may write
        rows ``i0:i1`` of an output without locking.  With ``upper=True`` (only for ``Y is X``)
        the tiles are square and only those with ``j0 >= i0`` are visited.
        """
        n_threads = self.threads(func, n_jobs)
        if upper:
            self._set_tiles(_BLOCK_SYM, _BLOCK_SYM)
        self.prepare()
        n_blocks = -(-self.n // self.rows)
        buf_size = min(self.rows, self.n) * min(self.cols, self.m)
        next_block = itertools.count()  # shared by the workers (atomic under the GIL)

        def work():
            buf = np.empty(buf_size, dtype=self.dtype)
            for b in next_block:
                if b >= n_blocks:
                    return
                i0 = b * self.rows
                i1 = min(i0 + self.rows, self.n)
                for j0 in self.col_starts:
                    if upper and j0 < i0:
                        continue
                    tile = self.tile(i0, i1, j0, buf)
                    consume(i0, i1, j0, j0 + tile.shape[1], tile)

        with single_threaded_blas():
            if n_threads == 1 or n_blocks == 1:
                work()
                return
            # dynamic schedule: a worker slowed down by other jobs takes fewer blocks
            with ThreadPoolExecutor(n_threads) as pool:
                for future in [pool.submit(work) for _ in range(n_threads)]:
                    future.result()


def _canonical(X):
    """CSR ``X`` without duplicate entries (a copy only when it has some)."""
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _split_frequent(X, Y, same):
    """``X = Xg + XF`` (and ``Y``): the frequent columns dense, the rest sparse.

    The sparse Gram product costs ``nnz_k(X) * nnz_k(Y)`` scattered
    multiply-adds for column ``k``, BLAS ``n * m`` vectorised ones: a column
    goes dense when the first is above ``n * m / _DENSE_COLUMN_FACTOR``
    (at most ``_MAX_DENSE_COLUMNS`` columns, the costliest).  On TF-IDF rows
    the few words present in a large share of the documents ("the", header
    fields) are most of the sparse cost.  ``XF`` is ``n x n_frequent``: the
    rows themselves stay sparse.
    """
    n, m, d = X.shape[0], Y.shape[0], X.shape[1]
    count_x = np.bincount(X.indices, minlength=d).astype(np.float64)
    count_y = count_x if same else np.bincount(Y.indices, minlength=d).astype(np.float64)
    cost = count_x * count_y
    frequent = np.flatnonzero(cost > n * m / _DENSE_COLUMN_FACTOR)
    if frequent.size > _MAX_DENSE_COLUMNS:
        frequent = np.sort(frequent[np.argsort(-cost[frequent])[:_MAX_DENSE_COLUMNS]])

    def split(A):
        is_frequent = np.zeros(d, dtype=bool)
        is_frequent[frequent] = True
        dense = np.zeros((A.shape[0], frequent.size), dtype=A.dtype)
        if frequent.size:
            position = np.cumsum(is_frequent) - 1
            rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
            hit = is_frequent[A.indices]
            dense[rows[hit], position[A.indices[hit]]] = A.data[hit]
            keep = ~hit
            counts = np.bincount(rows[keep], minlength=A.shape[0])
            indptr = np.r_[0, np.cumsum(counts)].astype(A.indptr.dtype)
            A = sp.csr_matrix((A.data[keep], A.indices[keep], indptr), shape=A.shape)
        return A, dense

    Xg, XF = split(X)
    Yg, YF = (Xg, XF) if same else split(Y)
    return Xg, XF, Yg, YF


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


def _setup(func, X, Y, metric, gamma, degree, coef0, random_state):
    X, Y, same = validate_pair(func, X, Y)
    params = validate_params(func, metric, X, gamma, degree, coef0, random_state)
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
    relative in float64) for the six metrics below, computed blockwise with
    BLAS and numba on dense input and with scipy on sparse input.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
        Finite values.  float32 input (with float32 ``Y``) is computed and
        returned in float32, anything else in float64.
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features), default=None
        ``None`` means ``Y = X``; then the rbf diagonal is exactly 1.
    metric : {"rbf", "laplacian", "linear", "polynomial", "cosine", "sigmoid"}, \
            default="rbf"
        - rbf: ``exp(-gamma ||x - y||^2)``;
        - laplacian: ``exp(-gamma ||x - y||_1)``;
        - linear: ``x . y``;
        - polynomial: ``(gamma x . y + coef0) ** degree``;
        - cosine: ``x . y / (||x|| ||y||)`` (0 for a zero row);
        - sigmoid: ``tanh(gamma x . y + coef0)``.  Not positive semi-definite
          in general: its Gram matrix can have negative eigenvalues on some
          data (methods that need a valid kernel check this).
    gamma : float, "scale", "median" or None, default=None
        Kernel width of rbf, laplacian, polynomial and sigmoid (ignored
        otherwise).
        ``None`` is ``1 / n_features`` as in scikit-learn; the heuristics
        ``"scale"`` and ``"median"`` are computed on ``X`` by
        :func:`resolve_gamma`.  A float must be finite and > 0.
    degree : float, default=3
        Degree of the polynomial kernel (>= 0).
    coef0 : float, default=1
        Constant of the polynomial and sigmoid kernels.
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
    if metric == "laplacian" and not eng.sparse:
        with numba_threads(eng.threads(func, n_jobs)):
            return eng.laplacian_matrix(K)

    def store(i0, i1, j0, j1, tile):
        K[i0:i1, j0:j1] = tile
        if eng.same and j0 != i0:
            K[j0:j1, i0:i1] = tile.T

    # K(X, X) is symmetric: only the tiles on and above the diagonal are computed
    eng.for_each_tile(func, n_jobs, store, upper=eng.same)
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
    """``out = K(X, Y) @ vec`` tile by tile, never holding ``K``."""

    def accumulate(i0, i1, j0, j1, tile):
        if j0 == 0:
            np.matmul(tile, vec[j0:j1], out=out[i0:i1])
        else:
            out[i0:i1] += tile @ vec[j0:j1]

    eng.for_each_tile(func, n_jobs, accumulate)
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

    The kernel is computed in tiles of a few hundred KB that are multiplied
    by ``v`` and dropped at once: the extra memory is one tile per thread
    (plus ``O((n_samples_X + n_samples_Y) * n_features)``).  For linear and cosine kernels it is
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
    if eng.metric == "sigmoid":
        return float(np.tanh(base).sum())
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
    X, Y, _ = validate_pair(func, X, Y)
    params = validate_params(func, metric, X, gamma, degree, coef0, random_state)
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
