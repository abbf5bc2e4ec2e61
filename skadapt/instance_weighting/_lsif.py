"""uLSIF and RuLSIF: least-squares density-ratio fitting with an analytic solution.

The (relative) importance ``r(x) = p_t(x) / (alpha p_t(x) + (1 - alpha) p_s(x))``
(``alpha = 0``: the plain importance ``p_t / p_s``) is modelled as
``theta^T phi(x)`` with kernels centred on target rows, and fitted by
minimising the squared error to the true ratio, which reduces to the ridge
problem::

    min_theta  1/2 theta^T H theta - h^T theta + lambda/2 ||theta||^2
    H = alpha mean_t phi phi^T + (1 - alpha) mean_s phi phi^T,   h = mean_t phi,

solved by ``theta = (H + lambda I)^{-1} h``; negative coefficients are then
rounded up to zero, as in Kanamori et al. (2009).

Leave-one-out cross-validation over the grid ``gamma x lambda`` is computed in
closed form: leaving out the i-th (source, target) pair is a rank-two update
of ``H``, handled by the Sherman-Morrison-Woodbury formula; with one
eigen-decomposition of ``H`` per ``gamma`` every ``lambda`` costs only
diagonal scalings and one matrix product.
"""

from numbers import Real

import numpy as np
import scipy.linalg as sla
from threadpoolctl import threadpool_limits

from ..base import BaseWeighter
from ..utils._dask import as_row_blocks, row_sum, select_rows, take_rows
from ..utils._domain import _stack_rows
from ..utils._verbose import Progress, short
from ._base import (
    BASIS_CONSTRAINTS,
    _DensityRatioMixin,
    basis,
    check_grid,
    choose_centers,
    resolve_gamma_grid,
)
from ..utils._sklearn_compat import Interval

__all__ = ["ULSIF", "RuLSIF"]


def lsif_loo_scores(Phi_s, Phi_t, lambdas, alpha, pair_s, pair_t):
    """Closed-form leave-one-out criterion of (Ru)LSIF for every ``lambda``.

    Parameters
    ----------
    Phi_s, Phi_t : ndarray of shape (n_source, b) and (n_target, b)
        Basis on the source (denominator) and target (numerator) rows.
    lambdas : sequence of float
        Ridge parameters.
    alpha : float
        Relative parameter (0 for uLSIF).
    pair_s, pair_t : ndarray of int of the same length n >= 1
        The rows forming the left-out (source, target) pairs.

    Returns
    -------
    loo : ndarray of shape (len(lambdas),)
        Mean over the pairs of ``alpha/2 r(x'_i)^2 + (1 - alpha)/2 r(x_i)^2
        - r(x'_i)`` with ``r`` fitted without the i-th pair (lower is better).
    """
    n_s, n_t = Phi_s.shape[0], Phi_t.shape[0]
    H_s = Phi_s.T @ Phi_s
    H_t = Phi_t.T @ Phi_t
    h = Phi_t.mean(axis=0)
    # H without a pair, up to the rank-two correction: G0 - U D U^T
    G0 = (alpha / (n_t - 1)) * H_t + ((1 - alpha) / (n_s - 1)) * H_s
    d1, d2 = alpha / (n_t - 1), (1 - alpha) / (n_s - 1)
    evals, Q = sla.eigh(G0)
    evals = np.maximum(evals, 0.0)
    Psi = Phi_t[pair_t] @ Q  # rotated left-out target basis (n, b)
    Phi = Phi_s[pair_s] @ Q  # rotated left-out source basis
    h_loo = ((n_t * (h @ Q))[None, :] - Psi) / (n_t - 1)
    out = np.empty(len(lambdas))
    for k, lam in enumerate(lambdas):
        inv = 1.0 / (evals + lam)
        a = h_loo * inv
        P_psi = Psi * inv
        P_phi = Phi * inv
        s11 = np.einsum("ij,ij->i", Psi, P_psi)
        s12 = np.einsum("ij,ij->i", Psi, P_phi)
        s22 = np.einsum("ij,ij->i", Phi, P_phi)
        u1 = np.einsum("ij,ij->i", Psi, a)
        u2 = np.einsum("ij,ij->i", Phi, a)
        # M = I - S D, solve M v = u for every pair
        m11, m12 = 1.0 - s11 * d1, -s12 * d2
        m21, m22 = -s12 * d1, 1.0 - s22 * d2
        det = m11 * m22 - m12 * m21
        v1 = (m22 * u1 - m12 * u2) / det
        v2 = (m11 * u2 - m21 * u1) / det
        theta = a + P_psi * (d1 * v1)[:, None] + P_phi * (d2 * v2)[:, None]
        theta = np.maximum(theta @ Q.T, 0.0)  # back to the original basis, clipped
        r_t = np.einsum("ij,ij->i", theta, Phi_t[pair_t])
        r_s = np.einsum("ij,ij->i", theta, Phi_s[pair_s])
        out[k] = np.mean(0.5 * alpha * r_t**2 + 0.5 * (1 - alpha) * r_s**2 - r_t)
    return out


