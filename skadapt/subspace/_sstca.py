"""Semi-supervised Transfer Component Analysis (Pan et al., IEEE TNN 2011, section V).

How the module is built
-----------------------
SSTCA's components solve the symmetric-definite generalized eigenproblem

    K H K~ H K w = lambda (K (L + (lambda_locality/n^2) Lg) K + mu I) w,

where ``K~ = gamma_labels K_l + (1 - gamma_labels) I`` carries the label
dependence (HSIC with a label kernel ``K_l`` on the labeled rows) and ``Lg``
is the Laplacian of a symmetrised k-nearest-neighbour graph (locality).
``K_l = Y Y^T`` is low-rank (one-hot classes, or standardised regression
targets, zero rows for unlabeled rows) and ``Lg`` is a scipy sparse matrix,
so both enter only through products.

* kernel solver: ``B = K (L + c Lg) K + mu I`` is formed once and factored by
  Cholesky, ``B = C C^T``; the top eigenvectors ``u`` of the symmetric
  ``C^{-1} K H K~ H K C^{-T}`` (Lanczos, or a dense ``eigh`` on small
  problems) give ``w = C^{-T} u`` with ``w^T B w = 1``.
* factor solver (``kernel="linear"`` with fewer features than rows):
  :func:`skadapt.subspace._tca._solve_factor` in feature space.

The helpers of :mod:`skadapt.subspace._tca` (kernel handling, eigen solvers,
sign convention, out-of-sample transform) are shared.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_factor, solve_triangular
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import type_of_target

from ._tca import (
    _BaseKernelTCA,
    _center_columns,
    _domain_vector,
    _finish,
    _gram_factor,
    _leading_eigh,
    _n_requested,
    _solve_linear,
)
from ..utils._sklearn_compat import Interval

__all__ = ["SSTCA"]


def _knn_laplacian(X, n_neighbors, sigma):
    """Laplacian ``D - M`` of the symmetrised k-NN graph, Gaussian weights.

    ``M_ij = exp(-d_ij^2 / (2 sigma^2))`` when ``x_i`` is among the
    ``n_neighbors`` nearest neighbours of ``x_j`` or the reverse, else 0.
    ``sigma=None`` is the median distance to the k nearest neighbours (1 when
    that is 0).  Returns ``(Laplacian as CSR, sigma used)``.
    """
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    if k < 1:
        return sp.csr_matrix((n, n)), 1.0 if sigma is None else float(sigma)
    dist_all, ind_all = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    # drop each row itself, keep its first k other neighbours (a duplicate row
    # may be returned before the row itself)
    other = ind_all != np.arange(n)[:, None]
    keep = (other & (np.cumsum(other, axis=1) <= k)).ravel()
    rows = np.repeat(np.arange(n), k + 1)
    d = dist_all.ravel()[keep]
    if sigma is None:
        sigma = float(np.median(d)) if d.size else 1.0
        sigma = sigma if sigma > 0 else 1.0
    weights = np.exp(-(d**2) / (2.0 * sigma**2))
    M = sp.csr_matrix((weights, (rows[keep], ind_all.ravel()[keep])), shape=(n, n))
    M = M.maximum(M.T)
    degree = np.asarray(M.sum(axis=1)).ravel()
    return (sp.diags(degree) - M).tocsr(), float(sigma)


def _label_factor(y, labeled):
    """``Y`` with ``K_l = Y Y^T``: one-hot classes or standardised targets, 0 if unlabeled."""
    n = labeled.shape[0]
    y_l = y[labeled]
    if type_of_target(y_l) == "continuous":
        std = y_l.std()
        col = np.zeros(n)
        col[labeled] = (y_l - y_l.mean()) / (std if std > 0 else 1.0)
        return col[:, None]
    onehot = LabelBinarizer().fit_transform(y_l).astype(np.float64)
    if onehot.shape[1] == 1:  # two classes come back as one column
        onehot = np.hstack([1.0 - onehot, onehot])
    Y = np.zeros((n, onehot.shape[1]))
    Y[labeled] = onehot
    return Y


class SSTCA(_BaseKernelTCA):
    """Semi-supervised Transfer Component Analysis.

    SSTCA learns a kernel embedding that, like :class:`TCA`, keeps the data's
    variance and brings the kernel means of the source and target rows
    together, and in addition (i) depends on the labels of the labeled rows
    (the Hilbert-Schmidt independence criterion with a label kernel) and
    (ii) keeps neighbouring rows close (a k-nearest-neighbour graph Laplacian
    over all rows, source and target).  ``transform`` embeds any rows through
    their kernel values with the training rows.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fit on the embedded labeled rows; ``None`` makes SSTCA a pure
        transformer.
    n_components : int or None, default=None
        Number of components, as in :class:`TCA`: ``None`` keeps 30 or the
        rank of the problem if smaller; a larger explicit value is capped to
        the rank with a :class:`~skadapt.exceptions.ComponentsCappedWarning`.
    kernel : {"rbf", "linear", "laplacian", "polynomial", "cosine"}, default="rbf"
        Kernel of :func:`skadapt.kernels.pairwise_kernels` (every kernel
        accepts sparse ``X``, CSR or CSC, never densified).
    gamma : float, "scale", "median" or None, default=None
        Kernel width, resolved once into ``gamma_`` (``None``: ``1 / n_features``).
    degree : float, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1
        Constant of the polynomial kernel.
    mu : float, default=1.0
        Weight ``mu > 0`` of ``tr(W^T W)``, as in :class:`TCA`.
    lambda_locality : float, default=1.0
        The paper's ``lambda >= 0``: weight of the locality term, which enters
        as ``lambda / n^2`` times ``tr(W^T K Lg K W)``.  (Not called
        ``lambda_``: a trailing underscore marks fitted attributes.)
    gamma_labels : float, default=0.5
        ``gamma`` in ``[0, 1]`` of the paper: the label-dependence part of
        ``K~ = gamma K_l + (1 - gamma) I``; 0 gives TCA plus locality.
    n_neighbors : int, default=5
        Neighbours of each row in the locality graph.
    sigma : float or None, default=None
        Width of the graph weights ``exp(-d^2 / (2 sigma^2))``; ``None`` is the
        median distance to the ``n_neighbors`` nearest neighbours (stored as
        ``sigma_``).
    random_state : int, RandomState instance or None, default=None
        Seeds the ``gamma="median"`` subsample; the solver is deterministic.
    n_jobs : int, default=None
        Threads of the kernel computations.

    Attributes
    ----------
    components_ : ndarray of shape (n_samples, n_components)
        Coefficients ``W``: ``transform(X) = K(X, X_fit_) @ components_``.
    eigenvalues_ : ndarray of shape (n_components_,)
        Generalized eigenvalues, descending.
    n_components_ : int
        Number of components kept (``n_components`` capped to the rank).
    X_fit_ : ndarray or sparse matrix of shape (n_samples, n_features)
        The training rows.
    gamma_ : float or None
        Resolved kernel width.
    sigma_ : float
        Width of the graph weights used.
    estimator_ : estimator object
        The fitted clone of ``estimator``, when given.
    classes_ : ndarray
        Class labels of ``estimator_``, for a classifier.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    TCA : The unsupervised variant, with a landmark solver for large data.

    Notes
    -----
    With ``K``, ``H`` and ``L = e e^T`` as in :class:`TCA`, ``Lg = D - M`` the
    graph Laplacian and ``K~ = gamma K_l + (1 - gamma) I``, SSTCA solves

    .. math:: \\max_W \\operatorname{tr}\\big((W^T (K (L + \\tfrac{\\lambda}{n^2} L_g) K
              + \\mu I) W)^{-1} W^T K H \\tilde K H K W\\big),

    i.e. ``W`` holds the leading eigenvectors of
    ``(K (L + lambda/n^2 Lg) K + mu I)^{-1} K H K~ H K``, computed as a
    symmetric-definite problem (Cholesky whitening, then Lanczos on the top
    ``n_components``).  What is implemented, precisely:

    - label kernel ``K_l``: ``K_l[i, j] = 1`` when rows ``i`` and ``j`` are
      labeled with the same class (the linear kernel on one-hot labels), and
      for regression targets the linear kernel of the standardised targets;
      0 for every pair involving an unlabeled row, so unlabeled rows (the
      target) only enter through the variance part ``(1 - gamma) I``;
    - graph: each row linked to its ``n_neighbors`` nearest rows in input
      space (Euclidean), symmetrised by "or", weights
      ``exp(-d^2 / (2 sigma^2))``; the Laplacian is unnormalised;
    - the locality weight is ``lambda / n^2`` (``n`` training rows), the
      normalisation of the manifold term in [1]_ as we read it;
    - without target information the MMD term is dropped, as in :class:`TCA`.

    The objective, the form of ``K~`` and the graph follow [1]_; the
    defaults of ``gamma_labels``, ``n_neighbors`` and ``sigma`` are ours.  No
    landmark solver: ``B`` is not low-rank, the solver holds ``n x n``
    matrices (use :class:`TCA` with ``n_landmarks`` for large data).

    References
    ----------
    .. [1] S. J. Pan, I. W. Tsang, J. T. Kwok and Q. Yang, "Domain adaptation
       via transfer component analysis", IEEE Transactions on Neural
       Networks 22(2), 199-210, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skadapt import SSTCA
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.default_rng(0)
    >>> Xs = rng.normal(size=(40, 3)); ys = (Xs[:, 0] > 0).astype(int)
    >>> Xt = rng.normal(size=(30, 3)) + [0.0, 2.0, 0.0]
    >>> X, y, sample_domain = source_target_merge(Xs, ys, Xt)
    >>> model = SSTCA(KNeighborsClassifier(1), n_components=2, kernel="linear")
    >>> model.fit(X, y, sample_domain=sample_domain).transform(Xt).shape
    (30, 2)
    """

    _parameter_constraints = {
        **_BaseKernelTCA._parameter_constraints,
        "lambda_locality": [Interval(Real, 0, None, closed="left")],
        "gamma_labels": [Interval(Real, 0, 1, closed="both")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_components=None,
        kernel="rbf",
        gamma=None,
        degree=3,
        coef0=1,
        mu=1.0,
        lambda_locality=1.0,
        gamma_labels=0.5,
        n_neighbors=5,
        sigma=None,
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.mu = mu
        self.lambda_locality = lambda_locality
        self.gamma_labels = gamma_labels
        self.n_neighbors = n_neighbors
        self.sigma = sigma
        self.random_state = random_state
        self.n_jobs = n_jobs

    _finite_params = {
        **_BaseKernelTCA._finite_params,
        "lambda_locality": (">= 0", ()),
        "sigma": ("> 0", (None,)),
    }

    def _fit(self, X, y, split, random_state):
        X = self._prepare(X, random_state)
        if y is None or not split.labeled.any():
            raise ValueError(
                "SSTCA: no labeled row in `y`; its label-dependence term needs the "
                "labels of the source rows. Use TCA for unlabeled data."
            )
        n = X.shape[0]
        self.X_fit_ = X
        e = _domain_vector(split)
        Y = _label_factor(y, split.labeled)
        Lg, self.sigma_ = _knn_laplacian(X, self.n_neighbors, self.sigma)
        c = self.lambda_locality / n**2
        g = self.gamma_labels
        if self.kernel == "linear" and X.shape[1] <= n:
            G, f1 = _gram_factor(X)
            HtX = G - np.outer(f1, f1) / n  # (H X)^T (H X)
            YtHX = np.asarray(Y.T @ X) - np.outer(Y.sum(axis=0), f1) / n
            P = g * (YtHX.T @ YtHX) + (1.0 - g) * HtX
            fe = np.asarray(X.T @ e).ravel()
            LX = Lg @ X
            XtLX = X.T @ LX
            XtLX = XtLX.toarray() if sp.issparse(XtLX) else np.asarray(XtLX)
            Q = np.outer(fe, fe) + c * XtLX
            vals, W, Z = _solve_linear(X, G, P, Q, self.mu, _n_requested(self))
        else:
            vals, W, Z = self._solve_kernel(self._kernel(X), e, Y, Lg, c, g)
        self.eigenvalues_, self.components_, Z = _finish(vals, W, Z, self)
        return Z

    def _solve_kernel(self, K, e, Y, Lg, c, g):
        n = K.shape[0]
        v = K @ e
        B = c * (K @ np.asarray(Lg @ K))
        B += np.outer(v, v)
        B = (B + B.T) / 2
        B[np.diag_indices(n)] += self.mu
        C, _ = cho_factor(B, lower=True, overwrite_a=True)
        HY = _center_columns(Y)

        def middle(A):  # H K~ H A
            HA = _center_columns(A)
            return g * (HY @ (HY.T @ HA)) + (1.0 - g) * HA

        def op(A):
            T = solve_triangular(C, A, lower=True, trans="T", check_finite=False)
            T = K @ middle(K @ T)
            return solve_triangular(C, T, lower=True, check_finite=False)

        vals, U = _leading_eigh(op, n, _n_requested(self))
        W = solve_triangular(C, U, lower=True, trans="T", check_finite=False)
        return vals, W, K @ W
