"""Transfer Component Analysis (Pan, Tsang, Kwok & Yang, IEEE TNN 2011).

How the module is built
-----------------------
TCA's components are the leading solutions of the symmetric-definite
generalized eigenproblem ``K H K w = lambda (K L K + mu I) w`` (``K`` the kernel
matrix of the training rows, ``H`` the centring matrix, ``L = e e^T`` with
``e_i = 1/n_s`` on source rows and ``-1/n_t`` on target rows).  Nothing here
inverts or eigendecomposes a dense non-symmetric matrix; three solvers share
the problem:

* **kernel solver** (:func:`_solve_kernel_tca`): ``B = K L K + mu I`` is
  ``mu I`` plus the rank-one ``v v^T`` (``v = K e``), so ``B^{-1/2}`` has the
  closed form ``mu^{-1/2} (I - c v v^T / ||v||^2)`` with
  ``c = 1 - sqrt(mu / (mu + ||v||^2))``.  The top eigenvectors ``u`` of the
  symmetric ``B^{-1/2} K H K B^{-1/2}`` (Lanczos, ``eigsh``, on an operator
  that applies ``K`` twice; a dense ``eigh`` on small problems) give
  ``w = B^{-1/2} u``, normalised so that ``w^T B w = 1``.
* **factor solver** (:func:`_solve_factor`): when ``K = Phi Phi^T`` with a
  thin factor ``Phi`` (``n x r``: the rows themselves for the linear kernel,
  Nystrom features for landmarks), every solution with a non-zero
  eigenvalue lies in the range of ``Phi``, and the problem becomes an
  ``r x r`` symmetric-definite one built from ``G = Phi^T Phi``,
  ``Phi^T 1`` and ``Phi^T e`` only (through a Cholesky factor of ``G``, or
  its eigendecomposition when ``G`` is singular or ill-conditioned).
* **landmark solver** (:meth:`TCA._fit_landmarks`): ``Phi = K(X, Z) R`` the
  Nystrom features of :class:`skadapt.kernels._nystroem.LandmarkFeatures`
  (``m`` landmark rows ``Z``, ``R`` the root of ``K(Z, Z)`` on its range);
  ``K(X, Z)`` is streamed in row blocks, so memory is ``O(block * m + m^2)``
  and never ``O(n^2)``.

Signs are made deterministic by making the largest-magnitude entry of each
column of the training embedding positive (as ``svd_flip`` does).
:mod:`skadapt.subspace._sstca` reuses the helpers for the semi-supervised
variant.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cholesky, eigh, solve_triangular
from scipy.sparse.linalg import LinearOperator, eigsh

from ..base import BaseAdapter
from ..exceptions import ComponentsCappedWarning
from ..kernels import KERNEL_PARAMS, resolve_gamma
from ..kernels._nystroem import LandmarkFeatures, block_rows, dense_kernel, zero_tolerance
from ..kernels._params import check_finite
from ..utils._dask import is_dask_array, row_blocks, row_sum
from ..utils._verbose import Progress
from ..utils._sklearn_compat import Interval, StrOptions

__all__ = ["TCA"]

# Problems up to this size (or asking for many components) are solved with a
# dense ``eigh`` of the explicit symmetric matrix; larger ones with Lanczos.
_DENSE_MAX = 600


# ----------------------------------------------------------------- helpers


def _domain_vector(split):
    """``e`` of the MMD term: 1/n_s on source rows, -1/n_t on target rows.

    Zero when there is no target information (TCA then drops the MMD term).
    Several source (target) domains are pooled into one.
    """
    n = split.source.shape[0]
    e = np.zeros(n)
    if split.no_target:
        return e
    e[split.source] = 1.0 / split.source.sum()
    e[split.target] = -1.0 / split.target.sum()
    return e


def _center_columns(A):
    """``H A`` for the centring matrix ``H = I - 1 1^T / n``."""
    return A - A.mean(axis=0, keepdims=True)


def _leading_eigh(op, n, k):
    """Leading ``k`` eigenpairs, descending, of a symmetric PSD ``n x n`` operator.

    ``op`` maps an ``(n, p)`` array to ``(n, p)``.  Small problems (or a
    request for half of the spectrum or more) are solved with a dense
    ``eigh(subset_by_index=...)`` of the explicit matrix, others with ARPACK's
    Lanczos (``eigsh``) from a fixed start vector, so that the result is
    deterministic.
    """
    k = min(k, n)
    if k == 0:
        return np.zeros(0), np.zeros((n, 0))
    if n <= _DENSE_MAX or 2 * k >= n:
        S = op(np.eye(n))
        S = (S + S.T) / 2
        vals, vecs = eigh(S, subset_by_index=[n - k, n - 1])
    else:
        linop = LinearOperator(
            (n, n), matvec=lambda x: op(x.reshape(-1, 1)).ravel(), matmat=op, dtype=np.float64
        )
        v0 = np.random.default_rng(0).uniform(-1.0, 1.0, n)
        vals, vecs = eigsh(linop, k=k, which="LA", v0=v0)
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def _factor_root(G):
    """``R`` (``r_eff x r``) with ``G = R^T R`` restricted to ``range(G)``, and ``a -> R^+ a``.

    A Cholesky factor when ``G`` is well conditioned (cheap), otherwise the
    eigendecomposition ``G = V S^2 V^T`` without its numerically null part
    (``R = S V^T``).
    """
    r = G.shape[0]
    d = np.diag(G)
    if r and d.min() > 0:
        try:
            R = cholesky(G, lower=False, check_finite=False)
        except LinAlgError:
            R = None
        if R is not None and np.diag(R).min() ** 2 > 1e-8 * d.max():
            return R, lambda a: solve_triangular(R, a, lower=False, check_finite=False)
    s2, V = eigh(G)
    keep = s2 > zero_tolerance(s2[-1] if r else 0.0, r)
    s, V = np.sqrt(s2[keep]), V[:, keep]
    return s[:, None] * V.T, lambda a: V @ (a / s[:, None])


def _solve_factor(G, P, Q, mu, k):
    """Solve the TCA-type problem in the span of a factor ``Phi`` (``K = Phi Phi^T``).

    With ``G = Phi^T Phi = R^T R`` (:func:`_factor_root`), ``U = Phi R^+`` is an
    orthonormal basis of ``range(K)`` and ``w = U a`` turns
    ``K M_A K w = lambda (K M_B K + mu I) w`` into the small symmetric-definite
    problem ``R P R^T a = lambda (R Q R^T + mu I) a`` with ``P = Phi^T M_A Phi``
    and ``Q = Phi^T M_B Phi``.  Directions outside ``range(K)`` have eigenvalue
    0.  A 1-d ``Q`` is the vector ``q`` of a rank-one ``Q = q q^T`` (TCA): then
    ``(R Q R^T + mu I)^{-1/2}`` has a closed form and a standard ``eigh`` of the
    leading ``k`` is enough.

    Returns ``(eigenvalues, coef_w, coef_z)`` with ``k`` or fewer columns:
    ``w = Phi @ coef_w`` (normalised ``w^T B w = 1``) and the training
    embedding ``K w = Phi @ coef_z``.
    """
    G = (G + G.T) / 2
    R, R_pinv = _factor_root(G)
    r_eff = R.shape[0]
    k = min(k, r_eff)
    if k == 0:
        return np.zeros(0), np.zeros((G.shape[0], 0)), np.zeros((G.shape[0], 0))
    A_r = R @ P @ R.T
    A_r = (A_r + A_r.T) / 2
    subset = [r_eff - k, r_eff - 1]
    if Q.ndim == 1:
        whiten = _rank_one_inverse_sqrt(R @ Q, mu)
        vals, u = eigh(whiten(whiten(A_r).T), subset_by_index=subset)
        a = whiten(u)
    else:
        B_r = R @ Q @ R.T
        B_r = (B_r + B_r.T) / 2
        B_r[np.diag_indices_from(B_r)] += mu
        vals, a = eigh(A_r, B_r, subset_by_index=subset)
    vals, a = vals[::-1], a[:, ::-1]
    return vals, R_pinv(a), R.T @ a


def _rank_one_inverse_sqrt(v, mu):
    """``A -> (mu I + v v^T)^{-1/2} A`` in closed form.

    ``(mu I + v v^T)^{-1/2} = mu^{-1/2} (I - c v v^T / ||v||^2)`` with
    ``c = 1 - sqrt(mu / (mu + ||v||^2))``.
    """
    nv2 = float(v @ v)
    root = mu**-0.5
    if nv2 == 0:
        return lambda A: root * A
    vhat = v / np.sqrt(nv2)
    c = 1.0 - np.sqrt(mu / (mu + nv2))
    return lambda A: root * (A - c * np.outer(vhat, vhat @ A))


def _finish(vals, W, Z, owner):
    """Drop the numerically null components, cap to the rank, fix the signs.

    ``owner.n_components`` None (the default) keeps ``min(30, rank)``
    components silently; an explicit value larger than the rank of the problem
    (the number of non-null components) keeps ``rank`` of them with a
    :class:`~skadapt.exceptions.ComponentsCappedWarning`.  At least one
    column is kept.  Sets ``owner.n_components_``.
    """
    vals = np.clip(vals, 0.0, None)
    null = vals <= zero_tolerance(vals[0] if vals.size else 0.0, W.shape[0])
    rank = int((~null).sum())
    keep = max(rank, 1)
    requested = owner.n_components
    if requested is not None and requested > keep:
        warnings.warn(
            f"{type(owner).__name__}: n_components={requested} exceeds the rank of the "
            f"problem ({rank} non-null components for {W.shape[0]} expansion rows); "
            f"keeping {keep}. Set n_components <= {keep} (or None) to silence this.",
            ComponentsCappedWarning,
            stacklevel=4,
        )
    k = min(_n_requested(owner), keep)
    vals = np.where(null, 0.0, vals)[:k]
    W = np.where(null[None, :], 0.0, W)[:, :k]
    Z = np.where(null[None, :], 0.0, Z)[:, :k]
    if Z.shape[0]:
        pivot = np.abs(Z).argmax(axis=0)
        signs = np.sign(Z[pivot, np.arange(Z.shape[1])])
        signs[signs == 0] = 1.0
        W, Z = W * signs, Z * signs
    owner.n_components_ = k
    return vals, W, Z


#: Components kept by default (``n_components=None``), capped to the rank.
DEFAULT_N_COMPONENTS = 30


def _n_requested(owner):
    """Number of components to compute: ``n_components``, or the default 30."""
    return DEFAULT_N_COMPONENTS if owner.n_components is None else owner.n_components


def _as_float64(X):
    if sp.issparse(X):
        return X.astype(np.float64)
    return np.asarray(X, dtype=np.float64)


def _gram_factor(X):
    """``G = X^T X``, ``X^T 1`` for dense or sparse ``X`` (dense results)."""
    G = X.T @ X
    G = G.toarray() if sp.issparse(G) else np.asarray(G)
    f1 = np.asarray(X.sum(axis=0)).ravel()
    return G, f1


def _solve_linear(X, G, P, Q, mu, k):
    """:func:`_solve_factor` with ``Phi = X``, ``G = X^T X`` (linear kernel): ``(vals, W, K W)``."""
    vals, coef_w, coef_z = _solve_factor(G, P, Q, mu, k)
    return vals, np.asarray(X @ coef_w), np.asarray(X @ coef_z)


def _solve_kernel_tca(K, e, mu, k):
    """Exact TCA on the full kernel matrix through the closed-form ``B^{-1/2}``."""
    whiten = _rank_one_inverse_sqrt(K @ e, mu)  # B = K e e^T K + mu I

    def op(A):
        return whiten(K @ _center_columns(K @ whiten(A)))

    vals, U = _leading_eigh(op, K.shape[0], k)
    W = whiten(U)
    return vals, W, K @ W


# ------------------------------------------------------------ the estimator


class _BaseKernelTCA(BaseAdapter):
    """Kernel handling and out-of-sample transform shared by TCA and SSTCA."""

    _parameter_constraints = {
        **BaseAdapter._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        # sigmoid (not PSD in general) is not offered: TCA needs a valid kernel
        "kernel": [StrOptions(set(KERNEL_PARAMS) - {"sigmoid"})],
        "gamma": [Interval(Real, 0, None, closed="neither"), StrOptions({"scale", "median"}), None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "mu": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def _accepts_sparse(self):
        # every kernel of the engine takes sparse rows (only K is dense)
        return True

    #: The numeric parameters ``_prepare`` checks: ``name -> (bound, other accepted values)``
    #: of :func:`skadapt.kernels._params.check_finite`.
    _finite_params = {
        "gamma": ("> 0", ("scale", "median", None)),
        "mu": ("> 0", ()),
        "coef0": (None, ()),
        "degree": (">= 0", ()),
    }

    def _prepare(self, X, random_state):
        """The preparation shared by every fit: checks, ``X`` in float64, ``gamma_``.

        The parameters of ``_finite_params`` are checked finite (and against
        their bound); ``X`` (in memory, sparse or dask) is cast to float64;
        the kernel width is resolved once on it into ``gamma_`` (None for a
        kernel that reads no ``gamma``).  Returns the float64 ``X``.
        """
        for name, (bound, alternatives) in self._finite_params.items():
            check_finite(self, name, getattr(self, name), bound=bound, alternatives=alternatives)
        X = X.astype(np.float64) if is_dask_array(X) else _as_float64(X)
        if "gamma" in KERNEL_PARAMS[self.kernel]:
            self.gamma_ = float(
                resolve_gamma(X, self.gamma, metric=self.kernel, random_state=random_state)
            )
        else:
            self.gamma_ = None
        return X

    def _kernel(self, X, Y=None):
        return dense_kernel(
            X, Y, self.kernel, gamma=self.gamma_, degree=self.degree, coef0=self.coef0,
            n_jobs=self.n_jobs,
        )

    def _transform(self, X):
        X = _as_float64(X)
        if self.kernel == "linear":
            proj = self.X_fit_.T @ self.components_
            return np.asarray(X @ proj)
        out = np.empty((X.shape[0], self.components_.shape[1]))
        step = block_rows(self.X_fit_.shape[0])
        for start in range(0, X.shape[0], step):
            stop = min(start + step, X.shape[0])
            out[start:stop] = self._kernel(X[start:stop], self.X_fit_) @ self.components_
        return out

    def __sklearn_is_fitted__(self):
        return hasattr(self, "components_")

    @property
    def _n_features_out(self):
        return self.components_.shape[1]


class TCA(_BaseKernelTCA):
    """Transfer Component Analysis: a kernel embedding where the domains' means meet.

    TCA learns ``n_components`` directions in the reproducing-kernel Hilbert
    space of ``kernel`` that keep as much of the data's variance as possible
    while bringing the empirical kernel means of the source and target rows
    together (a small maximum mean discrepancy, MMD).  It is fit on source
    **and** target rows; :meth:`transform` embeds any rows, including new ones,
    through their kernel values with the training rows.  With an
    ``estimator``, that estimator is fit on the embedded labeled rows and
    :meth:`predict` goes through the embedding.

    This is the unsupervised TCA of Pan et al. (2011, section IV); the
    semi-supervised variant of the same paper is :class:`SSTCA`.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fit on the embedded labeled rows; ``None`` makes TCA a pure
        transformer.
    n_components : int or None, default=None
        Number of transfer components (output columns).  ``None`` keeps 30,
        or fewer when the problem's rank is smaller (the rank is the number
        of non-null components: at most the number of training rows, or of
        features for ``kernel="linear"``, or of landmarks).  An explicit value
        larger than the rank is capped to it with a
        :class:`~skadapt.exceptions.ComponentsCappedWarning` (null components
        would only add zero columns).  The number kept is ``n_components_``.
    kernel : {"rbf", "linear", "laplacian", "polynomial", "cosine"}, default="rbf"
        Kernel of :func:`skadapt.kernels.pairwise_kernels`.  Every kernel
        accepts sparse ``X`` (CSR or CSC, never densified); ``"linear"`` is
        solved in feature space when there are fewer features than rows.
    gamma : float, "scale", "median" or None, default=None
        Width of the rbf, laplacian and polynomial kernels, resolved once at
        fit into ``gamma_`` by :func:`skadapt.kernels.resolve_gamma`
        (``None``: ``1 / n_features``).
    degree : float, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1
        Constant of the polynomial kernel.
    mu : float, default=1.0
        Trade-off ``mu > 0`` of the paper: the weight of ``tr(W^T W)`` against
        the MMD term.  Smaller values adapt more.  (adapt's and skada's ``mu``
        multiply the MMD term instead: theirs is ``1 / mu`` here.)
    n_landmarks : int, default=None
        ``None`` solves the exact problem on all training rows.  An integer
        ``m`` uses a Nystrom approximation of the kernel on ``m`` landmark
        rows drawn uniformly without replacement (``random_state``); time is
        ``O(n m (d + m))`` and memory ``O(m^2)`` plus a block of rows, for
        ``n`` in the hundreds of thousands.  Must not exceed the number of
        training rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the landmark draw and the ``gamma="median"`` subsample.  The
        exact solver is deterministic.
    n_jobs : int, default=None
        Threads of the kernel computations (see
        :func:`skadapt.kernels.pairwise_kernels`).
    verbose : int, default=0
        When positive, print one line per stage (kernel matrix or landmark
        sums, eigensolver) with the elapsed time.

    Attributes
    ----------
    components_ : ndarray of shape (n_fit, n_components)
        Coefficients ``W``: ``transform(X) = K(X, X_fit_) @ components_``.
    eigenvalues_ : ndarray of shape (n_components_,)
        Generalized eigenvalues of the components, descending.
    n_components_ : int
        Number of components kept (``n_components`` capped to the rank).
    X_fit_ : ndarray or sparse matrix of shape (n_fit, n_features)
        The rows the embedding is expanded on: all training rows, or the
        landmarks.
    landmark_indices_ : ndarray of shape (n_landmarks,) or None
        Training rows used as landmarks.
    gamma_ : float or None
        The resolved kernel width (None for kernels without one).
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
    SSTCA : The semi-supervised variant (label dependence, locality).
    sklearn.decomposition.KernelPCA : What TCA becomes without a target domain.

    Notes
    -----
    With ``K`` the kernel matrix of the ``n`` training rows, ``H = I - 1 1^T / n``
    and ``L = e e^T`` (``e_i = 1/n_s`` on source rows, ``-1/n_t`` on target
    rows), TCA solves

    .. math:: \\max_W \\operatorname{tr}\\big((W^T (K L K + \\mu I) W)^{-1} W^T K H K W\\big),

    whose solution ``W`` holds the leading eigenvectors of
    ``(K L K + mu I)^{-1} K H K``.  They are computed as the symmetric-definite
    problem ``K H K w = lambda (K L K + mu I) w`` (normalised
    ``w^T (K L K + mu I) w = 1``), using that ``K L K`` has rank one: the
    closed-form inverse square root of ``K L K + mu I`` reduces it to a
    symmetric eigenproblem of which only the top ``n_components`` are
    computed (Lanczos).  With ``kernel="linear"`` and fewer features than
    rows, and with landmarks (``K ~ Phi Phi^T``), it is solved in the
    ``r``-dimensional span of the factor ``Phi``.  Without target information
    (``NoTargetWarning``) the MMD term is dropped and TCA is kernel PCA with
    components scaled by ``mu^{-1/2}``.  Several source (or target) domains
    are pooled into one source (target) mean.

    References
    ----------
    .. [1] S. J. Pan, I. W. Tsang, J. T. Kwok and Q. Yang, "Domain adaptation
       via transfer component analysis", IEEE Transactions on Neural
       Networks 22(2), 199-210, 2011.
    .. [2] S. J. Pan, I. W. Tsang, J. T. Kwok and Q. Yang, "Domain adaptation
       via transfer component analysis", IJCAI 2009.
    .. [3] C. Williams and M. Seeger, "Using the Nystrom method to speed up
       kernel machines", NIPS 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skadapt import TCA
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.default_rng(0)
    >>> Xs = rng.normal(size=(40, 3)); ys = (Xs[:, 0] > 0).astype(int)
    >>> Xt = rng.normal(size=(30, 3)) + [0.0, 2.0, 0.0]
    >>> X, y, sample_domain = source_target_merge(Xs, ys, Xt)
    >>> tca = TCA(KNeighborsClassifier(1), n_components=2, kernel="linear")
    >>> tca.fit(X, y, sample_domain=sample_domain).transform(Xt).shape
    (30, 2)
    >>> tca.predict(Xt[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **_BaseKernelTCA._parameter_constraints,
        "n_landmarks": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
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
        n_landmarks=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.mu = mu
        self.n_landmarks = n_landmarks
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _fit(self, X, y, split, random_state):
        n = X.shape[0]
        if self.n_landmarks is not None and self.n_landmarks > n:
            raise ValueError(
                f"TCA: `n_landmarks`={self.n_landmarks} exceeds the {n} training rows; "
                "use n_landmarks=None for the exact solver."
            )
        progress = Progress("TCA", self.verbose)
        X = self._prepare(X, random_state)
        e = _domain_vector(split)
        if is_dask_array(X):
            return self._fit_landmarks_dask(X, split, e, random_state, progress)
        if self.n_landmarks is not None:
            return self._fit_landmarks(X, e, random_state, progress)
        self.landmark_indices_ = None
        self.X_fit_ = X
        if self.kernel == "linear" and X.shape[1] <= n:
            G, f1 = _gram_factor(X)
            fe = np.asarray(X.T @ e).ravel()
            vals, W, Z = _solve_linear(
                X, G, G - np.outer(f1, f1) / n, fe, self.mu, _n_requested(self)
            )
        else:
            K = self._kernel(X)
            progress(f"kernel matrix {n} x {n}")
            vals, W, Z = _solve_kernel_tca(K, e, self.mu, _n_requested(self))
        progress(f"eigensolver: {vals.shape[0]} components")
        self.eigenvalues_, self.components_, Z = _finish(vals, W, Z, self)
        return Z

    def _landmark_features(self, X, random_state):
        """The Nystrom map of this kernel on ``n_landmarks`` rows of ``X``."""
        return LandmarkFeatures(
            self.kernel, gamma=self.gamma_, degree=self.degree, coef0=self.coef0,
            n_jobs=self.n_jobs,
        ).fit(X, self.n_landmarks, random_state, type(self).__name__)

    def _fit_landmarks(self, X, e, random_state, progress):
        """Nystrom TCA: stream ``C = K(X, Z)`` in row blocks, solve in landmark space."""
        n, m = X.shape[0], self.n_landmarks
        nys = self._landmark_features(X, random_state)
        CtC, Ct1, Cte = np.zeros((m, m)), np.zeros(m), np.zeros(m)
        for start, C in nys.kernel_blocks(X):
            CtC += C.T @ C
            Ct1 += C.sum(axis=0)
            Cte += C.T @ e[start : start + C.shape[0]]
        progress(f"landmark sums over {n} rows ({m} landmarks)")
        vals, W = self._landmark_solve(nys.root_, CtC, Ct1, Cte, n)
        progress(f"eigensolver: {vals.shape[0]} components")
        Z = nys.apply(X, W)
        self.landmark_indices_ = nys.landmark_indices_
        self.X_fit_ = nys.landmarks_
        self.eigenvalues_, self.components_, Z = _finish(vals, W, Z, self)
        return Z

    def _landmark_solve(self, R, CtC, Ct1, Cte, n):
        """Eigenvalues and ``W`` from the sums ``C^T C``, ``C^T 1``, ``C^T e`` (``C = K(X, Zl)``)."""
        G = R.T @ CtC @ R
        f1, fe = R.T @ Ct1, R.T @ Cte
        vals, _, coef_z = _solve_factor(
            G, G - np.outer(f1, f1) / n, fe, self.mu, _n_requested(self)
        )
        return vals, R @ coef_z  # K(x, Z) R (Phi^T w) = K(x, Z) R coef_z

    def _dask_fit_error(self):
        if self.n_landmarks is not None:
            return None
        return (
            "TCA with n_landmarks=None (the exact solver) cannot be fit on a dask array: it "
            "needs the n x n kernel matrix in one process.  Set `n_landmarks` (a Nystrom "
            "approximation whose statistics are sums over row blocks)."
        )

    def _fit_landmarks_dask(self, X, split, e, random_state, progress):
        """:meth:`_fit_landmarks` on a dask ``X``: the sums and the sign pivots blockwise."""
        n, m = X.shape[0], self.n_landmarks
        nys = self._landmark_features(X, random_state)
        sums = row_sum(
            _landmark_sums, X, np.sign(e).astype(np.int8), size=m * m + 2 * m, name="TCA",
            nystroem=nys, pos=e.max(initial=0.0), neg=e.min(initial=0.0),
        )
        progress(f"landmark sums over {X.numblocks[0]} row blocks ({n} rows, {m} landmarks)")
        vals, W = self._landmark_solve(
            nys.root_, sums[: m * m].reshape(m, m), sums[m * m : m * m + m], sums[m * m + m :], n
        )
        progress(f"eigensolver: {vals.shape[0]} components")
        k = W.shape[1]
        parts = row_blocks(_abs_argmax, X, size=2 * k, name="TCA", nystroem=nys, W=W)
        first = parts[:, :k].argmax(axis=0)  # the block of the first row of largest |Z|
        pivot = parts[first, k + np.arange(k)]
        self.landmark_indices_ = nys.landmark_indices_
        self.X_fit_ = nys.landmarks_
        self.eigenvalues_, self.components_, _ = _finish(
            vals, W, pivot[None, :], self
        )
        return self.transform(X)  # lazy, blockwise


def _landmark_sums(X_block, codes, nystroem, pos, neg):
    """``C^T C``, ``C^T 1`` and ``C^T e`` of one block (``C = K(X_block, landmarks)``)."""
    C = nystroem.kernel(X_block)
    e = np.where(codes > 0, pos, np.where(codes < 0, neg, 0.0))
    return np.concatenate([(C.T @ C).ravel(), C.sum(axis=0), C.T @ e])


def _abs_argmax(X_block, nystroem, W):
    """Per column of ``Z = K(X_block, landmarks) W``: ``max |Z|`` and ``Z`` at its first row."""
    Z = nystroem.kernel(X_block) @ W
    if Z.shape[0] == 0:
        return np.zeros(2 * W.shape[1])
    rows = np.abs(Z).argmax(axis=0)
    values = Z[rows, np.arange(Z.shape[1])]
    return np.concatenate([np.abs(values), values])