def lsif_fit(Phi_s, Phi_t, lam, alpha):
    """Analytic (Ru)LSIF coefficients, negative ones rounded up to zero."""
    return lsif_solve(
        Phi_s.T @ Phi_s, Phi_t.T @ Phi_t, Phi_t.sum(axis=0),
        Phi_s.shape[0], Phi_t.shape[0], lam, alpha,
    )


def lsif_solve(S_s, S_t, s_t, n_s, n_t, lam, alpha):
    """(Ru)LSIF coefficients from the sums over rows ``Phi_s^T Phi_s``, ``Phi_t^T Phi_t``, ``Phi_t^T 1``."""
    H = (alpha / n_t) * S_t + ((1 - alpha) / n_s) * S_s
    H[np.diag_indices_from(H)] += lam
    theta = sla.solve(H, s_t / n_t, assume_a="pos")
    return np.maximum(theta, 0.0)


def _lsif_block_sums(X_block, source, target, centers, kernel, gamma):
    """``Phi^T Phi`` of the block's source rows and of its target rows, ``Phi^T 1`` of its target rows."""
    Phi = basis(X_block, centers, kernel, gamma)
    Phi_s, Phi_t = Phi[source], Phi[target]
    return np.concatenate(
        [(Phi_s.T @ Phi_s).ravel(), (Phi_t.T @ Phi_t).ravel(), Phi_t.sum(axis=0)]
    )


