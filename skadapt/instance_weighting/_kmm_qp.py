"""The quadratic term ``K`` of kernel mean matching's QP, dense or as a factor.

The solvers (:mod:`._box_solver`, :mod:`._kmm_cvxpy`) see ``K`` only through
these two classes, so that the same code runs on the exact kernel and on a
Nystroem factor:

* :class:`DenseQuadratic` holds the n x n matrix.  Besides products it gives
  blocks ``K_FF`` of a face, ``K_FF x = rhs`` solves (a jittered Cholesky
  factorisation, falling back on a truncated eigendecomposition when ``K_FF``
  is numerically singular) and a pivoted Cholesky factor (LAPACK ``dpstrf``)
  for the cvxpy reference.
* :class:`FactorQuadratic` holds ``Phi`` with ``K = Phi Phi^T`` (n x m,
  Nystroem features): products cost ``O(n m)`` and the n x n matrix is never
  formed.
"""

import numpy as np
import scipy.linalg as sla

__all__ = []


class DenseQuadratic:
    """``K`` held as a dense symmetric matrix."""

    def __init__(self, K):
        self.K = K
        self.n = K.shape[0]

    def matvec(self, v):
        return self.K @ v

    def block(self, rows):
        if rows.shape[0] == self.n:
            return self.K.copy()
        return self.K[rows][:, rows]

    def diag(self):
        return np.diag(self.K).copy()

    def face_operator(self, F):
        """``v -> K_FF v``: on an extracted ``K_FF`` unless ``F`` is most rows."""
        if F.shape[0] > 0.7 * self.n:
            K, n = self.K, self.n

            def matvec(v):
                full = np.zeros(n)
                full[F] = v
                return (K @ full)[F]

            return matvec
        return self.block(F).__matmul__

    def cross_sum(self, rows, cols):
        """``K[rows][:, cols].sum(axis=1)``."""
        return self.K[np.ix_(rows, cols)].sum(axis=1)

    def solve_face(self, F, rhs, target):
        """Solve ``K_FF x = rhs - nu 1`` (with ``sum(x) = target`` when given).

        A Cholesky factorisation (with a jitter of 1e-13 of the mean
        diagonal).  When ``K_FF`` is numerically singular -- the Cholesky
        fails, or its solution does not solve the unjittered system to 1e-9
        -- the minimum-norm solution through an eigendecomposition that
        drops the eigenvalues below 1e-12 of the largest (a degenerate face
        has a whole affine set of minimisers).
        """
        KFF = self.block(F)
        ones = np.ones(F.shape[0])

        def constrained(solve):
            x = solve(rhs)
            if target is not None:
                u = solve(ones)
                x = x - ((x.sum() - target) / u.sum()) * u
            return x

        jitter = 1e-13 * max(float(np.trace(KFF)) / F.shape[0], 1e-300)
        A = KFF.copy()
        A[np.diag_indices_from(A)] += jitter
        x = None
        try:
            cho = sla.cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
            x = constrained(lambda b: sla.cho_solve(cho, b, check_finite=False))
        except np.linalg.LinAlgError:
            pass
        if x is not None:
            res = KFF @ x - rhs
            if target is not None:
                res -= res.mean()  # the multiplier nu absorbs the constant part
            if np.linalg.norm(res) <= 1e-9 * max(np.linalg.norm(rhs), 1e-300):
                return x
        w, V = np.linalg.eigh(KFF)
        keep = w > 1e-12 * max(float(w[-1]), 1e-300)
        Vk, wk = V[:, keep], w[keep]
        return constrained(lambda b: Vk @ ((Vk.T @ b) / wk))

    def factor(self, rtol=1e-12):
        """``Phi`` with ``K = Phi Phi^T`` up to ``rtol``: a pivoted Cholesky factor."""
        n = self.n
        if n == 0:
            return np.zeros((0, 0))
        c, piv, rank, info = sla.lapack.dpstrf(
            np.array(self.K, dtype=np.float64, order="F"), lower=1, tol=rtol * np.max(np.diag(self.K))
        )
        if info < 0:
            raise np.linalg.LinAlgError("pivoted Cholesky failed")
        L = np.tril(c)[:, :rank]
        Phi = np.empty((n, rank))
        Phi[piv - 1] = L
        return Phi


class FactorQuadratic:
    """``K = Phi Phi^T`` held through its factor ``Phi`` (n x m)."""

    def __init__(self, Phi):
        self.Phi = Phi
        self.n = Phi.shape[0]

    def matvec(self, v):
        return self.Phi @ (self.Phi.T @ v)

    def diag(self):
        return np.einsum("ij,ij->i", self.Phi, self.Phi)

    def face_operator(self, F):
        """``v -> Phi_F Phi_F^T v`` on the rows ``F`` of the factor."""
        Phi_F = self.Phi[F]

        def matvec(v):
            return Phi_F @ (Phi_F.T @ v)

        return matvec

    def factor(self, rtol=None):
        return self.Phi
