"""Jitted inner loops of the kernel engine (the only numba code of skadapt).

Every function here works on one *block* of a kernel matrix; the blocking,
validation, thread count and dtype handling live in ``_pairwise.py``.  The
functions are compiled lazily, at their first call, and cached on disk
(``cache=True``): importing this module compiles nothing.

How the speed is obtained
-------------------------
* Dot-product kernels (rbf, polynomial) take a Gram block ``X_b @ Y.T``
  computed by BLAS and turn it *in place* into kernel values in a single
  pass (distance, clip at 0, scale, exponential), parallel over rows.
* The exponential is :func:`_exp_parts`, a range-reduced polynomial written
  as plain arithmetic so that LLVM vectorises the loop (numba's ``np.exp``
  is a scalar libm call: the llvmlite wheel has no SVML).  ``exp(x) = p *
  2**k`` with ``|r| <= ln(2)/2`` and a degree-13 Taylor polynomial for
  ``exp(r)``: relative error about 2e-16 in float64; the scaling by ``2**k``
  is an integer add on the exponent bits through an integer *view* of the
  output row, made inside the loop (``row.view(tok.dtype)``, ``tok`` an
  empty array of the integer type) so that LLVM sees that both names are
  the same memory and vectorises without runtime alias checks.  Arguments below ``x_min`` (where ``exp(x)`` is below the smallest
  normal number) give exactly 0.
* The laplacian kernel has no BLAS form: :func:`laplacian_block` computes
  L1 distances with the column block of ``Y.T`` held in cache, four rows of
  ``X`` at a time, vectorised over the columns (no reduction to reorder, so
  no ``fastmath``), then the same exponential.
* Sparse (CSR) rows: :func:`csr_gram_block_serial` adds the Gram block
  ``X_b @ Y_b.T`` straight into the dense tile (after BLAS has written the
  part of the few very frequent columns, see ``_pairwise._split_frequent``) (each nonzero ``x_ik`` meets
  the nonzeros of column ``k`` of ``Y_b``, which is passed transposed, as
  CSR), so the rbf / polynomial / sigmoid passes above apply unchanged;
  :func:`csr_l1_block_serial` computes L1 distances with the row of ``X``
  scattered into a dense scratch vector, touching only the nonzeros of
  each row of ``Y``.  No sparse row is ever densified.
* Each kernel comes twice: ``parallel=True`` (numba threads over rows) and
  ``*_serial`` (``nogil=True``, for the caller's own worker threads, which
  also run BLAS); both call the same inlined row function.
* Every output element is computed by exactly one thread in a fixed order,
  so the results do not depend on the number of threads.

The only fast-math flag is ``contract`` (``_FMA``): a multiply followed by
an add may become one fused multiply-add, which rounds once instead of
twice.  Nothing is reordered or reassociated (the range reduction relies on
the order of its operations, and sums keep their order so that results do
not depend on the vector width or the thread count).
"""

import numpy as np
from numba import njit, prange

__all__ = [
    "exp_constants",
    "NO_DIAG",
    "exp_neg_inplace",
    "exp_neg_inplace_serial",
    "laplacian_block",
    "laplacian_block_serial",
    "csr_gram_block_serial",
    "csr_l1_block_serial",
    "polynomial_inplace",
    "polynomial_inplace_serial",
    "rbf_inplace",
    "rbf_inplace_serial",
]

_FMA = {"contract"}
#: ``diag_offset`` meaning "this block holds no diagonal entry of K(X, X)".
NO_DIAG = -(2**62)
_NO_DIAG = NO_DIAG
_TAYLOR = tuple(1.0 / float(np.prod(np.arange(1, i + 1, dtype=float))) for i in range(14))


