"""Dask support: fits whose statistics are sums over rows, and blockwise prediction.

skadapt never imports dask at import time: :func:`is_dask_array` looks at the
type's module, and dask is imported inside the helpers, which run only when
a dask array was passed.  This module is the one home of the dask machinery:

* :func:`check_dask_X` validates a dask ``X`` for ``fit`` (2-d, known row
  chunks, float dtype, one chunk across the columns) without computing it;
* :func:`row_sum` adds a per-block statistic over the row blocks of ``X``
  (``dask.array.blockwise`` then a tree ``sum``): a fit's sums are computed
  where the blocks live and only the small totals reach the client;
* :func:`take_rows` gathers a few rows (centres, landmarks, a subsample) by
  their indices, so that the in-memory and the dask fit draw the same rows
  from the same random numbers;
* :func:`dask_rows` makes ``predict``, ``transform``, ``density_ratio`` & co.
  return a lazy dask array computed block by block (``map_blocks``) when
  they are given a dask array.

Every function run on the workers is a module-level function (picklable by
reference); the fitted estimator is shipped with the task.
"""

import functools

import numpy as np

__all__ = []

#: Methods that fit on dask arrays, for the error raised by the others.
DASK_FIT_METHODS = "ULSIF, RuLSIF, KMM(n_components=...), TCA(n_landmarks=...), LabeledOnly"


def is_dask_array(X):
    """Whether ``X`` is a dask array (decided without importing dask)."""
    cls = type(X)
    return cls.__name__ == "Array" and cls.__module__.startswith("dask.array")


def _da():
    import dask.array as da

    return da


def any_inf_nan(X):
    """Whether a dask array holds inf and whether it holds NaN (one blockwise pass)."""
    import dask

    has_inf, has_nan = dask.compute(np.isinf(X).any(), np.isnan(X).any())
    return bool(has_inf), bool(has_nan)


def check_dask_X(estimator, X):
    """Validate a dask ``X`` of ``fit`` lazily; returns it row-chunked.

    Sets ``n_features_in_``.  Finite values are checked block by block by
    :func:`row_sum` when the statistics are computed.
    """
    name = type(estimator).__name__
    if X.ndim != 2:
        raise ValueError(
            f"{name}: X must be a 2-d dask array (n_samples, n_features), got ndim={X.ndim}."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            f"{name}: X is a dask array with unknown chunk sizes; call "
            "X.compute_chunk_sizes() (or build it with known chunks) before fit."
        )
    if X.dtype.kind in "biu":
        X = X.astype(np.float64)
    elif X.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{name}: X must hold float32 or float64 numbers, got a dask array of "
            f"dtype {X.dtype}."
        )
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    estimator.n_features_in_ = int(X.shape[1])
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return X


def check_dask_fit_supported(estimator):
    """Raise the estimator's explanation when it cannot fit on a dask array."""
    message = estimator._dask_fit_error()
    if message is not None:
        raise TypeError(message)


def default_dask_fit_error(estimator):
    """The error of a method whose fit needs all rows in one process."""
    name = type(estimator).__name__
    return (
        f"{name} cannot be fit on a dask array: its fit needs all rows in one process "
        f"(it is not a sum over rows).  Compute X first (X.compute()) if it fits in "
        f"memory, or use a method that fits blockwise on dask arrays: {DASK_FIT_METHODS}."
    )


def _row_chunked(X):
    return X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X


def _block_total(X_block, *row_blocks, func, size, name, kwargs):
    if X_block.shape[0] == 0:  # e.g. a block without target rows
        return np.zeros((1, size))
    if not np.isfinite(X_block).all():
        raise ValueError(f"{name}: X contains NaN or infinity.")
    part = np.asarray(func(X_block, *row_blocks, **kwargs), dtype=np.float64).ravel()
    if part.shape[0] != size:  # a programming error, never user input
        raise RuntimeError(f"{name}: a block statistic has {part.shape[0]} values, not {size}.")
    return part[None, :]


def _block_parts(func, X, row_arrays, size, name, kwargs):
    """Lazy ``(n_blocks, size)`` array: ``func`` on each row block of ``X``."""
    da = _da()
    X = _row_chunked(X)
    args = [X, "ij"]
    for values in row_arrays:
        args += [as_row_blocks(values, X), "i"]
    return da.blockwise(
        functools.partial(_block_total, func=func, size=size, name=name, kwargs=kwargs),
        "ij",
        *args,
        adjust_chunks={"i": 1, "j": size},
        dtype=np.float64,
        meta=np.empty((0, 0), dtype=np.float64),
    )