class _BaseLSIF(_DensityRatioMixin, BaseWeighter):
    """Shared fit of uLSIF and RuLSIF (``_relative_alpha`` gives alpha)."""

    _ess_hint = "larger `lambdas` (more regularisation) or a smaller `gamma`"

    def _dask_fit_error(self):
        return None

    _parameter_constraints = {
        **BaseWeighter._parameter_constraints,
        **BASIS_CONSTRAINTS,
        "lambdas": [Interval(Real, 0, None, closed="neither"), list, tuple, np.ndarray],
    }

    def _relative_alpha(self):
        return 0.0

    def _lambda_grid(self):
        return check_grid(self, "lambdas", self.lambdas)

    def _fit_weights(self, X_source, X_target, random_state):
        name = type(self).__name__
        progress = Progress(name, self.verbose)
        alpha = self._relative_alpha()
        grid = resolve_gamma_grid(
            self, self.gamma, self.kernel, _stack_rows(X_source, X_target), random_state
        )
        lambdas = self._lambda_grid()
        n_s, n_t = X_source.shape[0], X_target.shape[0]
        centers = X_target[choose_centers(n_t, self.n_centers, random_state)]
        self.cv_results_ = None
        best_gamma, best_lambda = grid[0], lambdas[0]
        if len(grid) * len(lambdas) > 1:
            n_pairs = min(n_s, n_t)
            if n_pairs < 2:
                raise ValueError(
                    f"{name}: leave-one-out cross-validation over several `gamma`/"
                    f"`lambdas` values needs at least 2 source and 2 target rows, got "
                    f"n_samples={n_s} and n_samples={n_t}; pass a single `gamma` and "
                    "`lambdas`."
                )
            pair_s = random_state.permutation(n_s)[:n_pairs]
            pair_t = random_state.permutation(n_t)[:n_pairs]
            loo = np.empty((len(grid), len(lambdas)))
            for g, gamma in enumerate(grid):
                Phi_s = basis(X_source, centers, self.kernel, gamma)
                Phi_t = basis(X_target, centers, self.kernel, gamma)
                # n_centers-sized linear algebra: single-threaded BLAS is fastest
                with threadpool_limits(limits=1, user_api="blas"):
                    loo[g] = lsif_loo_scores(Phi_s, Phi_t, lambdas, alpha, pair_s, pair_t)
                if progress:
                    finite = loo[g][np.isfinite(loo[g])]
                    best = -finite.min() if finite.size else -np.inf
                    progress(f"leave-one-out {g + 1}/{len(grid)}: gamma={short(gamma)}, "
                             f"best -LOO {best:.6f} over {len(lambdas)} lambdas")
            score = -loo.ravel()
            score = np.where(np.isfinite(score), score, -np.inf)
            order = np.argsort(-score, kind="stable")
            rank = np.empty(score.shape[0], dtype=np.int64)
            rank[order] = np.arange(1, score.shape[0] + 1)
            params = [{"gamma": g, "lambda": lam} for g in grid for lam in lambdas]
            self.cv_results_ = {
                "params": params,
                "param_gamma": np.array([p["gamma"] for p in params], dtype=object),
                "param_lambda": np.array([p["lambda"] for p in params]),
                "mean_test_score": score,
                "rank_test_score": rank,
            }
            best_gamma = params[order[0]]["gamma"]
            best_lambda = params[order[0]]["lambda"]
            if self.verbose > 1:
                for p, s in zip(params, score):
                    progress(f"gamma={short(p['gamma'])}, lambda={p['lambda']:.4g}: -LOO {s:.6f}")
        self.gamma_ = best_gamma
        self.lambda_ = best_lambda
        Phi_s = basis(X_source, centers, self.kernel, self.gamma_)
        Phi_t = basis(X_target, centers, self.kernel, self.gamma_)
        self.centers_ = centers
        self.alpha_ = lsif_fit(Phi_s, Phi_t, self.lambda_, alpha)
        progress(f"fitted with gamma={short(self.gamma_)}, lambda={self.lambda_:.4g}")
        return np.maximum(Phi_s @ self.alpha_, 0.0)

    def _fit_weights_dask(self, X, split, random_state):
        """The same fit on a dask ``X``: ``H`` and ``h`` are sums over row blocks."""
        name = type(self).__name__
        alpha = self._relative_alpha()
        grid = resolve_gamma_grid(
            self, self.gamma, self.kernel,
            _stack_rows(select_rows(X, split.source), select_rows(X, split.target)), random_state,
        )
        lambdas = self._lambda_grid()
        if len(grid) * len(lambdas) > 1:
            raise ValueError(
                f"{name}: on a dask array the leave-one-out search over `gamma` x "
                f"`lambdas` ({len(grid)} x {len(lambdas)} values) is not available: it "
                "pairs individual source and target rows, which is not a sum over row "
                "blocks.  Pass one `gamma` and one `lambdas` value (chosen, e.g., by "
                f"{name} on an in-memory subsample, whose `gamma_` and `lambda_` give them)."
            )
        source_rows, target_rows = np.flatnonzero(split.source), np.flatnonzero(split.target)
        n_s, n_t = source_rows.shape[0], target_rows.shape[0]
        centers = take_rows(
            X, target_rows[choose_centers(n_t, self.n_centers, random_state)], name
        )
        self.cv_results_ = None
        self.gamma_, self.lambda_ = grid[0], lambdas[0]
        b = centers.shape[0]
        sums = row_sum(
            _lsif_block_sums, X, split.source, split.target, size=2 * b * b + b, name=name,
            centers=centers, kernel=self.kernel, gamma=self.gamma_,
        )
        S_s, S_t = sums[: b * b].reshape(b, b), sums[b * b : 2 * b * b].reshape(b, b)
        self.centers_ = centers
        self.alpha_ = lsif_solve(S_s, S_t, sums[2 * b * b :], n_s, n_t, self.lambda_, alpha)
        Progress(name, self.verbose)(
            f"fitted from sums over {X.numblocks[0]} row blocks with gamma={short(self.gamma_)}, "
            f"lambda={self.lambda_:.4g}"
        )
        return self.density_ratio(X) * as_row_blocks(split.source.astype(np.float64), X)


