"""Shared pieces of the density-ratio weighters (KLIEP, uLSIF, RuLSIF).

KLIEP and the least-squares fitters model the importance
``w(x) = p_target(x) / p_source(x)`` as a non-negative combination of kernel
basis functions centred on target rows, ``w(x) = sum_l alpha_l k(x, c_l)``.
This module holds what they share: the kernel names, the resolution of a
``gamma`` grid, the random choice of the centres, and the fitted-model part
(:meth:`_DensityRatioMixin.density_ratio`).
"""

import numbers

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from ..kernels import pairwise_kernels, resolve_gamma
from ..utils._dask import dask_rows
from ..utils._sklearn_compat import Interval, StrOptions

__all__ = []

#: Kernels the weighters accept; ``gamma`` is read by the first two only.
KERNELS = ("rbf", "laplacian", "linear", "cosine")
#: Kernels that take sparse ``X``: all of the engine's (sparse rows are never
#: densified; only kernel blocks are).
SPARSE_KERNELS = ("rbf", "laplacian", "linear", "polynomial", "cosine", "sigmoid")
GAMMA_KERNELS = ("rbf", "laplacian")

#: Multipliers of the median-heuristic gamma used by ``gamma="auto"``.
AUTO_GAMMA_FACTORS = (1.0 / 16.0, 1.0 / 4.0, 1.0, 4.0, 16.0)


#: Parameter constraints shared by the basis-function weighters.
BASIS_CONSTRAINTS = {
    "kernel": [StrOptions(set(KERNELS))],
    "gamma": [
        Interval(Real, 0, None, closed="neither"),
        StrOptions({"scale", "median", "auto"}),
        list,
        tuple,
        np.ndarray,
    ],
    "n_centers": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def _check_gamma_value(name, value):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(
                f"{name}: `gamma` must be a positive finite float, 'scale', 'median' "
                f"(or a list of them), got {value!r}."
            )
        return
    if isinstance(value, str) and value in ("scale", "median"):
        return
    raise ValueError(
        f"{name}: `gamma` must be a positive finite float, 'scale', 'median' "
        f"(or a list of them), got {value!r}."
    )


def resolve_gamma_grid(name, gamma, kernel, X, random_state):
    """Resolve ``gamma`` (one value, a list or "auto") to a list of floats.

    Kernels without a width (``linear``, ``cosine``) give ``[None]``.
    """
    if kernel not in GAMMA_KERNELS:
        return [None]
    if isinstance(gamma, str) and gamma == "auto":
        base = resolve_gamma(X, "median", metric=kernel, random_state=random_state)
        return [float(base * f) for f in AUTO_GAMMA_FACTORS]
    values = list(gamma) if isinstance(gamma, (list, tuple, np.ndarray)) else [gamma]
    if len(values) == 0:
        raise ValueError(f"{name}: `gamma` is an empty list; give at least one value.")
    for value in values:
        _check_gamma_value(name, value)
    return [float(resolve_gamma(X, v, metric=kernel, random_state=random_state)) for v in values]


def choose_centers(n_rows, n_centers, rng):
    """Indices of ``min(n_centers, n_rows)`` rows drawn without replacement.

    The indices are sorted so that the basis keeps the input order of the
    rows when every row is a centre.
    """
    if n_centers >= n_rows:
        return np.arange(n_rows)
    return np.sort(rng.choice(n_rows, size=n_centers, replace=False))


def basis(X, centers, kernel, gamma, n_jobs=None):
    """Kernel basis ``k(x_i, c_l)`` as a dense float64 array."""
    K = pairwise_kernels(X, centers, metric=kernel, gamma=gamma, n_jobs=n_jobs)
    if sp.issparse(K):
        K = K.toarray()
    return np.asarray(K, dtype=np.float64)


class _DensityRatioMixin:
    """``density_ratio(X)`` of a fitted basis model ``sum_l alpha_l k(x, c_l)``.

    The fitted model keeps ``centers_``, ``alpha_`` and ``gamma_``.
    """

    def _accepts_sparse(self):
        return self.kernel in SPARSE_KERNELS

    @dask_rows
    def density_ratio(self, X):
        """Estimated importance ``p_target(x) / p_source(x)`` of any rows.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Rows to evaluate (CSR or CSC for every kernel).

        Returns
        -------
        ratio : ndarray of shape (n_samples,)
            Non-negative estimated density ratio; negative values of the
            model (possible only with a kernel that takes negative values)
            are clipped at 0.
        """
        check_is_fitted(self, "alpha_")
        X = self._validate_predict_data(X)
        Phi = basis(X, self.centers_, self.kernel, self.gamma_, getattr(self, "n_jobs", None))
        return np.maximum(Phi @ self.alpha_, 0.0)
