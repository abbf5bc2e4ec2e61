"""skadapt's solver of kernel mean matching's box-and-band quadratic program.

The problem is::

    min_beta  f(beta) = 1/2 beta^T K beta - kappa^T beta
    s.t.      0 <= beta_i <= B,   lo <= sum(beta) <= hi,

with ``K`` positive semi-definite, given either densely or through a factor
``K = Phi Phi^T`` (Nystroem features, never forming the n x n matrix).

:func:`solve_box_band_qp` is skadapt's own solver ("auto").  It starts with
Bertsekas' projected Newton method (:func:`_projected_newton`: epsilon-active
bounds held, a Newton step on the free variables by truncated conjugate
gradients or a Cholesky factorisation of ``K_FF``, projected back exactly),
which solves the usual KMM problem in 5 to 20 iterations.  With a factor of
rank m below n (Nystroem features of more rows than landmarks), every face
of more than m free rows is singular; when projected Newton crawls there
(two steps in a row cut to 1/16 or less on such a face) or stops short of
the tolerance, the solver tries a working set (:func:`_working_set`): the same QP restricted to at most 1.5 m
rows, every other weight held at 0, solved exactly by the dense path, the
rows with a negative reduced gradient added until the certified gap of the
full problem closes; it finds the sparse optimum of a strongly shifted
problem in a few rounds.  The optimum of a rank-deficient problem is not
unique: where projected Newton converges, its point -- which keeps more of
the rows than the working set's -- is the answer.  When the working set
gives up, projected Newton goes on from its own point.  When that phase
stalls (a degenerate ``K``), a problem of at most ``_SMALL`` rows is finished
by a finite active-set method (:func:`_small_exact`, bounded least squares);
otherwise the solver goes on from the Newton point with:

* accelerated projected gradient (FISTA) with the adaptive gradient restart
  of O'Donoghue and Candes (2015) and a backtracking safeguard on the
  Lipschitz constant (first estimated by power iteration);
* the exact Euclidean projection onto ``{box} & {band}``:
  ``clip(z - lam, 0, B)`` with the scalar shift ``lam`` solving
  ``sum(clip(z - lam, 0, B)) = side`` -- a piecewise-linear, monotone
  equation -- by Newton steps safeguarded by a bisection bracket and
  warm-started from the previous shift (exact once a step lands on the right
  linear piece);
* every 50 iterations, and whenever the active set (the bounds hit by the
  projection and the side of the band) has been stable for three
  iterations -- as long as the polishing so far has cost less than the
  iterations -- a primal active-set "polish"
  (dense ``K`` only): Newton steps on the free variables that solve the
  equality-constrained QP of the face (a Cholesky factorisation of ``K_FF``,
  plus the band as one equality when it is active), cut at the first bound
  they cross, with wrong-signed multipliers released; the result is kept
  when it meets the stopping rule.  This is what makes the solver exact
  rather than merely close;
* a certified stopping rule: the Frank-Wolfe duality gap
  ``g^T beta - min_{s feasible} g^T s`` (``g`` the gradient), an upper bound
  on ``f(beta) - f*``, computed exactly by sorting ``g``.  Converged means
  ``gap <= tol * (1/2 beta^T K beta + |kappa^T beta|)``.

``K`` comes as a :class:`~._kmm_qp.DenseQuadratic` or a
:class:`~._kmm_qp.FactorQuadratic`; the cvxpy reference of the same problem is
:func:`~._kmm_cvxpy.solve_cvxpy`.
"""

import numpy as np
import scipy.linalg as sla

from ..utils._verbose import progress
from ._kmm_qp import DenseQuadratic, FactorQuadratic

__all__ = []


def project_box_band(z, B, lo, hi, lam0=0.0):
    """Exact Euclidean projection of ``z`` onto ``{0 <= x <= B, lo <= sum(x) <= hi}``.

    Returns ``(x, lam)`` with ``x = clip(z - lam, 0, B)``: ``lam > 0`` when the
    upper side of the band is active, ``lam < 0`` for the lower side, 0 when
    the band is inactive.  ``lam`` solves the piecewise-linear, non-increasing
    equation ``sum(clip(z - lam, 0, B)) = side`` by safeguarded Newton steps
    (exact once the step lands on the right linear piece) inside a bisection
    bracket, started from ``lam0`` (the previous shift, in an iterative
    solver).  Requires ``n B >= lo`` and ``hi >= 0``.
    """
    x = np.clip(z, 0.0, B)
    s = x.sum()
    if lo <= s <= hi:
        return x, 0.0
    target = hi if s > hi else lo
    a, b = float(z.min()) - B, float(z.max())  # total(a) = n B >= target >= 0 = total(b)
    lam = min(max(float(lam0), a), b)
    if (lam > 0) != (target == hi) or lam == 0.0:
        lam = 0.0
    tol = 1e-14 * max(abs(target), 1.0)
    for _ in range(200):
        x = np.clip(z - lam, 0.0, B)
        val = x.sum()
        if abs(val - target) <= tol:
            break
        if val > target:
            a = lam
        else:
            b = lam
        count = np.count_nonzero((x > 0) & (x < B))
        new = lam + (val - target) / count if count else 0.5 * (a + b)
        if not a < new < b:
            new = 0.5 * (a + b)
        if new == lam or b - a <= 1e-15 * max(abs(a), abs(b), 1.0):
            break
        lam = new
    return x, float(lam)


