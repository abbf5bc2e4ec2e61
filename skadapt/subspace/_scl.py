"""Structural correspondence learning (Blitzer et al., EMNLP 2006, ACL 2007).

How the module is built
-----------------------
SCL works on the binary occurrence pattern ``b(x) = 1[x != 0]`` of sparse
(text) features.  :class:`SCL` runs four steps:

1. **Pivot selection** (:func:`_select_pivots`): the candidates are the
   features seen in more than ``min_df`` rows of the source *and* of the
   target; SCL-MI ranks them by mutual information with the source labels
   (:func:`_mutual_information`, equal to
   :func:`sklearn.metrics.mutual_info_score` on each binary column), SCL by
   their document frequency in the less frequent domain.
2. **Pivot predictors** (:func:`_fit_pivot_predictors`): one linear predictor
   per pivot, "does pivot l occur in x", with the modified Huber loss and an
   L2 penalty, on every training row, the pivot columns masked from the
   inputs.  The ``m`` predictors share their inputs, so they are solved
   *together*: dual coordinate descent (the modified Huber loss makes the dual
   liblinear's L2-loss SVM dual with a box ``[0, 4C]``), one numba pass over
   the rows per epoch (:func:`_dual_cd_epoch`).  For each row the scores of
   all pivots are sums of contiguous rows of the ``n_inputs x m`` weight
   matrix; each pivot's dual variable of that row gets its closed-form step,
   and only the pivots whose variable moved update the weights.  The pivots
   are split into blocks, one per thread, each running the same row sequence
   (no shared writes).  Memory: the weights (``n_features x m``), the dual
   variables (``n x m`` float32) and the binary inputs.
3. **Row order.**  Coordinate descent depends on the order of the rows, and
   the result must not depend on the order of the user's rows.  The rows are
   therefore put in a canonical order first (sorted by a 64-bit hash of their
   binary pattern, which is all the predictors see), and each epoch visits
   them in a permutation of that canonical order drawn from
   ``random_state``.  Rows with the same pattern are interchangeable, so
   ``pivots_`` and ``components_`` are identical, bit for bit, for any
   permutation of the input rows (barring a collision of two different
   patterns' hashes, probability about ``n^2 / 2^65``).
4. **Projection**: ``theta`` is the top ``n_components`` left singular vectors
   of the stacked weights (``n_features x m``), signs fixed as ``svd_flip``
   does; ``transform`` returns ``[x, s * theta b(x)]``.
"""

import time
from numbers import Integral, Real

import numba
import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh, qr
from scipy.optimize import minimize
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..base import BaseAdapter
from ..kernels._params import n_workers, numba_threads, single_threaded_blas
from ..utils._sklearn_compat import Interval, StrOptions, _check_feature_names_in

__all__ = ["SCL"]

# Epochs (passes over the rows) of the pivot predictors' dual coordinate
# descent.  On an Amazon pair, three reach about a third of the mean objective
# of a loop of SGDClassifier (benchmarks/bench_scl.py); more lower it further
# but changed SCL's accuracy by less than 0.6 points on four pairs.
_N_EPOCHS = 3


# ------------------------------------------------------------ numba kernels


@numba.njit(cache=True)
def _modified_huber(z):
    """Loss and its derivative in ``z = y * score``."""
    if z >= 1.0:
        return 0.0, 0.0
    if z >= -1.0:
        r = 1.0 - z
        return r * r, -2.0 * r
    return -4.0 * z, -4.0


@numba.njit(cache=True)
def _row_hashes(indptr, indices):
    """FNV-1a hash (64 bits) of the column indices of every CSR row."""
    n = indptr.shape[0] - 1
    out = np.empty(n, dtype=np.uint64)
    prime = np.uint64(1099511628211)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for k in range(indptr[i], indptr[i + 1]):
            v = np.uint64(indices[k])
            for _ in range(8):
                h = (h ^ (v & np.uint64(255))) * prime
                v = v >> np.uint64(8)
        h = (h ^ np.uint64(indptr[i + 1] - indptr[i])) * prime
        out[i] = h
    return out