_COMMON_PARAMS = """
    estimator : estimator object, default=None
        Fitted on the labeled rows with the importance weights; its ``fit``
        must take ``sample_weight``.  ``None``: a pure weighter.
    kernel : {"rbf", "laplacian", "linear", "cosine"}, default="rbf"
        Basis kernel.  The papers use ``"rbf"`` (Gaussian).  Every kernel
        accepts sparse ``X`` (CSR or CSC, never densified).
    gamma : float, "scale", "median", list of them, or "auto", default="auto"
        Width of the kernel, ``k(x, c) = exp(-gamma ||x - c||^2)``.  A list is
        searched by leave-one-out cross-validation jointly with ``lambdas``;
        ``"auto"`` is the list ``g_med * (1/16, 1/4, 1, 4, 16)`` with ``g_med``
        the median heuristic (one over the median squared distance).
    lambdas : float or list of float, default=(1e-3, 1e-2, 1e-1, 1.0, 10.0)
        Ridge parameter(s) ``lambda``; a list is searched by leave-one-out
        cross-validation.
    n_centers : int, default=100
        Number of target rows drawn at random as kernel centres.
    random_state : int, RandomState instance or None, default=None
        Draws the centres and the pairs of the leave-one-out criterion.
    verbose : int, default=0
        When positive, print one line per ``gamma`` of the cross-validation and
        one for the final fit, with the elapsed time; above 1, also the score of
        every ``(gamma, lambda)``."""

_COMMON_ATTRIBUTES = """
    weights_ : ndarray of shape (n_samples,)
        Estimated ratio at each training row; 0 for the target rows, in the
        float dtype of ``X``.
    effective_sample_size_ : float
        Kish's effective sample size ``(sum w) ** 2 / sum(w ** 2)`` of the
        source weights: how many equally weighted rows they are worth.  Below
        10 % of the source rows, ``fit`` warns with
        :class:`~skadapt.exceptions.LowEffectiveSampleSizeWarning`.
    estimator_ : estimator object
        The fitted estimator (when ``estimator`` is given).
    gamma_ : float or None
        Selected kernel width (None for kernels without one).
    lambda_ : float
        Selected ridge parameter.
    centers_ : ndarray or sparse matrix of shape (n_centers, n_features)
        Kernel centres (target rows).
    alpha_ : ndarray of shape (n_centers,)
        Non-negative coefficients ``theta`` of the basis functions.
    cv_results_ : dict or None
        Leave-one-out table over the grid: ``params``, ``param_gamma``,
        ``param_lambda``, ``mean_test_score`` (minus the leave-one-out
        squared-loss criterion, higher is better) and ``rank_test_score``.
        None when the grid has a single point.
    n_features_in_ : int
        Number of features seen during fit."""