def row_sum(func, X, *row_arrays, size, name, **kwargs):
    """Sum over the row blocks of ``X`` of ``func(X_block, *row_blocks, **kwargs)``.

    Parameters
    ----------
    func : callable
        Module-level function returning a float array with ``size`` values
        for one block of rows (it is pickled by reference to the workers).
    X : dask array of shape (n_samples, n_features)
        One chunk across the columns (see :func:`check_dask_X`).
    *row_arrays : ndarray of shape (n_samples,)
        Per-row values (masks, codes) cut into the row blocks of ``X``.
    size : int
        Number of values ``func`` returns.
    name : str
        The estimator's name, for the error on non-finite values.
    **kwargs
        Small fixed arguments of ``func`` (centres, landmarks, the estimator).

    Returns
    -------
    total : ndarray of shape (size,)
        The sum (a dask tree reduction), computed by dask: on the current
        ``distributed`` client, if any.
    """
    return _block_parts(func, X, row_arrays, size, name, kwargs).sum(axis=0).compute()


def row_blocks(func, X, *row_arrays, size, name, **kwargs):
    """Like :func:`row_sum`, but returns the ``(n_blocks, size)`` per-block values."""
    return _block_parts(func, X, row_arrays, size, name, kwargs).compute()


def take_rows(X, indices, name):
    """The rows ``X[indices]`` (in that order) as an in-memory ndarray, checked finite."""
    indices = np.asarray(indices, dtype=np.int64)
    order = np.argsort(indices, kind="stable")
    rows = np.asarray(X[indices[order]].compute())
    if not np.isfinite(rows).all():
        raise ValueError(f"{name}: X contains NaN or infinity.")
    out = np.empty_like(rows)
    out[order] = rows
    return out


def map_rows(func, X, n_out, dtype, **kwargs):
    """Lazy ``func(X_block, **kwargs)`` block by block: (n,) or (n, n_out) if ``n_out``."""
    X = _row_chunked(X)
    if n_out is None:
        return X.map_blocks(func, drop_axis=1, chunks=(X.chunks[0],), dtype=dtype, **kwargs)
    return X.map_blocks(func, chunks=(X.chunks[0], (n_out,)), dtype=dtype, **kwargs)


def _apply_method(X_block, estimator, method, args, kwargs):
    return getattr(estimator, method)(X_block, *args, **kwargs)


def dask_rows(method):
    """Decorator: on a dask array, run ``method`` lazily on each block of rows.

    The shape and dtype of the output are read from one call on a row of
    zeros; the result is a lazy dask array with the row chunks of ``X``,
    equal to the in-memory result.
    """
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, X, *args, **kwargs):
        if not is_dask_array(X):
            return method(self, X, *args, **kwargs)
        if X.ndim != 2:
            raise ValueError(
                f"{type(self).__name__}.{name}: X must be a 2-d dask array, got ndim={X.ndim}."
            )
        probe = np.asarray(method(self, np.zeros((1, X.shape[1]), dtype=X.dtype), *args, **kwargs))
        n_out = None if probe.ndim == 1 else probe.shape[1]
        return map_rows(
            _apply_method, X, n_out, probe.dtype,
            estimator=self, method=name, args=args, kwargs=kwargs,
        )

    return wrapper


def _masked_block(X_block, mask_block):
    return X_block[mask_block[:, 0]]


def select_rows(X, mask):
    """Lazy ``X[mask]`` for a boolean numpy ``mask``, block by block.

    Unlike dask's own boolean indexing, no integer index array of the rows is
    built on the client: each block receives its slice of the mask.
    """
    X = _row_chunked(X)
    bounds = np.cumsum((0,) + X.chunks[0])
    counts = tuple(int(mask[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:]))
    selected = X.map_blocks(
        _masked_block, as_row_blocks(mask, X)[:, None], chunks=(counts, X.chunks[1]),
        dtype=X.dtype,
    )
    # empty blocks are left out (dask's moments, e.g. var, give NaN on them)
    kept = [selected.blocks[i] for i, c in enumerate(counts) if c > 0]
    if len(kept) == len(counts) or not kept:
        return selected
    return _da().concatenate(kept)


def scatter_rows(values, mask, X):
    """A dask array cut like the rows of ``X``: ``values`` on the rows of ``mask``, 0 elsewhere."""
    out = np.zeros(mask.shape[0], dtype=np.float64)
    out[mask] = values
    return as_row_blocks(out, X)


def as_row_blocks(values, X):
    """The in-memory per-row ``values`` as a dask array cut like the rows of ``X``."""
    return _da().from_array(np.asarray(values), chunks=(_row_chunked(X).chunks[0],))
