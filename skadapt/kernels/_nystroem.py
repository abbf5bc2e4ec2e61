"""Low-rank kernel features: a configured scikit-learn ``Nystroem``.

skadapt does not re-implement the Nyström method; :func:`make_nystroem`
returns scikit-learn's :class:`~sklearn.kernel_approximation.Nystroem` set up
for one of skadapt's kernels with the parameters checked the same way as in
:func:`~skadapt.kernels.pairwise_kernels`.
"""

from sklearn.kernel_approximation import Nystroem

from ._params import check_finite, validate_metric, validate_params

__all__ = ["make_nystroem"]


def make_nystroem(
    metric="rbf", *, gamma=None, degree=3, coef0=1, n_components=100, random_state=None
):
    """A scikit-learn ``Nystroem`` transformer for one of skadapt's kernels.

    Parameters
    ----------
    metric : {"rbf", "laplacian", "linear", "polynomial", "cosine", "sigmoid"}, \
            default="rbf"
        The kernel, with the same meaning as in
        :func:`~skadapt.kernels.pairwise_kernels`.  The Nyström method
        assumes a positive semi-definite kernel: for ``"sigmoid"`` the
        factor approximates it only where its Gram matrix is.
    gamma : float or None, default=None
        Kernel width (rbf, laplacian, polynomial, sigmoid).  ``None`` is
        ``1 / n_features`` as in scikit-learn.  The data heuristics
        (``"scale"``, ``"median"``) need the data: resolve them first with
        :func:`~skadapt.kernels.resolve_gamma` and pass the float.
    degree, coef0 : float
        Parameters of the polynomial kernel (``coef0`` also of the sigmoid).
    n_components : int, default=100
        Number of landmarks (rows sampled at random by scikit-learn).
    random_state : int, RandomState instance or None, default=None
        Seed of the landmark sampling.

    Returns
    -------
    nystroem : sklearn.kernel_approximation.Nystroem
        Unfitted; ``fit`` it on the data whose kernel it approximates.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import make_nystroem
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> features = make_nystroem("rbf", gamma=0.5, n_components=50, random_state=0).fit_transform(X)
    >>> features.shape
    (50, 50)
    """
    func = "make_nystroem"
    if isinstance(gamma, str):
        raise ValueError(
            f"{func}: gamma must be a float or None here, got {gamma!r}; resolve the "
            "heuristic on the data with skadapt.kernels.resolve_gamma first."
        )
    n_components = check_finite(func, "n_components", n_components, bound="> 0", integer=True)
    validate_metric(func, metric)
    gamma = check_finite(func, "gamma", gamma, bound="> 0", alternatives=(None,))
    # the parameters are checked as pairwise_kernels checks them (gamma=None
    # stays None: scikit-learn's Nystroem resolves it to 1/n_features at fit)
    params = validate_params(func, metric, _OneFeature(), gamma, degree, coef0, None)
    kwargs = {k: v for k, v in params.items() if k != "gamma" or gamma is not None}
    return Nystroem(
        kernel=metric, n_components=n_components, random_state=random_state, **kwargs
    )


class _OneFeature:
    """Stand-in for data when only the parameters are checked (``gamma`` is not None)."""

    shape = (1, 1)
