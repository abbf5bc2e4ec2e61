"""The boosting core shared by TrAdaBoost and its regression versions.

:class:`BaseTrAdaBoost` holds what :class:`~skadapt.TrAdaBoostClassifier`,
:class:`~skadapt.TrAdaBoostR2` and :class:`~skadapt.TwoStageTrAdaBoostR2`
have in common: the shared parameters (their checks, and their documentation
in ``_DOC_PIECES``, filled in by ``_fill_docs``), the
choice of the training rows, and the TrAdaBoost round loop (``_boost``): one
weighted fit per round, the target error, the vote weight, the source and
target weight updates, clipping and normalisation, the early stops and the
per-round records (``estimators_``, ``estimator_weights_``,
``estimator_errors_``, ``source_weight_mass_``).  A subclass says what is
particular to it through small hooks:

* ``_default_estimator()``: the base learner used when ``estimator=None``;
* ``_check_estimator(base)``: checks of the base learner before fitting;
* ``_encode_targets(y)``: the labels of the training rows as the base
  learner sees them (and the fitted attributes they give, e.g. ``classes_``);
* ``_initial_distribution(n_source, n_target)``: the weights of round 1;
* ``_row_errors(est, X, y)``: the per-row errors ``e_i`` in ``[0, 1]``;
* ``_vote_weight(eps)``: a round's vote weight from its target error;
* ``_chance_error()``: the target error at which boosting stops (or None);
* ``_dynamic_factor(w, is_target, target_mass)``: the correction ``C_t`` of
  the source weights (Dynamic-TrAdaBoost), or None.

:class:`~skadapt.TwoStageTrAdaBoostR2` replaces the loop (its ``_fit``) but
shares the rest.  The module's private helpers: ``_fit_round`` (one weighted
fit of a seeded clone, or of the previous round's warm-started learner),
``_normalize_weights`` (clipping, zeros stay zero, a warning on a non-finite
sum), ``_vote_start`` (first round of the vote), ``_predict_all`` (every
round's prediction) and ``_take_rows``.

The base learner is fitted on the labeled rows only (source first, then the
labeled target rows); unlabeled target rows are not used.  Weights are kept
as a probability vector ``p`` over these rows and passed to the learner as
``sample_weight = p * n_rows`` (mean one), so that learners whose
regularisation depends on the weight scale (``C`` of an SVM) see the same
scale as an unweighted fit.
"""

import copy
import inspect
import math
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import MetaEstimatorMixin, clone
from sklearn.utils.validation import has_fit_parameter

from ..base import BaseDAEstimator
from ..exceptions import BoostingStoppedWarning
from ..utils._docstrings import fill_doc
from ..utils._sklearn_compat import HasMethods, Interval, StrOptions
from ..utils._verbose import Progress

__all__ = []

# Errors are clipped to [_ERROR_FLOOR, 1 - 1/K - _ERROR_FLOOR] to turn them into
# finite, positive vote weights: a round without error on the labeled target
# rows gets log((1 - e) / e) ~ 23, a round no better than chance ~ 4e-10.
_ERROR_FLOOR = 1e-10

