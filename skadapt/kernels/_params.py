"""Validation, ``gamma`` heuristics and thread control of the kernel engine.

Every public kernel function checks its input through :func:`validate_pair`
and :func:`validate_params` (errors name the function and the argument),
resolves ``gamma`` once (:func:`resolve_gamma`) and sets its thread count
with :func:`thread_limits` for the duration of the call only.
"""

import numbers
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, check_random_state

from ..utils._dask import is_dask_array

__all__ = [
    "KERNEL_PARAMS",
    "check_finite",
    "n_workers",
    "numba_threads",
    "resolve_gamma",
    "single_threaded_blas",
    "validate_array",
    "validate_metric",
    "validate_pair",
    "validate_params",
]

#: The parameters each metric uses (others are ignored), as in scikit-learn.
KERNEL_PARAMS = {
    "rbf": ("gamma",),
    "laplacian": ("gamma",),
    "linear": (),
    "polynomial": ("gamma", "degree", "coef0"),
    "cosine": (),
    "sigmoid": ("gamma", "coef0"),
}

# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def validate_array(func, name, X):
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


def validate_pair(func, X, Y, *, x_name="X", y_name="Y"):
    """Validate ``X`` and ``Y`` (``None`` means ``X``) to one dtype and width.

    Returns ``(X, Y, same)`` where ``same`` tells that ``Y`` is ``X``.
    """
    same = Y is None or Y is X
    X = validate_array(func, x_name, X)
    if same:
        return X, X, True
    Y = validate_array(func, y_name, Y)
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


def validate_metric(func, metric):
    if not isinstance(metric, str) or metric not in KERNEL_PARAMS:
        raise ValueError(
            f"{func}: unknown metric {metric!r}; expected one of {sorted(KERNEL_PARAMS)}."
        )


def check_finite(owner, name, value, *, bound=None, alternatives=(), listed=False,
                 integer=False):
    """Check that ``value`` is a finite real number (or one of ``alternatives``).

    The one finite-number validator of skadapt: the kernel functions check
    their numeric arguments with it, the estimators their kernel widths,
    ridges and ``gamma`` grids.

    Parameters
    ----------
    owner : str or estimator
        Who checks: a function name (its arguments are named bare, as in
        ``"pairwise_kernels: gamma must be ..."``) or an estimator (named by
        its class; its parameters are quoted, ``"KMM: `gamma` must be ..."``).
    name : str
        The argument.
    value : object
        The value to check.
    bound : {None, "> 0", ">= 0"}, default=None
        The sign the number must have (``None``: any finite number).
    alternatives : tuple of str or None, default=()
        Other accepted values (e.g. ``"scale"``, ``None``): returned
        unchanged and named in the message.
    listed : bool, default=False
        Say in the message that a list of such values is accepted too (the
        check itself is on one element).
    integer : bool, default=False
        The number must be integral (an ``int`` or an integral float).

    Returns
    -------
    value : float, int or one of ``alternatives``
        ``float(value)`` (``int(value)`` when ``integer``).
    """
    for alternative in alternatives:
        if value is alternative or (
            isinstance(value, str) and isinstance(alternative, str) and value == alternative
        ):
            return value
    number = not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real)
    ok = number and bool(np.isfinite(value))
    if ok and bound is not None:
        ok = value > 0 if bound == "> 0" else value >= 0
    if ok and integer:
        ok = float(value).is_integer()
    if not ok:
        kind = "an integer" if integer else "a finite number"
        expected = [kind if bound is None else f"{kind} {bound}"]
        expected += [repr(a) for a in alternatives]
        text = expected[0] if len(expected) == 1 else (
            ", ".join(expected[:-1]) + " or " + expected[-1]
        )
        if listed:
            text += " (or a list of them)"
        if isinstance(owner, str):
            who, arg = owner, name
        else:
            who, arg = type(owner).__name__, f"`{name}`"
        raise ValueError(f"{who}: {arg} must be {text}, got {value!r}.")
    return int(value) if integer else float(value)


def validate_params(func, metric, X, gamma, degree, coef0, random_state):
    """Resolve and check the parameters ``metric`` uses; returns a dict of floats."""
    validate_metric(func, metric)
    params = {}
    if "gamma" in KERNEL_PARAMS[metric]:
        params["gamma"] = _resolve_gamma(func, X, gamma, metric, random_state)
    if "degree" in KERNEL_PARAMS[metric]:
        params["degree"] = check_finite(func, "degree", degree, bound=">= 0")
    if "coef0" in KERNEL_PARAMS[metric]:
        params["coef0"] = check_finite(func, "coef0", coef0)
    return params