@numba.njit(cache=True)
def _scores_and_labels(indptr, indices, p_indptr, p_indices, i, W, b, l0, l1, s, yl):
    """Scores ``b + w.x_i`` and labels (+1 if the pivot occurs, else -1) of pivots ``l0:l1``."""
    for l in range(l1 - l0):
        s[l] = b[l0 + l]
        yl[l] = -1.0
    for q in range(indptr[i], indptr[i + 1]):
        j = indices[q]
        for l in range(l1 - l0):
            s[l] += W[j, l0 + l]
    for q in range(p_indptr[i], p_indptr[i + 1]):
        l = p_indices[q]
        if l0 <= l < l1:
            yl[l - l0] = 1.0


@numba.njit(parallel=True, cache=True)
def _dual_cd_epoch(
    indptr, indices, p_indptr, p_indices, own, order, W, b, beta, blocks, d_ii, upper, losses
):
    """One epoch of dual coordinate descent of all pivot predictors.

    ``beta`` (``n x m``, float32) are the dual variables, ``W`` (``n_inputs x m``)
    and ``b`` the primal weights and intercepts (``w = sum_i beta_i y_i x_i``;
    the intercept is the weight of a constant feature of value 1).  The
    inputs are binary, so a score is a sum of rows of ``W``.  ``losses``
    receives each pivot's summed loss over the epoch, at the scores met
    before each update.  ``own[l]`` is the input column of pivot ``l`` when
    the pivots are not masked (the predictor of ``l`` must not read it; its
    weight stays 0), else -1.
    """
    n_blocks = blocks.shape[0] - 1
    for k in numba.prange(n_blocks):
        l0, l1 = blocks[k], blocks[k + 1]
        width = l1 - l0
        s = np.empty(width)
        yl = np.empty(width)
        delta = np.empty(width)
        active = np.empty(width, dtype=np.int64)
        for l in range(width):
            losses[l0 + l] = 0.0
        for r in range(order.shape[0]):
            i = order[r]
            start, stop = indptr[i], indptr[i + 1]
            _scores_and_labels(indptr, indices, p_indptr, p_indices, i, W, b, l0, l1, s, yl)
            q_ii = (stop - start) + 1.0 + d_ii
            n_active = 0
            for l in range(width):
                margin = yl[l] * s[l]
                loss, _ = _modified_huber(margin)
                losses[l0 + l] += loss
                old = np.float64(beta[i, l0 + l])
                grad = margin - 1.0 + old * d_ii
                if (old > 0.0 or grad < 0.0) and (old < upper or grad > 0.0):
                    q_l = q_ii - 1.0 if (own[l0 + l] >= 0 and yl[l] > 0.0) else q_ii
                    new = min(max(old - grad / q_l, 0.0), upper)
                    beta[i, l0 + l] = new
                    step = (np.float64(beta[i, l0 + l]) - old) * yl[l]
                    if step != 0.0:
                        delta[n_active] = step
                        active[n_active] = l0 + l
                        n_active += 1
                        b[l0 + l] += step
            for q in range(start, stop):
                j = indices[q]
                for a in range(n_active):
                    if own[active[a]] != j:
                        W[j, active[a]] += delta[a]


@numba.njit(parallel=True, cache=True)
def _objective_losses(indptr, indices, p_indptr, p_indices, W, b, blocks, out):
    """Summed modified-Huber loss of every pivot predictor over all rows."""
    n = indptr.shape[0] - 1
    for k in numba.prange(blocks.shape[0] - 1):
        l0, l1 = blocks[k], blocks[k + 1]
        width = l1 - l0
        s = np.empty(width)
        yl = np.empty(width)
        for l in range(width):
            out[l0 + l] = 0.0
        for i in range(n):
            _scores_and_labels(indptr, indices, p_indptr, p_indices, i, W, b, l0, l1, s, yl)
            for l in range(width):
                loss, _ = _modified_huber(yl[l] * s[l])
                out[l0 + l] += loss


# ------------------------------------------------------------ helpers


def _binary_csr(X):
    """``1[X != 0]`` as a CSR matrix of float64 ones with sorted indices."""
    B = sp.csr_matrix(X, dtype=np.float64, copy=True)
    B.eliminate_zeros()
    B.sort_indices()
    B.data[:] = 1.0
    return B


