"""KMM: kernel mean matching (Huang et al., 2006).

The source rows are re-weighted so that their kernel mean embedding matches
the target's: the weights solve the box-and-band quadratic program of
:mod:`._kmm_solver`, with ``K`` the source kernel matrix and
``kappa_i = (n_s / n_t) sum_j k(x_i, x'_j)`` (through
:func:`skadapt.kernels.kernel_mean`).  With ``n_components`` the kernel is
replaced by a Nystroem factor ``K ~ Phi Phi^T`` (from
:func:`skadapt.kernels.make_nystroem`) and the n x n matrix is never formed.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseWeighter
from ..kernels import kernel_mean, make_nystroem, pairwise_kernels
from ..utils._dask import (
    fit_nystroem,
    is_dask_array,
    scatter_rows,
    select_rows,
    take_rows,
    transform_mean,
)
from ._base import GAMMA_KERNELS, KERNELS, SPARSE_KERNELS, _stack_rows, resolve_gamma_grid
from ._kmm_solver import DenseQuadratic, FactorQuadratic, solve_box_band_qp, solve_cvxpy

__all__ = ["KMM"]


def _check_solver(solver):
    """Split ``solver`` into ``("auto", None)`` or ``("cvxpy", name-or-None)``."""
    if solver == "auto":
        return "auto", None
    if solver == "cvxpy":
        return "cvxpy", None
    if isinstance(solver, str) and solver.startswith("cvxpy:"):
        import cvxpy as cp

        name = solver.split(":", 1)[1].upper()
        if name not in cp.installed_solvers():
            raise ValueError(
                f"KMM: `solver`={solver!r} names a cvxpy solver that is not installed; "
                f"installed: {cp.installed_solvers()}."
            )
        return "cvxpy", name
    raise ValueError(
        f"KMM: `solver` must be 'auto', 'cvxpy' or 'cvxpy:<SOLVER>' (e.g. 'cvxpy:OSQP'), "
        f"got {solver!r}."
    )


class KMM(BaseWeighter):
    """Kernel mean matching (KMM).

    Weights the source rows so that their mean in the feature space of a
    kernel matches the mean of the target rows, by solving the quadratic
    program of Huang et al. (2006).  With an ``estimator``, that estimator is
    fitted on the labeled source rows with ``sample_weight = weights_``.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fitted on the labeled rows with the weights; its ``fit`` must take
        ``sample_weight``.  ``None``: a pure weighter.
    kernel : {"rbf", "laplacian", "linear", "cosine"}, default="rbf"
        The kernel (from :mod:`skadapt.kernels`).  ``"linear"`` and
        ``"cosine"`` accept sparse ``X``.
    gamma : float, "scale" or "median", default="scale"
        Kernel width of ``"rbf"``/``"laplacian"``, resolved once on the
        source and target rows (see :func:`skadapt.kernels.resolve_gamma`)
        and stored in ``gamma_``.
    B : float, default=1000.0
        Upper bound of each weight.
    eps : float or None, default=None
        Half-width of the band on the mean weight, ``|sum(beta) - n_s| <=
        n_s eps``; ``None`` is ``(sqrt(n_s) - 1) / sqrt(n_s)`` as in the
        paper.
    solver : {"auto", "cvxpy"} or "cvxpy:<SOLVER>", default="auto"
        ``"auto"``: skadapt's solver (projected Newton with conjugate-gradient
        and Cholesky face solves, then, if that stalls, accelerated projected
        gradient with active-set polishing; an exact projection and a
        certified duality-gap stop).  ``"cvxpy"``: the reference through cvxpy with its CLARABEL
        solver; ``"cvxpy:OSQP"`` (any installed cvxpy solver) picks another.
    tol : float or None, default=None
        Relative duality-gap tolerance of ``"auto"``: it stops when the
        Frank-Wolfe gap, an upper bound on ``f(beta) - f*``, is at most
        ``tol * (beta^T K beta / 2 + |kappa^T beta|)``.  ``None`` is ``1e-7``
        for the exact kernel and ``1e-5`` with ``n_components``: the Nystroem
        problem is degenerate (rank ``n_components``), its gap certificate
        converges slowly, and ``1e-5`` is far below the error of the kernel
        approximation itself.
    max_iter : int, default=10000
        Maximum iterations of ``"auto"`` (Newton and gradient iterations
        together).
    n_components : int or None, default=None
        Use a Nystroem factor with this many landmarks (drawn from the source
        and target rows; at most their number) instead of the exact kernel:
        memory and time grow linearly with the number of rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the Nystroem landmarks and of ``gamma="median"``.
    n_jobs : int or None, default=None
        Threads of the kernel computations.
    verbose : int, default=0
        Print the solver's progress when positive.

    Attributes
    ----------
    weights_ : ndarray of shape (n_samples,)
        The weight ``beta_i`` of each source row; 0 for the target rows.
    estimator_ : estimator object
        The fitted estimator (when ``estimator`` is given).
    gamma_ : float or None
        The kernel width used (None for kernels without one).
    eps_ : float
        The band half-width used.
    objective_ : float
        ``beta^T K beta / 2 - kappa^T beta`` at the solution.
    duality_gap_ : float or None
        Certified bound on ``objective_ - optimum`` (``"auto"``; None for
        cvxpy).
    n_iter_ : int
        Iterations of the solver (at least 1: the check of the starting point,
        which ends the solve when it is already optimal, counts as one).
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    KLIEP : Importance estimation by likelihood, with a density-ratio model.
    ULSIF : Least-squares importance fitting.

    Notes
    -----
    KMM solves ``min 1/2 beta^T K beta - kappa^T beta`` subject to
    ``0 <= beta_i <= B`` and ``|sum_i beta_i - n_s| <= n_s eps``, with
    ``K_ij = k(x_i, x_j)`` on the source rows and ``kappa_i = (n_s / n_t)
    sum_j k(x_i, x'_j)`` (Huang et al., 2006, eq. (6)); it minimises the
    squared distance between the weighted source mean and the target mean in
    the kernel's feature space.  The weights are defined only on the training
    rows (KMM is transductive), so there is no ``density_ratio``.

    The "auto" solver first runs Bertsekas' projected Newton method: the
    variables near a bound that the gradient pushes onto it are held, the
    others take a Newton step on ``K_FF`` (truncated conjugate gradients,
    then a Cholesky factorisation for the last, exact steps), projected back
    exactly onto the box-and-band set (a one-dimensional search for the shift
    of ``clip(z - lam, 0, B)``).  On the usual KMM problem this takes 5 to 20
    iterations.  Problems where it stalls (a degenerate ``K``) continue, up
    to 500 source rows, with a finite active-set method (bounded least
    squares, BVLS, with a secant search for the band's multiplier), and
    otherwise with accelerated projected gradient (FISTA with adaptive
    restart) and active-set polishing of stable faces.  All stop on a
    certified duality gap, so the objective equals the QP optimum
    to the relative precision ``tol``.  With ``n_components`` the same QP is
    solved with ``K = Phi_s Phi_s^T`` and ``kappa = (n_s / n_t) Phi_s Phi_t^T 1`` (the
    Nystroem features of the source and target rows): the exact KMM of the
    approximate kernel, in ``O(n m)`` memory.  The cvxpy reference passes
    ``||Phi^T beta||^2`` with ``Phi`` a pivoted Cholesky (or the Nystroem)
    factor of ``K`` instead of a dense ``quad_form``.

    References
    ----------
    .. [1] J. Huang, A. J. Smola, A. Gretton, K. M. Borgwardt and B. Schoelkopf,
       "Correcting sample selection bias by unlabeled data", NIPS 2006.
    .. [2] D. P. Bertsekas, "Projected Newton methods for optimization
       problems with simple constraints", SIAM J. Control Optim. 20(2), 1982.
    .. [3] A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding
       algorithm for linear inverse problems", SIAM J. Imaging Sci. 2(1), 2009.
    .. [4] P. B. Stark and R. L. Parker, "Bounded-variable least-squares: an
       algorithm and applications", Computational Statistics 10, 1995.
    .. [5] B. O'Donoghue and E. Candes, "Adaptive restart for accelerated
       gradient schemes", Found. Comput. Math. 15, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import KMM
    >>> rng = np.random.default_rng(0)
    >>> Xs = rng.normal(0, 1, (100, 2))
    >>> Xt = rng.normal(0.5, 0.5, (50, 2))
    >>> X = np.r_[Xs, Xt]
    >>> y = np.r_[(Xs[:, 0] > 0).astype(int), -np.ones(50, dtype=int)]  # -1: target
    >>> kmm = KMM(LogisticRegression(), gamma=1.0).fit(X, y)
    >>> w = kmm.weights_[:100]
    >>> bool(w.min() >= 0), bool(abs(w.sum() - 100) <= 100 * kmm.eps_ + 1e-9)
    (True, True)
    >>> kmm.predict(Xt[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseWeighter._parameter_constraints,
        "kernel": [StrOptions(set(KERNELS))],
        "gamma": [Interval(Real, 0, None, closed="neither"), StrOptions({"scale", "median"})],
        "B": [Interval(Real, 0, None, closed="neither")],
        "eps": [Interval(Real, 0, None, closed="left"), None],
        "solver": [str],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        kernel="rbf",
        gamma="scale",
        B=1000.0,
        eps=None,
        solver="auto",
        tol=None,
        max_iter=10000,
        n_components=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.kernel = kernel
        self.gamma = gamma
        self.B = B
        self.eps = eps
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.n_components = n_components
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _accepts_sparse(self):
        return self.kernel in SPARSE_KERNELS

    def _dask_fit_error(self):
        if self.n_components is not None:
            return None
        return (
            "KMM with n_components=None (the exact kernel) cannot be fit on a dask array: "
            "it needs the n_source x n_source kernel matrix in one process.  Set "
            "`n_components` (a Nystroem factor: the target's kernel mean is then computed "
            "blockwise and only the source rows, one variable each of the quadratic "
            "program, are gathered)."
        )

    def _fit_weights_dask(self, X, split, random_state):
        """Nystroem KMM on a dask ``X``: the source rows are gathered, the target streamed."""
        X_source = take_rows(X, np.flatnonzero(split.source), "KMM")
        beta = self._fit_weights(X_source, select_rows(X, split.target), random_state)
        return scatter_rows(beta, split.source, X)

    def _problem(self, X_source, X_target, random_state):
        """The quadratic term (dense or factor) and ``kappa``."""
        n_s = X_source.shape[0]
        kw = {"gamma": self.gamma_} if self.kernel in GAMMA_KERNELS else {}
        if self.n_components is None:
            K = np.asarray(
                pairwise_kernels(X_source, metric=self.kernel, n_jobs=self.n_jobs, **kw),
                dtype=np.float64,
            )
            kappa = n_s * np.asarray(
                kernel_mean(X_source, X_target, metric=self.kernel, n_jobs=self.n_jobs, **kw),
                dtype=np.float64,
            )
            return DenseQuadratic(K), kappa
        rows = _stack_rows(X_source, X_target)
        m = min(self.n_components, rows.shape[0])
        nys = make_nystroem(
            self.kernel, gamma=self.gamma_, n_components=m, random_state=random_state
        )
        if is_dask_array(X_target):  # the target's kernel mean is a sum over row blocks
            nys = fit_nystroem(nys, rows, random_state, "KMM")
            mean_t = transform_mean(nys, X_target, m, "KMM")
        else:
            nys.fit(rows)
            mean_t = np.asarray(nys.transform(X_target), dtype=np.float64).mean(axis=0)
        Phi_s = np.asarray(nys.transform(X_source), dtype=np.float64)
        kappa = n_s * (Phi_s @ mean_t)
        return FactorQuadratic(Phi_s), kappa

    def _fit_weights(self, X_source, X_target, random_state):
        kind, cvxpy_solver = _check_solver(self.solver)
        n_s = X_source.shape[0]
        eps = (np.sqrt(n_s) - 1.0) / np.sqrt(n_s) if self.eps is None else float(self.eps)
        lo, hi = n_s * (1.0 - eps), n_s * (1.0 + eps)
        if self.B * n_s < lo:
            raise ValueError(
                f"KMM: the constraints are infeasible: with B={self.B} the weights sum to "
                f"at most B * n_source = {self.B * n_s:.6g}, below n_source * (1 - eps) = "
                f"{lo:.6g} (eps={eps:.6g}); increase `B` or `eps` (B >= 1 - eps is needed)."
            )
        self.eps_ = eps
        self.gamma_ = resolve_gamma_grid(
            "KMM", self.gamma, self.kernel, _stack_rows(X_source, X_target), random_state
        )[0]
        Q, kappa = self._problem(X_source, X_target, random_state)
        if kind == "cvxpy":
            beta, n_iter = solve_cvxpy(Q, kappa, self.B, lo, hi, solver=cvxpy_solver,
                                       verbose=self.verbose)
            self.duality_gap_ = None
        else:
            tol = self.tol
            if tol is None:
                tol = 1e-7 if self.n_components is None else 1e-5
            # the Newton phase's Cholesky factorisations and face products use
            # BLAS's threads (as numpy does by default)
            beta, info = solve_box_band_qp(
                Q, kappa, self.B, lo, hi, tol=tol, max_iter=self.max_iter,
                verbose=self.verbose,
            )
            n_iter = info["n_iter"]
            self.duality_gap_ = info["gap"]
            if not info["converged"]:
                warnings.warn(
                    f"KMM: the solver reached max_iter={self.max_iter} with a relative "
                    f"duality gap of {info['rel_gap']:.2e} > tol={tol}; increase "
                    "`max_iter` or `tol`.",
                    ConvergenceWarning,
                )
        Kb = Q.matvec(beta)
        self.objective_ = 0.5 * float(beta @ Kb) - float(kappa @ beta)
        self.n_iter_ = max(int(n_iter), 1)
        return beta