def exp_constants(dtype):
    """Constants of :func:`_exp_parts` in ``dtype`` (float32 or float64).

    Returns ``(constants, int_dtype, shift)``: a tuple of 20 numbers of the
    dtype, the integer type of the same width and the number of mantissa bits.
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        # Cody-Waite split of ln 2 (high part with trailing zero bits).
        ln2_hi, ln2_lo, x_min = 6.93147180369123816490e-01, 1.90821492927058770002e-10, -708.0
        int_dtype, shift = np.int64, 52
    elif dtype == np.float32:
        ln2_hi, ln2_lo, x_min = 0.693359375, -2.12194440e-4, -86.0
        int_dtype, shift = np.int32, 23
    else:  # pragma: no cover - callers only pass float32/float64
        raise TypeError(f"exp_constants: unsupported dtype {dtype}")
    values = (1.4426950408889634, ln2_hi, ln2_lo, x_min, 0.5, 0.0, 1.0, 2.0) + _TAYLOR[2:]
    return tuple(dtype.type(v) for v in values), int_dtype, shift


@njit(inline="always")
def _exp_parts(x, c):
    """``exp(x) == p * 2**k`` for ``x <= 0``; ``(0, 0)`` when ``x < c[3]``.

    ``c`` comes from :func:`exp_constants`: c[0]=1/ln2, c[1], c[2]=ln2 split,
    c[3]=x_min, c[4]=0.5, c[5]=0, c[6]=1, c[7]=2, c[8:]=1/2!, ..., 1/13!.
    """
    k = np.floor(x * c[0] + c[4])
    r = (x - k * c[1]) - k * c[2]
    p = c[19]
    p = c[18] + r * p
    p = c[17] + r * p
    p = c[16] + r * p
    p = c[15] + r * p
    p = c[14] + r * p
    p = c[13] + r * p
    p = c[12] + r * p
    p = c[11] + r * p
    p = c[10] + r * p
    p = c[9] + r * p
    p = c[8] + r * p
    p = c[6] + r * p
    p = c[6] + r * p
    if x < c[3]:
        p = c[5]
        k = c[5]
    return p, k


@njit(inline="always")
def _exp_neg_row(row, tok, shift, gamma, c):
    row_int = row.view(tok.dtype)
    for j in range(row.shape[0]):
        p, k = _exp_parts(-gamma * row[j], c)
        row[j] = p
        row_int[j] += np.int64(k) << shift


@njit(parallel=True, cache=True, fastmath=_FMA)
def exp_neg_inplace(A, tok, shift, gamma, c):
    """``A <- exp(-gamma * A)`` in place (``A >= 0``, C-contiguous).

    ``tok`` is an empty array of the integer type as wide as ``A``'s and
    ``shift`` the number of mantissa bits (see :func:`exp_constants`).
    """
    for i in prange(A.shape[0]):
        _exp_neg_row(A[i], tok, shift, gamma, c)


@njit(nogil=True, cache=True, fastmath=_FMA)
def exp_neg_inplace_serial(A, tok, shift, gamma, c):
    """:func:`exp_neg_inplace` in the calling thread, without the GIL."""
    for i in range(A.shape[0]):
        _exp_neg_row(A[i], tok, shift, gamma, c)


@njit(inline="always")
def _rbf_row(row, tok, i, shift, xx, yy, gamma, diag_offset, c):
    zero, one, two = c[5], c[6], c[7]
    row_int = row.view(tok.dtype)
    xi = xx[i]
    m = row.shape[0]
    for j in range(m):
        d = xi + yy[j] - two * row[j]
        if d < zero:
            d = zero
        p, k = _exp_parts(-gamma * d, c)
        row[j] = p
        row_int[j] += np.int64(k) << shift
    jd = i + diag_offset
    if diag_offset != _NO_DIAG and 0 <= jd < m:
        row[jd] = one


@njit(parallel=True, cache=True, fastmath=_FMA)
def rbf_inplace(G, tok, shift, xx, yy, gamma, diag_offset, c):
    """Turn a Gram block ``G = X_b @ Y_b.T`` into ``exp(-gamma * ||x - y||^2)``.

    ``xx`` and ``yy`` are the squared row norms of ``X_b`` and ``Y_b``; the
    squared distance ``xx_i + yy_j - 2 G_ij`` is clipped at 0.  Unless
    ``diag_offset`` is ``NO_DIAG``, the entries ``(i, i + diag_offset)`` are
    on the diagonal of ``K(X, X)`` and are set to exactly 1.  ``tok`` and
    ``shift`` as in :func:`exp_neg_inplace`.
    """
    for i in prange(G.shape[0]):
        _rbf_row(G[i], tok, i, shift, xx, yy, gamma, diag_offset, c)


@njit(nogil=True, cache=True, fastmath=_FMA)
def rbf_inplace_serial(G, tok, shift, xx, yy, gamma, diag_offset, c):
    """:func:`rbf_inplace` in the calling thread, without the GIL."""
    for i in range(G.shape[0]):
        _rbf_row(G[i], tok, i, shift, xx, yy, gamma, diag_offset, c)


@njit(inline="always")
def _polynomial_row(row, gamma, coef0, degree, int_degree, one):
    for j in range(row.shape[0]):
        b = gamma * row[j] + coef0
        if int_degree >= 0:
            e = int_degree
            r = one
            while e > 0:
                if e & 1:
                    r = r * b
                b = b * b
                e >>= 1
            row[j] = r
        else:
            row[j] = b**degree


@njit(parallel=True, cache=True, fastmath=_FMA)
def polynomial_inplace(G, gamma, coef0, degree, int_degree, one):
    """Turn a Gram block into ``(gamma * G + coef0) ** degree`` in place.

    ``int_degree >= 0`` means the degree is that integer and the power is
    taken by repeated squaring; otherwise ``degree`` goes to ``**``.
    ``gamma``, ``coef0``, ``degree`` and ``one`` have the dtype of ``G``.
    """
    for i in prange(G.shape[0]):
        _polynomial_row(G[i], gamma, coef0, degree, int_degree, one)


@njit(nogil=True, cache=True, fastmath=_FMA)
def polynomial_inplace_serial(G, gamma, coef0, degree, int_degree, one):
    """:func:`polynomial_inplace` in the calling thread, without the GIL."""
    for i in range(G.shape[0]):
        _polynomial_row(G[i], gamma, coef0, degree, int_degree, one)


@njit(inline="always")
def _laplacian_task(X, Yt, gamma, out, tok, shift, c, i0, j0, j1):
    """Rows ``i0..i0+3`` (at most) and columns ``j0..j1`` of the laplacian block."""
    n, d = X.shape
    zero = c[5]
    i1 = min(i0 + 4, n)
    if i1 - i0 == 4:
        r0 = out[i0, j0:j1]
        r1 = out[i0 + 1, j0:j1]
        r2 = out[i0 + 2, j0:j1]
        r3 = out[i0 + 3, j0:j1]
        r0[:] = zero
        r1[:] = zero
        r2[:] = zero
        r3[:] = zero
        for k in range(d):
            y = Yt[k, j0:j1]
            x0 = X[i0, k]
            x1 = X[i0 + 1, k]
            x2 = X[i0 + 2, k]
            x3 = X[i0 + 3, k]
            for j in range(j1 - j0):
                yj = y[j]
                r0[j] += abs(x0 - yj)
                r1[j] += abs(x1 - yj)
                r2[j] += abs(x2 - yj)
                r3[j] += abs(x3 - yj)
    else:
        for i in range(i0, i1):
            r = out[i, j0:j1]
            r[:] = zero
            for k in range(d):
                y = Yt[k, j0:j1]
                x = X[i, k]
                for j in range(j1 - j0):
                    r[j] += abs(x - y[j])
    for i in range(i0, i1):
        _exp_neg_row(out[i, j0:j1], tok, shift, gamma, c)


@njit(parallel=True, cache=True, fastmath=_FMA)
def laplacian_block(X, Yt, gamma, out, tok, shift, c, col_block):
    """``out <- exp(-gamma * ||x_i - y_j||_1)`` for rows of ``X`` and columns of ``Yt``.

    ``Yt`` is ``Y.T`` (C-contiguous, shape ``(d, m)``) so that the inner loop
    runs along a contiguous row of ``Yt`` and vectorises without any
    reordering of sums.  Columns are processed in blocks of ``col_block``
    (sized by the caller so that ``Yt[:, block]`` stays in cache) and rows
    four at a time (each loaded ``Yt`` value serves four rows).  Tasks are
    ordered column block first, so that the static schedule gives each thread
    a run of row groups on the same cached column block.
    """
    n = X.shape[0]
    m = Yt.shape[1]
    n_groups = (n + 3) // 4
    n_col_blocks = (m + col_block - 1) // col_block
    for t in prange(n_groups * n_col_blocks):
        jb = t // n_groups
        g = t - jb * n_groups
        j0 = jb * col_block
        _laplacian_task(X, Yt, gamma, out, tok, shift, c, 4 * g, j0, min(j0 + col_block, m))


@njit(nogil=True, cache=True, fastmath=_FMA)
def laplacian_block_serial(X, Yt, gamma, out, tok, shift, c, col_block):
    """:func:`laplacian_block` in the calling thread, without the GIL."""
    n = X.shape[0]
    m = Yt.shape[1]
    for j0 in range(0, m, col_block):
        for i0 in range(0, n, 4):
            _laplacian_task(X, Yt, gamma, out, tok, shift, c, i0, j0, min(j0 + col_block, m))


@njit(nogil=True, cache=True)
def csr_gram_block_serial(x_ptr, x_ind, x_val, yt_ptr, yt_ind, yt_val, out):
    """``out += X_b @ Y_b.T`` for CSR ``X_b`` and ``Y_b.T`` (CSR of shape (d, m)).

    ``out`` (rows of ``X_b`` x rows of ``Y_b``, C-contiguous) holds the
    product of the other columns (BLAS, frequent columns) or zeros.  The
    products are added in the order of the nonzeros of each row of ``X_b``,
    so the result is deterministic.
    """
    for i in range(out.shape[0]):
        row = out[i]
        for p in range(x_ptr[i], x_ptr[i + 1]):
            k = x_ind[p]
            v = x_val[p]
            for q in range(yt_ptr[k], yt_ptr[k + 1]):
                row[yt_ind[q]] += v * yt_val[q]


@njit(nogil=True, cache=True)
def csr_l1_block_serial(x_ptr, x_ind, x_val, y_ptr, y_ind, y_val, n_features, out):
    """``out[i, j] = ||x_i - y_j||_1`` for CSR ``X_b`` and ``Y_b`` (canonical: no duplicates).

    The row ``x_i`` is scattered into a dense scratch vector of length
    ``n_features``; then ``||x_i - y_j||_1 = ||x_i||_1 + sum_k (|x_ik - y_jk| - |x_ik|)``
    over the nonzeros ``k`` of ``y_j`` only (accumulated in float64).
    """
    scratch = np.zeros(n_features, dtype=np.float64)
    for i in range(out.shape[0]):
        norm = 0.0
        for p in range(x_ptr[i], x_ptr[i + 1]):
            v = np.float64(x_val[p])
            scratch[x_ind[p]] = v
            norm += abs(v)
        row = out[i]
        for j in range(row.shape[0]):
            s = norm
            for q in range(y_ptr[j], y_ptr[j + 1]):
                xk = scratch[y_ind[q]]
                s += abs(xk - np.float64(y_val[q])) - abs(xk)
            row[j] = s if s > 0.0 else 0.0
        for p in range(x_ptr[i], x_ptr[i + 1]):
            scratch[x_ind[p]] = 0.0