def _mutual_information(B, y):
    """MI (nats) between each binary column of ``B`` and the labels ``y``.

    The same value as ``sklearn.metrics.mutual_info_score(B[:, f], y)`` for
    every column ``f``, from the ``2 x K`` contingency tables of all columns at
    once.
    """
    classes, y_idx = np.unique(y, return_inverse=True)
    n = B.shape[0]
    onehot = sp.csr_matrix(
        (np.ones(n), (np.arange(n), y_idx)), shape=(n, classes.shape[0])
    )
    n_k = np.asarray(onehot.sum(axis=0)).ravel()  # rows per class
    n1k = np.asarray((B.T @ onehot).toarray())  # feature present, class k
    n0k = n_k[None, :] - n1k
    mi = np.zeros(B.shape[1])
    for table in (n0k, n1k):
        n_a = table.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            term = table / n * (np.log(table) + np.log(n) - np.log(n_a) - np.log(n_k)[None, :])
        mi += np.where(table > 0, term, 0.0).sum(axis=1)
    return np.clip(mi, 0.0, None)


def _feature_blocks(m, n_threads):
    """Split ``m`` pivots into at most ``n_threads`` contiguous blocks."""
    n_blocks = max(1, min(n_threads, m))
    return np.linspace(0, m, n_blocks + 1).round().astype(np.int64)


def _pivot_objective(X_in, P, W, b, alpha, n_threads=1):
    """Objective of every pivot predictor: mean loss + ``alpha / 2 * ||w||^2``.

    ``X_in`` is the binary input matrix (``n x n_inputs``), ``P`` the binary
    pivot-occurrence matrix (``n x m``), ``W`` the weights (``n_inputs x m``)
    and ``b`` the intercepts.  The same objective as scikit-learn's
    ``SGDClassifier(loss="modified_huber", penalty="l2", alpha=alpha)``.
    """
    W = np.ascontiguousarray(W, dtype=np.float64)
    out = np.empty(W.shape[1])
    blocks = _feature_blocks(W.shape[1], n_threads)
    with numba_threads(n_threads):
        _objective_losses(
            X_in.indptr, X_in.indices, P.indptr, P.indices, W,
            np.asarray(b, dtype=np.float64), blocks, out,
        )
    return out / X_in.shape[0] + 0.5 * alpha * (W * W).sum(axis=0)


def _fit_pivot_predictors(X_in, P, own, alpha, random_state, n_threads, n_epochs=None, log=None):
    """Fit all pivot predictors jointly; returns ``(W, b, objective)``.

    ``X_in`` (binary CSR, ``n x n_inputs``) are the inputs, ``P`` (binary CSR,
    ``n x m``) the occurrences of the pivots, ``own`` the input column of each
    pivot (-1 when masked).  Each predictor minimises
    ``mean_i L(y_i (w.x_i + b)) + alpha / 2 * ||w||^2`` (L the modified Huber
    loss), i.e. ``1/2 ||w||^2 + C sum_i L`` with ``C = 1 / (alpha n)``.  With
    ``L(z) = max_{0 <= a <= 4} a (1 - z) - a^2 / 4``, its dual is liblinear's
    L2-loss SVM dual with the box ``0 <= beta_i <= 4 C`` and the diagonal
    ``1 / (2 C)``, solved by coordinate descent (Hsieh et al., ICML 2008):
    every coordinate step has a closed form and changes ``w`` by a multiple of
    one row, so one pass over the rows updates all ``m`` predictors.  The
    rows are visited in a permutation (``random_state``) of a canonical order
    (see the module docstring).  ``objective`` is the mean over the pivots of
    the objective measured during the last epoch.
    """
    n, d = X_in.shape
    m = P.shape[1]
    hashes = _row_hashes(X_in.indptr, X_in.indices) ^ (
        _row_hashes(P.indptr, P.indices) * np.uint64(31)
    )
    canon = np.argsort(hashes, kind="stable")
    rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    W = np.zeros((d, m))
    b = np.zeros(m)
    beta = np.zeros((n, m), dtype=np.float32)
    blocks = _feature_blocks(m, n_threads)
    losses = np.zeros(m)
    C = 1.0 / (alpha * n)
    objective = np.nan
    with numba_threads(n_threads):
        for epoch in range(1, (n_epochs or _N_EPOCHS) + 1):
            order = canon[rng.permutation(n)]
            _dual_cd_epoch(
                X_in.indptr, X_in.indices, P.indptr, P.indices, own, order,
                W, b, beta, blocks, 1.0 / (2.0 * C), 4.0 * C, losses,
            )
            objective = float(np.mean(losses / n + 0.5 * alpha * np.einsum("ij,ij->j", W, W)))
            if log is not None:
                log(f"epoch {epoch}: mean objective {objective:.5f} (during the epoch)")
    return W, b, objective


