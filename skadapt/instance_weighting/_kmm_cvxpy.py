"""The reference solution of kernel mean matching's QP through cvxpy.

:func:`solve_cvxpy` passes the problem of :mod:`._box_solver` to cvxpy with a
factor ``Phi`` of ``K`` (a pivoted Cholesky factor of a dense ``K``, or the
Nystroem features), so that the conic solver (CLARABEL by default) sees
``||Phi^T beta||^2`` rather than a dense ``quad_form``; its answer is put
back into the feasible set by the exact projection of
:func:`~._box_solver.project_box_band`.
"""

import numpy as np

from ._box_solver import project_box_band

__all__ = []


def solve_cvxpy(Q, kappa, B, lo, hi, *, solver=None, verbose=False):
    """Reference solution through cvxpy, with a factor of ``K``.

    Returns ``(beta, n_iter)``; ``beta`` is put back into the feasible set by
    the exact projection (a change of the order of the solver's tolerance).
    """
    import cvxpy as cp

    Phi = Q.factor()
    n = Q.n
    beta = cp.Variable(n)
    objective = 0.5 * cp.sum_squares(Phi.T @ beta) - kappa @ beta
    constraints = [beta >= 0, beta <= B, cp.sum(beta) >= lo, cp.sum(beta) <= hi]
    problem = cp.Problem(cp.Minimize(objective), constraints)
    if solver is None:
        solver = "CLARABEL" if "CLARABEL" in cp.installed_solvers() else None
    problem.solve(solver=solver, verbose=bool(verbose))
    if beta.value is None or problem.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"cvxpy returned status {problem.status!r}")
    stats = problem.solver_stats
    n_iter = int(stats.num_iters) if stats is not None and stats.num_iters is not None else 0
    solution, _ = project_box_band(np.asarray(beta.value, dtype=np.float64), B, lo, hi)
    return solution, n_iter
