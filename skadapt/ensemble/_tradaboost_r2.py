"""TrAdaBoost.R2 and two-stage TrAdaBoost.R2 (Pardoe & Stone, ICML 2010).

Both follow AdaBoost.R2 (Drucker, ICML 1997) for the per-row error: the
absolute residual divided by the largest residual of the round, passed
through the ``loss`` ("linear", "square", "exponential").  Layout:

* private helpers: ``_adjusted_errors`` (per-row errors in [0, 1]),
  ``_weighted_median`` (the ensemble's prediction), ``_solve_source_beta``
  (the two-stage method's search for the source factor) and
  ``_adaboost_r2_frozen`` (AdaBoost.R2 whose source weights stay fixed:
  the first stage of the two-stage method);
* :class:`TrAdaBoostR2` and :class:`TwoStageTrAdaBoostR2`.

The boosting core shared with the classifier (the training rows, one
weighted fit, the round loop, weight normalisation) lives in
:class:`~skadapt.ensemble._base.BaseTrAdaBoost`: :class:`TrAdaBoostR2` only
fills in its hooks (per-row errors and vote weight); the two-stage method
replaces the loop.
"""

import math
from numbers import Integral

import numpy as np
from scipy.optimize import brentq
from sklearn.base import RegressorMixin
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ..utils._dask import dask_rows
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._verbose import Progress
from ._base import (
    BaseTrAdaBoost,
    _fill_docs,
    _fit_round,
    _normalize_weights,
    _predict_all,
    _samme_vote_weight,
    _take_rows,
    _vote_start,
)

__all__ = ["TrAdaBoostR2", "TwoStageTrAdaBoostR2"]


# --------------------------------------------------------------------- helpers