def _top_left_singular_vectors(W, h):
    """Top ``h`` left singular vectors and singular values of a tall ``W`` (``d x m``).

    From the eigendecomposition of the small Gram matrix ``W^T W`` (``m x m``):
    ``W^T W = V S^2 V^T`` and ``U = W V S^{-1}``, then a QR step to make ``U``
    orthonormal to machine precision.  Directions with a zero singular value
    (when the rank of ``W`` is below ``h``) are completed by the QR step.
    """
    G = W.T @ W
    vals, V = eigh((G + G.T) / 2, subset_by_index=[W.shape[1] - h, W.shape[1] - 1])
    vals, V = vals[::-1], V[:, ::-1]
    s = np.sqrt(np.clip(vals, 0.0, None))
    tol = s[0] * max(W.shape) * np.finfo(np.float64).eps if s[0] > 0 else 0.0
    s = np.where(s > tol, s, 0.0)
    U = W @ V
    U[:, s > 0] /= s[s > 0]
    Q, R = qr(U, mode="economic")
    # keep the directions (QR may flip signs): Q R = U with R ~ identity
    Q *= np.where(np.diag(R) < 0, -1.0, 1.0)
    return Q, s


def _svd_flip_rows(V):
    """Make the largest-magnitude entry of every row of ``V`` positive."""
    idx = np.abs(V).argmax(axis=1)
    signs = np.sign(V[np.arange(V.shape[0]), idx])
    signs[signs == 0] = 1.0
    return V * signs[:, None]


# ------------------------------------------------------------ the estimator


