"""Shared pieces of the density-ratio weighters (KLIEP, uLSIF, RuLSIF).

KLIEP and the least-squares fitters model the importance
``w(x) = p_target(x) / p_source(x)`` as a non-negative combination of kernel
basis functions centred on target rows, ``w(x) = sum_l alpha_l k(x, c_l)``.
This module holds what they share: the kernel names, the resolution of a
``gamma`` grid, the random choice of the centres, and the fitted-model part
(:meth:`_DensityRatioMixin.density_ratio`).
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from ..kernels import KERNEL_PARAMS, pairwise_kernels, resolve_gamma
from ..kernels._params import check_finite
from ..utils._dask import dask_rows
from ..utils._sklearn_compat import Interval, StrOptions

__all__ = []

#: Kernels the weighters accept; ``gamma`` is read by the first two only
#: (:data:`skadapt.kernels.KERNEL_PARAMS` tells which kernel reads what).
KERNELS = ("rbf", "laplacian", "linear", "cosine")
#: Kernels that take sparse ``X``: all of the engine's (sparse rows are never
#: densified; only kernel blocks are).
SPARSE_KERNELS = tuple(KERNEL_PARAMS)

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


def resolve_gamma_grid(owner, gamma, kernel, X, random_state):
    """Resolve ``gamma`` (one value, a list or "auto") to a list of floats.

    Kernels without a width (``linear``, ``cosine``: no ``"gamma"`` in
    :data:`skadapt.kernels.KERNEL_PARAMS`) give ``[None]``.  ``owner`` is the
    estimator (named in the errors).
    """
    if "gamma" not in KERNEL_PARAMS[kernel]:
        return [None]
    if isinstance(gamma, str) and gamma == "auto":
        base = resolve_gamma(X, "median", metric=kernel, random_state=random_state)
        return [float(base * f) for f in AUTO_GAMMA_FACTORS]
    listed = isinstance(gamma, (list, tuple, np.ndarray))
    values = list(gamma) if listed else [gamma]
    if len(values) == 0:
        raise ValueError(
            f"{type(owner).__name__}: `gamma` is an empty list; give at least one value."
        )
    for value in values:
        check_finite(
            owner, "gamma", value, bound="> 0", alternatives=("scale", "median"),
            listed=_accepts_lists(owner, "gamma"),
        )
    return [float(resolve_gamma(X, v, metric=kernel, random_state=random_state)) for v in values]


def check_grid(owner, name, values):
    """The positive finite floats of a grid parameter (one value or a list)."""
    values = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
    if len(values) == 0:
        raise ValueError(f"{type(owner).__name__}: `{name}` is empty; give at least one value.")
    return [check_finite(owner, name, v, bound="> 0", listed=True) for v in values]


def _accepts_lists(owner, name):
    """Whether ``owner``'s parameter ``name`` takes a list (from its constraints)."""
    return list in owner._parameter_constraints.get(name, ())


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