def _adjusted_errors(y_true, y_pred, loss, output_reduction="mean"):
    """AdaBoost.R2 errors: residual / largest residual, through ``loss``.

    With several outputs (``y_true`` of shape (n, k)) each output is scaled by
    its own largest residual and passed through ``loss``; the row's error is
    the mean or the max of its k errors (``output_reduction``).
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y_true.shape)
    residual = np.abs(y_pred - y_true).reshape(y_true.shape[0], -1)
    largest = residual.max(axis=0) if residual.shape[0] else np.zeros(residual.shape[1])
    e = np.zeros_like(residual)
    np.divide(residual, largest, out=e, where=largest > 0)
    if loss == "square":
        e = e * e
    elif loss == "exponential":
        e = 1.0 - np.exp(-e)
    if e.shape[1] == 1:
        return e[:, 0]
    return e.max(axis=1) if output_reduction == "max" else e.mean(axis=1)


def _weighted_median(predictions, weights):
    """Per-row weighted median of ``predictions`` (n_rounds, n_samples)."""
    predictions = np.asarray(predictions, dtype=np.float64)
    order = np.argsort(predictions, axis=0, kind="stable")
    cum = np.cumsum(weights[order], axis=0)
    # First sorted round whose cumulative weight reaches half of the total.
    pick = np.argmax(cum >= 0.5 * cum[-1], axis=0)
    cols = np.arange(predictions.shape[1])
    return predictions[order[pick, cols], cols]


def _solve_source_beta(w_source, e_source, wanted):
    """beta in [0, 1] with ``sum(w_source * beta ** e_source) == wanted``.

    The left side increases with beta; rows with ``e == 0`` keep their weight
    whatever beta, so the smallest reachable sum is their total (then beta = 0).
    """
    current = w_source.sum()
    if wanted >= current:
        return 1.0
    floor = w_source[e_source <= 0].sum()
    if wanted <= floor:
        return 0.0
    moving = e_source > 0
    w_m, e_m = w_source[moving], e_source[moving]

    def gap(log_beta):
        return floor + np.dot(w_m, np.exp(log_beta * e_m)) - wanted

    low = -1.0
    while gap(low) > 0 and low > -1e6:
        low *= 2.0
    if gap(low) > 0:
        return 0.0
    return math.exp(brentq(gap, low, 0.0, xtol=1e-12, rtol=1e-10))


def _adaboost_r2_frozen(
    base, X, y, w, is_target, *, n_estimators, learning_rate, loss, weighting, random_state,
    output_reduction="mean",
):
    """AdaBoost.R2 in which the source weights never change (Pardoe & Stone's R2').

    The error of a round is Drucker's ``sum_i p_i e_i`` over all rows; target
    rows are multiplied by ``beta_t ** (1 - e_i)`` and then rescaled so that
    their total stays what it was.  Stops (keeping the round only if it is
    the first) when that error reaches 1/2.  Returns ``(estimators, weights)``.
    """
    w = w.copy()
    target_mass = w[is_target].sum()
    estimators, alphas = [], []
    for t in range(n_estimators):
        est = _fit_round(base, X, y, w, weighting, random_state)
        e = _adjusted_errors(y, est.predict(X), loss, output_reduction)
        eps = float(np.dot(w, e))
        if eps >= 0.5:
            if t == 0:
                estimators, alphas = [est], [1.0]
            break
        alpha = _samme_vote_weight(eps, learning_rate)
        estimators.append(est)
        alphas.append(alpha)
        if eps <= 0 or target_mass <= 0 or t == n_estimators - 1:
            break
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            w_t = w[is_target] * np.exp(-alpha * (1.0 - e[is_target]))
            total = w_t.sum()
        if not np.isfinite(total) or total <= 0:
            break
        w[is_target] = w_t * (target_mass / total)
    return estimators, np.asarray(alphas, dtype=np.float64)


@_fill_docs
class _R2Base(RegressorMixin, BaseTrAdaBoost):
    """Shared parts of the two regression estimators (private)."""

    _task = "regression"

    _parameter_constraints = {
        **BaseTrAdaBoost._parameter_constraints,
        "loss": [StrOptions({"linear", "square", "exponential"})],
        "output_reduction": [StrOptions({"mean", "max"})],
    }

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3)

    def _encode_targets(self, y):
        return np.asarray(y, dtype=np.float64)

    def _row_errors(self, est, X, y):
        return _adjusted_errors(y, est.predict(X), self.loss, self.output_reduction)

    def _vote_weight(self, eps):
        return _samme_vote_weight(eps, self.learning_rate)

    def _validate_fit_data(self, X, y, sample_domain, **kwargs):
        """As every estimator's, plus multi-output ``y`` of shape (n_samples, n_outputs).

        A multi-output row is unlabeled when all its outputs are NaN; the
        domain split is read from a 1-d stand-in with the same mask (so the
        one reader of the convention, ``_split_domains``, still decides).
        """
        y_arr = None if y is None else np.asarray(y)
        if y_arr is None or y_arr.ndim != 2 or y_arr.shape[1] < 2:
            self.n_outputs_ = 1
            return super()._validate_fit_data(X, y, sample_domain, **kwargs)
        name = type(self).__name__
        if y_arr.dtype.kind not in "fiub":
            raise ValueError(f"{name}: a multi-output `y` must be numeric, got {y_arr.dtype}.")
        y_arr = y_arr.astype(np.float64)
        missing = np.isnan(y_arr)
        unlabeled = missing.all(axis=1)
        partial = missing.any(axis=1) & ~unlabeled
        if partial.any():
            raise ValueError(
                f"{name}: rows {np.flatnonzero(partial)[:5].tolist()} of `y` have some outputs "
                "NaN and others not; mask an unlabeled row with NaN in every output."
            )
        stand_in = np.where(unlabeled, np.nan, 0.0)
        X, _, split = super()._validate_fit_data(X, stand_in, sample_domain, **kwargs)
        if y_arr.shape[0] != X.shape[0]:  # pragma: no cover - the stand-in has X's length
            raise ValueError(f"{name}: `y` has {y_arr.shape[0]} rows, X {X.shape[0]}.")
        if not np.all(np.isfinite(y_arr[~unlabeled])):
            raise ValueError(f"{name}: `y` contains inf.")
        self.n_outputs_ = y_arr.shape[1]
        return X, y_arr, split

    def _stacked_predictions(self, X, estimators):
        """Predictions of the rounds as an array (n_rounds, n_samples * n_outputs)."""
        n = X.shape[0]
        return np.vstack(
            [np.asarray(p, dtype=np.float64).reshape(1, -1) for p in _predict_all(estimators, X)]
        ).reshape(len(estimators), n * self.n_outputs_)

    def _shape_output(self, y_flat, n):
        return y_flat if self.n_outputs_ == 1 else y_flat.reshape(n, self.n_outputs_)

    def _median(self, X, estimators, weights):
        preds = self._stacked_predictions(X, estimators)
        return self._shape_output(_weighted_median(preds, weights), X.shape[0])

    def _first_voter(self):
        """Index of the first round in the weighted median (all rounds by default)."""
        return 0

    @dask_rows
    def predict(self, X):
        """Weighted median of the voting rounds' predictions.

        The voting rounds are those of ``vote`` (:class:`TrAdaBoostR2`) or
        every round of the selected AdaBoost.R2 model
        (:class:`TwoStageTrAdaBoostR2`).

        %(predict_parameters)s

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        X = self._validate_predict_data(X)
        start = self._first_voter()
        return self._median(X, self.estimators_[start:], self.estimator_weights_[start:])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# ----------------------------------------------------------------- TrAdaBoost.R2