def lmo_value(g, B, lo, hi):
    """``min g^T s`` over ``{0 <= s <= B, lo <= sum(s) <= hi}`` (exact, by sorting)."""
    order = np.argsort(g, kind="stable")
    gs = g[order]
    n_neg = int(np.count_nonzero(gs < 0))
    mass = min(max(B * n_neg, lo), hi)  # the optimal sum of s
    if mass <= 0:
        return 0.0
    k = int(np.floor(mass / B))
    k = min(k, gs.shape[0])
    value = B * gs[:k].sum()
    rest = mass - B * k
    if rest > 0 and k < gs.shape[0]:
        value += rest * gs[k]
    return float(value)


def duality_gap(beta, Kbeta, kappa, B, lo, hi):
    """Frank-Wolfe gap (``>= f(beta) - f*``), objective and scale at ``beta``."""
    g = Kbeta - kappa
    quad = 0.5 * float(beta @ Kbeta)
    lin = float(kappa @ beta)
    gap = float(g @ beta) - lmo_value(g, B, lo, hi)
    return max(gap, 0.0), quad - lin, quad + abs(lin)


def _power_lipschitz(Q, n_iter=12):
    v = np.full(Q.n, 1.0 / np.sqrt(Q.n))
    lam = 0.0
    for _ in range(n_iter):
        w = Q.matvec(v)
        lam = float(v @ w)
        norm = np.linalg.norm(w)
        if norm == 0:
            return 1.0
        v = w / norm
    return max(lam, 1e-300)


def _face_solve(Q, kappa, beta, lower, upper, band, B):
    """Minimiser of ``f`` on the affine hull of a face (Newton step on the free set).

    ``lower``/``upper`` fix variables at 0/``B``; ``band`` is None or the value
    the sum is held at.  Returns ``(x_F, F)`` or None when the face system
    cannot be solved.
    """
    F = np.flatnonzero(~(lower | upper))
    U = np.flatnonzero(upper)
    if F.shape[0] == 0:
        return np.zeros(0), F
    rhs = kappa[F].copy()
    if U.shape[0]:
        rhs -= B * Q.cross_sum(F, U)
    target = None if band is None else band - B * U.shape[0]
    x = Q.solve_face(F, rhs, target)
    if x is None:
        return None
    return x, F


def _objective(Q, kappa, beta):
    return 0.5 * float(beta @ Q.matvec(beta)) - float(kappa @ beta)