def n_workers(func, n_jobs):
    """The number of threads ``n_jobs`` asks for (``None``: numba's current setting)."""
    import numba

    if n_jobs is None:
        return numba.get_num_threads()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"{func}: n_jobs must be None or a non-zero integer, got {n_jobs!r}.")
    available = numba.config.NUMBA_NUM_THREADS
    n_threads = n_jobs if n_jobs > 0 else available + 1 + n_jobs
    return int(min(max(n_threads, 1), available))


@contextmanager
def numba_threads(n_threads):
    """numba's thread count set to ``n_threads`` for one call, then restored."""
    import numba

    old = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    try:
        yield
    finally:
        numba.set_num_threads(old)


_BLAS_CONTROLLER = []


@contextmanager
def single_threaded_blas():
    """BLAS limited to one thread for one call (our own worker threads call it).

    The ``threadpoolctl`` controller is built at first use and reused (its
    construction inspects the loaded libraries); the limits are restored on
    exit.
    """
    if not _BLAS_CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER.append(ThreadpoolController())
    with _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas"):
        yield


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
    validate_metric("resolve_gamma", metric)
    if not is_dask_array(X):  # a dask X is read lazily: its variance, or a subsample
        X = validate_array("resolve_gamma", "X", X)
    return _resolve_gamma("resolve_gamma", X, gamma, metric, random_state, n_subsample)


def _resolve_gamma(func, X, gamma, metric, random_state, n_subsample=1000):
    gamma = check_finite(func, "gamma", gamma, bound="> 0", alternatives=("scale", "median", None))
    if gamma is None:
        return 1.0 / X.shape[1]
    if gamma == "scale":
        if sp.issparse(X):  # over all n x d entries, zeros included, in float64
            size = X.shape[0] * X.shape[1]
            mean = X.data.sum(dtype=np.float64) / size
            var = max(np.square(X.data, dtype=np.float64).sum() / size - mean**2, 0.0)
        else:
            var = float(X.var(dtype=np.float64))
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "median":
        return _median_gamma(func, X, metric, random_state, n_subsample)
    return gamma


def _median_gamma(func, X, metric, random_state, n_subsample):
    if isinstance(n_subsample, bool) or not isinstance(n_subsample, numbers.Integral):
        raise ValueError(f"{func}: n_subsample must be an integer >= 2, got {n_subsample!r}.")
    if n_subsample < 2:
        raise ValueError(f"{func}: n_subsample must be an integer >= 2, got {n_subsample!r}.")
    n = X.shape[0]
    if n > n_subsample:
        rng = check_random_state(0 if random_state is None else random_state)
        X = X[np.sort(rng.choice(n, n_subsample, replace=False))]
    iu = np.triu_indices(X.shape[0], k=1)
    if sp.issparse(X):
        dist = _sparse_sq_or_l1(X, metric)[iu]
    elif metric == "laplacian":
        from scipy.spatial.distance import pdist

        dist = pdist(np.asarray(X, dtype=np.float64), "cityblock")
    else:
        X = np.asarray(X, dtype=np.float64)
        sq = np.einsum("ij,ij->i", X, X)
        dist = np.maximum(sq[:, None] + sq[None, :] - 2 * (X @ X.T), 0)[iu]
    if dist.size == 0:
        return 1.0 / X.shape[1]
    med = np.median(dist)
    if med <= 0:
        nonzero = dist[dist > 0]
        med = np.median(nonzero) if nonzero.size else 1.0
    return 1.0 / float(med)


def _sparse_sq_or_l1(X, metric):
    """Pairwise squared Euclidean (L1 for the laplacian) distances of CSR rows, float64.

    The subsample's rows stay sparse; only the small distance matrix is dense.
    """
    from . import _numba

    X = sp.csr_matrix(X).astype(np.float64)  # a copy: sum_duplicates works in place
    X.sum_duplicates()
    n = X.shape[0]
    out = np.zeros((n, n))
    if metric == "laplacian":
        _numba.csr_l1_block_serial(
            X.indptr, X.indices, X.data, X.indptr, X.indices, X.data, X.shape[1], out
        )
        return out
    Xt = X.T.tocsr()
    _numba.csr_gram_block_serial(X.indptr, X.indices, X.data, Xt.indptr, Xt.indices, Xt.data, out)
    sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.maximum(sq[:, None] + sq[None, :] - 2 * out, 0)