@_fill_docs
class TrAdaBoostR2(_R2Base):
    """TrAdaBoost.R2: TrAdaBoost for regression (Pardoe & Stone, ICML 2010).

    A base regressor is fitted ``n_estimators`` times on the labeled source
    rows and the labeled target rows.  Each row's error is its residual
    divided by the round's largest residual (AdaBoost.R2).  Source rows lose
    weight in proportion to their error, target rows gain weight as in
    AdaBoost; the prediction is the weighted median of the rounds of the
    second half.

    Parameters
    ----------
    estimator : object, default=None
        The base regressor, cloned for each round; its ``fit`` must take
        ``sample_weight`` unless ``weighting="resample"``.  ``None`` means
        ``DecisionTreeRegressor(max_depth=3)``.  A regressor with
        ``warm_start=True`` that restarts its solver from the last solution
        (e.g. ``ElasticNet``) refits a copy of the previous round's model
        instead, as in :class:`TrAdaBoostClassifier`.
    %(n_estimators)s
    %(learning_rate)s
    %(loss)s
    %(vote)s
    %(weighting)s
    %(random_state)s
    %(n_jobs)s
    %(verbose)s
    %(output_reduction)s
    %(store_weights)s

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted base regressors, one per round (when a round predicts every
        row exactly, it stands for the remaining rounds, with a
        :class:`~skadapt.exceptions.BoostingStoppedWarning`).
    %(estimator_weights_)s
    %(estimator_errors_)s
    %(source_weight_mass_)s
    %(beta_)s
    %(sample_weight_)s
    %(n_outputs_)s
    %(sample_weight_history_)s
    %(n_features_in_)s

    See Also
    --------
    TwoStageTrAdaBoostR2 : The two-stage version, usually more accurate.
    TrAdaBoostClassifier : The classification algorithm it extends.

    Notes
    -----
    Round ``t`` fits ``h_t`` under the weights ``w``, computes ``e_i`` (the
    residual over the largest residual of the round, through ``loss``) and
    ``eps_t = sum_T w_i e_i / sum_T w_i`` over the labeled target rows, then
    multiplies source rows by ``beta ** e_i`` and target rows by
    ``beta_t ** -e_i`` with ``beta_t = eps_t / (1 - eps_t)`` and
    ``beta = 1 / (1 + sqrt(2 ln n / N))``.  ``eps_t`` is clipped to
    ``[1e-10, 1/2 - 1e-10]``: a round that is exact on the target gets a
    large finite weight; a round with ``eps_t >= 1/2`` gets a weight near 0
    and leaves the target weights unchanged, while the source rows keep
    being down-weighted (the paper only requires ``eps_t < 1/2``).

    References
    ----------
    .. [1] D. Pardoe and P. Stone, "Boosting for regression transfer",
       ICML 2010.
    .. [2] H. Drucker, "Improving regressors using boosting techniques",
       ICML 1997.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import TrAdaBoostR2
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.uniform(-1, 1, size=(200, 1)); ys = np.sin(3 * Xs[:, 0])
    >>> Xt = rng.uniform(-1, 1, size=(30, 1)); yt = np.sin(3 * Xt[:, 0]) + 0.5 * Xt[:, 0]
    >>> X = np.vstack([Xs, Xt]); y = np.r_[ys, yt]
    >>> sample_domain = np.r_[np.ones(200, int), -np.ones(30, int)]
    >>> reg = TrAdaBoostR2(n_estimators=10, random_state=0)
    >>> reg = reg.fit(X, y, sample_domain=sample_domain)
    >>> reg.predict(Xt[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **_R2Base._parameter_constraints,
        "vote": [StrOptions({"second_half", "all"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        loss="linear",
        vote="second_half",
        weighting="sample_weight",
        random_state=None,
        n_jobs=None,
        verbose=0,
        output_reduction="mean",
        store_weights=False,
    ):
        super().__init__(estimator, n_estimators=n_estimators, learning_rate=learning_rate,
                         weighting=weighting, random_state=random_state, n_jobs=n_jobs,
                         verbose=verbose, store_weights=store_weights)
        self.loss = loss
        self.vote = vote
        self.output_reduction = output_reduction

    def _first_voter(self):
        return _vote_start(len(self.estimators_), self.vote)

    def staged_predict(self, X):
        """Predictions of the model stopped after each round ``t = 1 .. n_rounds``.

        %(predict_parameters)s

        Yields
        ------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Weighted median of rounds ``ceil(t/2) .. t`` (or ``1 .. t``).
        """
        check_is_fitted(self)
        X = self._validate_predict_data(X)
        preds = self._stacked_predictions(X, self.estimators_)
        for t in range(1, preds.shape[0] + 1):
            start = _vote_start(t, self.vote)
            yield self._shape_output(
                _weighted_median(preds[start:t], self.estimator_weights_[start:t]), X.shape[0]
            )


# ------------------------------------------------------ two-stage TrAdaBoost.R2


@_fill_docs
class TwoStageTrAdaBoostR2(_R2Base):
    """Two-stage TrAdaBoost.R2 (Pardoe & Stone, ICML 2010).

    The weight of the source rows is lowered step by step, from uniform
    weights (step 1) to target rows only (step ``n_steps``).  At each step,
    the source rows that the base regressor fits worst lose the most weight
    (stage 1), and an AdaBoost.R2 model whose source weights are frozen is
    scored by cross-validation on the labeled target rows (stage 2).  The
    final model is that AdaBoost.R2 model, refitted on all rows, at the step
    with the lowest cross-validation error.

    Parameters
    ----------
    estimator : object, default=None
        The base regressor; its ``fit`` must take ``sample_weight`` unless
        ``weighting="resample"``.  ``None`` means
        ``DecisionTreeRegressor(max_depth=3)``.
    n_steps : int, default=10
        Number of steps ``S`` of the outer (source re-weighting) loop.
    n_estimators : int, default=10
        Number of boosting rounds ``N`` of each inner AdaBoost.R2 model (each
        step fits ``cv * n_estimators`` of them for its cross-validation).
    cv : int, default=5
        Number of folds of the cross-validation on the labeled target rows
        (the source rows are always in the training part); it needs at least
        ``cv`` labeled target rows.
    learning_rate : float, default=1.0
        Shrinks the weight updates of the inner AdaBoost.R2 models.
    %(loss)s
    %(weighting)s
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the base regressors and the resampling.
    n_jobs : int, default=None
        Number of cross-validation folds of a step fitted in parallel
        (joblib; ``None`` means 1 unless in a ``joblib.parallel_config``
        context, -1 all processors).  Each fold has its own fixed seed, so
        the result does not depend on ``n_jobs``.  The base regressor keeps
        its own ``n_jobs``.
    verbose : int, default=0
        If positive, prints one line per step (cross-validation error,
        source factor, source weight mass).
    %(output_reduction)s
    %(store_weights)s

    Attributes
    ----------
    estimators_ : list of estimators
        The base regressors of the selected AdaBoost.R2 model.
    estimator_weights_ : ndarray of shape (n_rounds,)
        Their weights in the weighted median.
    cv_errors_ : ndarray of shape (n_steps_,)
        Mean squared error of each step's model, by cross-validation on the
        labeled target rows (averaged over the outputs of a multi-output ``y``).
    source_betas_ : ndarray of shape (n_steps_,)
        The source factor ``beta_t`` found at each step.
    source_weight_mass_ : ndarray of shape (n_steps_,)
        Share of the weight on the source rows at each step.
    best_step_ : int
        The selected step (0-based).
    n_steps_ : int
        Number of steps run.
    sample_weight_ : ndarray of shape (n_samples,)
        Distribution over the training rows at the selected step.
    %(n_outputs_)s
    %(sample_weight_history_)s
    %(n_features_in_)s

    See Also
    --------
    TrAdaBoostR2 : The one-stage version.

    Notes
    -----
    With ``n`` source and ``m`` labeled target rows and uniform initial
    weights, step ``t = 1 .. S``: (a) score by ``cv``-fold cross-validation
    an AdaBoost.R2 model whose source weights stay fixed (the held-in target
    rows are rescaled to carry the whole target weight); (b) fit ``h_t`` once
    under the weights; (c) compute ``e_i``, the residual over the largest
    residual; (d) multiply source rows by ``beta_t ** e_i``, with ``beta_t``
    found by a root search so that the target rows then hold
    ``m/(n+m) + t/(S-1) (1 - m/(n+m))`` of the weight (at the last update all
    of it: the source weights become 0).  The AdaBoost.R2 model of the best
    step is fitted on all rows once, after the loop, with that step's weights
    and random seed, which gives the model the paper would have kept.  The
    inner AdaBoost.R2 measures its error over all rows (Drucker's rule),
    updates target rows by ``beta_t ** (1 - e_i)`` and stops when that error
    reaches 1/2.  The cross-validation error is the mean squared error.

    References
    ----------
    .. [1] D. Pardoe and P. Stone, "Boosting for regression transfer",
       ICML 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import TwoStageTrAdaBoostR2
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.uniform(-1, 1, size=(200, 1)); ys = np.sin(3 * Xs[:, 0])
    >>> Xt = rng.uniform(-1, 1, size=(30, 1)); yt = np.sin(3 * Xt[:, 0]) + 0.5 * Xt[:, 0]
    >>> X = np.vstack([Xs, Xt]); y = np.r_[ys, yt]
    >>> sample_domain = np.r_[np.ones(200, int), -np.ones(30, int)]
    >>> reg = TwoStageTrAdaBoostR2(n_steps=4, n_estimators=5, cv=3, random_state=0)
    >>> reg = reg.fit(X, y, sample_domain=sample_domain)
    >>> reg.cv_errors_.shape
    (4,)
    """

    _parameter_constraints = {
        **_R2Base._parameter_constraints,
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_steps=10,
        n_estimators=10,
        cv=5,
        learning_rate=1.0,
        loss="linear",
        weighting="sample_weight",
        random_state=None,
        n_jobs=None,
        verbose=0,
        output_reduction="mean",
        store_weights=False,
    ):
        super().__init__(estimator, n_estimators=n_estimators, learning_rate=learning_rate,
                         weighting=weighting, random_state=random_state, n_jobs=n_jobs,
                         verbose=verbose, store_weights=store_weights)
        self.n_steps = n_steps
        self.cv = cv
        self.loss = loss
        self.output_reduction = output_reduction

    def _inner(self, base, X, y, w, is_target, seed):
        return _adaboost_r2_frozen(
            base,
            X,
            y,
            w,
            is_target,
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            loss=self.loss,
            weighting=self.weighting,
            random_state=np.random.RandomState(seed),
            output_reduction=self.output_reduction,
        )

    def _fold_error(self, base, X, y, w, is_target, keep, held, seed):
        """Mean squared error on the held-out target rows of one fold."""
        source = np.flatnonzero(~is_target)
        target = np.flatnonzero(is_target)
        train = np.concatenate([source, target[keep]])
        w_train = w[train].copy()
        kept_mass = w_train[source.shape[0] :].sum()
        if kept_mass > 0:
            w_train[source.shape[0] :] *= w[target].sum() / kept_mass
        total = w_train.sum()
        if total <= 0:
            return np.inf
        w_train /= total
        is_t = np.zeros(train.shape[0], dtype=bool)
        is_t[source.shape[0] :] = True
        estimators, alphas = self._inner(
            base, _take_rows(X, train), y[train], w_train, is_t, seed
        )
        pred = self._median(_take_rows(X, target[held]), estimators, alphas)
        return float(np.mean((pred - y[target[held]]) ** 2))

    def _cv_error(self, base, X, y, w, is_target, folds, seed):
        """Mean of the fold errors (folds in parallel with ``n_jobs``; fold k seeded seed + k + 1)."""
        errors = Parallel(n_jobs=self.n_jobs)(
            delayed(self._fold_error)(base, X, y, w, is_target, keep, held, seed + k + 1)
            for k, (keep, held) in enumerate(folds)
        )
        return float(np.mean(errors))

    def _fit(self, X, y, split, random_state):
        base, rows, X_train, y_train, is_target = self._training_data(X, y, split)
        n_rows = rows.shape[0]
        n_target = int(is_target.sum())
        n_source = n_rows - n_target
        if n_target < self.cv:
            raise ValueError(
                f"{type(self).__name__}: cv={self.cv} folds need at least {self.cv} "
                f"labeled target rows, got n_samples={n_target}. Label more target rows or "
                "lower cv."
            )
        folds = list(
            KFold(self.cv, shuffle=True, random_state=random_state.randint(2**31 - 1)).split(
                np.zeros(n_target)
            )
        )
        share_t = n_target / n_rows
        name = type(self).__name__
        progress = Progress(name, self.verbose)

        w = self._initial_distribution(n_source, n_target)
        cv_errors, betas, masses, seeds, weight_history = [], [], [], [], []
        for t in range(self.n_steps):
            seed = int(random_state.randint(2**31 - 1))
            seeds.append(seed)
            weight_history.append(w.copy())
            masses.append(float(w[~is_target].sum()))
            cv_errors.append(self._cv_error(base, X_train, y_train, w, is_target, folds, seed))
            beta = 1.0
            last = t == self.n_steps - 1
            if not last and n_source:
                h = _fit_round(
                    base, X_train, y_train, w, self.weighting, np.random.RandomState(seed)
                )
                e = self._row_errors(h, X_train, y_train)
                wanted_t = share_t + (t + 1) / (self.n_steps - 1) * (1.0 - share_t)
                w = w.copy()
                if wanted_t >= 1.0 - 1e-12:
                    beta = 0.0
                    w[~is_target] = 0.0
                else:
                    wanted_s = w[is_target].sum() * (1.0 - wanted_t) / wanted_t
                    beta = _solve_source_beta(w[~is_target], e[~is_target], wanted_s)
                    # beta ** e, with 0 ** 0 = 1: exact rows keep their weight.
                    w[~is_target] *= np.where(e[~is_target] > 0, np.power(beta, e[~is_target]), 1.0)
                w = _normalize_weights(self, w)
            betas.append(beta)
            progress(f"step {t + 1}/{self.n_steps}: cv error {cv_errors[-1]:.4g}, "
                     f"source beta {beta:.4g}, source weight mass {masses[-1]:.4f}")
            if w is None or not n_source:
                # (Without source rows every step would be the same model.)
                break

        self.cv_errors_ = np.asarray(cv_errors, dtype=np.float64)
        self.source_betas_ = np.asarray(betas, dtype=np.float64)
        self.source_weight_mass_ = np.asarray(masses, dtype=np.float64)
        self.n_steps_ = len(cv_errors)
        self.best_step_ = int(np.argmin(self.cv_errors_))
        best_w = weight_history[self.best_step_]
        estimators, alphas = self._inner(
            base, X_train, y_train, best_w, is_target, seeds[self.best_step_]
        )
        self.estimators_ = estimators
        self.estimator_weights_ = alphas
        self._set_sample_weights(best_w, weight_history, rows, X.shape[0])
        return self