class ULSIF(_BaseLSIF):
    __doc__ = f"""Unconstrained least-squares importance fitting (uLSIF).

    Estimates the importance ``w(x) = p_target(x) / p_source(x)`` as a
    combination of kernels centred on target rows by least squares, with an
    analytic solution, chooses ``gamma`` and ``lambda`` by closed-form
    leave-one-out cross-validation, and weights the source rows with it.

    Parameters
    ----------{_COMMON_PARAMS}

    Attributes
    ----------{_COMMON_ATTRIBUTES}

    See Also
    --------
    RuLSIF : The relative (bounded) variant.
    KLIEP : Likelihood-based importance estimation.

    Notes
    -----
    With ``H = mean_s phi(x) phi(x)^T`` (source rows) and
    ``h = mean_t phi(x')`` (target rows), uLSIF takes
    ``theta = max(0, (H + lambda I)^{{-1}} h)`` (Kanamori et al., 2009, eq. (9)
    with the rounding of negative coefficients to zero), so the ratio
    ``theta^T phi(x)`` is non-negative for a non-negative kernel; any negative
    value (linear kernel on signed data) is clipped at 0 in ``weights_`` and
    ``density_ratio``.  The leave-one-out criterion leaves out one (source,
    target) pair at a time (``min(n_source, n_target)`` pairs drawn at random)
    and is evaluated in closed form by the Sherman-Morrison-Woodbury formula,
    with the same rounding to zero as the final fit.

    References
    ----------
    .. [1] T. Kanamori, S. Hido and M. Sugiyama, "A least-squares approach to
       direct importance estimation", Journal of Machine Learning Research 10,
       2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import ULSIF
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (200, 1)), rng.normal(0.5, 0.5, (100, 1))]
    >>> y = np.r_[np.zeros(200), -np.ones(100)]      # -1 marks the target rows
    >>> ulsif = ULSIF(random_state=0).fit(X, y)
    >>> sorted(ulsif.cv_results_)[:2]
    ['mean_test_score', 'param_gamma']
    >>> ratio = ulsif.density_ratio([[0.5], [3.0]])
    >>> bool(ratio[0] > ratio[1])
    True
    """

    def __init__(
        self,
        estimator=None,
        *,
        kernel="rbf",
        gamma="auto",
        lambdas=(1e-3, 1e-2, 1e-1, 1.0, 10.0),
        n_centers=100,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.kernel = kernel
        self.gamma = gamma
        self.lambdas = lambdas
        self.n_centers = n_centers
        self.random_state = random_state
        self.verbose = verbose


class RuLSIF(_BaseLSIF):
    __doc__ = f"""Relative unconstrained least-squares importance fitting (RuLSIF).

    Estimates the relative importance
    ``r(x) = p_target(x) / (alpha p_target(x) + (1 - alpha) p_source(x))``,
    which is bounded by ``1 / alpha`` and therefore smoother and easier to
    estimate than the plain ratio, by least squares with an analytic solution;
    ``gamma`` and ``lambda`` are chosen by closed-form leave-one-out
    cross-validation.  ``alpha=0`` gives uLSIF.

    Parameters
    ----------{_COMMON_PARAMS}
    alpha : float in [0, 1), default=0.1
        Relative parameter: the mixing weight of the target density in the
        denominator.

    Attributes
    ----------{_COMMON_ATTRIBUTES}

    See Also
    --------
    ULSIF : The plain ratio (``alpha=0``).

    Notes
    -----
    With ``H = alpha mean_t phi phi^T + (1 - alpha) mean_s phi phi^T`` and
    ``h = mean_t phi``, ``theta = max(0, (H + lambda I)^{{-1}} h)`` (Yamada et
    al., 2011, eq. (4); negative coefficients rounded up to zero as in uLSIF,
    negative ratios clipped at 0).  ``weights_`` holds the relative ratio at
    the source rows, the weights of relative importance-weighted learning.
    The leave-one-out criterion is the relative Pearson divergence loss
    ``alpha/2 r(x')^2 + (1 - alpha)/2 r(x)^2 - r(x')`` on each left-out pair,
    computed in closed form (a rank-two Woodbury update).

    References
    ----------
    .. [1] M. Yamada, T. Suzuki, T. Kanamori, H. Hachiya and M. Sugiyama,
       "Relative density-ratio estimation for robust distribution comparison",
       NIPS 2011.
    .. [2] T. Kanamori, S. Hido and M. Sugiyama, "A least-squares approach to
       direct importance estimation", JMLR 10, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import RuLSIF
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (200, 1)), rng.normal(0.5, 0.5, (100, 1))]
    >>> y = np.r_[np.zeros(200), -np.ones(100)]      # -1 marks the target rows
    >>> rulsif = RuLSIF(alpha=0.5, random_state=0).fit(X, y)
    >>> ratio = rulsif.density_ratio([[0.5], [3.0]])
    >>> bool(ratio[0] > ratio[1])
    True
    """

    _ess_hint = "a larger `alpha` (the relative ratio is bounded by 1/alpha) or larger `lambdas`"

    _parameter_constraints = {
        **_BaseLSIF._parameter_constraints,
        "alpha": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        kernel="rbf",
        gamma="auto",
        lambdas=(1e-3, 1e-2, 1e-1, 1.0, 10.0),
        n_centers=100,
        alpha=0.1,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.kernel = kernel
        self.gamma = gamma
        self.lambdas = lambdas
        self.n_centers = n_centers
        self.alpha = alpha
        self.random_state = random_state
        self.verbose = verbose

    def _relative_alpha(self):
        return float(self.alpha)
