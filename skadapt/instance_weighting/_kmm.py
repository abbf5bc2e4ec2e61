"""KMM: kernel mean matching (Huang et al., 2006).

The source rows are re-weighted so that their kernel mean embedding matches
the target's: the weights solve the box-and-band quadratic program of
:mod:`._box_solver`, with ``K`` the source kernel matrix and
``kappa_i = (n_s / n_t) sum_j k(x_i, x'_j)`` (through
:func:`skadapt.kernels.kernel_mean`).  With ``n_components`` the kernel is
replaced by a Nystroem factor ``K ~ Phi Phi^T`` (skadapt's map,
:class:`skadapt.kernels._nystroem.LandmarkFeatures`) and the n x n matrix is
never formed.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ..base import BaseWeighter
from ..kernels import KERNEL_PARAMS, kernel_mean, pairwise_kernels
from ..kernels._nystroem import LandmarkFeatures
from ..utils._dask import scatter_rows, select_rows, take_rows
from ..utils._domain import _stack_rows
from ._base import KERNELS, SPARSE_KERNELS, resolve_gamma_grid
from ._box_solver import solve_box_band_qp
from ._kmm_cvxpy import solve_cvxpy
from ._kmm_qp import DenseQuadratic, FactorQuadratic
from ..utils._sklearn_compat import Interval, StrOptions

__all__ = ["KMM"]

#: KMM's kernels: the weighters' ones plus polynomial and sigmoid.
KMM_KERNELS = tuple(KERNELS) + ("polynomial", "sigmoid")
#: Relative tolerance of the positive semi-definiteness check: the smallest
#: eigenvalue of the Gram matrix must be >= -_PSD_RTOL * its largest.
_PSD_RTOL = 1e-8


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
    kernel : {"rbf", "laplacian", "linear", "polynomial", "cosine", "sigmoid"}, \
            default="rbf"
        The kernel (from :mod:`skadapt.kernels`); every kernel accepts
        sparse ``X`` (CSR or CSC, never densified).  KMM needs a positive semi-definite
        kernel (its quadratic program is convex and it matches means in a
        feature space only then): ``"sigmoid"``, and ``"polynomial"`` with a
        non-integer ``degree`` or a negative ``coef0``, are not PSD in
        general, so for them ``fit`` computes the eigenvalues of the Gram
        matrix of the source rows (of the Nystroem landmarks with
        ``n_components``) and raises a ``ValueError`` when the smallest one is
        below ``-1e-8`` times the largest.  The sigmoid kernel is usually PSD
        on the data only for a small ``gamma`` (``gamma x . y`` near 0) with
        ``coef0 >= 0`` small, where it is close to a linear kernel.
    gamma : float, "scale" or "median", default="scale"
        Kernel width of ``"rbf"``/``"laplacian"`` (and the scale ``gamma``
        of ``"polynomial"``/``"sigmoid"``), resolved once on the source and
        target rows (see :func:`skadapt.kernels.resolve_gamma`) and stored in
        ``gamma_``.
    degree : float, default=3
        Degree of the ``"polynomial"`` kernel (ignored otherwise).
    coef0 : float, default=1
        Constant of the ``"polynomial"`` and ``"sigmoid"`` kernels (ignored
        otherwise).
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
        memory and time grow linearly with the number of rows.  The features
        are computed in float64 (also for float32 input), without the
        numerically null part of the landmarks' kernel matrix.
    random_state : int, RandomState instance or None, default=None
        Seed of the Nystroem landmarks and of ``gamma="median"``.
    n_jobs : int or None, default=None
        Threads of the kernel computations.
    verbose : int, default=0
        Print the solver's progress when positive.
    ratio_ridge : float or "loo", default="loo"
        Ridge of the out-of-sample model of :meth:`density_ratio`, relative
        to the mean of the kernel's diagonal: smaller follows ``weights_``
        more closely on the source rows, larger gives a smoother ratio.
        ``"loo"``: the value of ``10 ** linspace(-6, 2, 17)`` with the
        smallest leave-one-out error of the regression (closed form), stored
        in ``ratio_ridge_``.

    Attributes
    ----------
    weights_ : ndarray of shape (n_samples,)
        The weight ``beta_i`` of each source row; 0 for the target rows, in the
        float dtype of ``X``.
    effective_sample_size_ : float
        Kish's effective sample size ``(sum w) ** 2 / sum(w ** 2)`` of the
        source weights: how many equally weighted rows they are worth.  Below
        10 % of the source rows, ``fit`` warns with
        :class:`~skadapt.exceptions.LowEffectiveSampleSizeWarning`.
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
    ratio_ridge_ : float
        The relative ridge used by :meth:`density_ratio`.
    ratio_residual_ : float
        How far :meth:`density_ratio` is from ``weights_`` on the source rows
        of fit: ``max_i |density_ratio(x_i) - weights_[i]|`` divided by the
        largest weight.  This and ``ratio_ridge_`` are computed with the
        regression of :meth:`density_ratio`, at its first use (an
        eigendecomposition of the source kernel matrix, which a plain ``fit``
        does not pay for).
    X_source_ : ndarray or sparse matrix of shape (n_source, n_features)
        The source rows of fit (the support of :meth:`density_ratio`).
    nystroem_ : LandmarkFeatures or None
        With ``n_components``, the fitted Nystroem map of the kernel
        (skadapt's :class:`~skadapt.kernels._nystroem.LandmarkFeatures`;
        None for the exact kernel): ``nystroem_.transform(X)`` gives the
        float64 features ``Phi`` of any rows (of the quadratic program and of
        :meth:`density_ratio`), ``nystroem_.landmark_indices_`` the landmarks'
        positions among the source-then-target rows of fit (sorted),
        ``nystroem_.landmarks_`` the landmark rows.
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
    rows (KMM is transductive); :meth:`density_ratio` extends them to any row
    with a kernel ridge regression of ``weights_`` on the source rows, in the
    same kernel (see there).

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
    approximate kernel, in ``O(n m)`` memory.  That QP has rank ``m``: its
    optimum is a face of weightings with one objective.  Projected Newton
    from the unit weights usually converges on it; on strongly shifted
    problems it crawls on the singular faces of more than ``m`` free rows,
    and the solver then finds the optimum on a working set of at most
    ``1.5 m`` rows (the sparse point of the face, on a few hundred rows of
    50,000 in ``benchmarks/bench_kmm_large.py``).  The cvxpy reference passes
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
    >>> ratio = kmm.density_ratio(Xt[:3])   # rows not seen in fit
    >>> ratio.shape, bool(ratio.min() >= 0)
    ((3,), True)
    """

    _ess_hint = "a smaller `B` (the bound on each weight) or a smaller `gamma` (a wider kernel)"

    _parameter_constraints = {
        **BaseWeighter._parameter_constraints,
        "kernel": [StrOptions(set(KMM_KERNELS))],
        "gamma": [Interval(Real, 0, None, closed="neither"), StrOptions({"scale", "median"})],
        "B": [Interval(Real, 0, None, closed="neither")],
        "eps": [Interval(Real, 0, None, closed="left"), None],
        "solver": [str],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "degree": [Interval(Real, 0, None, closed="left")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "ratio_ridge": [Interval(Real, 0, None, closed="neither"), StrOptions({"loo"})],
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
        degree=3,
        coef0=1,
        ratio_ridge="loo",
    ):
        self.estimator = estimator
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.ratio_ridge = ratio_ridge
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
        kw = self._kernel_params()
        if self.n_components is None:
            K = np.asarray(
                pairwise_kernels(X_source, metric=self.kernel, n_jobs=self.n_jobs, **kw),
                dtype=np.float64,
            )
            self._check_gram(K, "source rows")
            kappa = n_s * np.asarray(
                kernel_mean(X_source, X_target, metric=self.kernel, n_jobs=self.n_jobs, **kw),
                dtype=np.float64,
            )
            return DenseQuadratic(K), kappa
        rows = _stack_rows(X_source, X_target)
        m = min(self.n_components, rows.shape[0])
        nys = LandmarkFeatures(self.kernel, n_jobs=self.n_jobs, **kw).fit(
            rows, m, random_state, "KMM",
            check_gram=lambda K: self._check_gram(K, "Nystroem landmarks"),
        )
        self.nystroem_ = nys
        Phi_s = nys.transform(X_source)
        kappa = n_s * (Phi_s @ nys.transform_mean(X_target, "KMM"))
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
        # polynomial / sigmoid get the heuristics of the rbf kernel (squared
        # Euclidean distances), as resolve_gamma gives for every metric but laplacian
        self.gamma_ = resolve_gamma_grid(
            self, self.gamma, self.kernel, _stack_rows(X_source, X_target), random_state
        )[0]
        self.nystroem_ = None
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
        # the out-of-sample model of density_ratio is built at its first use
        # (an eigendecomposition: it would dominate the time of a plain fit)
        self.X_source_ = X_source
        self._source_weights = beta
        self._ratio_model = None
        return beta

    def _kernel_params(self):
        """The parameters of ``pairwise_kernels`` / ``LandmarkFeatures`` for this kernel."""
        used = KERNEL_PARAMS[self.kernel]
        kw = {"gamma": self.gamma_} if "gamma" in used else {}
        if "degree" in used:
            kw["degree"] = self.degree
        if "coef0" in used:
            kw["coef0"] = self.coef0
        return kw

    def _check_gram(self, K, rows):
        """Raise if ``K`` is not finite, or (for a kernel that may not be PSD) not PSD."""
        if not np.all(np.isfinite(K)):
            raise ValueError(
                f"KMM: the {self.kernel} kernel is not finite on the {rows} (a polynomial "
                "kernel with a non-integer `degree` and a negative base gives NaN); use an "
                "integer `degree`, a larger `coef0` or another kernel."
            )
        maybe_indefinite = self.kernel == "sigmoid" or (
            self.kernel == "polynomial"
            and (not float(self.degree).is_integer() or self.coef0 < 0)
        )
        if not maybe_indefinite:
            return
        eig = scipy.linalg.eigvalsh(K)
        top = max(float(np.abs(eig).max()), np.finfo(np.float64).tiny)
        if eig[0] < -_PSD_RTOL * top:
            raise ValueError(
                f"KMM: the {self.kernel} kernel (gamma={self.gamma_:.4g}, coef0={self.coef0}"
                f"{f', degree={self.degree}' if self.kernel == 'polynomial' else ''}) is not "
                f"positive semi-definite on the {rows}: the smallest eigenvalue of its Gram "
                f"matrix is {eig[0]:.3g} (largest {eig[-1]:.3g}, tolerance "
                f"{-_PSD_RTOL * top:.3g}). KMM's quadratic program is then not convex and "
                "the kernel defines no feature space whose means could be matched. Lower "
                "`gamma` and use a small `coef0` >= 0, or choose a PSD kernel "
                "('rbf', 'laplacian', 'linear', 'cosine', 'polynomial' with an integer "
                "degree and coef0 >= 0)."
            )

    def _ratio(self):
        """The kernel ridge regression of ``weights_`` on the source rows (built once).

        Through the eigendecomposition ``K = U diag(s) U^T`` (of ``Phi Phi^T``
        with a Nystroem factor, from the thin SVD of ``Phi``), every ridge of
        the grid costs ``O(n r)``: the fitted values are
        ``U (s / (s + lam)) U^T beta`` and the leave-one-out residuals
        ``(beta - fitted)_i / (1 - H_ii)`` with ``H_ii = sum_k U_ik^2 s_k / (s_k + lam)``.
        Returns ``{"coef", "ridge", "residual"}``.
        """
        check_is_fitted(self, "weights_")
        if self._ratio_model is not None:
            return self._ratio_model
        beta = self._source_weights
        if self.nystroem_ is None:
            K = pairwise_kernels(
                self.X_source_, metric=self.kernel, n_jobs=self.n_jobs, **self._kernel_params()
            )
            s_vals, U = scipy.linalg.eigh(np.asarray(K, dtype=np.float64))
            s_vals = np.maximum(s_vals, 0.0)
            V = sigma = None
        else:
            Phi = self.nystroem_.transform(self.X_source_)
            U, sigma, Vt = scipy.linalg.svd(Phi, full_matrices=False)
            s_vals, V = sigma**2, Vt.T
        n = beta.shape[0]
        scale = max(float(s_vals.sum()) / max(n, 1), np.finfo(float).tiny)  # mean of diag K
        proj = U.T @ beta
        U2 = U * U

        def fitted_and_loo(rel):
            shrink = s_vals / (s_vals + rel * scale)
            fit = U @ (shrink * proj)
            h = np.minimum(U2 @ shrink, 1.0 - 1e-12)
            return fit, float(np.mean(((beta - fit) / (1.0 - h)) ** 2))

        if self.ratio_ridge == "loo":
            grid = 10.0 ** np.linspace(-6, 2, 17)
            errors = [fitted_and_loo(rel)[1] for rel in grid]
            rel = float(grid[int(np.argmin(errors))])
        else:
            rel = float(self.ratio_ridge)
        lam = rel * scale
        fit, _ = fitted_and_loo(rel)
        if V is None:
            coef = U @ (proj / (s_vals + lam))
        else:
            coef = V @ (sigma / (s_vals + lam) * proj)
        top = float(beta.max()) if beta.size and beta.max() > 0 else 1.0
        self._ratio_model = {
            "coef": coef,
            "ridge": rel,
            "residual": float(np.abs(np.maximum(fit, 0.0) - beta).max()) / top,
        }
        return self._ratio_model

    @property
    def ratio_ridge_(self):
        """The relative ridge of :meth:`density_ratio` (computed at first use)."""
        return self._ratio()["ridge"]

    @property
    def ratio_residual_(self):
        """``max_i |density_ratio(x_i) - weights_[i]|`` over the source rows of fit,
        divided by the largest weight (computed at first use)."""
        return self._ratio()["residual"]

    def density_ratio(self, X):
        """Importance weights ``p_target(x) / p_source(x)`` of any rows.

        KMM's weights are defined on the source rows of ``fit`` only; this
        extends them by a kernel ridge regression in KMM's own kernel,
        ``r(x) = max(0, sum_i alpha_i k(x, x_i))`` with
        ``alpha = (K + lam I)^{-1} weights`` over the source rows and ``lam =
        ratio_ridge_ * mean(diag K)``, the ridge chosen by leave-one-out by
        default (with ``n_components``, the same regression on the Nystroem
        features).  It is never negative.

        On the source rows of ``fit`` it equals ``weights_`` to
        ``ratio_residual_`` times the largest weight.  That tolerance is
        small (about ``ratio_ridge``) when the kernel matrix is well
        conditioned (a Laplacian kernel, a narrow Gaussian), and can be large
        when ``K`` has a small numerical rank (a wide Gaussian, a polynomial or
        linear kernel): KMM's objective sees the weights only through
        ``K beta``, so its weights are then not unique -- any ``beta + v``
        with ``K v = 0`` matches the means equally -- and the solver's
        ``weights_`` may carry arbitrary spikes along such ``v``, which no
        smooth function of ``x`` reproduces.  The ridge regression keeps the
        part of the weights the kernel sees (its weighted source mean in the
        kernel's feature space is that of ``weights_`` up to the ridge and
        the clipping at 0) and is the better ratio on new rows.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Rows to evaluate (CSR or CSC for every kernel).

        Returns
        -------
        ratio : ndarray of shape (n_samples,)
            Non-negative estimated density ratio.
        """
        X = self._validate_predict_data(X)
        coef = self._ratio()["coef"]
        if self.nystroem_ is not None:
            return np.maximum(self.nystroem_.transform(X) @ coef, 0.0)
        Kx = pairwise_kernels(
            X, self.X_source_, metric=self.kernel, n_jobs=self.n_jobs, **self._kernel_params()
        )
        if sp.issparse(Kx):
            Kx = Kx.toarray()
        return np.maximum(np.asarray(Kx, dtype=np.float64) @ coef, 0.0)
