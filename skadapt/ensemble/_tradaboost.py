"""TrAdaBoost for classification (Dai, Yang, Xue & Yu, ICML 2007).

The boosting loop lives in :class:`~skadapt.ensemble._base.BaseTrAdaBoost`
(shared with the regressors); this module adds what is particular to
classification: the encoded labels, hard or soft errors (``_soft_errors``),
the SAMME vote weight and its chance level, the initial distribution, the
dynamic correction of Al-Stouhi & Reddy, and the weighted vote.
"""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..utils._dask import dask_rows
from ..utils._sklearn_compat import Interval, StrOptions
from ._base import (
    BaseTrAdaBoost,
    _fill_docs,
    _initial_weights,
    _predict_all,
    _samme_vote_weight,
    _vote_start,
)

__all__ = ["TrAdaBoostClassifier"]


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


@_fill_docs
class TrAdaBoostClassifier(ClassifierMixin, BaseTrAdaBoost):
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
    %(n_estimators)s
    %(learning_rate)s
    %(vote)s
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
    %(weighting)s
    %(random_state)s
    %(n_jobs)s
    %(verbose)s
    %(store_weights)s

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted base learners, one per round.  When a round makes no error
        on any training row, the weights can no longer change: fitting stops
        and that learner stands for every remaining round (the same object
        repeated).
    %(estimator_weights_)s
    %(estimator_errors_)s
    %(source_weight_mass_)s
    %(beta_)s
    %(sample_weight_)s
    %(sample_weight_history_)s
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    %(n_features_in_)s

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
    * ``eps_t >= 1 - 1/K`` (1/2 for two classes) after the first round, up
      to rounding: from ``1 - 1/K - 1e-10`` on, where the vote weight is
      already that of a chance round (with hard errors the exact error is
      often chance itself, and which side of it the rounded error lands on
      must not depend on the order of the rows).  The round is no better
      than chance on the labeled target rows, which TrAdaBoost requires
      (``eps_t < 1/2`` in Dai et al.).  Boosting stops there with a
      :class:`~skadapt.exceptions.BoostingStoppedWarning`, the round is
      discarded and the earlier rounds vote (so ``estimators_`` may hold
      fewer than ``n_estimators`` rounds).  Going on would only keep
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
    _require_classes = True

    _parameter_constraints = {
        **BaseTrAdaBoost._parameter_constraints,
        "vote": [StrOptions({"second_half", "all"})],
        "dynamic": ["boolean"],
        "error": [StrOptions({"hard", "soft"})],
        "initial_weights": [
            StrOptions({"uniform", "balanced"}),
            Interval(Real, 0, 1, closed="neither"),
        ],
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
        super().__init__(estimator, n_estimators=n_estimators, learning_rate=learning_rate,
                         weighting=weighting, random_state=random_state, n_jobs=n_jobs,
                         verbose=verbose, store_weights=store_weights)
        self.vote = vote
        self.dynamic = dynamic
        self.error = error
        self.initial_weights = initial_weights

    # ------------------------------------------------------ boosting hooks

    def _default_estimator(self):
        return DecisionTreeClassifier(max_depth=3)

    def _check_estimator(self, base):
        super()._check_estimator(base)
        if self.error == "soft" and not hasattr(base, "predict_proba"):
            raise TypeError(
                f"{type(self).__name__}: error='soft' needs the class probabilities of the "
                f"base learner, but `estimator` {type(base).__name__} has no predict_proba. "
                "Use a probabilistic learner (e.g. LogisticRegression), wrap it in "
                "sklearn.calibration.CalibratedClassifierCV, or set error='hard'."
            )

    def _encode_targets(self, y):
        """Classes ``0 .. K-1`` (sets ``classes_`` and ``n_classes_``)."""
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = self.classes_.shape[0]
        return y_enc

    def _initial_distribution(self, n_source, n_target):
        return _initial_weights(self.initial_weights, n_source, n_target)

    def _row_errors(self, est, X, y):
        if self.error == "soft":
            return _soft_errors(est, X, y)
        return (est.predict(X) != y).astype(np.float64)

    def _vote_weight(self, eps):
        return _samme_vote_weight(eps, self.learning_rate, self.n_classes_)

    def _chance_error(self):
        return 1.0 - 1.0 / self.n_classes_

    def _dynamic_factor(self, w, is_target, target_mass):
        if not self.dynamic:
            return None
        # C_t: the factor by which the target mass grew this round
        return w[is_target].sum() / target_mass

    # ---------------------------------------------------------- prediction

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

        %(predict_parameters)s

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

        %(predict_parameters)s

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

        %(predict_parameters)s

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

        %(predict_parameters)s

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

        %(predict_parameters)s

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