class SCL(BaseAdapter):
    """Structural correspondence learning (SCL and SCL-MI) for sparse text features.

    SCL (Blitzer, McDonald & Pereira, 2006) learns a low-dimensional
    projection ``theta`` in which features of the source and target domains
    that behave alike are close.  It picks *pivot* features, frequent in both
    domains (and, for SCL-MI, Blitzer, Dredze & Pereira 2007, predictive of
    the source label), trains one linear predictor per pivot that predicts
    from the other features whether the pivot occurs in a document -- on all
    rows, labeled or not, source and target -- and takes the top left
    singular vectors of the stacked predictor weights as ``theta``.
    :meth:`transform` returns ``[x, s * theta b(x)]`` where ``b(x)`` is the
    binary occurrence pattern of ``x``.  With an ``estimator``, that estimator
    is fit on the transformed labeled rows.

    SCL is built for sparse bags of words (``CountVectorizer(binary=True)``):
    it accepts dense or sparse input and keeps sparse output sparse.  Read
    more in the Notes.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fit on the transformed labeled rows; ``None`` makes SCL a pure
        transformer.
    n_pivots : int, default=500
        Number of pivot features ``m`` (500 in the published
        reimplementations; the papers do not say).
    pivot_selection : {"mi", "frequency"}, default="mi"
        ``"mi"`` is SCL-MI (ACL 2007): among the candidates, the features of
        highest mutual information with the source labels.  ``"frequency"`` is
        SCL (EMNLP 2006): the candidates of highest document frequency in the
        domain where they are rarer.  SCL-MI is the default because it is the
        variant of the sentiment paper and the better one there.
    min_df : int, default=5
        A candidate pivot occurs in more than ``min_df`` rows of the source
        (labeled and unlabeled) *and* more than ``min_df`` rows of the target
        (ACL 2007: "more than five documents in each domain").
    n_components : int, default=50
        Dimension ``h`` of the projection (EMNLP 2006: "setting h between 20
        and 100 did not change results significantly"; 50 is what the
        reimplementations use).  At most ``n_pivots``.
    alpha : float, default=1e-4
        L2 penalty of the pivot predictors, in scikit-learn's
        ``SGDClassifier`` form: each predictor minimises the mean modified
        Huber loss plus ``alpha / 2 * ||w||^2`` (1e-4 is ``SGDClassifier``'s
        default, which the reimplementations use; Ando and Zhang's
        ``lambda = 1e-4``).
    mask_pivots : bool, default=True
        Remove every pivot column from the predictors' inputs (so ``theta``
        is zero on the pivot columns).  ``False`` removes only the pivot being
        predicted.
    positive_weights_only : bool, default=False
        Keep only the positive predictor weights before the SVD (one of the
        reimplementations' reading of the Ando-Zhang extensions).
    projection_scale : float or "l1_match", default=10.0
        Factor ``s`` of the projected features in ``[x, s * theta b(x)]``.
        ``"l1_match"`` picks ``s`` so that the mean L1 norm of
        ``s * theta b(x)`` on the training rows equals that of ``x``.  Unused
        when ``augment=False``.  Tune it with the final classifier on
        held-out source data (GridSearchCV); the default was the best of
        ``{1, 3, 10, 30}`` on four Amazon pairs (binary features, h = 50).
    augment : bool, default=True
        Return ``[x, s * theta b(x)]``; ``False`` returns ``theta b(x)``
        alone.
    target_correction : float or None, default=None
        Correction with a few labeled target rows (ACL 2007, "adapting only
        the SCL-related part of the weight vector").  ``None`` (off): the
        estimator is fit on every labeled row.  A float ``mu > 0``: the
        estimator (a binary linear classifier with ``coef_`` and
        ``intercept_``) is fit on the labeled *source* rows, then the weights
        ``v`` of the projected features are re-fit on the labeled *target* rows (``sample_domain < 0``) by minimising the
        logistic loss plus ``mu * ||v - v_source||^2``, the weights of ``x``
        and the intercept kept.  Needs ``augment=True``.
    random_state : int, RandomState instance or None, default=None
        Seeds the order in which the coordinate descent of the pivot
        predictors visits the rows (a permutation of a canonical order that
        does not depend on the input order).
    n_jobs : int, default=None
        Threads of the pivot predictors (the pivots are split among them).
        ``None``: numba's current setting.
    verbose : int, default=0
        ``1`` prints one line per stage (pivot selection, predictors, SVD)
        with its elapsed time; ``2`` also one line per epoch of the pivot predictors.

    Attributes
    ----------
    pivots_ : ndarray of shape (n_pivots,)
        Column indices of the pivots, best first.
    pivot_scores_ : ndarray of shape (n_pivots,)
        Their scores: mutual information (nats) or document frequency in the
        rarer domain.
    components_ : ndarray of shape (n_components, n_features_in_)
        ``theta``: orthonormal rows, the top left singular vectors of the
        stacked pivot-predictor weights.
    singular_values_ : ndarray of shape (n_components,)
        The matching singular values.
    projection_scale_ : float
        The factor ``s`` applied to the projected features.
    intercepts_ : ndarray of shape (n_pivots,)
        Intercepts of the pivot predictors.
    n_epochs_ : int
        Epochs (passes over the rows) of the pivot predictors' solver.
    objective_ : float
        Mean objective of the pivot predictors, measured during the last epoch.
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
    TCA : A kernel subspace method for dense features.
    skadapt.LabeledOnly : The no-adaptation baseline.

    Notes
    -----
    What follows the papers and what is ours (METHODS.md section 1):

    * From the papers: pivots frequent in both domains (SCL) and, for SCL-MI,
      ranked by mutual information with the source labels, each occurring in
      more than five documents of each domain; one linear predictor per pivot
      trained on unlabeled data of both domains with the modified Huber loss;
      the projection from the SVD of the stacked weights; a classifier on
      ``[x, theta x]``; the few-label correction of only the projected
      features' weights.
    * Ours, where the papers are silent or unavailable: the number of pivots
      (500) and ``h`` (50) follow the reimplementations; the predictors see
      the binary pattern of ``x`` (and ``theta`` is applied to it) and have
      an intercept; all pivot
      columns are masked from the predictors' inputs (``mask_pivots``); the
      frequency ranking uses the count in the rarer domain; the scale ``s``
      of the projected features defaults to 10 (the best of a grid on the
      Amazon reviews; with an L2-penalised classifier the scale also sets how
      much the projected weights are penalised, which the ACL 2007 paper
      leaves unpenalised); the correction uses the logistic loss, keeps the
      intercept, and its strength ``mu`` is the user's choice.
    * Solver (ours): the predictors are fit jointly by dual coordinate
      descent (Hsieh et al., 2008), 3 passes over the rows; their intercept
      is the weight of a constant feature (so it carries the small penalty
      ``alpha / 2 * b^2``, which ``objective_`` leaves out).  Three passes
      reach a lower mean objective than a loop of ``SGDClassifier`` (see
      ``benchmarks/bench_scl.py``); more passes lower it further, but 1, 3
      and 8 passes gave accuracies within 0.6 points of each other on four
      Amazon pairs.  Coordinate descent is
      slowest on very short rows (a handful of features each), where the
      constant feature couples all rows: there three passes can stop well
      short of the optimum.  Memory: the binary inputs, the weights
      (``n_features x n_pivots``, float64) and the dual variables
      (``n_samples x n_pivots``, float32: 29 MB for an Amazon pair of 14,410
      rows and 500 pivots).

    Without target rows (a plain ``fit(X, y)`` with every label given), SCL
    emits :class:`~skadapt.exceptions.NoTargetWarning` and uses the training
    rows as both domains.

    References
    ----------
    .. [1] J. Blitzer, R. McDonald and F. Pereira, "Domain adaptation with
       structural correspondence learning", EMNLP 2006.
    .. [2] J. Blitzer, M. Dredze and F. Pereira, "Biographies, Bollywood,
       boom-boxes and blenders: domain adaptation for sentiment
       classification", ACL 2007.
    .. [3] R. K. Ando and T. Zhang, "A framework for learning predictive
       structures from multiple tasks and unlabeled data", JMLR 6, 2005.
    .. [4] C.-J. Hsieh, K.-W. Chang, C.-J. Lin, S. S. Keerthi and S.
       Sundararajan, "A dual coordinate descent method for large-scale
       linear SVM", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import SCL
    >>> rng = np.random.default_rng(0)
    >>> X = sp.csr_matrix(rng.random((200, 30)) < 0.3, dtype=float)
    >>> y = np.where(np.arange(200) < 100, (X[:, 0].toarray().ravel() > 0).astype(int), -1)
    >>> scl = SCL(LogisticRegression(), n_pivots=5, n_components=3, random_state=0)
    >>> scl.fit(X, y).transform(X).shape
    (200, 33)
    >>> scl.components_.shape
    (3, 30)
    """

    _parameter_constraints = {
        **BaseAdapter._parameter_constraints,
        "n_pivots": [Interval(Integral, 1, None, closed="left")],
        "pivot_selection": [StrOptions({"mi", "frequency"})],
        "min_df": [Interval(Integral, 0, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "mask_pivots": ["boolean"],
        "positive_weights_only": ["boolean"],
        "projection_scale": [Interval(Real, 0, None, closed="neither"), StrOptions({"l1_match"})],
        "augment": ["boolean"],
        "target_correction": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_pivots=500,
        pivot_selection="mi",
        min_df=5,
        n_components=50,
        alpha=1e-4,
        mask_pivots=True,
        positive_weights_only=False,
        projection_scale=10.0,
        augment=True,
        target_correction=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_pivots = n_pivots
        self.pivot_selection = pivot_selection
        self.min_df = min_df
        self.n_components = n_components
        self.alpha = alpha
        self.mask_pivots = mask_pivots
        self.positive_weights_only = positive_weights_only
        self.projection_scale = projection_scale
        self.augment = augment
        self.target_correction = target_correction
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _accepts_sparse(self):
        return True

    # -------------------------------------------------------------- fit

    def _log(self, message, start):
        print(f"[SCL] {message} ({time.perf_counter() - start:.2f} s)")

    def _check_params(self):
        name = type(self).__name__
        if not np.isfinite(self.alpha):
            raise ValueError(f"{name}: `alpha` must be a finite number > 0, got {self.alpha!r}.")
        if isinstance(self.projection_scale, Real) and not np.isfinite(self.projection_scale):
            raise ValueError(
                f"{name}: `projection_scale` must be a finite number > 0 or 'l1_match', "
                f"got {self.projection_scale!r}."
            )
        if self.n_components > self.n_pivots:
            raise ValueError(
                f"{name}: `n_components`={self.n_components} exceeds `n_pivots`="
                f"{self.n_pivots}; the projection has at most one direction per pivot."
            )
        if self.target_correction is not None:
            if not self.augment:
                raise ValueError(
                    f"{name}: `target_correction` adapts the weights of the projected "
                    "features beside those of x, so it needs augment=True."
                )
            if self.estimator is None:
                raise ValueError(f"{name}: `target_correction` needs an `estimator`.")

    def _select_pivots(self, B, y, split):
        name = type(self).__name__
        df_source = np.asarray(B[split.source].sum(axis=0)).ravel()
        df_target = np.asarray(B[split.target].sum(axis=0)).ravel()
        candidates = np.flatnonzero((df_source > self.min_df) & (df_target > self.min_df))
        if candidates.shape[0] < self.n_pivots:
            raise ValueError(
                f"{name}: only {candidates.shape[0]} features occur in more than "
                f"min_df={self.min_df} rows of both the source and the target, fewer than "
                f"n_pivots={self.n_pivots}. Lower n_pivots or min_df, or give more rows."
            )
        if self.pivot_selection == "mi":
            rows = np.flatnonzero(split.labeled_source)
            if rows.shape[0] == 0:
                raise ValueError(
                    f"{name}: pivot_selection='mi' ranks features by mutual information "
                    "with the source labels, but no source row is labeled. Pass labels, "
                    "or use pivot_selection='frequency'."
                )
            scores = _mutual_information(B[rows][:, candidates], y[rows])
        else:
            scores = np.minimum(df_source, df_target)[candidates].astype(np.float64)
        # best first; ties by column index, so the ranking is deterministic
        best = np.lexsort((candidates, -scores))[: self.n_pivots]
        return candidates[best], scores[best]

    def _fit(self, X, y, split, random_state):
        self._check_params()
        start = time.perf_counter()
        verbose = self.verbose
        B = _binary_csr(X)
        n_features = B.shape[1]
        self.pivots_, self.pivot_scores_ = self._select_pivots(B, y, split)
        if verbose:
            kind = "mutual information" if self.pivot_selection == "mi" else "frequency"
            self._log(
                f"{self.n_pivots} pivots by {kind} "
                f"(scores {self.pivot_scores_[0]:.4g} .. {self.pivot_scores_[-1]:.4g})",
                start,
            )
        m = self.n_pivots
        pivot_of = np.full(n_features, -1, dtype=np.int64)
        pivot_of[self.pivots_] = np.arange(m)
        P = B[:, self.pivots_].tocsr()
        P.sort_indices()
        if self.mask_pivots:
            inputs = np.flatnonzero(pivot_of < 0)
            own = np.full(m, -1, dtype=np.int64)
        else:
            inputs = np.arange(n_features)
            own = self.pivots_.astype(np.int64)
        name = type(self).__name__
        if inputs.shape[0] == 0:
            raise ValueError(
                f"{name}: X has {n_features} feature(s) and all of them are pivots, so the "
                "pivot predictors have no input; lower n_pivots or set mask_pivots=False."
            )
        X_in = B[:, inputs].tocsr()
        X_in.sort_indices()
        n_threads = n_workers(name, self.n_jobs)
        W_in, b, objective = _fit_pivot_predictors(
            X_in, P, own, float(self.alpha), random_state, n_threads,
            log=(lambda message: self._log(message, start)) if verbose > 1 else None,
        )
        n_epochs = _N_EPOCHS
        self.intercepts_ = b
        self.n_epochs_ = n_epochs
        self.objective_ = objective
        if verbose:
            self._log(
                f"{m} pivot predictors: {n_epochs} epochs, mean objective {objective:.5f}",
                start,
            )
        W = np.clip(W_in, 0.0, None) if self.positive_weights_only else W_in
        if not np.any(W):
            raise ValueError(
                f"{name}: every pivot-predictor weight is zero, so there is no projection "
                "to learn (the non-pivot features carry no information on the pivots)."
            )
        h = self.n_components
        with single_threaded_blas():  # a small problem; BLAS threads only contend
            U, s = _top_left_singular_vectors(W, h)
        components = np.zeros((h, n_features))
        components[:, inputs] = U.T
        self.components_ = _svd_flip_rows(components)
        self.singular_values_ = s
        if verbose:
            self._log(f"SVD: {h} components, top singular value {s[0]:.4g}", start)
        if self.projection_scale == "l1_match":
            proj = B @ self.components_.T
            x_l1 = np.asarray(abs(X).sum(axis=1)).ravel().mean()
            p_l1 = np.abs(proj).sum(axis=1).mean()
            self.projection_scale_ = float(x_l1 / p_l1) if p_l1 > 0 else 1.0
        else:
            self.projection_scale_ = float(self.projection_scale)
        return None

    def _fit_embed(self, X, y, sample_domain):
        if self.target_correction is None:
            return super()._fit_embed(X, y, sample_domain)
        X, y, split = self._validate_fit_data(X, y, sample_domain, require_labels=True)
        Z = self._fit(X, y, split, check_random_state(self.random_state))
        Z = self._transform(X)
        source_rows = np.flatnonzero(split.labeled_source)
        target_rows = np.flatnonzero(split.labeled_target & ~split.source)
        if target_rows.shape[0] == 0:
            raise ValueError(
                f"{type(self).__name__}: target_correction needs labeled target rows "
                "(sample_domain < 0 with a label that is not -1); none was given."
            )
        self.estimator_ = clone(self.estimator).fit(Z[source_rows], y[source_rows])
        self._correct(Z[target_rows], y[target_rows])
        return Z

    def _correct(self, Z, y):
        """Re-fit the weights of the projected features on labeled target rows."""
        name = type(self).__name__
        est = self.estimator_
        coef = getattr(est, "coef_", None)
        classes = getattr(est, "classes_", None)
        if coef is None or classes is None or np.shape(coef)[0] != 1 or len(classes) != 2:
            raise ValueError(
                f"{name}: target_correction needs a binary linear classifier with coef_ and "
                f"intercept_ (e.g. LogisticRegression); got {type(est).__name__}."
            )
        h = self.components_.shape[0]
        coef = np.asarray(coef, dtype=np.float64).ravel()
        intercept = float(np.ravel(getattr(est, "intercept_", [0.0]))[0])
        d = coef.shape[0] - h
        fixed = np.asarray(Z[:, :d] @ coef[:d]).ravel() + intercept
        P = Z[:, d:]
        P = P.toarray() if sp.issparse(P) else np.asarray(P)
        sign = np.where(y == classes[1], 1.0, -1.0)
        v_source = coef[d:]
        mu = float(self.target_correction)

        def objective(v):
            margin = sign * (fixed + P @ v)
            loss = np.logaddexp(0.0, -margin).sum()
            sigma = -sign * np.exp(-np.logaddexp(0.0, margin))
            diff = v - v_source
            return loss + mu * diff @ diff, P.T @ sigma + 2 * mu * diff

        res = minimize(
            objective, v_source.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 1000}
        )
        new = coef.copy()
        new[d:] = res.x
        est.coef_ = new.reshape(1, -1).astype(np.asarray(est.coef_).dtype)

    # -------------------------------------------------------------- transform

    def _transform(self, X):
        proj = np.asarray(_binary_csr(X) @ self.components_.T)
        if not self.augment:
            return proj
        proj *= self.projection_scale_
        if sp.issparse(X):
            return sp.hstack([X.astype(np.float64), sp.csr_matrix(proj)], format="csr")
        return np.hstack([np.asarray(X, dtype=np.float64), proj])

    def __sklearn_is_fitted__(self):
        return hasattr(self, "components_")

    @property
    def _n_features_out(self):
        h = self.components_.shape[0]
        return self.n_features_in_ + h if self.augment else h

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the input names, then ``scl0 ... scl{h-1}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names (checked against ``feature_names_in_``).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``augment=True``: the input names followed by the projected
            columns' names; ``augment=False``: the projected columns' names.
        """
        check_is_fitted(self)
        h = self.components_.shape[0]
        added = np.asarray([f"scl{k}" for k in range(h)], dtype=object)
        if not self.augment:
            return added
        names = _check_feature_names_in(self, input_features)
        return np.concatenate([np.asarray(names, dtype=object), added])