def _active_set(Q, kappa, beta, lam, B, lo, hi, max_steps=50):
    """Primal active-set iterations from the face of a feasible ``beta``.

    Each step minimises ``f`` on the current face (:func:`_face_solve`).  An
    infeasible minimiser is projected onto the feasible set (fixing every
    crossed bound at once) when that lowers ``f`` more than cutting the step
    at the first bound or band side it crosses, which otherwise joins the
    working set.  A feasible one is checked against the sign of the
    multipliers ``g_i + nu`` of the fixed variables and of the band, and the
    wrong-signed ones are released (all of them; one at a time after a step
    that made no progress).  ``f`` never increases.  After more than two
    cut steps in a row the polish gives up (the accelerated iterations fix
    many bounds at once more cheaply).  Returns the last iterate.
    """
    lower = beta <= 0
    upper = beta >= B
    band = hi if lam > 0 else (lo if lam < 0 else None)
    single, cuts = False, 0
    for _ in range(max_steps):
        solved = _face_solve(Q, kappa, beta, lower, upper, band, B)
        if solved is None:
            return beta
        x, F = solved
        d = x - beta[F]
        t, block_lo, block_hi, block_band = 1.0, None, None, None
        neg, pos = d < 0, d > 0
        if neg.any():
            r = -beta[F][neg] / d[neg]
            if r.min() < t:
                t, block_lo = float(r.min()), F[neg][r <= r.min()]
        if pos.any():
            r = (B - beta[F][pos]) / d[pos]
            if r.min() < t:
                t, block_lo, block_hi = float(r.min()), None, F[pos][r <= r.min()]
        if band is None:
            s, ds = beta.sum(), d.sum()
            side = hi if ds > 0 else lo
            if ds != 0 and (side - s) / ds < t:
                t, block_lo, block_hi, block_band = max((side - s) / ds, 0.0), None, None, side
        if t < 1.0:
            # projected Newton: the face minimiser projected back onto the
            # feasible set fixes every crossed bound at once; kept when it
            # beats the step cut at the first crossing
            full = beta.copy()
            full[F] = x
            proj, lam_p = project_box_band(full, B, lo, hi)
            cut = beta.copy()
            cut[F] = np.clip(beta[F] + t * d, 0.0, B)
            if _objective(Q, kappa, proj) < _objective(Q, kappa, cut):
                beta = proj
                lower, upper = beta <= 0, beta >= B
                band = hi if lam_p > 0 else (lo if lam_p < 0 else None)
                continue
            if t == 0.0:
                single = True  # no progress: release one constraint at a time
            cuts += 1
            if cuts > 2:
                # one bound at a time is slow: the accelerated iterations fix
                # many at once more cheaply; come back on a better face
                return cut
            beta = cut
            if block_lo is not None:
                beta[block_lo] = 0.0
                lower[block_lo] = True
            if block_hi is not None:
                beta[block_hi] = B
                upper[block_hi] = True
            if block_band is not None:
                band = block_band
            continue
        cuts = 0
        beta = beta.copy()
        beta[F] = np.clip(beta[F] + d, 0.0, B)
        # on the face minimiser: check the multipliers
        g = Q.matvec(beta) - kappa
        free = ~(lower | upper)
        nu = -float(g[free].mean()) if (band is not None and free.any()) else 0.0
        r = g + nu
        scale = 1e-12 * max(float(np.abs(g).max()), 1e-300)
        viol = np.zeros(beta.shape[0])
        viol[lower] = np.maximum(-r[lower], 0.0)
        viol[upper] = np.maximum(r[upper], 0.0)
        band_wrong = band is not None and ((band == hi and nu < -scale) or (band == lo and nu > scale))
        if viol.max() <= scale and not band_wrong:
            return beta
        if band_wrong and viol.max() <= scale:
            band = None
            continue
        order = np.argsort(-viol)
        n_release = 1 if single else int(np.count_nonzero(viol > scale))
        release = order[:max(n_release, 1)]
        release = release[viol[release] > scale]
        lower[release] = False
        upper[release] = False
    return beta


def _cg(matvec, b, rtol, max_iter, project=None):
    """Truncated conjugate gradients for ``A x = b`` (``A`` PSD), from 0.

    ``project`` (optional) is the orthogonal projector onto a subspace that
    the iterates must stay in (``sum(x) = 0`` for the band).  Stops at
    relative residual ``rtol``, after ``max_iter`` products, or on a
    direction of no curvature; every iterate is a descent step for
    ``1/2 x^T A x - b^T x``.
    """
    def op(v):
        out = matvec(v)
        return out if project is None else project(out)

    x = np.zeros_like(b)
    r = b.copy() if project is None else project(b)
    p = r.copy()
    rr = float(r @ r)
    stop = rtol * rtol * rr
    for _ in range(max_iter):
        if rr <= stop or rr == 0.0:
            break
        Ap = op(p)
        curv = float(p @ Ap)
        if curv <= 1e-300:
            break
        a = rr / curv
        x += a * p
        r -= a * Ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x


def _mean_free(v):
    return v - v.mean()


def _held_band(beta, g, B, lo, hi, eps_k):
    """The band side held in a Newton step (or None) and its multiplier.

    The band is held at the side the sum sits on when the multiplier
    estimate ``nu = -mean(g_I)`` (``I`` the variables more than ``eps_k``
    inside the box; the median of ``-g`` when there is none) has that side's
    sign, i.e. when the gradient pushes the sum out of the band.
    """
    total = float(beta.sum())
    tol = 1e-12 * max(abs(hi), 1.0)
    at_hi, at_lo = total >= hi - tol, total <= lo + tol
    if not (at_hi or at_lo):
        return None, 0.0
    inside = (beta > eps_k) & (beta < B - eps_k)
    nu = -float(g[inside].mean()) if inside.any() else -float(np.median(g))
    if at_hi and nu > 0:
        return hi, nu
    if at_lo and nu < 0:
        return lo, nu
    return None, 0.0