#: Shared parameter, attribute and method documentation (``%(name)s`` lines).
_DOC_PIECES = {
    "n_estimators": """
        n_estimators : int, default=50
            Number of boosting rounds ``N``.""",
    "learning_rate": """
        learning_rate : float, default=1.0
            Shrinks the weight updates: round ``t`` votes with
            ``learning_rate * log(1 / beta_t)`` (its weight in the weighted
            median, for regression) and the updates use ``beta ** learning_rate``
            and ``beta_t ** -learning_rate``.""",
    "vote": """
        vote : {"second_half", "all"}, default="second_half"
            Rounds that vote (in the weighted median, for regression):
            ``"second_half"``, rounds ``ceil(N/2) .. N`` as in the paper;
            ``"all"``, every round.""",
    "loss": """
        loss : {"linear", "square", "exponential"}, default="linear"
            How the scaled residual ``r`` in [0, 1] becomes the row's error:
            ``r``, ``r ** 2`` or ``1 - exp(-r)`` (Drucker, 1997).""",
    "weighting": """
        weighting : {"sample_weight", "resample"}, default="sample_weight"
            How the boosting weights reach the base estimator: as
            ``sample_weight`` (an error if its ``fit`` has none), or by fitting
            each round on a weighted bootstrap of the rows drawn with
            ``random_state``.""",
    "random_state": """
        random_state : int, RandomState instance or None, default=None
            Seeds the base estimator of each round (every ``random_state``
            parameter it has) and the resampling.""",
    "n_jobs": """
        n_jobs : int, default=None
            The rounds run one after the other (each needs the last one's
            weights), so the parallelism is the base estimator's: when not
            None, every ``n_jobs`` parameter of the estimator (nested ones too,
            e.g. in a Pipeline) is set to this value in each round.  ``None``
            leaves the estimator's own setting; estimators without ``n_jobs``
            are unaffected.""",
    "verbose": """
        verbose : int, default=0
            If positive, prints one line per round: target error, ``beta_t``
            and the share of weight on the source rows.""",
    "output_reduction": """
        output_reduction : {"mean", "max"}, default="mean"
            With a multi-output ``y`` of shape (n_samples, n_outputs): each
            output's residual is divided by that output's largest residual of
            the round (so the outputs' units do not matter) and passed through
            ``loss``; a row's error is the mean (or the max: a row is as wrong
            as its worst output) of these.  adapt's TrAdaBoostR2 averages the
            raw absolute residuals over the outputs and then divides by the
            largest row average, so there an output with a larger scale weighs
            more.  The prediction is the weighted median of each output.
            Ignored for a 1-d ``y``.""",
    "store_weights": """
        store_weights : bool, default=False
            Keep the distribution over the training rows of every round (of
            every step, for the two-stage method) in ``sample_weight_history_``
            (``n_rounds x n_samples`` floats), e.g. to plot how the source
            weights decay.""",
    "estimator_weights_": """
        estimator_weights_ : ndarray of shape (n_rounds,)
            Vote weight of each round (its weight in the weighted median, for
            regression), ``learning_rate * log(1 / beta_t)``.""",
    "estimator_errors_": """
        estimator_errors_ : ndarray of shape (n_rounds,)
            Weighted mean error ``eps_t`` of each round on the labeled target
            rows.""",
    "source_weight_mass_": """
        source_weight_mass_ : ndarray of shape (n_rounds,)
            Share of the weight on the source rows when each round was
            fitted.""",
    "beta_": """
        beta_ : float
            The source factor ``beta = 1 / (1 + sqrt(2 ln n_source / N))``.""",
    "sample_weight_": """
        sample_weight_ : ndarray of shape (n_samples,)
            Final distribution over the training rows (0 for unlabeled
            rows).""",
    "sample_weight_history_": """
        sample_weight_history_ : ndarray of shape (n_rounds, n_samples)
            With ``store_weights=True`` only: row ``t`` is the distribution
            under which round ``t`` (step ``t``, for the two-stage method) was
            fitted (it sums to 1; 0 for unlabeled rows).""",
    "n_outputs_": """
        n_outputs_ : int
            Number of outputs of ``y`` (1 for a 1-d ``y``).""",
    "n_features_in_": """
        n_features_in_ : int
            Number of features seen during fit.
        feature_names_in_ : ndarray of shape (n_features_in_,)
            Names of features seen during fit, when ``X`` has string column
            names.""",
    "predict_parameters": """
        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict.""",
}


def _fill_docs(cls):
    """Fill ``_DOC_PIECES`` into the docstrings of ``cls`` and of the methods it defines."""
    fill = fill_doc(_DOC_PIECES)
    for member in vars(cls).values():
        if inspect.isfunction(member):
            fill(member)
    return fill(cls)


# --------------------------------------------------------------------- helpers


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


def _take_rows(X, rows):
    """Rows of a validated X (CSR for sparse input, never densified)."""
    if sp.issparse(X):
        return X.tocsr()[rows]
    return X[rows]


def _initial_weights(spec, n_source, n_target):
    """Initial distribution over the training rows (source first, then target).

    ``spec`` is ``"uniform"``, ``"balanced"`` (half the mass on each domain)
    or the share of the mass on the target rows.
    """
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


def _samme_vote_weight(eps, learning_rate, n_classes=2):
    """``learning_rate * log(1 / beta_t)``, ``beta_t = eps / ((1 - eps) (K - 1))``.

    ``eps`` is clipped to ``[_ERROR_FLOOR, 1 - 1/K - _ERROR_FLOOR]``; with
    ``K = 2`` (the regressors' case) ``beta_t = eps / (1 - eps)``.
    """
    eps_c = min(max(eps, _ERROR_FLOOR), 1.0 - 1.0 / n_classes - _ERROR_FLOOR)
    return learning_rate * (math.log((1.0 - eps_c) / eps_c) + math.log(n_classes - 1))


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


# ------------------------------------------------------------------ the base


