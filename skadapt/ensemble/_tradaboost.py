"""TrAdaBoost for classification (Dai, Yang, Xue & Yu, ICML 2007).

The module holds its own boosting loop; nothing is inherited from
scikit-learn's AdaBoost.  Layout:

* private helpers shared with :mod:`skadapt.ensemble._tradaboost_r2`:
  ``_check_base`` (sample_weight support or weighted resampling),
  ``_transfer_boost`` (the boosting loop: errors, vote weight, the source
  and target weight updates), ``_fit_round`` (one weighted fit of a fresh
  clone, or of the previous round's warm-started learner, seeded from the
  RNG),
  ``_vote_start`` (first round of the vote), ``_normalize_weights``
  (clipping, zeros stay zero, a warning on non-finite sums) and
  ``_training_rows`` (labeled source and labeled target rows of a
  :class:`~skadapt.utils._domain.DomainSplit`);
* :class:`TrAdaBoostClassifier`.

The base learner is fitted on the labeled rows only (source first, then the
labeled target rows); unlabeled target rows are not used.  Weights are kept
as a probability vector ``p`` over these rows and passed to the learner as
``sample_weight = p * n_rows`` (mean one), so that learners whose
regularisation depends on the weight scale (``C`` of an SVM) see the same
scale as an unweighted fit.
"""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ..base import BaseDAEstimator
from ..exceptions import BoostingStoppedWarning
from ..utils._dask import dask_rows
from ..utils._verbose import Progress
from ..utils._sklearn_compat import HasMethods, Interval, StrOptions

__all__ = ["TrAdaBoostClassifier"]

# Errors are clipped to [_ERROR_FLOOR, 1 - 1/K - _ERROR_FLOOR] to turn them into
# finite, positive vote weights: a round without error on the labeled target
# rows gets log((1 - e) / e) ~ 23, a round no better than chance ~ 4e-10.
_ERROR_FLOOR = 1e-10


# --------------------------------------------------------------------- helpers


def _check_base(owner, estimator, weighting):
    """Raise a clear TypeError if ``estimator`` cannot take the boosting weights."""
    if weighting == "sample_weight" and not has_fit_parameter(estimator, "sample_weight"):
        raise TypeError(
            f"{type(owner).__name__}: `estimator` {type(estimator).__name__} does not "
            "accept sample_weight in fit, so the boosting weights cannot be passed to it. "
            "Choose an estimator whose fit takes sample_weight, or set "
            "weighting='resample' to fit each round on a weighted resample of the rows."
        )


def _seed(estimator, random_state):
    """Set every ``*random_state`` parameter of ``estimator`` to a fresh integer."""
    params = estimator.get_params(deep=True)
    seeds = {
        key: int(random_state.randint(np.iinfo(np.int32).max))
        for key in sorted(params)
        if key == "random_state" or key.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)
    return estimator


def _refits_previous(estimator):
    """Whether a round may refit a copy of the previous round's ``estimator``.

    True for a learner with ``warm_start=True`` whose warm start begins the
    solver at the previous solution (linear models, MLPs ...).  False for
    scikit-learn's ensembles, whose ``warm_start`` *adds* members to the
    fitted ones: refitting a copy with the same number of members would fit
    nothing new, so they are cloned fresh every round.
    """
    if estimator.get_params().get("warm_start") is not True:
        return False
    return not type(estimator).__module__.startswith("sklearn.ensemble")


def _set_n_jobs(estimator, n_jobs):
    """Set every ``*n_jobs`` parameter of ``estimator`` (nested ones too) to ``n_jobs``.

    ``None`` leaves the learner's own settings.
    """
    if n_jobs is None:
        return estimator
    keys = [k for k in estimator.get_params(deep=True) if k == "n_jobs" or k.endswith("__n_jobs")]
    if keys:
        estimator.set_params(**dict.fromkeys(keys, n_jobs))
    return estimator


