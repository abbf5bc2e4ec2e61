"""Two-stage feature selection in the spirit of Jiang & Zhai (CIKM 2007).

How the module is built
-----------------------
Only the abstract of the paper is known (``METHODS.md`` section 3): stage 1
keeps the features that generalise across several labeled source domains,
stage 2 adds features specific to the unlabeled target.  Everything else is
our reconstruction, listed in the class Notes.

* **Stage 1** (:func:`_fit_joint_logistic`) is one L2 logistic regression on
  all source domains jointly, with per-domain weights ``w_k = w_0 + u_k``:
  ``C * sum_i loss_i + ||w_0||^2 / 2 + rho * sum_k ||u_k||^2 / 2``.  It is a
  logistic regression on the augmented design ``[X, X_1, ..., X_K]`` (``X_k``
  = ``X`` with the rows of the other domains zeroed) with one penalty per
  block; scaling block ``k`` by ``1 / sqrt(rho)`` turns it into a plain L2
  logistic regression that ``sklearn.linear_model.LogisticRegression`` could
  solve on ``2 * nnz(X)`` stored entries (the blocks' rows are disjoint).
  We do not build the augmented matrix, for two reasons: the shared
  intercept must stay unpenalised while the domain intercepts are penalised
  (liblinear penalises every intercept, lbfgs none but the one), and the
  direct form needs no copy of ``X``.  The margin of a row of domain ``k`` is
  ``x @ (w_0 + u_k) + b_0 + b_k`` and the gradient of ``w_0`` is the sum of
  the blocks' gradients, so one objective-and-gradient evaluation costs two
  sparse products over each domain's rows, ``O(nnz(X))``, and L-BFGS
  (``scipy.optimize``) solves the smooth convex problem.  Several classes
  are handled one-versus-rest.
* Features are ranked (:func:`_consistency_scores`) by the smallest weight
  they get in any source domain, measured in the direction of the shared
  weight ``w_0``: a feature that predicts the same way everywhere scores
  high, a decoy that matters in one domain only (or flips sign) scores near
  zero or below.
* The number kept and ``C`` are chosen, when asked, by leave-one-source-
  domain-out validation (:class:`skadapt.model_selection.LeaveOneDomainOut`).
* **Stage 2** is self-training on the target rows; target-specific features
  are added by a score (Rao) test of each unused feature against the current
  model on the pseudo-labeled target rows (:func:`_score_test`), ``O(nnz)``.
"""

import numbers
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from threadpoolctl import threadpool_limits

from ..base import BaseColumnSelector
from ..exceptions import SingleSourceWarning
from ..model_selection import LeaveOneDomainOut
from ..utils._domain import _stack_rows
from ..utils._sklearn_compat import Interval, StrOptions

__all__ = ["TwoStageFeatureSelector"]

#: Candidate shares of the features tried by ``n_generalizable="auto"``.
_AUTO_FRACTIONS = (0.05, 0.1, 0.25, 0.5, 1.0)
#: Candidate values of ``C`` tried by ``C="auto"``.
_AUTO_C = (0.01, 0.1, 1.0)


# ----------------------------------------------------------------- helpers


def _log_loss_grad(margin, sign):
    """Logistic loss ``log(1 + exp(-s m))`` summed, and its derivative in ``m``."""
    z = sign * margin
    loss = np.logaddexp(0.0, -z).sum()
    return loss, -sign * expit(-z)