class BaseTrAdaBoost(MetaEstimatorMixin, BaseDAEstimator):
    """Base class of the TrAdaBoost estimators (the boosting core).

    Warning: This class should not be used directly.  Use the derived classes
    :class:`~skadapt.TrAdaBoostClassifier`, :class:`~skadapt.TrAdaBoostR2`
    and :class:`~skadapt.TwoStageTrAdaBoostR2` instead.
    """

    _uses_unlabeled_source = False  # boosts on the labeled rows only

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weighting": [StrOptions({"sample_weight", "resample"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "store_weights": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        weighting="sample_weight",
        random_state=None,
        n_jobs=None,
        verbose=0,
        store_weights=False,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.weighting = weighting
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.store_weights = store_weights

    # ------------------------------------------------------------ hooks

    @abstractmethod
    def _default_estimator(self):
        """The base learner when ``estimator=None``."""

    @abstractmethod
    def _row_errors(self, est, X, y):
        """Per-row errors ``e_i`` in ``[0, 1]`` of the fitted round ``est``."""

    @abstractmethod
    def _vote_weight(self, eps):
        """Vote weight ``learning_rate * log(1 / beta_t)`` of a round with target error ``eps``."""

    def _check_estimator(self, base):
        """Raise a clear TypeError if ``base`` cannot take the boosting weights."""
        if self.weighting == "sample_weight" and not has_fit_parameter(base, "sample_weight"):
            raise TypeError(
                f"{type(self).__name__}: `estimator` {type(base).__name__} does not "
                "accept sample_weight in fit, so the boosting weights cannot be passed to "
                "it. Choose an estimator whose fit takes sample_weight, or set "
                "weighting='resample' to fit each round on a weighted resample of the rows."
            )

    def _encode_targets(self, y):
        """The labels of the training rows as the base learner sees them."""
        return y

    def _initial_distribution(self, n_source, n_target):
        """Weights of the first round over the training rows (uniform)."""
        return _initial_weights("uniform", n_source, n_target)

    def _chance_error(self):
        """Chance-level target error: a later round at it (up to rounding) stops boosting.

        None: boosting never stops on the target error.
        """
        return None

    def _dynamic_factor(self, w, is_target, target_mass):
        """``C_t`` multiplying the source rows after a round (None: no correction).

        ``w`` holds the round's updated (not yet normalised) weights and
        ``target_mass`` the target rows' mass before the update.
        """
        return None

    def _accepts_sparse(self):
        # Sparse X is kept sparse end to end and handed to the base learner,
        # which raises its own error if it cannot take it.
        return True

    # ------------------------------------------------------------ fitting

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

    def _base_estimator(self):
        if self.estimator is None:
            return self._default_estimator()
        return self.estimator

    def _training_data(self, X, y, split):
        """The base learner and the training rows: ``(base, rows, X, y, is_target)``.

        The rows are the labeled source rows, then the labeled target rows
        (``is_target`` marks the latter); in the no-target case (plain
        ``fit(X, y)``) every labeled row is a target row.
        """
        base = self._base_estimator()
        self._check_estimator(base)
        target = np.flatnonzero(split.labeled_target)
        if target.shape[0] == 0:
            raise ValueError(
                f"{type(self).__name__} needs some labeled target rows: TrAdaBoost measures "
                "each round's error on them. Give a label to a few rows with a negative "
                "sample_domain (the target domain)."
            )
        source = np.flatnonzero(split.labeled_source & ~split.labeled_target)
        rows = np.concatenate([source, target])
        y_train = self._encode_targets(y[rows])
        is_target = np.zeros(rows.shape[0], dtype=bool)
        is_target[source.shape[0] :] = True
        return base, rows, _take_rows(X, rows), y_train, is_target

    def _fit(self, X, y, split, random_state):
        base, rows, X_train, y_train, is_target = self._training_data(X, y, split)
        n_target = int(is_target.sum())
        w = self._initial_distribution(rows.shape[0] - n_target, n_target)
        w, history = self._boost(base, X_train, y_train, w, is_target, random_state)
        self._set_sample_weights(w, history, rows, X.shape[0])
        return self

    def _set_sample_weights(self, w, history, rows, n_samples):
        """``sample_weight_`` (and ``sample_weight_history_``) over all the rows of X."""
        sample_weight = np.zeros(n_samples, dtype=np.float64)
        if w is not None:
            sample_weight[rows] = w
        self.sample_weight_ = sample_weight
        if self.store_weights:
            full = np.zeros((len(history), n_samples), dtype=np.float64)
            full[:, rows] = history
            self.sample_weight_history_ = full

    def _boost(self, base, X, y, w, is_target, random_state):
        """The TrAdaBoost rounds; returns the last distribution and the history.

        Each round fits ``base`` under the distribution ``w`` (source rows
        first, ``is_target`` marks the labeled target rows), takes the
        per-row errors ``e = _row_errors(est)`` in ``[0, 1]`` and the target
        error ``eps_t``, and the vote weight ``alpha = _vote_weight(eps_t)``
        (``learning_rate * log(1 / beta_t)``); then target rows are
        multiplied by ``beta_t ** -e`` and source rows by
        ``beta ** (learning_rate * e)`` (and by ``_dynamic_factor``, if
        any), and ``w`` is normalised.  Stops when a round makes no error on
        any row (the learner then stands for the remaining rounds), when a
        round after the first is no better than chance on the target rows
        (``eps_t >= _chance_error() - _ERROR_FLOOR``, see below; the round is
        discarded), or when the weights stop being finite.  Sets
        ``estimators_``, ``estimator_weights_``, ``estimator_errors_``,
        ``source_weight_mass_`` and ``beta_``.  Returns ``(w, history)``:
        the last distribution (None after a non-finite sum) and, with
        ``store_weights``, the distribution of each round.
        """
        name, n_rounds = type(self).__name__, self.n_estimators
        n_source = int((~is_target).sum())
        chance = self._chance_error()
        self.beta_ = _source_beta(n_source, n_rounds)
        log_beta_src = self.learning_rate * math.log(self.beta_)
        estimators, alphas, errors, masses, history = [], [], [], [], []
        progress = Progress(name, self.verbose)
        for t in range(n_rounds):
            previous = estimators[-1] if estimators else None
            est = _fit_round(base, X, y, w, self.weighting, random_state, previous, self.n_jobs)
            err = self._row_errors(est, X, y)
            target_mass = w[is_target].sum()
            eps = float(np.dot(w[is_target], err[is_target]) / target_mass)
            # "No better than chance" allows for rounding.  With hard errors the
            # weights take few distinct values (products of the rounds' factors
            # (1 - eps_s) / eps_s), so the exact target error is often chance
            # itself (target weights v, 3v, 9v after two rounds at eps = 1/4:
            # 9v wrong out of 6v + 3v + 9v), and its float lands an ulp above or
            # below chance depending on the order in which the rows are summed.
            # The vote already treats an error within _ERROR_FLOOR of chance as
            # chance (it is clipped there), so the stop rule starts there too.
            if chance is not None and t > 0 and eps >= chance - _ERROR_FLOOR:
                warnings.warn(
                    f"{name}: round {t + 1} of {n_rounds} is no better than chance on the "
                    f"labeled target rows (weighted error {eps:.3f} >= {chance:.3f}); "
                    "TrAdaBoost needs a target error below chance, so boosting stops there "
                    f"and the {t} earlier rounds vote. This happens when the estimator "
                    "underfits its weighted rows (e.g. LogisticRegression or LinearSVC with "
                    "a small C): the misclassified source rows then lose weight round after "
                    "round and the model drifts to one class.",
                    BoostingStoppedWarning,
                    stacklevel=4,
                )
                break
            alpha = self._vote_weight(eps)
            estimators.append(est)
            alphas.append(alpha)
            errors.append(eps)
            masses.append(1.0 - target_mass if n_source else 0.0)
            progress(f"round {t + 1}/{n_rounds}: target error {eps:.4f}, beta_t "
                     f"{math.exp(-alpha):.4g}, source weight mass {masses[-1]:.4f}")
            if self.store_weights:
                history.append(w.copy())
            if not err.any():
                if t < n_rounds - 1:
                    warnings.warn(
                        f"{name}: round {t + 1} of {n_rounds} makes no error on any training "
                        "row, so the weights can no longer change and every later round "
                        "would fit the same model: boosting stops and this learner stands "
                        "for the remaining rounds. A more regularized (or simpler) "
                        "estimator leaves boosting something to correct.",
                        BoostingStoppedWarning,
                        stacklevel=4,
                    )
                # The last learner stands for every remaining round.
                for records in (estimators, alphas, errors, masses, history):
                    if records:
                        records += [records[-1]] * (n_rounds - t - 1)
                break
            if t == n_rounds - 1:
                break
            w = w.copy()
            with np.errstate(over="ignore", invalid="ignore"):
                # target rows times beta_t ** -e_i (inf on overflow: caught below),
                # source rows times beta ** e_i
                w[is_target] *= np.exp(alpha * err[is_target])
                w[~is_target] *= np.exp(log_beta_src * err[~is_target])
                factor = self._dynamic_factor(w, is_target, target_mass) if n_source else None
                if factor is not None:
                    w[~is_target] *= factor
            w = _normalize_weights(self, w)
            if w is None:
                break
        self.estimators_ = estimators
        self.estimator_weights_ = np.asarray(alphas, dtype=np.float64)
        self.estimator_errors_ = np.asarray(errors, dtype=np.float64)
        self.source_weight_mass_ = np.asarray(masses, dtype=np.float64)
        return w, history
