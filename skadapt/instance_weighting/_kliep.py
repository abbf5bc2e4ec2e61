"""KLIEP: Kullback-Leibler importance estimation (Sugiyama et al.).

The importance ``w(x) = p_target(x) / p_source(x)`` is modelled as
``sum_l alpha_l k(x, c_l)`` with Gaussian (or other) kernels centred on
target rows.  The coefficients maximise the log-likelihood of the target
rows under the constraint that the weighted source density integrates to
one::

    max_alpha  (1/n_t) sum_j log (A alpha)_j
    s.t.       b^T alpha = 1,  alpha >= 0,

with ``A_jl = k(x'_j, c_l)`` on the target rows and ``b_l = (1/n_s)
sum_i k(x_i, c_l)`` on the source rows.  The problem is concave; it is solved
by sequential quadratic programming on the equivalent mixture-proportion
problem (Newton models minimised exactly over the non-negative orthant, with
a backtracking line search, as in mix-SQP), which is robust to the badly
scaled bases of narrow kernels where gradient methods stall.  Convergence is
certified by the Frank-Wolfe duality gap ``max_l g_l / b_l - 1`` (``g`` the
gradient), an upper bound on the distance of the mean log-likelihood to its
optimum.

The kernel width is chosen by likelihood cross-validation over the target
rows, as the papers do.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.linalg as sla
from scipy.optimize import nnls
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from ..base import BaseWeighter
from ..utils._domain import _stack_rows
from ..utils._verbose import Progress, short
from ._base import (
    BASIS_CONSTRAINTS,
    _DensityRatioMixin,
    basis,
    choose_centers,
    resolve_gamma_grid,
)
from ..utils._sklearn_compat import Interval

__all__ = ["KLIEP"]

_TINY = 1e-300


def kliep_solve(A, b, *, tol=1e-6, max_iter=100):
    """Solve KLIEP's concave program by sequential quadratic programming.

    With ``x_l = b_l alpha_l`` and ``M = A / b`` (columns scaled), KLIEP is the
    maximum-likelihood problem of mixture proportions
    ``min_x -mean_j log (M x)_j`` over the simplex, which has the same solution
    as ``min_{x >= 0} -mean_j log (M x)_j + sum(x)`` (the multiplier of the sum
    constraint is one at the optimum).  Each iteration minimises the
    second-order model of the latter over ``x >= 0`` exactly (Cholesky factor of
    the Hessian, then Lawson-Hanson non-negative least squares) and takes an
    Armijo backtracking step towards its solution, as in mix-SQP (Kim et al.,
    2020).

    Parameters
    ----------
    A : ndarray of shape (n_target, n_centers)
        Basis on the target rows (non-negative).
    b : ndarray of shape (n_centers,)
        Mean basis on the source rows (positive).
    tol : float
        Stop when the Frank-Wolfe gap ``max_l (g_l / b_l) - 1`` of the mean
        log-likelihood (``g`` its gradient in ``alpha``) at the normalised
        iterate is at most ``tol``; the gap bounds the distance of the mean
        log-likelihood to its maximum.
    max_iter : int
        Maximum number of iterations.

    Returns
    -------
    alpha : ndarray of shape (n_centers,)
        Feasible coefficients (``alpha >= 0``, ``b @ alpha = 1``).
    n_iter : int
        Iterations done.
    gap : float
        Frank-Wolfe gap of the returned ``alpha``.
    """
    M = A / b
    n, m = M.shape
    x = np.full(m, 1.0 / m)

    def objective(x):
        u = np.maximum(M @ x, _TINY)
        return -np.mean(np.log(u)) + x.sum(), u

    f, u = objective(x)
    gap = np.inf
    n_iter = 0
    for n_iter in range(max_iter + 1):
        w = 1.0 / u
        q = (M.T @ w) / n
        gap = float(x.sum() * q.max() - 1.0)
        if gap <= tol or n_iter == max_iter:
            break
        g = 1.0 - q
        R = M * w[:, None]
        H = (R.T @ R) / n
        H[np.diag_indices(m)] += 1e-12 * np.trace(H) / m + _TINY
        L = np.linalg.cholesky(H)
        c = H @ x - g
        y, _ = nnls(L.T, sla.solve_triangular(L, c, lower=True), maxiter=20 * m)
        d = y - x
        slope = float(g @ d)
        if slope >= 0:  # the model gives no descent at this precision
            break
        t = 1.0
        while True:
            f_new, u_new = objective(x + t * d)
            if f_new <= f + 1e-4 * t * slope or t < 1e-12:
                break
            t *= 0.5
        x = x + t * d
        f, u = f_new, u_new
    return (x / x.sum()) / b, n_iter, gap


def _kliep_fit(A, b, tol, max_iter, name):
    if np.any(A < 0) or np.any(b < 0):
        raise ValueError(
            f"{name}: the kernel takes negative values on these rows; KLIEP's "
            "model needs a non-negative basis (use non-negative features with "
            "kernel='linear'/'cosine', or kernel='rbf')."
        )
    if np.any(b <= 0) or not np.any(A.sum(axis=1) > 0):
        raise ValueError(
            f"{name}: some basis function is zero on every source row (the kernel "
            "width is too small for the data); use a smaller `gamma`."
        )
    # the solver works on n_centers x n_centers matrices: threaded BLAS only
    # adds synchronisation there (and stalls badly on a busy machine)
    with threadpool_limits(limits=1, user_api="blas"):
        return kliep_solve(A, b, tol=tol, max_iter=max_iter)


class KLIEP(_DensityRatioMixin, BaseWeighter):
    """Kullback-Leibler importance estimation procedure (KLIEP).

    Estimates the importance ``w(x) = p_target(x) / p_source(x)`` as a
    non-negative combination of kernels centred on target rows, by maximising
    the likelihood of the target rows, and weights the source rows with it.
    With an ``estimator``, that estimator is fitted on the labeled source rows
    with ``sample_weight = weights_``.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fitted on the labeled rows with the importance weights; its ``fit``
        must take ``sample_weight``.  ``None``: a pure weighter.
    kernel : {"rbf", "laplacian", "linear", "cosine"}, default="rbf"
        Basis kernel.  The papers use ``"rbf"`` (Gaussian).  Every kernel
        accepts sparse ``X`` (CSR or CSC, never densified); ``"linear"`` and
        ``"cosine"`` need non-negative features.
    gamma : float, "scale", "median", list of them, or "auto", default="auto"
        Width of the kernel, ``k(x, c) = exp(-gamma ||x - c||^2)``.  A list
        is searched by likelihood cross-validation; ``"auto"`` is the list
        ``g_med * (1/16, 1/4, 1, 4, 16)`` with ``g_med`` the median heuristic
        (one over the median squared distance of the rows).
    n_centers : int, default=100
        Number of target rows drawn at random as kernel centres (all of
        them when there are fewer).
    cv : int, default=5
        Number of folds of the likelihood cross-validation over the target
        rows (used when ``gamma`` has several values).
    max_iter : int, default=100
        Maximum iterations of the (Newton-type) solver, per fit.
    tol : float, default=1e-6
        Stopping tolerance: the Frank-Wolfe duality gap of the mean
        log-likelihood (a certified bound on its distance to the optimum).
    random_state : int, RandomState instance or None, default=None
        Draws the centres and the cross-validation folds.
    verbose : int, default=0
        When positive, print one line per cross-validation fold, the score of
        every ``gamma`` and one line for the final fit, with the elapsed time.

    Attributes
    ----------
    weights_ : ndarray of shape (n_samples,)
        Importance of each training row; 0 for the target rows, in the
        float dtype of ``X``.
    effective_sample_size_ : float
        Kish's effective sample size ``(sum w) ** 2 / sum(w ** 2)`` of the
        source weights: how many equally weighted rows they are worth.  Below
        10 % of the source rows, ``fit`` warns with
        :class:`~skadapt.exceptions.LowEffectiveSampleSizeWarning`.
    estimator_ : estimator object
        The fitted estimator (when ``estimator`` is given).
    gamma_ : float or None
        The selected kernel width (None for kernels without one).
    centers_ : ndarray or sparse matrix of shape (n_centers, n_features)
        Kernel centres (target rows).
    alpha_ : ndarray of shape (n_centers,)
        Coefficients of the basis functions.
    n_iter_ : int
        Solver iterations of the final fit (at least 1: the check of the
        starting point counts as one).
    cv_results_ : dict or None
        Likelihood cross-validation table: ``params``, ``param_gamma``,
        ``split<k>_test_score`` (held-out mean log-importance of the target
        rows), ``mean_test_score``, ``std_test_score``, ``rank_test_score``.
        None when ``gamma`` has a single value.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    ULSIF : Least-squares importance fitting, with an analytic solution.
    KMM : Kernel mean matching.

    Notes
    -----
    With ``A_jl = k(x'_j, c_l)`` on the target rows and
    ``b_l = mean_i k(x_i, c_l)`` on the source rows, KLIEP solves
    ``max sum_j log(A alpha)_j  s.t.  b^T alpha = 1, alpha >= 0``
    (Sugiyama et al., 2008, eq. (8)).  The papers use a heuristic
    gradient-ascent-and-rescale loop; here the concave program is solved to a
    certified precision: with ``x = b * alpha`` it is the maximum-likelihood
    problem of mixture proportions, solved by sequential quadratic programming
    (each Newton model minimised exactly over ``x >= 0`` by non-negative least
    squares, then a backtracking line search; Kim et al., 2020), and stopped
    when the Frank-Wolfe gap ``max_l g_l / b_l - 1`` (a bound on the distance
    of the mean log-likelihood to its maximum) is below ``tol``.  The likelihood
    cross-validation (LCV) splits the target rows in ``cv`` folds, fits on the
    other folds (centres drawn from them) and scores the mean of
    ``log w(x')`` on the held-out fold.

    References
    ----------
    .. [1] M. Sugiyama, S. Nakajima, H. Kashima, P. von Buenau and M. Kawanabe,
       "Direct importance estimation with model selection and its application
       to covariate shift adaptation", NIPS 2007.
    .. [2] M. Sugiyama, T. Suzuki, S. Nakajima, H. Kashima, P. von Buenau and
       M. Kawanabe, "Direct importance estimation for covariate shift
       adaptation", Annals of the Institute of Statistical Mathematics 60(4),
       2008.
    .. [3] Y. Kim, P. Carbonetto, M. Stephens and M. Anitescu, "A fast
       algorithm for maximum likelihood estimation of mixture proportions using
       sequential quadratic programming", J. Comput. Graph. Statist. 29(2),
       2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import KLIEP
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (200, 1)), rng.normal(0.5, 0.5, (100, 1))]
    >>> y = np.r_[np.zeros(200), -np.ones(100)]      # -1 marks the target rows
    >>> kliep = KLIEP(random_state=0).fit(X, y)
    >>> kliep.weights_.shape
    (300,)
    >>> ratio = kliep.density_ratio([[0.5], [3.0]])
    >>> bool(ratio[0] > ratio[1])
    True
    """

    _ess_hint = "a smaller `gamma` (a wider kernel) or kernel='rbf'"

    _parameter_constraints = {
        **BaseWeighter._parameter_constraints,
        **BASIS_CONSTRAINTS,
        "cv": [Interval(Integral, 2, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        kernel="rbf",
        gamma="auto",
        n_centers=100,
        cv=5,
        max_iter=100,
        tol=1e-6,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.kernel = kernel
        self.gamma = gamma
        self.n_centers = n_centers
        self.cv = cv
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    def _fit_one(self, Xs, Xt_fit, centers_idx, gamma):
        name = type(self).__name__
        centers = Xt_fit[centers_idx]
        A = basis(Xt_fit, centers, self.kernel, gamma)
        b = basis(Xs, centers, self.kernel, gamma).mean(axis=0)
        alpha, n_iter, gap = _kliep_fit(A, b, self.tol, self.max_iter, name)
        return centers, alpha, n_iter, gap

    def _fit_weights(self, X_source, X_target, random_state):
        name = type(self).__name__
        progress = Progress(name, self.verbose)
        grid = resolve_gamma_grid(
            self, self.gamma, self.kernel, _stack_rows(X_source, X_target), random_state
        )
        n_t = X_target.shape[0]
        perm = random_state.permutation(n_t)
        # duality gaps of the cross-validation fits that stopped above `tol`
        # (the warning reports these, not only the final fit's gap)
        cv_gaps = []
        n_cv_fits = 0
        self.cv_results_ = None
        if len(grid) > 1:
            if n_t < self.cv:
                raise ValueError(
                    f"{name}: likelihood cross-validation with cv={self.cv} folds needs "
                    f"at least {self.cv} target rows, got n_samples={n_t}; pass a single "
                    "`gamma` "
                    "or a smaller `cv`."
                )
            folds = np.array_split(perm, self.cv)
            scores = np.full((len(grid), self.cv), -np.inf)
            for k, held in enumerate(folds):
                train = np.concatenate([f for j, f in enumerate(folds) if j != k])
                Xt_train = X_target[train]
                c_idx = choose_centers(len(train), self.n_centers, random_state)
                for g, gamma in enumerate(grid):
                    try:
                        centers, alpha, _, gap = self._fit_one(X_source, Xt_train, c_idx, gamma)
                    except ValueError:
                        continue  # a degenerate width scores -inf
                    n_cv_fits += 1
                    if gap > self.tol:
                        cv_gaps.append(gap)
                    ratio = basis(X_target[held], centers, self.kernel, gamma) @ alpha
                    scores[g, k] = float(np.mean(np.log(np.maximum(ratio, 1e-300))))
                progress(f"cross-validation fold {k + 1}/{self.cv}: {len(grid)} widths fitted")
            mean = scores.mean(axis=1)
            order = np.argsort(-mean, kind="stable")
            rank = np.empty(len(grid), dtype=np.int64)
            rank[order] = np.arange(1, len(grid) + 1)
            results = {
                "params": [{"gamma": g} for g in grid],
                "param_gamma": np.array(grid),
            }
            for k in range(self.cv):
                results[f"split{k}_test_score"] = scores[:, k]
            results["mean_test_score"] = mean
            results["std_test_score"] = scores.std(axis=1)
            results["rank_test_score"] = rank
            self.cv_results_ = results
            best = int(order[0])
            for gamma, m in zip(grid, mean):
                progress(f"gamma={short(gamma)}: held-out mean log-importance {m:.5f}")
        else:
            best = 0
        self.gamma_ = grid[best]
        centers = X_target[choose_centers(n_t, self.n_centers, random_state)]
        A = basis(X_target, centers, self.kernel, self.gamma_)
        b = basis(X_source, centers, self.kernel, self.gamma_).mean(axis=0)
        alpha, n_iter, gap = _kliep_fit(A, b, self.tol, self.max_iter, name)
        final_converged = not gap > self.tol
        if cv_gaps or not final_converged:
            gaps = cv_gaps + ([] if final_converged else [gap])
            final = (
                f"the final fit converged (gap {gap:.2e})"
                if final_converged
                else f"the final fit did not (gap {gap:.2e})"
            )
            warnings.warn(
                f"{name}: the solver stopped with its duality gap above tol={self.tol} "
                f"(max_iter={self.max_iter}) in {len(gaps)} fit(s): {len(cv_gaps)} of "
                f"{n_cv_fits} likelihood cross-validation fit(s), and {final}; largest gap "
                f"of those fits {max(gaps):.2e}; increase `max_iter`.",
                ConvergenceWarning,
            )
        self.centers_ = centers
        self.alpha_ = alpha
        self.n_iter_ = max(int(n_iter), 1)
        progress(f"fitted with gamma={short(self.gamma_)} in {self.n_iter_} iterations")
        return np.maximum(
            basis(X_source, centers, self.kernel, self.gamma_) @ alpha, 0.0
        )