def _fit_joint_logistic(blocks, signs, C, rho, *, max_iter, tol):
    """Fit ``w_k = w_0 + u_k`` by L2 logistic regression over the domain blocks.

    Parameters
    ----------
    blocks : list of (ndarray or CSR matrix of shape (n_k, d))
        The rows of each source domain.
    signs : list of ndarray of shape (n_k,)
        ``+1`` / ``-1`` labels of each block.
    C : float
        Inverse strength of the penalty on the shared weights ``w_0``.
    rho : float
        Penalty of the domain parts ``u_k`` relative to ``w_0``.

    Returns
    -------
    W : ndarray of shape (K, d)
        The per-domain weights ``w_0 + u_k``.
    w0 : ndarray of shape (d,)
        The shared part.
    n_iter : int
        L-BFGS iterations run.
    converged : bool
    """
    K = len(blocks)
    d = blocks[0].shape[1]
    size = d + 1  # weights and intercept of one part
    # The objective is divided by the number of rows, as scikit-learn's lbfgs
    # solver does, so that ``tol`` means the same for any sample size.
    scale = 1.0 / sum(b.shape[0] for b in blocks)

    def objective(theta):
        parts = theta.reshape(K + 1, size)
        w0, b0 = parts[0, :d], parts[0, d]
        grad = np.zeros_like(parts)
        value = 0.0
        for k in range(K):
            uk, bk = parts[k + 1, :d], parts[k + 1, d]
            margin = np.asarray(blocks[k] @ (w0 + uk)).ravel() + b0 + bk
            loss, dm = _log_loss_grad(margin, signs[k])
            value += C * loss
            g = C * np.asarray(blocks[k].T @ dm).ravel()
            grad[0, :d] += g
            grad[0, d] += C * dm.sum()
            grad[k + 1, :d] = g + rho * uk
            grad[k + 1, d] = C * dm.sum() + rho * bk
            value += 0.5 * rho * (uk @ uk + bk * bk)
        value += 0.5 * (w0 @ w0)
        grad[0, :d] += w0
        return scale * value, scale * grad.ravel()

    # L-BFGS-B's work per iteration is a few dense products on short matrices;
    # a multi-threaded BLAS only adds overhead there (measured: 8-30x slower
    # per iteration on a shared 2-core machine), so BLAS gets one thread for
    # the solve and its previous setting back afterwards.
    with threadpool_limits(limits=1, user_api="blas"):
        result = minimize(
            objective,
            np.zeros((K + 1) * size),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "gtol": tol},
        )
    parts = result.x.reshape(K + 1, size)
    w0 = parts[0, :d]
    W = w0[None, :] + parts[1:, :d]
    return W, w0, int(result.nit), bool(result.success)


def _consistency_scores(W, w0):
    """Smallest per-domain weight of each feature in the direction of ``w_0``."""
    direction = np.sign(w0)
    ties = direction == 0
    direction[ties] = np.sign(W[:, ties].sum(axis=0))
    return (direction[None, :] * W).min(axis=0)


def _rank(scores):
    """Feature indices best first; near-ties (relative 1e-9) go to the lower index."""
    scale = max(float(np.max(np.abs(scores))), np.finfo(float).tiny)
    rounded = np.round(scores / scale, 9)
    return np.lexsort((np.arange(scores.shape[0]), -rounded))


def _probabilities(model, X):
    """Class probabilities of ``model`` (from ``decision_function`` if need be)."""
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(X))
    scores = np.asarray(model.decision_function(X))
    if scores.ndim == 1:
        p = expit(scores)
        return np.column_stack([1.0 - p, p])
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def _score_test(X, codes, proba, columns):
    """Rao score statistic of adding each of ``columns`` to the current model.

    For each class ``c`` (one-versus-rest), the residuals ``r = 1[code == c] -
    p_c`` of the pseudo-labeled rows give ``(sum_i r_i x_ij)^2 /
    sum_i p_c (1 - p_c) x_ij^2``; the statistic of a feature is its largest
    value over the classes (the two are equal for two classes).  ``O(nnz)``.
    """
    Xc = X[:, columns]
    stat = np.zeros(columns.shape[0])
    n_classes = proba.shape[1]
    for c in range(1 if n_classes == 2 else n_classes, n_classes):
        p = proba[:, c]
        r = (codes == c).astype(float) - p
        num = np.asarray(Xc.T @ r).ravel() ** 2
        sq = Xc.multiply(Xc) if sp.issparse(Xc) else Xc * Xc
        den = np.asarray(sq.T @ (p * (1.0 - p))).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.maximum(stat, np.where(den > 0, num / np.maximum(den, 1e-300), 0.0))
    return stat


