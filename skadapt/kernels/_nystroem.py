"""Low-rank kernel features: the Nystroem method.

:class:`LandmarkFeatures` is skadapt's one Nystroem map, for one kernel of
:func:`pairwise_kernels`: ``phi(x) = K(x, Z) R`` on ``m`` landmark rows
``Z``, with ``R = V_+ diag(lambda_+)^{-1/2}`` from the eigendecomposition of
``K(Z, Z)`` without its numerically null part (eigenvalues at or below
:func:`zero_tolerance`), so that ``phi(x) . phi(y) = K(x, Z) K(Z, Z)^+ K(Z,
y)``.  The input is cast to float64 and ``K(X, Z)`` is computed by skadapt's
:func:`pairwise_kernels` (sparse rows stay sparse) in row blocks of bounded
memory (:func:`block_rows`); a dask ``X`` has only its landmark rows
gathered, and its mean feature (:meth:`LandmarkFeatures.transform_mean`) is
a sum over its row blocks.  skadapt's estimators all use it:
:class:`~skadapt.TCA` with ``n_landmarks`` and :class:`~skadapt.KMM` with
``n_components``, both with landmarks from :func:`draw_landmarks` (for KMM
the rows scikit-learn's ``Nystroem`` drew from the same random numbers,
which KMM used before: ``choice`` without replacement is a permutation's
first rows).

KMM moved onto this map from scikit-learn's
:class:`~sklearn.kernel_approximation.Nystroem`, whose symmetric root
``K(Z, Z)^{-1/2}`` floors the eigenvalues at 1e-12 instead of dropping the
null ones and which works in the dtype of the data.  With float32 input the
eigenvalues of ``K(Z, Z)`` below float32's precision then became noise in
the features: on a problem with a unique optimum (20 source rows, 100
landmarks in 2-d) the float32 weights were 1.5e-3 (relative) from the
float64 ones, and are 6e-8 from them on this map.  In float64 both maps
give the same quadratic program up to rounding.  On 17 float64 test
problems (the same landmarks; rbf, laplacian and polynomial kernels, up to
n_s = 2000, m = 200) the objectives agreed to the solver's default relative
duality gap (1e-5; they were at most 2e-7 apart) and the weights to 1e-5
relative on 11 of them, up to 6e-2 on the others; with ``tol=1e-11`` the
objectives agreed to 1e-14 and the weights to 2e-7, except on two
polynomial problems whose factor has rank 15 < n_s: their optimum is a face
of the box, not a point, and the solver's path follows rounding-level
changes of the features there (weights 2e-4 and 8e-3 apart, objectives
equal).

:func:`make_nystroem` is a public convenience for users' own pipelines:
it configures scikit-learn's ``Nystroem`` transformer for one of skadapt's
kernels, with the parameters checked as :func:`pairwise_kernels` checks
them.  No estimator of skadapt uses it.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from sklearn.kernel_approximation import Nystroem

from ._pairwise import pairwise_kernels
from ._params import check_finite, validate_metric, validate_params
from ..utils._dask import is_dask_array, row_sum, take_rows

__all__ = [
    "LandmarkFeatures",
    "block_rows",
    "draw_landmarks",
    "make_nystroem",
    "zero_tolerance",
]

# Bytes of one block of kernel rows K(X_block, Z) (and of K(X_block, X_fit)
# in the estimators' out-of-sample passes).
_BLOCK_BYTES = 64 * 2**20


def block_rows(n_cols):
    """Rows of a float64 block of ``n_cols`` columns that fit in the block budget (64 MB)."""
    return max(1, int(_BLOCK_BYTES // (8 * max(n_cols, 1))))


def zero_tolerance(largest, size):
    """Eigenvalues at or below this are numerically zero (their vectors are noise).

    ``largest`` is the largest eigenvalue of a symmetric ``size x size``
    matrix: ``10 * size * eps * largest``.
    """
    return max(float(largest), 0.0) * max(size, 1) * np.finfo(np.float64).eps * 10


def draw_landmarks(n_rows, n_landmarks, random_state):
    """Sorted indices of ``n_landmarks`` of ``n_rows`` rows, drawn uniformly without replacement.

    ``random_state`` is a ``numpy.random.RandomState`` (its
    ``choice(n_rows, n_landmarks, replace=False)``).
    """
    return np.sort(random_state.choice(n_rows, size=n_landmarks, replace=False))


def dense_kernel(X, Y, metric, *, gamma, degree, coef0, n_jobs):
    """``pairwise_kernels(X, Y)`` as a float64 ndarray (``Y=None``: ``K(X, X)``)."""
    K = pairwise_kernels(
        X, Y, metric=metric, gamma=gamma, degree=degree, coef0=coef0, n_jobs=n_jobs
    )
    return np.asarray(K, dtype=np.float64)


class LandmarkFeatures:
    """Nystroem features ``phi(x) = K(x, Z) R`` of one kernel on landmark rows ``Z``.

    Parameters
    ----------
    metric : str, default="rbf"
        A kernel of :func:`~skadapt.kernels.pairwise_kernels`.  The map
        assumes it is positive semi-definite (negative eigenvalues of
        ``K(Z, Z)`` are dropped with the null ones).
    gamma : float or None, default=None
        Kernel width, as in :func:`~skadapt.kernels.pairwise_kernels`
        (resolve the heuristics first with
        :func:`~skadapt.kernels.resolve_gamma`).
    degree, coef0 : float
        Parameters of the polynomial (and sigmoid) kernel.
    n_jobs : int or None, default=None
        Threads of the kernel computations.

    Attributes
    ----------
    landmark_indices_ : ndarray of shape (n_landmarks,)
        The rows of the fit data used as landmarks, sorted.
    landmarks_ : ndarray or sparse matrix of shape (n_landmarks, n_features)
        The landmark rows ``Z`` in float64 (in memory, also for a dask ``X``).
    root_ : ndarray of shape (n_landmarks, rank)
        ``R = V_+ diag(lambda_+)^{-1/2}`` from the eigenpairs of ``K(Z, Z)``
        above :func:`zero_tolerance`: ``rank`` is the numerical rank.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.kernels import pairwise_kernels
    >>> from skadapt.kernels._nystroem import LandmarkFeatures
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> nys = LandmarkFeatures("rbf", gamma=0.5).fit(X, 50, np.random.RandomState(0))
    >>> Phi = nys.transform(X)
    >>> bool(np.allclose(Phi @ Phi.T, pairwise_kernels(X, metric="rbf", gamma=0.5)))
    True
    """

    def __init__(self, metric="rbf", *, gamma=None, degree=3, coef0=1, n_jobs=None):
        self.metric = metric
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.n_jobs = n_jobs

    def _pairwise(self, X, Y=None):
        return dense_kernel(
            X, Y, self.metric, gamma=self.gamma, degree=self.degree, coef0=self.coef0,
            n_jobs=self.n_jobs,
        )

    def fit(self, X, n_landmarks, random_state, owner="LandmarkFeatures", check_gram=None):
        """Draw ``n_landmarks`` rows of ``X`` and compute the root of their kernel matrix.

        Parameters
        ----------
        X : {ndarray, sparse matrix, dask array} of shape (n_samples, n_features)
            The rows to draw from; of a dask array only the landmark rows
            are gathered (checked finite, errors naming ``owner``).
        n_landmarks : int
            Number of landmarks, at most ``n_samples``.
        random_state : numpy.random.RandomState
            Draws the landmarks (:func:`draw_landmarks`).
        owner : str, default="LandmarkFeatures"
            Name used in the errors of a dask ``X``.
        check_gram : callable or None, default=None
            Called with the float64 ``K(Z, Z)`` before its eigendecomposition
            (to raise on a kernel that is not finite or not PSD there).

        Returns
        -------
        self : LandmarkFeatures
        """
        indices = draw_landmarks(X.shape[0], n_landmarks, random_state)
        Z = as_float64(take_rows(X, indices, owner) if is_dask_array(X) else X[indices])
        K = self._pairwise(Z)
        if check_gram is not None:
            check_gram(K)
        lam, V = eigh(K)
        keep = lam > zero_tolerance(lam[-1], Z.shape[0])
        self.landmark_indices_ = indices
        self.landmarks_ = Z
        self.root_ = V[:, keep] / np.sqrt(lam[keep])
        return self

    def kernel(self, X):
        """``K(X, Z)``, float64, of shape (n_samples, n_landmarks) (``X`` is cast to float64)."""
        return self._pairwise(as_float64(X), self.landmarks_)

    def kernel_blocks(self, X):
        """``(start, K(X[start:stop], Z))`` for the row blocks of ``X``, in order."""
        step = block_rows(self.landmarks_.shape[0])
        for start in range(0, X.shape[0], step):
            yield start, self.kernel(X[start : start + step])

    def apply(self, X, W):
        """``K(X, Z) @ W`` computed in row blocks (``W``: n_landmarks x k)."""
        out = np.empty((X.shape[0], W.shape[1]))
        for start, C in self.kernel_blocks(X):
            out[start : start + C.shape[0]] = C @ W
        return out

    def transform(self, X):
        """The features ``phi(X) = K(X, Z) R`` of shape (n_samples, rank)."""
        return self.apply(X, self.root_)

    def transform_mean(self, X, owner="LandmarkFeatures"):
        """The mean feature ``mean_i phi(x_i)`` of the rows of ``X``, of shape (rank,).

        ``K(X, Z)`` is summed over row blocks (:meth:`kernel_blocks`); of a
        dask ``X`` over its row blocks where they live (:func:`row_sum`,
        errors naming ``owner``), only the ``n_landmarks`` totals reaching
        the client.
        """
        m = self.landmarks_.shape[0]
        if is_dask_array(X):
            total = row_sum(_kernel_sum, X, size=m, name=owner, nystroem=self)
        else:
            total = np.zeros(m)
            for _, C in self.kernel_blocks(X):
                total += C.sum(axis=0)
        return (total / X.shape[0]) @ self.root_


def _kernel_sum(X_block, nystroem):
    """``sum_i K(x_i, Z)`` over one block of rows (for :func:`row_sum`)."""
    return nystroem.kernel(X_block).sum(axis=0)


def as_float64(X):
    """``X`` (ndarray or sparse matrix) in float64, copied only when it is not."""
    if sp.issparse(X):
        return X.astype(np.float64, copy=False)
    return np.asarray(X, dtype=np.float64)


def make_nystroem(
    metric="rbf", *, gamma=None, degree=3, coef0=1, n_components=100, random_state=None
):
    """A scikit-learn ``Nystroem`` transformer for one of skadapt's kernels.

    A convenience for your own pipelines: skadapt's estimators use their own
    map (float64 features, the null part of the landmarks' kernel matrix
    dropped; see :mod:`skadapt.kernels._nystroem`), not this transformer,
    which works in the dtype of the data.

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