def _fit_round(estimator, X, y, p, weighting, random_state, previous=None, n_jobs=None):
    """Fit a seeded clone of ``estimator`` on ``(X, y)`` under the distribution ``p``.

    When ``estimator`` warm-starts from its previous solution (see
    :func:`_refits_previous`) and ``previous`` (the last round's fitted
    learner) is given, a copy of ``previous`` is refitted instead of a fresh
    clone: the learner's own warm start then begins from the last round's
    solution (the rounds differ only by their weights).  ``n_jobs`` (unless
    None) is set on every ``n_jobs`` parameter of the learner.
    """
    if previous is not None and _refits_previous(estimator):
        est = _seed(copy.deepcopy(previous), random_state)
    else:
        est = _seed(clone(estimator), random_state)
    _set_n_jobs(est, n_jobs)
    n = p.shape[0]
    if weighting == "resample":
        idx = random_state.choice(n, size=n, replace=True, p=p)
        return est.fit(X[idx], y[idx])
    return est.fit(X, y, sample_weight=p * n)


def _vote_start(n_rounds, vote):
    """0-based index of the first round in the vote: round ceil(N/2) of the paper."""
    if vote == "all":
        return 0
    return max(math.ceil(n_rounds / 2) - 1, 0)


def _normalize_weights(owner, w):
    """Clip ``w`` to >= 0 and divide by its sum; None (with a warning) if not finite."""
    with np.errstate(invalid="ignore", over="ignore"):
        np.clip(w, 0.0, None, out=w)
        total = w.sum()
    if not np.isfinite(total) or total <= 0:
        warnings.warn(
            f"{type(owner).__name__}: the sample weights summed to {total!r} (not a "
            "positive finite number); boosting stops at this round. Try a smaller "
            "learning_rate.",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    w /= total
    return w


def _training_rows(owner, split):
    """Labeled source rows and labeled target rows (indices), checked.

    In the no-target case (plain ``fit(X, y)``) every labeled row is a target
    row and there is no source row.
    """
    target = np.flatnonzero(split.labeled_target)
    if target.shape[0] == 0:
        raise ValueError(
            f"{type(owner).__name__} needs some labeled target rows: TrAdaBoost measures "
            "each round's error on them. Give a label to a few rows with a negative "
            "sample_domain (the target domain)."
        )
    source = np.flatnonzero(split.labeled_source & ~split.labeled_target)
    return source, target


def _take_rows(X, rows):
    """Rows of a validated X (CSR for sparse input, never densified)."""
    if sp.issparse(X):
        return X.tocsr()[rows]
    return X[rows]


def _soft_errors(est, X, y_enc):
    """``1 - P(true class | x)`` from ``est.predict_proba``, in ``[0, 1]``.

    ``est`` was fitted on the encoded labels ``0 .. K-1``; a class missing from
    its training rows (possible with weighted resampling) has probability 0.
    """
    proba = np.asarray(est.predict_proba(X), dtype=np.float64)
    known = np.asarray(est.classes_)
    cols = np.searchsorted(known, y_enc)
    cols_c = np.minimum(cols, known.shape[0] - 1)
    present = known[cols_c] == y_enc
    p_true = np.where(present, proba[np.arange(y_enc.shape[0]), cols_c], 0.0)
    return np.clip(1.0 - p_true, 0.0, 1.0)


def _initial_weights(spec, n_source, n_target):
    """Initial distribution over the training rows (source first, then target)."""
    n_rows = n_source + n_target
    if n_source == 0 or spec == "uniform":
        return np.full(n_rows, 1.0 / n_rows)
    share = 0.5 if spec == "balanced" else float(spec)
    w = np.empty(n_rows, dtype=np.float64)
    w[:n_source] = (1.0 - share) / n_source
    w[n_source:] = share / n_target
    return w


def _source_beta(n_source, n_estimators):
    """beta = 1 / (1 + sqrt(2 ln n / N)) of Dai et al. (1 when n <= 1)."""
    if n_source <= 1:
        return 1.0
    return 1.0 / (1.0 + math.sqrt(2.0 * math.log(n_source) / n_estimators))


def _predict_all(estimators, X):
    """Predictions of every fitted round; a repeated object is evaluated once."""
    cache = {}
    out = []
    for est in estimators:
        key = id(est)
        if key not in cache:
            cache[key] = est.predict(X)
        out.append(cache[key])
    return out


class _RequiresLabels:
    """``fit`` documented for TrAdaBoost (the base says when ``y`` is missing)."""

    def fit(self, X, y, sample_domain=None):
        """Boost on the labeled source rows and the labeled target rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Source and target rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Labels; unlabeled rows are masked with ``-1`` (classification) or
            ``NaN`` (regression; in every output) and are not used.  Several
            outputs: the regressors only.
        sample_domain : array-like of shape (n_samples,), default=None
            Domain of each row (``> 0`` source, ``< 0`` target).  Some target
            rows must carry a label.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return super().fit(X, y, sample_domain=sample_domain)


class _Rounds:
    """Per-round records of a boosting loop and the fitted attributes they give."""

    def __init__(self, owner):
        self.owner = owner
        self.estimators, self.weights, self.errors, self.masses = [], [], [], []
        self.history = []
        self.progress = Progress(type(owner).__name__, owner.verbose)

    def keep(self, w):
        """Record the round's distribution when the owner has ``store_weights=True``."""
        if getattr(self.owner, "store_weights", False):
            self.history.append(w.copy())

    def add(self, est, alpha, eps, mass):
        """Record one round (and print its line when ``verbose``)."""
        self.estimators.append(est)
        self.weights.append(alpha)
        self.errors.append(eps)
        self.masses.append(mass)
        owner = self.owner
        self.progress(f"round {len(self.estimators)}/{owner.n_estimators}: target error "
                      f"{eps:.4f}, beta_t {math.exp(-alpha):.4g}, source weight mass {mass:.4f}")

    def repeat_last(self):
        """No error on any row: the last learner stands for every remaining round."""
        rest = self.owner.n_estimators - len(self.estimators)
        for records in (self.estimators, self.weights, self.errors, self.masses):
            records += [records[-1]] * rest
        if self.history:
            self.history += [self.history[-1]] * rest

    def finish(self, w, rows, n_samples):
        """Set ``estimators_``, ``estimator_weights_`` & co. on the owner."""
        owner = self.owner
        owner.estimators_ = self.estimators
        owner.estimator_weights_ = np.asarray(self.weights, dtype=np.float64)
        owner.estimator_errors_ = np.asarray(self.errors, dtype=np.float64)
        owner.source_weight_mass_ = np.asarray(self.masses, dtype=np.float64)
        sample_weight = np.zeros(n_samples, dtype=np.float64)
        if w is not None:
            sample_weight[rows] = w
        owner.sample_weight_ = sample_weight
        if getattr(owner, "store_weights", False):
            history = np.zeros((len(self.history), n_samples), dtype=np.float64)
            history[:, rows] = self.history
            owner.sample_weight_history_ = history


def _transfer_boost(owner, base, X, y, w, is_target, row_errors, vote_weight, random_state,
                    dynamic=False, chance=None):
    """The TrAdaBoost loop shared by the classifier and TrAdaBoost.R2.

    Each round fits ``base`` under the distribution ``w`` (source rows first,
    ``is_target`` marks the labeled target rows), takes the per-row errors
    ``e = row_errors(est)`` in ``[0, 1]`` and the target error ``eps_t``, and
    the vote weight ``alpha = vote_weight(eps_t)`` (``learning_rate *
    log(1 / beta_t)``); then target rows are multiplied by ``beta_t ** -e``
    and source rows by ``beta ** (learning_rate * e)`` (and, with
    ``dynamic``, by the round's growth of the target mass), and ``w`` is
    normalised.  Stops when a round makes no error on any row (the learner
    then stands for the remaining rounds), when a round after the first is no
    better than ``chance`` on the target rows (``eps_t >= chance``; the round
    is discarded), or when the weights stop being finite.
    Returns ``(rounds, w)``: the records and the last distribution (None
    after a non-finite sum).
    """
    n_source = int((~is_target).sum())
    owner.beta_ = _source_beta(n_source, owner.n_estimators)
    log_beta_src = owner.learning_rate * math.log(owner.beta_)
    rounds = _Rounds(owner)
    for t in range(owner.n_estimators):
        previous = rounds.estimators[-1] if rounds.estimators else None
        est = _fit_round(base, X, y, w, owner.weighting, random_state, previous, owner.n_jobs)
        err = row_errors(est)
        target_mass = w[is_target].sum()
        eps = float(np.dot(w[is_target], err[is_target]) / target_mass)
        if chance is not None and t > 0 and eps >= chance:
            warnings.warn(
                f"{type(owner).__name__}: round {t + 1} of {owner.n_estimators} is no better "
                f"than chance on the labeled target rows (weighted error {eps:.3f} >= "
                f"{chance:.3f}); TrAdaBoost needs a target error below chance, so boosting "
                f"stops there and the {t} earlier rounds vote. This happens when the "
                "estimator underfits its weighted rows (e.g. LogisticRegression or "
                "LinearSVC with a small C): the misclassified source rows then lose weight "
                "round after round and the model drifts to one class.",
                BoostingStoppedWarning,
                stacklevel=4,
            )
            break
        alpha = vote_weight(eps)
        rounds.add(est, alpha, eps, 1.0 - target_mass if n_source else 0.0)
        rounds.keep(w)
        if not err.any():
            if t < owner.n_estimators - 1:
                warnings.warn(
                    f"{type(owner).__name__}: round {t + 1} of {owner.n_estimators} makes no "
                    "error on any training row, so the weights can no longer change and "
                    "every later round would fit the same model: boosting stops and this "
                    "learner stands for the remaining rounds. A more regularized (or "
                    "simpler) estimator leaves boosting something to correct.",
                    BoostingStoppedWarning,
                    stacklevel=4,
                )
            rounds.repeat_last()
            break
        if t == owner.n_estimators - 1:
            break
        w = w.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            # target rows times beta_t ** -e_i (inf on overflow: caught below),
            # source rows times beta ** e_i
            w[is_target] *= np.exp(alpha * err[is_target])
            w[~is_target] *= np.exp(log_beta_src * err[~is_target])
            if dynamic and n_source:
                # C_t: the factor by which the target mass grew this round
                w[~is_target] *= w[is_target].sum() / target_mass
        w = _normalize_weights(owner, w)
        if w is None:
            break
    return rounds, w


# ----------------------------------------------------------------- classifier


class TrAdaBoostClassifier(_RequiresLabels, ClassifierMixin, MetaEstimatorMixin, BaseDAEstimator):
    """TrAdaBoost: boosting for transfer learning (Dai et al., ICML 2007).

    A base learner is fitted ``n_estimators`` times on the labeled source rows
    and the few labeled target rows together.  After each round, source rows
    that the learner gets wrong lose weight (they look unlike the target),
    while target rows it gets wrong gain weight, as in AdaBoost.  The
    prediction is the weighted vote of the rounds of the second half.

    Parameters
    ----------
    estimator : object, default=None
        The base learner, cloned for each round.  Its ``fit`` must take
        ``sample_weight`` unless ``weighting="resample"``.  ``None`` means
        ``DecisionTreeClassifier(max_depth=3)``.  The paper uses a linear SVM,
        e.g. ``LinearSVC(class_weight="balanced")``.  A learner with
        ``warm_start=True`` (e.g. ``LogisticRegression(warm_start=True)``)
        is not cloned after the first round: each round refits a copy of the
        previous round's learner, so its solver starts from the previous
        solution -- the same model up to the solver's tolerance, in a
        fraction of the time, since successive rounds differ only by their
        weights.  (scikit-learn's ensembles, whose ``warm_start`` adds
        members, are cloned fresh every round.)
    n_estimators : int, default=50
        Number of boosting rounds ``N``.
    learning_rate : float, default=1.0
        Shrinks the weight updates: round ``t`` votes with
        ``learning_rate * log(1 / beta_t)`` and the updates use
        ``beta ** learning_rate`` and ``beta_t ** -learning_rate``.
    vote : {"second_half", "all"}, default="second_half"
        ``"second_half"`` votes with rounds ``ceil(N/2) .. N`` as in the
        paper; ``"all"`` with every round.
    dynamic : bool, default=False
        Apply the correction factor ``C_t = 2 (1 - eps_t)`` of Al-Stouhi &
        Reddy (ECML 2011) to the source weights, so that they do not
        converge to zero too early (Dynamic-TrAdaBoost); with
        ``error="soft"``, ``C_t`` is the growth of the target mass in the
        round (see Notes).
    error : {"hard", "soft"}, default="hard"
        The loss ``e_i = |h_t(x_i) - c(x_i)|`` of each training row in the
        error ``eps_t`` and in both weight updates.  ``"hard"``: ``h_t`` is
        the predicted class, ``e_i`` is 0 or 1 (the paper read literally).
        ``"soft"``: ``h_t`` is the learner's probability, ``e_i = 1 -
        P_t(y_i | x_i)`` in ``[0, 1]``, as in the Hedge / AdaBoost framework
        of Freund & Schapire on which the paper builds (hypotheses with
        values in ``[0, 1]``).  Soft errors keep the re-weighting going
        when the learner separates its training rows (e.g. a linear model
        on text), where hard errors are all 0 and nothing would change.
        Needs a base learner with ``predict_proba`` (e.g.
        ``LogisticRegression``, or a ``CalibratedClassifierCV``).  The vote
        of the rounds uses the predicted classes in both modes.
    initial_weights : {"uniform", "balanced"} or float in (0, 1), \
            default="uniform"
        Initial distribution over the labeled rows (the paper leaves it to
        the user).  ``"uniform"``: the same weight for every row;
        ``"balanced"``: the labeled target rows together get the same mass
        as the source rows (one half each, uniform within each domain); a
        float ``s``: the share ``s`` of the mass on the labeled target rows.
        Without source rows (plain ``fit(X, y)``) the start is uniform.
    weighting : {"sample_weight", "resample"}, default="sample_weight"
        How the boosting weights reach the base learner: as ``sample_weight``
        (an error if the learner has none), or by fitting each round on a
        weighted bootstrap of the rows drawn with ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds the base learner of each round (every ``random_state``
        parameter it has) and the resampling.
    n_jobs : int, default=None
        The rounds run one after the other (each needs the last one's
        weights), so the parallelism is the base learner's: when not None,
        every ``n_jobs`` parameter of the learner (nested ones too, e.g. in a
        Pipeline) is set to this value in each round.  ``None`` leaves the
        learner's own setting; learners without ``n_jobs`` are unaffected.
    verbose : int, default=0
        If positive, prints one line per round: target error, ``beta_t`` and
        the share of weight on the source rows.
    store_weights : bool, default=False
        Keep the distribution over the training rows of every round in
        ``sample_weight_history_`` (``n_rounds x n_samples`` floats), e.g. to
        plot how the source weights decay.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted base learners, one per round.  When a round makes no error
        on any training row, the weights can no longer change: fitting stops
        and that learner stands for every remaining round (the same object
        repeated).
    estimator_weights_ : ndarray of shape (n_rounds,)
        Vote weight of each round, ``learning_rate * log(1 / beta_t)``.
    estimator_errors_ : ndarray of shape (n_rounds,)
        Weighted error ``eps_t`` of each round on the labeled target rows.
    source_weight_mass_ : ndarray of shape (n_rounds,)
        Share of the weight on the source rows when each round was fitted.
    beta_ : float
        The source factor ``beta = 1 / (1 + sqrt(2 ln n_source / N))``.
    sample_weight_ : ndarray of shape (n_samples,)
        Final distribution over the training rows (0 for unlabeled rows).
    sample_weight_history_ : ndarray of shape (n_rounds, n_samples)
        With ``store_weights=True`` only: row ``t`` is the distribution under
        which round ``t`` was fitted (it sums to 1; 0 for unlabeled rows).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    TrAdaBoostR2 : The regression version (Pardoe & Stone, 2010).
    TwoStageTrAdaBoostR2 : Two-stage regression version with inner CV.

    Notes
    -----
    With ``n`` source rows, weights ``w`` (set by ``initial_weights`` at the
    start), error ``e_i = 1[h_t(x_i) != y_i]`` (``error="hard"``) or
    ``e_i = 1 - P_t(y_i | x_i)`` (``error="soft"``) and the target error
    ``eps_t = sum_T w_i e_i / sum_T w_i``, each round updates source rows by
    ``beta ** e_i`` and target rows by ``beta_t ** -e_i`` with
    ``beta_t = eps_t / ((1 - eps_t) (K - 1))``.  For ``K = 2`` classes this is
    the paper's ``eps_t / (1 - eps_t)``; for ``K > 2`` it is the SAMME
    generalisation (Zhu et al., 2009), whose vote weight ``log(1 / beta_t)``
    is positive while ``eps_t < 1 - 1/K``.  The prediction is the class with
    the largest sum of vote weights over the voting rounds (for two classes,
    the paper's rule ``prod beta_t ** -h_t(x) >= prod beta_t ** -1/2``, with a
    tie going to ``classes_[0]``).  With ``dynamic=True`` the source weights
    are also multiplied by ``C_t``, the factor by which the target weight
    grows in the round: ``C_t = (1 - eps_t) + eps_t / beta_t`` with hard
    errors, i.e. ``2 (1 - eps_t)`` for two classes as in Al-Stouhi & Reddy;
    with soft errors ``C_t = sum_T w_i beta_t ** -e_i / sum_T w_i``.

    Edge cases, as chosen here (the paper only requires ``eps_t < 1/2``):

    * ``eps_t = 0`` on the target rows: boosting goes on, since the
      misclassified source rows are still down-weighted; the round's vote
      weight uses ``eps_t = 1e-10`` (finite, about 23).  If the round makes no
      error on any row at all (every ``e_i = 0``), the weights cannot change
      any more: fitting stops with a
      :class:`~skadapt.exceptions.BoostingStoppedWarning` and that learner
      stands for the remaining rounds.
    * ``eps_t >= 1 - 1/K`` (1/2 for two classes) after the first round: the
      round is no better than chance on the labeled target rows, which
      TrAdaBoost requires (``eps_t < 1/2`` in Dai et al.).  Boosting stops
      there with a :class:`~skadapt.exceptions.BoostingStoppedWarning`, the
      round is discarded and the earlier rounds vote (so ``estimators_`` may
      hold fewer than ``n_estimators`` rounds).  Going on would only keep
      shrinking the source rows the round misclassifies while the target
      weights stay put: with a learner that underfits its weighted rows
      (``LogisticRegression(C=0.1)`` on TF-IDF text) those errors are mostly
      of one class, and the rounds drift to predicting that class for every
      row.  A first round at chance is kept (its vote weight is almost 0, as
      ``eps_t`` is clipped just below ``1 - 1/K``) and boosting goes on.

    References
    ----------
    .. [1] W. Dai, Q. Yang, G.-R. Xue and Y. Yu, "Boosting for transfer
       learning", ICML 2007.
    .. [2] S. Al-Stouhi and C. K. Reddy, "Adaptive boosting for transfer
       learning using dynamic updates", ECML PKDD 2011.
    .. [3] J. Zhu, H. Zou, S. Rosset and T. Hastie, "Multi-class AdaBoost",
       Statistics and its Interface 2(3), 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import TrAdaBoostClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.normal(size=(300, 2)); ys = (Xs[:, 0] + Xs[:, 1] > 0).astype(int)
    >>> ys[Xs[:, 0] > 1] = 1 - ys[Xs[:, 0] > 1]   # source rows that mislead
    >>> Xt = rng.normal(size=(20, 2)); yt = (Xt[:, 0] + Xt[:, 1] > 0).astype(int)
    >>> X, y = np.vstack([Xs, Xt]), np.r_[ys, yt]
    >>> sample_domain = np.r_[np.ones(300, int), -np.ones(20, int)]
    >>> clf = TrAdaBoostClassifier(LogisticRegression(), n_estimators=20, random_state=0)
    >>> clf = clf.fit(X, y, sample_domain=sample_domain)
    >>> clf.estimator_errors_.shape
    (20,)
    >>> bool(clf.source_weight_mass_[-1] < clf.source_weight_mass_[0])
    True
    >>> clf.predict([[2.0, 1.0], [-2.0, -1.0]])
    array([1, 0])
    """

    _task = "classification"
    _uses_unlabeled_source = False  # boosts on the labeled rows only
    _require_classes = True

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "vote": [StrOptions({"second_half", "all"})],
        "dynamic": ["boolean"],
        "error": [StrOptions({"hard", "soft"})],
        "initial_weights": [
            StrOptions({"uniform", "balanced"}),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "weighting": [StrOptions({"sample_weight", "resample"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "store_weights": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        vote="second_half",
        dynamic=False,
        error="hard",
        initial_weights="uniform",
        weighting="sample_weight",
        random_state=None,
        n_jobs=None,
        verbose=0,
        store_weights=False,
    ):
        self.estimator = estimator
        self.store_weights = store_weights
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.vote = vote
        self.dynamic = dynamic
        self.error = error
        self.initial_weights = initial_weights
        self.weighting = weighting
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _base(self):
        if self.estimator is None:
            return DecisionTreeClassifier(max_depth=3)
        return self.estimator

    def _accepts_sparse(self):
        # Sparse X is kept sparse end to end and handed to the base learner,
        # which raises its own error if it cannot take it.
        return True

    def _fit(self, X, y, split, random_state):
        base = self._base()
        _check_base(self, base, self.weighting)
        soft = self.error == "soft"
        if soft and not hasattr(base, "predict_proba"):
            raise TypeError(
                f"{type(self).__name__}: error='soft' needs the class probabilities of the "
                f"base learner, but `estimator` {type(base).__name__} has no predict_proba. "
                "Use a probabilistic learner (e.g. LogisticRegression), wrap it in "
                "sklearn.calibration.CalibratedClassifierCV, or set error='hard'."
            )
        source, target = _training_rows(self, split)
        rows = np.concatenate([source, target])
        check_classification_targets(y[rows])
        X_train = _take_rows(X, rows)
        self.classes_, y_enc = np.unique(y[rows], return_inverse=True)
        n_classes = self.n_classes_ = self.classes_.shape[0]
        n_source, n_rows = source.shape[0], rows.shape[0]
        is_target = np.zeros(n_rows, dtype=bool)
        is_target[n_source:] = True

        def row_errors(est):
            if soft:
                return _soft_errors(est, X_train, y_enc)
            return (est.predict(X_train) != y_enc).astype(np.float64)

        def vote_weight(eps):
            eps_c = min(max(eps, _ERROR_FLOOR), 1.0 - 1.0 / n_classes - _ERROR_FLOOR)
            return self.learning_rate * (
                math.log((1.0 - eps_c) / eps_c) + math.log(n_classes - 1)
            )

        w = _initial_weights(self.initial_weights, n_source, n_rows - n_source)
        rounds, w = _transfer_boost(self, base, X_train, y_enc, w, is_target, row_errors,
                                    vote_weight, random_state, dynamic=self.dynamic,
                                    chance=1.0 - 1.0 / n_classes)
        rounds.finish(w, rows, X.shape[0])
        return self

    def _votes(self, X, start=None, stop=None):
        """Weighted vote fractions of rounds ``start..stop-1``: (n_samples, K)."""
        n_rounds = len(self.estimators_)
        stop = n_rounds if stop is None else stop
        start = _vote_start(stop, self.vote) if start is None else start
        preds = _predict_all(self.estimators_[start:stop], X)
        votes = np.zeros((X.shape[0], self.n_classes_), dtype=np.float64)
        rows = np.arange(X.shape[0])
        for pred, alpha in zip(preds, self.estimator_weights_[start:stop]):
            votes[rows, np.asarray(pred, dtype=np.intp)] += alpha
        total = self.estimator_weights_[start:stop].sum()
        return votes / total

    def _decision_from_votes(self, votes):
        if self.n_classes_ == 2:
            return votes[:, 1] - votes[:, 0]
        return votes

    def _predict_from_votes(self, votes):
        if self.n_classes_ == 2:
            return self.classes_[(votes[:, 1] - votes[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(votes, axis=1)]

    @dask_rows
    def decision_function(self, X):
        """Weighted vote of the voting rounds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the vote share of ``classes_[1]`` minus that of
            ``classes_[0]`` (in ``[-1, 1]``; positive means ``classes_[1]``);
            otherwise the vote share of each class.
        """
        X = self._validate_predict_data(X)
        return self._decision_from_votes(self._votes(X))

    @dask_rows
    def predict_proba(self, X):
        """Vote shares of the classes over the voting rounds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Share of the vote weight each class receives; rows sum to one.
        """
        X = self._validate_predict_data(X)
        return self._votes(X)

    @dask_rows
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (``-inf`` for a class with no vote).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log vote shares.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @dask_rows
    def predict(self, X):
        """Predict classes by the weighted vote of the voting rounds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted classes.
        """
        X = self._validate_predict_data(X)
        return self._predict_from_votes(self._votes(X))

    def staged_predict(self, X):
        """Predictions of the model stopped after each round ``t = 1 .. n_rounds``.

        After round ``t`` the vote is taken over rounds ``ceil(t/2) .. t``
        (``vote="second_half"``) or ``1 .. t`` (``vote="all"``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to classify.

        Yields
        ------
        y : ndarray of shape (n_samples,)
            Predicted classes after each round.
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        preds = _predict_all(self.estimators_, X)
        rows = np.arange(X.shape[0])
        cumulative = [np.zeros((X.shape[0], self.n_classes_))]
        for pred, alpha in zip(preds, self.estimator_weights_):
            step = cumulative[-1].copy()
            step[rows, np.asarray(pred, dtype=np.intp)] += alpha
            cumulative.append(step)
        for t in range(1, len(preds) + 1):
            start = _vote_start(t, self.vote)
            yield self._predict_from_votes(cumulative[t] - cumulative[start])