def _as_candidates(value, auto, name, owner):
    """A parameter that is a value, "auto" (the default grid) or a list of values."""
    if isinstance(value, str):
        return list(auto)
    if isinstance(value, (list, tuple, np.ndarray)):
        values = list(value)
        if not values:
            raise ValueError(f"{owner}: `{name}` is an empty list; give at least one value.")
        return values
    return [value]


# ----------------------------------------------------------------- estimator


class TwoStageFeatureSelector(BaseColumnSelector):
    """Two-stage feature selection in the spirit of Jiang & Zhai (CIKM 2007).

    For several labeled source domains and an unlabeled target domain.
    Stage 1 keeps the features whose weight is consistent across the source
    domains (the *generalisable* features); stage 2 self-trains on the target
    rows, pseudo-labeling the most confident ones, and may add features that
    separate the pseudo-labeled target rows (*target-specific* features).
    ``transform`` returns the kept columns; with an ``estimator``, that
    estimator is fitted on the labeled source rows plus the pseudo-labeled
    target rows over the kept columns and predicts for new rows.

    Read more in the :ref:`User Guide <two_stage>`.

    Parameters
    ----------
    estimator : classifier object, default=None
        Fitted (a clone of it) on the kept columns of the labeled source rows
        and the pseudo-labeled target rows; ``predict``, ``predict_proba``,
        ``decision_function`` and ``score`` are delegated to it.  When it has
        ``predict_proba`` or ``decision_function`` it is also the model of
        the self-training rounds; otherwise (or with None) a
        ``LogisticRegression(C=C_)`` is.
    n_generalizable : int, float, "auto" or list, default="auto"
        Number of generalisable features kept by stage 1: an int (at most
        ``n_features``), a float in (0, 1] (that share of the features,
        rounded up), or several candidates (a list, or ``"auto"`` for the
        shares 0.05, 0.1, 0.25, 0.5 and 1) among which leave-one-source-
        domain-out validation chooses.  A single value skips that
        validation, so that ``GridSearchCV`` can search it instead.
    C : float, "auto" or list, default=1.0
        Inverse strength of the L2 penalty of the shared weights ``w_0`` in
        stage 1 (scikit-learn's convention: ``C`` multiplies the summed
        loss), and of the default self-training model.  ``"auto"`` (0.01,
        0.1, 1) or a list: chosen with ``n_generalizable`` by leave-one-
        source-domain-out validation.
    domain_penalty : float, default=3.0
        Penalty of the per-domain parts ``u_k`` relative to that of ``w_0``
        (``rho`` > 1: the shared part carries what the domains agree on).  A
        large ratio forces every ``w_k`` close to ``w_0`` and the consistency
        score then degenerates into the pooled weight: on the synthetic
        problem of the tests, the gap between the weakest shared feature and
        the strongest decoy shrinks from 0.14 (``rho`` = 3) to 0.05 (10) and
        reverses at 100 (``C`` = 1).
    n_rounds : int, default=10
        Self-training rounds on the target rows (0: no stage 2).
    k_per_round : int or float, default=200
        Target rows pseudo-labeled per class and round: an int, or a float in
        (0, 1) for that share of the target rows.  Fewer when fewer rows are
        left or are predicted in a class.
    n_target_specific : int, default=0
        Target-specific features added in all by stage 2, spread evenly over
        the rounds (0: self-training only; see Notes for why this is the
        default).
    max_iter : int, default=500
        Maximum L-BFGS iterations of each stage-1 fit.
    tol : float, default=1e-4
        Gradient tolerance of the stage-1 fits (on the objective divided by
        the number of source rows, as in scikit-learn's ``lbfgs``).
    verbose : int, default=0
        Print the progress of the validation and of the rounds when > 0.

    Attributes
    ----------
    support_ : ndarray of bool of shape (n_features_in_,)
        The kept columns (``get_support()``).
    generalizable_ : ndarray of int
        The stage-1 columns, best first.
    target_specific_ : ndarray of int
        The stage-2 columns in the order they were added.
    feature_scores_ : ndarray of shape (n_features_in_,)
        Stage-1 consistency score of each feature: its smallest per-domain
        weight in the direction of the shared weight (the largest over the
        classes, one-versus-rest, for more than two classes).
    domain_weights_ : ndarray of shape (n_source_domains, n_features_in_)
        The stage-1 per-domain weights ``w_0 + u_k`` (binary problems; for more
        classes, those of the first one-versus-rest problem).
    source_domains_ : ndarray of int
        The source domain of each row of ``domain_weights_``.
    n_generalizable_ : int
        Number of stage-1 columns kept.
    C_ : float
        The stage-1 ``C`` used.
    validation_scores_ : ndarray of shape (n_C, n_candidates) or None
        Mean leave-one-source-domain-out accuracy of each ``(C, candidate)``
        pair, when a choice was made; rows follow the ``C`` candidates and
        columns the ``n_generalizable`` candidates.  The choice is the largest
        candidate whose accuracy is within one standard error of the best
        (see Notes), not always the best.
    pseudo_labels_ : ndarray of shape (n_unlabeled_target_rows,)
        Label given to each unlabeled target row (in input order) by
        self-training, ``-1`` for rows never pseudo-labeled.  Labeled target
        rows, if any, are not pseudo-labeled: they join the labeled source
        rows in the self-training model and the ``estimator`` (not in
        stage 1).
    n_iter_ : int
        L-BFGS iterations of the final stage-1 fit (the largest over the
        one-versus-rest problems).
    n_rounds_ : int
        Self-training rounds run (fewer than ``n_rounds`` when the target
        rows ran out).
    estimator_ : estimator object
        The fitted estimator, when ``estimator`` is given.
    classes_ : ndarray
        Class labels of ``estimator_``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    skadapt.model_selection.LeaveOneDomainOut : The splitter of the
        validation of stage 1, also usable in ``GridSearchCV``.
    sklearn.semi_supervised.SelfTrainingClassifier : Self-training without
        domains or feature selection.

    Notes
    -----
    Stage 1 minimises ``C * sum_i loss(y_i, x_i @ (w_0 + u_{d(i)}))
    + ||w_0||^2 / 2 + domain_penalty * sum_k ||u_k||^2 / 2`` over the source
    rows and ranks feature ``j`` by ``min_k sign(w_0j) (w_0j + u_kj)``.

    What is the paper's and what is ours: the paper's abstract states the
    two stages and that heuristics replace an exact objective; its
    precursor (NAACL 2006) ranks features by generalisability across domains
    and tunes by "domain-aware cross validation".  The joint model, the
    score, the leave-one-source-domain-out choice of ``n_generalizable`` and
    ``C``, self-training with ``k_per_round`` rows per class, the score-test
    criterion of stage 2 and every default are ours.

    The leave-one-source-domain-out choice prunes only when pruning is
    demonstrably better: among the ``(C, n_generalizable)`` pairs whose mean
    held-out accuracy is within one binomial standard error of the best, it
    takes the largest ``n_generalizable`` (a reversed "one-standard-error
    rule").  The validation models see one source fewer than the final
    one and no pseudo-labeled rows, both of which plausibly favour more
    features; on the Amazon sanity benchmark the best-scoring share (0.25
    for books) was worse on the target than the larger ones.

    One source domain: the consistency across domains cannot be measured;
    features are then ranked by the single domain's weights, a candidate
    list or ``"auto"`` cannot be validated and resolves to its largest
    candidate (and the smallest ``C``), and a
    :class:`~skadapt.exceptions.SingleSourceWarning` says so.  A plain
    ``fit(X, y)`` with no target (no masked label, no ``sample_domain``)
    emits :class:`~skadapt.exceptions.NoTargetWarning` instead, assumes no
    shift (one domain, nothing to self-train on) and runs stage 1 alone in
    the same single-domain way.

    ``n_target_specific`` is 0 by default: the pseudo-labels come from the
    current model, so a feature that "separates" them tends to repeat what
    the model already knows (on the Amazon sanity benchmark, mutual
    information with the pseudo-labels was neutral to negative); the score
    test used here measures what a feature adds *given* the current model,
    and finds planted target features on synthetic data, but on the Amazon
    benchmark adding 500 of them was neutral on average (it helped on the
    20 Newsgroups case; ``benchmarks/results/reproduce_two_stage.md``).

    References
    ----------
    .. [1] J. Jiang and C. Zhai, "A two-stage approach to domain adaptation
       for statistical classifiers", CIKM 2007, doi:10.1145/1321440.1321498.
    .. [2] J. Jiang and C. Zhai, "Exploiting domain structure for named
       entity recognition", NAACL 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import TwoStageFeatureSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 6))
    >>> sample_domain = np.repeat([1, 2, -1], 100)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> y[:100] = X[:100, 0] + X[:100, 1] > 0          # feature 1: a decoy of domain 1
    >>> y[200:] = -1                                     # target rows are unlabeled
    >>> sel = TwoStageFeatureSelector(LogisticRegression(), n_generalizable=1)
    >>> sel.fit(X, y, sample_domain=sample_domain).generalizable_
    array([0])
    >>> sel.transform(X).shape
    (300, 1)
    """

    _task = "classification"

    _parameter_constraints = {
        **BaseColumnSelector._parameter_constraints,
        "n_generalizable": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
            StrOptions({"auto"}),
            list,
            tuple,
        ],
        "C": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), list, tuple],
        "domain_penalty": [Interval(Real, 1, None, closed="neither")],
        "n_rounds": [Interval(Integral, 0, None, closed="left")],
        "k_per_round": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "n_target_specific": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_generalizable="auto",
        C=1.0,
        domain_penalty=3.0,
        n_rounds=10,
        k_per_round=200,
        n_target_specific=0,
        max_iter=500,
        tol=1e-4,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_generalizable = n_generalizable
        self.C = C
        self.domain_penalty = domain_penalty
        self.n_rounds = n_rounds
        self.k_per_round = k_per_round
        self.n_target_specific = n_target_specific
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    # -- parameters

    def _name(self):
        return type(self).__name__

    def _resolve_counts(self, n_features):
        """The ``n_generalizable`` candidates as feature counts."""
        counts = []
        candidates = _as_candidates(
            self.n_generalizable, _AUTO_FRACTIONS, "n_generalizable", self._name()
        )
        for value in candidates:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise ValueError(
                    f"{self._name()}: `n_generalizable` candidates must be ints >= 1 or floats "
                    f"in (0, 1], got {value!r}."
                )
            if isinstance(value, numbers.Integral):
                if not 1 <= value <= n_features:
                    raise ValueError(
                        f"{self._name()}: `n_generalizable`={value} but X has {n_features} "
                        f"features; expected an int in [1, {n_features}] or a float in (0, 1]."
                    )
                counts.append(int(value))
            elif 0.0 < value <= 1.0:
                counts.append(max(1, int(np.ceil(value * n_features))))
            else:
                raise ValueError(
                    f"{self._name()}: `n_generalizable`={value!r}; a float must be in (0, 1]."
                )
        return sorted(set(counts))

    def _resolve_Cs(self):
        Cs = _as_candidates(self.C, _AUTO_C, "C", self._name())
        for value in Cs:
            if (
                isinstance(value, (bool, np.bool_))
                or not isinstance(value, numbers.Real)
                or not (0 < value < np.inf)
            ):
                raise ValueError(
                    f"{self._name()}: `C` candidates must be finite floats > 0, got {value!r}."
                )
        return sorted(set(float(c) for c in Cs))

    def _log(self, message):
        if self.verbose:
            print(f"[{self._name()}] {message}", flush=True)

    # -- models

    def _self_training_model(self, C):
        est = self.estimator
        if est is not None and is_classifier(est) and (
            hasattr(est, "predict_proba") or hasattr(est, "decision_function")
        ):
            return clone(est)
        return LogisticRegression(C=C, max_iter=1000)

    def _validation_model(self, C):
        if self.estimator is not None:
            return clone(self.estimator)
        return LogisticRegression(C=C, max_iter=1000)

    def _stage1(self, X, codes, domains, C):
        """Per-domain weights and consistency scores of the given source rows."""
        rows_of = [np.flatnonzero(domains == k) for k in np.unique(domains)]
        blocks = [X[rows] for rows in rows_of]
        n_classes = int(codes.max()) + 1
        problems = [1] if n_classes == 2 else range(n_classes)
        scores, first_W, n_iter = None, None, 0
        for c in problems:
            signs = [np.where(codes[rows] == c, 1.0, -1.0) for rows in rows_of]
            W, w0, nit, converged = _fit_joint_logistic(
                blocks, signs, C, self.domain_penalty, max_iter=self.max_iter, tol=self.tol
            )
            if not converged:
                warnings.warn(
                    f"{self._name()}: the stage-1 joint logistic regression did not converge "
                    f"in max_iter={self.max_iter} iterations (C={C}); increase max_iter or "
                    "scale the features.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            n_iter = max(n_iter, nit)
            s = _consistency_scores(W, w0)
            scores = s if scores is None else np.maximum(scores, s)
            if first_W is None:
                first_W = W
        return scores, first_W, n_iter

    def _choose(self, X, y, codes, domains, counts, Cs):
        """Leave-one-source-domain-out accuracy of every (C, count) pair."""
        cv = LeaveOneDomainOut(target_in_test=False)
        folds = list(cv.split(X, codes, groups=domains))
        table = np.zeros((len(Cs), len(counts)))
        for i, C in enumerate(Cs):
            for train, test in folds:
                scores, _, _ = self._stage1(X[train], codes[train], domains[train], C)
                order = _rank(scores)
                for j, h in enumerate(counts):
                    cols = np.sort(order[:h])
                    model = self._validation_model(C).fit(X[train][:, cols], y[train])
                    table[i, j] += model.score(X[test][:, cols], y[test]) / len(folds)
            self._log(f"C={C}: validation accuracy {np.round(table[i], 4).tolist()} for {counts}")
        # Prune only when pruning is demonstrably better: among the pairs within
        # one standard error of the best mean accuracy (binomial, over all the
        # held-out rows), keep the most features, then the best accuracy.
        best = table.max()
        n_held_out = sum(test.shape[0] for _, test in folds)
        se = np.sqrt(best * (1.0 - best) / n_held_out)
        close = table >= best - se
        j = max(np.flatnonzero(close.any(axis=0)))
        i = int(np.argmax(np.where(close[:, j], table[:, j], -np.inf)))
        return Cs[i], counts[j], table

    # -- fit

    def _fit(self, X, y, split, random_state):
        name = self._name()
        n_features = X.shape[1]
        counts = self._resolve_counts(n_features)
        Cs = self._resolve_Cs()

        check_classification_targets(y[split.labeled])
        source = np.flatnonzero(split.labeled_source)
        domains = split.sample_domain[source]
        source_domains = np.unique(domains)
        # classes of every labeled row (labeled target rows, if any, included)
        classes = np.unique(y[split.labeled])
        codes = np.searchsorted(classes, y[source])
        Xs, ys = X[source], y[source]
        several = source_domains.shape[0] >= 2
        if not several and not split.no_target:
            warnings.warn(
                f"{name}: one source domain only ({source_domains.tolist()}); stage 1 cannot "
                "measure how consistently a feature predicts across domains, so features are "
                "ranked by that domain's weights and a list or 'auto' for n_generalizable/C "
                "resolves to its largest count and smallest C without validation. Number the "
                "source domains 1, 2, ... in sample_domain to use stage 1 as designed.",
                SingleSourceWarning,
                stacklevel=4,
            )

        self.validation_scores_ = None
        if len(counts) * len(Cs) > 1 and several:
            C, h, self.validation_scores_ = self._choose(Xs, ys, codes, domains, counts, Cs)
        else:
            C, h = Cs[0], counts[-1]
        self.C_, self.n_generalizable_ = C, h

        scores, W, self.n_iter_ = self._stage1(Xs, codes, domains, C)
        order = _rank(scores)
        self.feature_scores_ = scores
        self.domain_weights_ = W
        self.source_domains_ = source_domains
        self.generalizable_ = order[:h].copy()
        self._log(f"stage 1: kept {h} of {n_features} features (C={C})")

        support = np.zeros(n_features, dtype=bool)
        support[self.generalizable_] = True
        added = []
        # rows the self-training model and the estimator learn from: the labeled
        # rows (source, and labeled target rows if any), plus pseudo-labeled ones
        labeled = np.flatnonzero(split.labeled)
        Xl, yl = X[labeled], y[labeled]
        target = np.flatnonzero(split.target & ~split.labeled)
        pseudo = np.full(target.shape[0], -1, dtype=np.int64)
        rounds = 0
        if target.shape[0] and self.n_rounds > 0:
            Xt = X[target]
            n_classes = classes.shape[0]
            k = self.k_per_round
            if isinstance(k, numbers.Real) and not isinstance(k, numbers.Integral):
                k = max(1, int(np.ceil(k * target.shape[0])))
            # n_target_specific spread evenly over the rounds
            edges = np.linspace(0, self.n_target_specific, self.n_rounds + 1).round()
            quotas = np.diff(edges).astype(int)
            for r in range(self.n_rounds):
                free = np.flatnonzero(pseudo < 0)
                if free.shape[0] == 0:
                    break
                cols = np.flatnonzero(support)
                done = np.flatnonzero(pseudo >= 0)
                model = self._self_training_model(C)
                X_train = _stack_rows(Xl[:, cols], Xt[done][:, cols])
                model.fit(X_train, np.concatenate([yl, classes[pseudo[done]]]))
                proba = _probabilities(model, Xt[free][:, cols])
                # columns of proba follow model.classes_, a subset of classes
                model_codes = np.searchsorted(classes, model.classes_)
                best = proba.argmax(axis=1)
                for col, c in enumerate(model_codes):
                    rows = np.flatnonzero(best == col)
                    if rows.shape[0] == 0:
                        continue
                    conf = proba[rows, col]
                    chosen = rows[np.lexsort((free[rows], -conf))[:k]]
                    pseudo[free[chosen]] = c
                rounds += 1
                self._log(
                    f"round {r + 1}: {int((pseudo >= 0).sum())} of {target.shape[0]} target rows "
                    "pseudo-labeled"
                )
                if quotas[r] > 0 and not support.all():
                    labeled_t = np.flatnonzero(pseudo >= 0)
                    p_all = np.zeros((labeled_t.shape[0], n_classes))
                    p_all[:, model_codes] = _probabilities(model, Xt[labeled_t][:, cols])
                    candidates = np.flatnonzero(~support)
                    stat = _score_test(Xt[labeled_t], pseudo[labeled_t], p_all, candidates)
                    picked = candidates[_rank(stat)[: quotas[r]]]
                    picked = picked[stat[np.searchsorted(candidates, picked)] > 0]
                    support[picked] = True
                    added.extend(picked.tolist())
                    self._log(f"round {r + 1}: added {picked.shape[0]} target-specific features")
        self.support_ = support
        self.target_specific_ = np.asarray(added, dtype=np.intp)
        self.pseudo_labels_ = _label_array(classes, pseudo)
        self.n_rounds_ = rounds
        done = np.flatnonzero(pseudo >= 0)
        rows = np.concatenate([labeled, target[done]])
        return rows, np.concatenate([yl, classes[pseudo[done]]])


def _label_array(classes, codes):
    """Labels of the pseudo-labeled rows, -1 elsewhere, in the classes' dtype if numeric."""
    if classes.dtype.kind in "biuf":
        out = np.full(codes.shape[0], -1, dtype=np.result_type(classes.dtype, np.int8))
    else:
        out = np.full(codes.shape[0], -1, dtype=object)
    labeled = codes >= 0
    out[labeled] = classes[codes[labeled]]
    return out