def _cut_step(beta, d, F, B):
    """``beta + t d`` on the free variables ``F``, ``t`` the first bound met.

    Returns ``(point, t)``, or None when the full step stays in the box.
    """
    dF, bF = d[F], beta[F]
    t = 1.0
    neg, pos = dF < 0, dF > 0
    if neg.any():
        t = min(t, float(np.min(-bF[neg] / dF[neg])))
    if pos.any():
        t = min(t, float(np.min((B - bF[pos]) / dF[pos])))
    if not 0.0 < t < 1.0:
        return None
    point = beta.copy()
    point[F] = np.clip(bF + t * dF, 0.0, B)
    return point, t


def _descent(fn, f, g, step, new, Kn, kappa, B, lo, hi, gap, scale):
    """Armijo's sufficient decrease; at round-off, a smaller duality gap."""
    if fn < f and fn <= f + 1e-4 * float(g @ step):
        return True
    if fn <= f + 1e-14 * scale:
        # the change of f is below its round-off: judge by the certificate
        return duality_gap(new, Kn, kappa, B, lo, hi)[0] < gap
    return False


def _projected_newton(Q, kappa, B, lo, hi, beta, tol, max_iter, verbose, rank=None):
    """Bertsekas' projected Newton method, the fast first phase of the solver.

    D. P. Bertsekas, "Projected Newton methods for optimization problems with
    simple constraints", SIAM J. Control Optim. 20(2), 1982.  Each iteration
    holds the epsilon-active variables (within ``eps_k`` of a bound, with the
    gradient pushing them onto it; ``eps_k`` the norm of the projected
    gradient, at most 1e-5 B) and takes a Newton step on the others:
    ``K_FF d = -g_F`` by truncated conjugate gradients while the relative gap
    is above 1e-5 (products with ``K_FF`` or ``Phi_F Phi_F^T``), by a
    Cholesky factorisation of ``K_FF`` after that on a dense ``K``; held
    variables move along ``-r_i / K_ii``.  When the sum sits on a side of the
    band and the gradient pushes it out (:func:`_held_band`), the band is
    held too: the Newton step keeps the sum on that side and ``r`` adds the
    band's multiplier to the gradient.  The step is ``P(beta + alpha d)``
    with the exact projection, ``alpha`` halved until Armijo's decrease
    holds (at round-off, until the duality gap shrinks).  A degenerate
    ``K`` can make the phase stall: it stops -- after ``max_iter``
    iterations, or on a step shorter than 1e-3 three times in a row -- and
    hands its point to the accelerated
    gradient phase.  Given the ``rank`` of a factor ``K = Phi Phi^T``, it
    also stops when it crawls on singular faces: two iterations in a row
    with more free rows than the rank and a projected step cut to at most
    1/16 (the caller then tries :func:`_working_set`).  Returns ``(beta,
    n_iter, n_cholesky, converged, crawled)``.
    """
    dense = isinstance(Q, DenseQuadratic)
    diag = np.maximum(Q.diag(), 1e-300)
    beta, lam = project_box_band(beta, B, lo, hi)
    Kb = Q.matvec(beta)
    f = 0.5 * float(beta @ Kb) - float(kappa @ beta)
    n_chol, short, crawl, it = 0, 0, 0, 0
    while it < max_iter:
        gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
        if gap <= tol * scale:
            return beta, it, n_chol, True, False
        it += 1
        rel = gap / max(scale, 1e-300)
        g = Kb - kappa
        eps_k = min(1e-5 * max(B, 1.0), float(np.linalg.norm(beta - np.clip(beta - g, 0.0, B))))
        side, nu = _held_band(beta, g, B, lo, hi, eps_k)
        r = g + nu  # reduced gradient: the band's pull included
        held = ((beta <= eps_k) & (r > 0)) | ((beta >= B - eps_k) & (r < 0))
        F = np.flatnonzero(~held)
        d = -r / diag
        if F.shape[0]:
            shift = None
            if side is not None:
                # the free variables bring the sum onto the band's side, the
                # held ones landing on their bounds
                landed = float(np.clip(beta[held] + d[held], 0.0, B).sum())
                shift = side - float(beta[F].sum()) - landed
            x = None
            if dense and rel < 1e-5:
                x = Q.solve_face(F, -g[F], shift)
                n_chol += x is not None
            if x is None:
                matvec = Q.face_operator(F)
                max_cg = 30 if rel > 1e-5 else 200
                if shift is None:
                    x = _cg(matvec, -g[F], 1e-3, max_cg)
                else:  # x = x0 + z with sum(x0) = shift and sum(z) = 0
                    x0 = np.full(F.shape[0], shift / F.shape[0])
                    x = x0 + _cg(matvec, -g[F] - matvec(x0), 1e-3, max_cg, _mean_free)
            d[F] = x
        def attempt(point):
            """Project ``point``; the new iterate if it passes the descent test."""
            nonlocal lam
            new, lam = project_box_band(point, B, lo, hi, lam0=lam)
            Kn = Q.matvec(new)
            fn = 0.5 * float(new @ Kn) - float(kappa @ new)
            if _descent(fn, f, g, new - beta, new, Kn, kappa, B, lo, hi, gap, scale):
                return new, Kn, fn
            return None

        alpha, step, was_cut = 1.0, None, False
        for k in range(30):
            step = attempt(beta + alpha * d)
            if step is not None:
                break
            if k == 0 and side is not None and F.shape[0]:
                # on the band, the projection shifts every variable: stop the free
                # variables at the first bound they meet instead (held next)
                cut = _cut_step(beta, d, F, B)
                if cut is not None:
                    step = attempt(cut[0])
                    if step is not None:
                        alpha, was_cut = cut[1], True
                        break
            alpha *= 0.5
        if verbose:
            verbose(f"Newton iter {it}: objective {obj:.12g}, relative gap {rel:.3e}, "
                    f"{F.shape[0]} free, step {alpha:.3g}")
        if step is None:
            break
        beta, Kb, f = step
        # a cut step adds a bound to the held set (finitely many); short
        # projected steps mean the phase is not converging
        short = short + 1 if (alpha < 1e-3 and not was_cut) else 0
        if short >= 3:
            break
        singular = rank is not None and F.shape[0] > rank
        crawl = crawl + 1 if (singular and alpha <= 0.0625 and not was_cut) else 0
        if crawl >= 2:
            gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
            return beta, it, n_chol, gap <= tol * scale, True
    gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
    return beta, it, n_chol, gap <= tol * scale, False


