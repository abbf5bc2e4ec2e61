"""Public kernel API (PROVISIONAL reference implementation on top of scikit-learn).

The kernels helper replaces the internals with the numba engine in
``_numba.py``; the signatures below are the contract every method codes to.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import pairwise as _skp

KERNEL_PARAMS = {
    "rbf": ("gamma",),
    "laplacian": ("gamma",),
    "linear": (),
    "polynomial": ("gamma", "degree", "coef0"),
    "cosine": (),
}


def resolve_gamma(X, gamma, *, metric="rbf", random_state=None, n_subsample=1000):
    """Resolve ``gamma`` ("scale", "median", None or a positive float) to a float."""
    if gamma is None or gamma == "scale":
        var = X.var() if not sp.issparse(X) else X.multiply(X).mean() - X.mean() ** 2
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "median":
        rng = np.random.default_rng(random_state if isinstance(random_state, int) else 0)
        idx = rng.choice(X.shape[0], min(X.shape[0], n_subsample), replace=False)
        D = _skp.euclidean_distances(X[idx], squared=True)
        med = np.median(D[np.triu_indices_from(D, k=1)])
        return 1.0 / med if med > 0 else 1.0
    return float(gamma)


def pairwise_kernels(X, Y=None, metric="rbf", *, gamma=None, degree=3, coef0=1, n_jobs=None):
    """Kernel matrix K(X, Y)."""
    params = {}
    if metric in ("rbf", "laplacian", "polynomial"):
        params["gamma"] = resolve_gamma(X, gamma, metric=metric)
    if metric == "polynomial":
        params.update(degree=degree, coef0=coef0)
    return _skp.pairwise_kernels(X, Y, metric=metric, **params)


def kernel_matvec(X, Y, v, metric="rbf", *, gamma=None, degree=3, coef0=1, n_jobs=None):
    """K(X, Y) @ v without holding K."""
    return pairwise_kernels(X, Y, metric, gamma=gamma, degree=degree, coef0=coef0) @ v


def kernel_mean(X, Y, metric="rbf", *, gamma=None, degree=3, coef0=1, n_jobs=None):
    """Row means of K(X, Y)."""
    return pairwise_kernels(X, Y, metric, gamma=gamma, degree=degree, coef0=coef0).mean(axis=1)


def mmd2(X, Y, metric="rbf", *, gamma=None, degree=3, coef0=1, unbiased=False, n_jobs=None):
    """Squared maximum mean discrepancy between the samples X and Y."""
    kw = dict(gamma=gamma, degree=degree, coef0=coef0)
    Kxx = pairwise_kernels(X, None, metric, **kw)
    Kyy = pairwise_kernels(Y, None, metric, **kw)
    Kxy = pairwise_kernels(X, Y, metric, **kw)
    m, n = Kxx.shape[0], Kyy.shape[0]
    if unbiased:
        return (
            (Kxx.sum() - np.trace(Kxx)) / (m * (m - 1))
            + (Kyy.sum() - np.trace(Kyy)) / (n * (n - 1))
            - 2 * Kxy.mean()
        )
    return Kxx.mean() + Kyy.mean() - 2 * Kxy.mean()