#: Working set: at most _WS_CAP * m rows, _WS_ADD * m added per round, _WS_ROUNDS rounds.
_WS_CAP, _WS_ADD, _WS_ROUNDS = 1.5, 0.5, 30


def _working_set(Q, kappa, B, lo, hi, beta, tol, max_rounds, verbose):
    """Exact solves on a working set of rows: KMM with a rank-deficient factor.

    Why: with ``K = Phi Phi^T`` of rank m < n, every face of more than m free
    rows is singular.  Projected Newton then frees, at a point where the
    gradient pulls most of the zeros up (on the shifted d = 20 problem, 50,000
    rows and m = 1000: 49,964 of them at its 12th iteration), and its step
    on that face -- the minimum-norm solution of a singular system by
    truncated conjugate gradients -- moves all of them, both ways; the
    projection cuts it to a step of 2e-3 to 8e-3, iteration after iteration
    (the 71 s solve).  The optimum itself is sparse there (about 440
    non-zero weights), so its face has fewer than m rows and is regular.

    How: the optimum is found as the optimum restricted to a working set
    ``W`` of rows, every other weight held at 0 -- the same QP on ``|W|``
    variables with the dense ``K_WW = Phi_W Phi_W^T`` (``|W|`` at most
    ``1.5 m``), solved to ``tol`` by the dense path of
    :func:`solve_box_band_qp` (projected Newton with Cholesky face solves and
    its finishers), warm-started from the previous round.  After each
    restricted solve, one product with ``K`` gives the gradient ``g`` of the
    full problem and its certified Frank-Wolfe gap (:func:`duality_gap`),
    which stops the phase.  Otherwise the rows outside ``W`` whose reduced
    gradient ``g_i + nu`` is negative (``nu`` the band's multiplier,
    ``-mean(g)`` over the free rows of ``W`` when the sum is on a side of the
    band, else 0) -- the rows the optimum would raise from 0 -- join ``W``,
    most negative first, at most ``m / 2`` per round; zeros of ``W`` held at 0
    by a positive reduced gradient leave it, largest first, when ``W`` would
    outgrow its cap.  ``W`` starts with the ``m / 2`` rows of smallest
    gradient at the projected ``beta`` (at least enough rows to reach the
    band).  ``f`` does not increase from round to round beyond the restricted
    solves' tolerance (each restricted problem contains the previous
    solution).  The phase gives up -- not converged, the caller goes on with
    projected Newton from where that stopped -- on the signs of a dense
    optimum (on the 50,000-row problem of ``bench_kmm``, 42,000 free
    weights): the first
    restricted optimum is no better than the start, or a restricted optimum
    has more non-zero weights than m (faces of more than m rows are singular
    again), or ``W`` cannot take the new rows within its cap; and when no row
    outside ``W`` has a negative reduced gradient although the gap is still
    open.  Returns ``(beta, n_rounds, converged)``.
    """
    Phi = Q.Phi
    n, m = Phi.shape
    cap = n if n <= _SMALL else max(int(_WS_CAP * m), int(np.ceil(hi / B)) + 1)
    beta, _ = project_box_band(beta, B, lo, hi)
    Kb = Q.matvec(beta)
    g = Kb - kappa
    f_start = 0.5 * float(beta @ Kb) - float(kappa @ beta)
    start = beta
    size = n if n <= _SMALL else max(m // 2, int(np.ceil(lo / B)) + 1)
    W = np.sort(np.argsort(g, kind="stable")[:size])
    b_W = np.zeros(W.shape[0])
    for rounds in range(1, max_rounds + 1):
        Phi_W = Phi[W]
        Q_W = DenseQuadratic(Phi_W @ Phi_W.T)
        b_W, sub = solve_box_band_qp(Q_W, kappa[W], B, lo, hi, tol=tol, x0=b_W)
        beta = np.zeros(n)
        beta[W] = b_W
        Kb = Phi @ (Phi_W.T @ b_W)
        g = Kb - kappa
        gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
        if verbose:
            verbose(f"working set round {rounds}: {W.shape[0]} rows, objective {obj:.12g}, "
                    f"relative gap {gap / max(scale, 1e-300):.3e}, "
                    f"{np.count_nonzero(b_W > 0)} non-zero, {sub['n_iter']} iterations")
        if gap <= tol * scale:
            return beta, rounds, True
        if W.shape[0] < n and ((rounds == 1 and obj >= f_start) or np.count_nonzero(b_W) > m):
            # a dense optimum: the restricted one is no better than the start,
            # or has more non-zeros than the rank (singular faces again)
            return start, rounds, False
        free = (b_W > 0) & (b_W < B)
        total = float(b_W.sum())
        on_band = total >= hi - 1e-9 * hi or total <= lo + 1e-9 * max(lo, 1.0)
        nu = -float(g[W][free].mean()) if (on_band and free.any()) else 0.0
        r = g + nu
        outside = np.ones(n, dtype=bool)
        outside[W] = False
        cand = np.flatnonzero(outside & (r < 0))
        if cand.shape[0] == 0:
            return beta, rounds, False
        add = cand[np.argsort(r[cand], kind="stable")[:max(int(_WS_ADD * m), 1)]]
        keep = np.ones(W.shape[0], dtype=bool)
        excess = W.shape[0] + add.shape[0] - cap
        if excess > 0:
            # drop zeros of W that the gradient holds at 0, largest first
            zeros = np.flatnonzero((b_W <= 0) & (r[W] > 0))
            drop = zeros[np.argsort(-r[W][zeros], kind="stable")[:excess]]
            keep[drop] = False
            if W.shape[0] - drop.shape[0] + add.shape[0] > cap:
                return beta, rounds, False
        order = np.argsort(np.concatenate([W[keep], add]), kind="stable")
        W = np.concatenate([W[keep], add])[order]
        b_W = np.concatenate([b_W[keep], np.zeros(add.shape[0])])[order]
    return beta, max_rounds, False


_SMALL = 500  # rows up to which the finite active-set finisher is affordable


def _small_exact(K, kappa, B, lo, hi):
    """Finite active-set solution of a small problem that the iterations left open.

    On degenerate problems (``K`` numerically singular, the optimal face
    not strictly complementary: typically few rows in one dimension) the
    iterative phases can stall short of a tight certificate.  Here the box QP
    for a band multiplier ``nu``, ``min 1/2 b^T K b - (kappa - nu)^T b`` on
    ``0 <= b <= B``, is written as the bounded least-squares problem
    ``||L^T b - L^{-1} (kappa - nu)||^2`` with ``L L^T = K + delta I``
    (``delta`` = 1e-13 of the mean diagonal, a change of the objective far
    below round-off) and solved by the finite BVLS active-set method of
    Stark & Parker (``scipy.optimize.lsq_linear``); ``sum(b(nu))`` is
    non-increasing and piecewise linear in ``nu``, so the band side is met by
    a safeguarded secant search.  Returns None if a step fails.
    """
    from scipy.optimize import lsq_linear

    n = K.shape[0]
    A = K + (1e-13 * max(float(np.trace(K)) / n, 1e-300)) * np.eye(n)
    try:
        L = sla.cholesky(A, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    At = L.T

    def solve(nu):
        rhs = sla.solve_triangular(L, kappa - nu, lower=True, check_finite=False)
        res = lsq_linear(At, rhs, bounds=(0.0, B), method="bvls", tol=1e-14,
                         lsmr_tol=None, max_iter=50 * n)
        return np.clip(res.x, 0.0, B)

    beta = solve(0.0)
    total = beta.sum()
    if lo <= total <= hi:
        return beta
    side = hi if total > hi else lo
    # bracket nu: sum(b(nu)) - side changes sign between a and b
    a, fa = 0.0, total - side
    step = max(float(np.abs(kappa).max()), 1.0)
    b_nu = step if fa > 0 else -step
    for _ in range(60):
        beta = solve(b_nu)
        fb = beta.sum() - side
        if fb == 0 or (fb > 0) != (fa > 0):
            break
        a, fa, b_nu = b_nu, fb, 2.0 * b_nu
    else:
        return None
    for _ in range(100):
        if abs(fb) <= 1e-13 * max(abs(side), 1.0):
            break
        new = b_nu - fb * (b_nu - a) / (fb - fa) if fb != fa else 0.5 * (a + b_nu)
        if not min(a, b_nu) < new < max(a, b_nu):
            new = 0.5 * (a + b_nu)
        beta_new = solve(new)
        f_new = beta_new.sum() - side
        if (f_new > 0) == (fb > 0):
            b_nu, fb, beta = new, f_new, beta_new
        else:
            a, fa = b_nu, fb
            b_nu, fb, beta = new, f_new, beta_new
    beta, _ = project_box_band(beta, B, lo, hi)
    return beta


def solve_box_band_qp(
    Q, kappa, B, lo, hi, *, tol=1e-7, max_iter=10000, polish=True, newton=True,
    newton_iter=50, verbose=0, x0=None
):
    """Solve the box-and-band QP: projected Newton, then accelerated gradient.

    The projected Newton phase (:func:`_projected_newton`) solves the usual
    KMM problem (band inactive at the optimum, ``K`` not degenerate) in a
    handful of iterations (a rank-deficient factor on which it crawls or
    stalls goes to a working set of rows, :func:`_working_set`); when it stalls, the
    accelerated projected gradient
    iterations with active-set polishing below continue from its point.

    Parameters
    ----------
    Q : DenseQuadratic or FactorQuadratic
        The quadratic term ``K``.
    kappa : ndarray of shape (n,)
        The linear term.
    B, lo, hi : float
        Upper bound of each variable, and the band ``lo <= sum <= hi``.
    tol : float
        Relative duality-gap tolerance (see the module docstring).
    max_iter : int
        Maximum number of accelerated-gradient iterations.
    newton : bool
        Run the projected Newton phase (and the working set of a
        rank-deficient factor) first.
    newton_iter : int
        Maximum iterations of the projected Newton phase.
    polish : bool
        Try active-set Newton steps on stable faces (dense ``K`` only: with a
        factor the faces are larger than its rank and the Newton systems
        singular, so the accelerated iterations run alone).
    verbose : int
        Print the gap every 100 iterations when positive.
    x0 : ndarray or None
        Starting point (projected); default all ones.

    Returns
    -------
    beta : ndarray of shape (n,)
        Feasible solution (bounds by clipping, band by the exact projection).
    info : dict
        ``n_iter``, ``gap`` (absolute), ``rel_gap``, ``objective``,
        ``converged``, ``n_polish`` (accepted active-set steps),
        ``n_newton`` and ``n_cholesky`` (projected Newton iterations, and
        those with a Cholesky face solve), ``n_working_set`` (rounds of the
        working set of a rank-deficient factor) and ``n_exact_small``;
        ``n_iter`` counts the rounds and the iterations of every phase.
    """
    n = Q.n
    polish = polish and isinstance(Q, DenseQuadratic)
    start = np.ones(n) if x0 is None else np.asarray(x0, dtype=np.float64)
    verbose = progress("KMM", verbose)  # lines with the elapsed time
    info = {"n_iter": 0, "n_polish": 0, "n_newton": 0, "n_cholesky": 0, "n_exact_small": 0,
            "n_working_set": 0}
    # a rank-deficient factor: its faces of more than m rows are singular
    rank = Q.Phi.shape[1] if isinstance(Q, FactorQuadratic) and Q.Phi.shape[1] < n else None
    ws_solved = False
    if newton and n:
        budget = min(newton_iter, max_iter)
        x_start = start
        start, n_newton, n_chol, done, crawled = _projected_newton(
            Q, kappa, B, lo, hi, start, tol, budget, verbose, rank=rank
        )
        info.update(n_newton=n_newton, n_cholesky=n_chol)
        if rank is not None and not done:
            # projected Newton crawls or stalls on singular faces: the working
            # set, whose optimum is sparse (the optimum is not unique; where
            # projected Newton converges, its point -- more spread -- is kept)
            cand, rounds, ws_done = _working_set(
                Q, kappa, B, lo, hi, x_start, tol, _WS_ROUNDS, verbose
            )
            info["n_working_set"] = rounds
            if ws_done:
                start, ws_solved = cand, True
            elif crawled and budget > n_newton:
                start, more, more_chol, _, _ = _projected_newton(
                    Q, kappa, B, lo, hi, start, tol, budget - n_newton, verbose
                )
                info.update(n_newton=n_newton + more, n_cholesky=n_chol + more_chol)
    beta, lam = project_box_band(start, B, lo, hi)
    Kb = Q.matvec(beta)
    gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
    if gap > tol * scale and polish and 0 < n <= _SMALL:
        # small and (in practice) degenerate: the finite active-set method
        cand = _small_exact(Q.K, kappa, B, lo, hi)
        if cand is not None:
            Kc = Q.matvec(cand)
            gap_c, obj_c, scale_c = duality_gap(cand, Kc, kappa, B, lo, hi)
            if gap_c < gap:
                beta, Kb, gap, obj, scale = cand, Kc, gap_c, obj_c, scale_c
                info["n_exact_small"] = 1
    if gap <= tol * scale or n == 0:
        info.update(n_iter=info["n_newton"] + info["n_working_set"], gap=gap,
                    rel_gap=gap / max(scale, 1e-300), objective=obj, converged=True)
        phase = "working set" if ws_solved else "projected Newton"
        verbose(f"solved by {phase} in {info['n_iter']} iterations: relative gap "
                f"{info['rel_gap']:.3e}")
        return beta, info
    L = 1.05 * _power_lipschitz(Q)
    y, Ky = beta.copy(), Kb.copy()
    t = 1.0
    face, stable, polished_faces, polish_cost = None, 0, set(), 0.0
    converged = False
    it = 0
    for it in range(1, max_iter - info["n_newton"] + 1):
        gy = Ky - kappa
        fy = 0.5 * float(y @ Ky) - float(kappa @ y)
        while True:
            new, lam = project_box_band(y - gy / L, B, lo, hi, lam0=lam)
            Kn = Q.matvec(new)
            fn = 0.5 * float(new @ Kn) - float(kappa @ new)
            diff = new - y
            bound = fy + float(gy @ diff) + 0.5 * L * float(diff @ diff)
            if fn <= bound + 1e-12 * (abs(fy) + abs(bound)):
                break
            L *= 1.5  # the power-iteration estimate was too small
        # adaptive restart (gradient scheme) of O'Donoghue and Candes
        if float((y - new) @ (new - beta)) > 0:
            t = 1.0
            beta_prev, Kb_prev = new, Kn
        else:
            beta_prev, Kb_prev = beta, Kb
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        mom = (t - 1.0) / t_next
        y = new + mom * (new - beta_prev)
        Ky = Kn + mom * (Kn - Kb_prev)
        t = t_next
        beta, Kb = new, Kn
        gap, obj, scale = duality_gap(beta, Kb, kappa, B, lo, hi)
        if verbose and it % 100 == 0:
            verbose(f"iter {it}: objective {obj:.10g}, relative gap {gap / scale:.3e}")
        if gap <= tol * scale:
            converged = True
            break
        if polish:
            current = (np.packbits(beta <= 0).tobytes(), np.packbits(beta >= B).tobytes(),
                       int(np.sign(lam)))
            stable = stable + 1 if current == face else 0
            face = current
            n_free = float(np.count_nonzero((beta > 0) & (beta < B)))
            cost = n_free**3 + 2.0 * n * n  # about three face factorisations
            affordable = polish_cost + cost <= 2.0 * n * n * it  # <= the iterations' cost
            if (stable >= 3 or it % 50 == 0) and affordable and current not in polished_faces:
                polish_cost += cost
                polished_faces.add(current)
                cand = _active_set(Q, kappa, beta, lam, B, lo, hi)
                if cand is not beta:
                    cand, _ = project_box_band(cand, B, lo, hi)  # remove round-off
                    Kc = Q.matvec(cand)
                    gap_c, fc, scale_c = duality_gap(cand, Kc, kappa, B, lo, hi)
                    # kept only when it finishes the solve: restarting the
                    # momentum on a merely better point slows the iterations
                    if fc < obj and gap_c <= tol * scale_c:
                        info["n_polish"] += 1
                        beta, Kb = cand, Kc
                        gap, obj, scale = gap_c, fc, scale_c
                        converged = True
                        break
    info.update(
        n_iter=it + info["n_newton"] + info["n_working_set"],
        gap=gap,
        rel_gap=gap / max(scale, 1e-300),
        objective=obj,
        converged=converged,
    )
    verbose(f"accelerated gradient stopped after {info['n_iter']} iterations: relative gap "
            f"{info['rel_gap']:.3e}, converged={info['converged']}")
    return beta, info
