"""Scorers for choosing domain-adaptation parameters.

Each scorer is a callable ``scorer(estimator, X, y, sample_domain=None)``
usable as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` and
:func:`~sklearn.model_selection.cross_validate`.  Inside a search it receives
the fitted estimator and one validation fold; which rows of the fold are
source and which are target is read

* from ``sample_domain`` when scikit-learn's metadata routing is on (every
  scorer here requests it for ``score`` by default), else
* from the masked labels of ``y`` (``-1``/``NaN`` rows are the target), through
  :func:`skadapt.utils._domain._split_domains`, the one reader of the
  convention.

The splitters of :mod:`skadapt.model_selection` put the held-out labeled rows
**and** the unlabeled target rows in each validation fold, which is what the
unsupervised scorers need:

* :class:`ImportanceWeightedScorer` -- importance-weighted cross-validation
  (Sugiyama, Krauledat and Mueller, JMLR 2007): the loss on the fold's
  labeled source rows weighted by a density ratio target/source fitted on
  the fold's source versus target rows.
* :class:`ReverseValidationScorer` -- reverse validation (Zhong et al., ECML
  PKDD 2010): pseudo-label the target rows, train a reverse model on them and
  score it on the labeled source rows.
* :class:`PredictionEntropyScorer` -- minus the mean entropy of the predicted
  class probabilities on the target rows.
* :class:`TargetAccuracyScorer` -- any metric on the few labeled target rows.

**Features, not raw input.**  A scorer that needs the features of the rows
(the density ratio of :class:`ImportanceWeightedScorer`) takes them from the
scored pipeline's own transform before its last step
(``pipeline[:-1].transform(X)``), so that it works on any input the pipeline
takes (raw text, DataFrames); for a plain estimator the fold's ``X`` are its
features.  Predictions always come from the whole estimator.

**No silent NaN.**  A scorer that cannot score raises an error that says
why; a metric that comes out NaN or infinite is an error too, never a score.
(scikit-learn's searches turn an error in a scorer into ``error_score`` with
a warning; pass ``error_score="raise"`` to stop at it.)

The scorers are not estimators (like scikit-learn's own scorers): they hold
their options only, so they copy, pickle and travel to dask workers as they
are.  Fitted density ratios are cached per process in a small module-level
table (keyed by the ratio estimator and a digest of the fold's features),
never on the instance.
"""

import hashlib
import inspect
import threading
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone, is_regressor
from sklearn.dummy import DummyClassifier
from sklearn.metrics import get_scorer

from ..utils._domain import _split_domains, _stack_rows
from ..utils._sklearn_compat import (
    UNCHANGED,
    MetadataRequest,
    _MetadataRequester,
    _num_samples,
    _routing_enabled,
    _safe_indexing,
)

__all__ = [
    "ImportanceWeightedScorer",
    "ReverseValidationScorer",
    "PredictionEntropyScorer",
    "TargetAccuracyScorer",
    "SoftNeighborhoodDensity",
    "DeepEmbeddedValidation",
]

_CACHE_SIZE = 16
# Fitted density ratios of recent folds, per process: (ratio repr, digests) ->
# weights.  Module state, not instance state, so that scorers pickle and copy
# cleanly (dask ships them to workers); a worker simply starts with an empty
# cache.
_RATIO_CACHE = OrderedDict()
_RATIO_LOCK = threading.Lock()


def _final_step_and_features(estimator, X):
    """``(last step, features of X)``: the features the last step of a pipeline sees.

    For a :class:`~sklearn.pipeline.Pipeline` the rows go through every step
    but the last (``pipeline[:-1].transform(X)``); any other estimator sees
    ``X`` itself.
    """
    steps = getattr(estimator, "steps", None)
    if steps is not None and len(steps) > 1 and hasattr(estimator, "__getitem__"):
        return estimator[-1], estimator[:-1].transform(X)
    return estimator, X


def _default_scoring(estimator):
    return "neg_mean_squared_error" if is_regressor(estimator) else "accuracy"


def _resolve_scoring(scorer, scoring, estimator):
    """A callable ``(estimator, X, y, **kw)`` from a name, a scorer or None."""
    if scoring is None:
        scoring = _default_scoring(estimator)
    if isinstance(scoring, str):
        return get_scorer(scoring)
    if callable(scoring):
        return scoring
    raise TypeError(
        f"{type(scorer).__name__}: `scoring` must be None, a scorer name such as "
        f"'accuracy' or a callable scorer(estimator, X, y), got {scoring!r}."
    )


def _hash_rows(X):
    """A digest of a block of rows (dense or sparse), for the ratio cache."""
    h = hashlib.blake2b(digest_size=16)
    if sp.issparse(X):
        X = X.tocsr()
        parts = [X.data, X.indices, X.indptr, np.asarray(X.shape)]
    else:
        X = np.ascontiguousarray(np.asarray(X))
        parts = [X, np.asarray(X.shape)]
    for part in parts:
        h.update(str(part.dtype).encode())
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


class _DomainScorer(_MetadataRequester):
    """Reads the domains of a validation fold; subclasses implement ``_score``."""

    def _get_metadata_request(self):
        # sample_domain is requested by default: with metadata routing on,
        # GridSearchCV and cross_validate pass the fold's sample_domain to the
        # scorer.  (scikit-learn reads ``__metadata_request__score`` only for
        # classes with a ``score`` method, which a scorer has not.)
        if hasattr(self, "_metadata_request"):
            return super()._get_metadata_request()
        request = MetadataRequest(owner=self)
        request.score.add_request(param="sample_domain", alias=True)
        return request

    def set_score_request(self, *, sample_domain=UNCHANGED):
        """Set whether ``sample_domain`` is requested (metadata routing only).

        Parameters
        ----------
        sample_domain : bool, str, None or UNCHANGED, default=UNCHANGED
            True (the default request): route it; False: do not; a string:
            route the metadata of that name as ``sample_domain``.

        Returns
        -------
        self : object
            The scorer.
        """
        if not _routing_enabled():
            raise RuntimeError(
                f"{type(self).__name__}.set_score_request is only available when "
                "metadata routing is enabled: sklearn.set_config(enable_metadata_routing=True)."
            )
        request = self._get_metadata_request()
        if sample_domain is not UNCHANGED:
            request.score.add_request(param="sample_domain", alias=sample_domain)
        self._metadata_request = request
        return self

    def __repr__(self):
        params = inspect.signature(type(self).__init__).parameters
        args = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in params if name != "self"
        )
        return f"{type(self).__name__}({args})"

    def _routing_repr(self):
        return repr(self)

    def _fold(self, estimator, X, y, sample_domain):
        """Validate the fold; return ``(y, DomainSplit)``."""
        n_samples = _num_samples(X)
        y = np.asarray(y) if y is not None else None
        task = "regression" if is_regressor(estimator) else "auto"
        split = _split_domains(
            y,
            sample_domain,
            n_samples,
            estimator=self,
            task=task,
            require_labels=False,
            warn_no_target=False,
        )
        return y, split

    def _no_target_error(self):
        return ValueError(
            f"{type(self).__name__}: the validation fold has no target row. Use a "
            "splitter that puts the unlabeled target rows in every validation fold "
            "(skadapt.model_selection.SourceTargetShuffleSplit with "
            "target_in_test=True), and mark target rows with masked labels (-1/NaN) "
            "or a negative sample_domain."
        )

    def _labeled_source_rows(self, y, split):
        if split.no_target:
            raise self._no_target_error()
        rows = np.flatnonzero(split.labeled_source)
        if rows.shape[0] == 0:
            raise ValueError(
                f"{type(self).__name__}: the validation fold has no labeled source row "
                "to score on; hold out some labeled source rows (SourceTargetShuffleSplit)."
            )
        return rows

    def _target_rows(self, split):
        if split.no_target or not split.target.any():
            raise self._no_target_error()
        return np.flatnonzero(split.target)

    def __call__(self, estimator, X, y, sample_domain=None):
        """Score ``estimator`` on one validation fold.

        Parameters
        ----------
        estimator : estimator object
            The fitted estimator (or pipeline).
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The fold's rows, source and target.
        y : array-like of shape (n_samples,)
            The fold's labels, masked (``-1``/``NaN``) for unlabeled rows.
        sample_domain : array-like of shape (n_samples,), default=None
            The fold's domains (``> 0`` source, ``< 0`` target); routed by
            scikit-learn's metadata routing.  When None, masked rows are the
            target.

        Returns
        -------
        score : float
            Greater is better.
        """
        y, split = self._fold(estimator, X, y, sample_domain)
        score = float(self._score(estimator, X, y, split))
        if not np.isfinite(score):
            raise ValueError(
                f"{type(self).__name__}: the metric gave {score} on this validation fold, "
                "which is not a score (check the fold's labels and the metric)."
            )
        return score


class ImportanceWeightedScorer(_DomainScorer):
    """Importance-weighted cross-validation (IWCV) score, with no target label.

    The score of the estimator on the validation fold's labeled source rows,
    each weighted by an estimate of the density ratio
    ``w(x) = p_target(x) / p_source(x)``.  Under covariate shift this is an
    (almost) unbiased estimate of the score on the target domain (Sugiyama,
    Krauledat and Mueller, 2007), where the plain source score is not.

    **Which rows the ratio is fitted on.**  A scorer sees only the validation
    fold, so the ratio is fitted on the fold's own source rows versus its
    target rows, and evaluated at its labeled source rows.  With
    :class:`~skadapt.model_selection.SourceTargetShuffleSplit` (default
    ``target_in_test=True``) the fold holds the held-out source rows and every
    unlabeled target row -- the same target rows that the training fold
    adapted to -- so the ratio is the one IWCV asks for, fitted on rows whose
    labels are never read.  The ratio does not depend on the estimator being
    scored, so every candidate of a search is weighted identically on a fold;
    fitted ratios are cached per fold (keyed by a digest of the rows), so a
    search fits one ratio per fold, not one per candidate.

    **Features.**  The ratio is a function of the features the scored
    model's last step sees: for a :class:`~sklearn.pipeline.Pipeline` the
    fold's rows are first passed through ``pipeline[:-1].transform`` (e.g. a
    ``TfidfVectorizer`` turns raw text into the vectors ``KMM`` weighted), for
    any other estimator they are the fold's ``X``.  The metric itself is
    computed with the whole estimator on the raw rows.

    Parameters
    ----------
    scoring : str, callable or None, default=None
        The metric, as a scorer name (``"accuracy"``, ``"neg_log_loss"``,
        ``"neg_mean_squared_error"``, ...) or a callable
        ``scorer(estimator, X, y, sample_weight=None)`` such as the output of
        :func:`~sklearn.metrics.make_scorer`; it must accept
        ``sample_weight``.  None: ``"accuracy"`` for classifiers and
        ``"neg_mean_squared_error"`` for regressors (the 0/1 and squared
        losses of the paper).
    density_ratio : estimator, callable, "estimator" or None, default=None
        How to estimate the ratio.  A skadapt weighter (``ULSIF()``,
        ``KLIEP()``, ``KMM()`` ...): a clone is fitted on the fold's source
        and target features and its ``weights_`` on the source rows are used.
        Or a callable ``f(X_source, X_target)`` of the features returning one
        non-negative weight per source row.  ``"estimator"``: the scored
        model's own fitted ratio, ``last_step.density_ratio(features)`` (KLIEP,
        ULSIF, RuLSIF; its ratio then differs from candidate to candidate).
        None: ``skadapt.ULSIF(random_state=0)`` (closed form, with its own
        leave-one-out choice of width and regularisation; the fixed seed of
        its kernel centres makes the score deterministic), with
        ``kernel="cosine"`` when the features are sparse (text), since the
        Gaussian kernel needs dense rows.

    See Also
    --------
    skadapt.model_selection.SourceTargetShuffleSplit : Builds suitable folds.
    ReverseValidationScorer : Another score without target labels.

    Notes
    -----
    With weights ``w_i`` on the labeled source rows the score is
    ``metric(y, f(X), sample_weight=w)``, i.e. the self-normalised form
    ``sum_i w_i l_i / sum_i w_i`` of the paper's ``(1/n) sum_i w_i l_i``
    (scikit-learn metrics normalise sample weights); it has lower variance
    and the same limit.

    References
    ----------
    M. Sugiyama, M. Krauledat and K.-R. Mueller, "Covariate shift adaptation
    by importance weighted cross validation", JMLR 8:985-1005, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import ImportanceWeightedScorer
    >>> from skadapt.model_selection import SourceTargetShuffleSplit
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.normal(0.0, 1.0, size=(60, 1))
    >>> ys = (Xs[:, 0] > 0.2).astype(int)
    >>> Xt = rng.normal(1.0, 0.5, size=(40, 1))
    >>> X, y, sd = source_target_merge(Xs, ys, Xt)
    >>> def gaussian_ratio(X_source, X_target):   # the true p_t / p_s
    ...     x = X_source[:, 0]
    ...     return 2.0 * np.exp(-2.0 * (x - 1.0) ** 2 + 0.5 * x ** 2)
    >>> scorer = ImportanceWeightedScorer(density_ratio=gaussian_ratio)
    >>> cv = SourceTargetShuffleSplit(n_splits=3, random_state=0)
    >>> scores = cross_validate(LabeledOnly(LogisticRegression()), X, y,
    ...                         cv=cv, groups=sd, scoring=scorer)["test_score"]
    >>> scores.shape
    (3,)
    """

    def __init__(self, scoring=None, *, density_ratio=None):
        self.scoring = scoring
        self.density_ratio = density_ratio

    def _ratio_estimator(self, sparse=False):
        if self.density_ratio is not None:
            return self.density_ratio
        from ..instance_weighting import ULSIF

        return ULSIF(kernel="cosine", random_state=0) if sparse else ULSIF(random_state=0)

    def _fit_ratio(self, X_source, X_target):
        """Importance weights of the source rows (cached per fold, per process)."""
        ratio = self._ratio_estimator(sp.issparse(X_source) or sp.issparse(X_target))
        key = (repr(ratio), _hash_rows(X_source), _hash_rows(X_target))
        with _RATIO_LOCK:
            if key in _RATIO_CACHE:
                _RATIO_CACHE.move_to_end(key)
                return _RATIO_CACHE[key]
        n_source = _num_samples(X_source)
        if hasattr(ratio, "fit"):
            fitted = clone(ratio)
            X_fold = _stack_rows(X_source, X_target, convert=True, frames=True)
            domains = np.r_[
                np.ones(n_source, dtype=np.int64),
                -np.ones(_num_samples(X_target), dtype=np.int64),
            ]
            fitted.fit(X_fold, None, sample_domain=domains)
            if not hasattr(fitted, "weights_"):
                raise TypeError(
                    f"ImportanceWeightedScorer: `density_ratio` {type(ratio).__name__} has "
                    "no weights_ after fit; pass a skadapt weighter (ULSIF, KLIEP, KMM) "
                    "or a callable f(X_source, X_target)."
                )
            weights = np.asarray(fitted.weights_, dtype=np.float64)[:n_source]
        elif callable(ratio):
            weights = np.asarray(ratio(X_source, X_target), dtype=np.float64)
        else:
            raise TypeError(
                "ImportanceWeightedScorer: `density_ratio` must be None, 'estimator', a "
                f"skadapt weighter or a callable f(X_source, X_target), got {ratio!r}."
            )
        weights = self._check_weights(weights, n_source)
        with _RATIO_LOCK:
            _RATIO_CACHE[key] = weights
            while len(_RATIO_CACHE) > _CACHE_SIZE:
                _RATIO_CACHE.popitem(last=False)
        return weights

    @staticmethod
    def _check_weights(weights, n_rows):
        if weights.shape != (n_rows,):
            raise ValueError(
                f"ImportanceWeightedScorer: `density_ratio` gave weights of shape "
                f"{weights.shape}; expected ({n_rows},), one per source row."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                "ImportanceWeightedScorer: the density ratio must be finite, "
                "non-negative and not all zero on the fold's source rows."
            )
        return weights

    def _estimator_ratio(self, final, features, labeled):
        """The scored model's own fitted ``density_ratio`` at the labeled source rows."""
        if not hasattr(final, "density_ratio"):
            raise TypeError(
                "ImportanceWeightedScorer: density_ratio='estimator' needs a scored model "
                f"whose last step has a fitted density_ratio (KLIEP, ULSIF, RuLSIF); "
                f"{type(final).__name__} has none."
            )
        ratio = np.asarray(final.density_ratio(_safe_indexing(features, labeled)), np.float64)
        return self._check_weights(ratio, labeled.shape[0])

    def _score(self, estimator, X, y, split):
        labeled = self._labeled_source_rows(y, split)
        source = np.flatnonzero(split.source)
        target = self._target_rows(split)
        final, features = _final_step_and_features(estimator, X)
        if isinstance(self.density_ratio, str):
            if self.density_ratio != "estimator":
                raise ValueError(
                    "ImportanceWeightedScorer: `density_ratio` as a string must be "
                    f"'estimator', got {self.density_ratio!r}."
                )
            w = self._estimator_ratio(final, features, labeled)
        else:
            weights = self._fit_ratio(
                _safe_indexing(features, source), _safe_indexing(features, target)
            )
            w = weights[np.searchsorted(source, labeled)]
        metric = _resolve_scoring(self, self.scoring, estimator)
        return metric(estimator, _safe_indexing(X, labeled), y[labeled], sample_weight=w)


class ReverseValidationScorer(_DomainScorer):
    """Reverse validation score, with no target label.

    The fitted (forward) estimator labels the validation fold's target rows;
    a reverse model -- a clone of the estimator with the same parameters --
    is fitted on those pseudo-labeled target rows as its source and the
    fold's labeled source rows, labels masked, as its target; the score is
    the reverse model's score on the true labels of those source rows.  A
    forward model that carried the source concept over to the target well
    lets the reverse model carry it back (Zhong et al., 2010).

    In the paper the reverse model adapts to the forward model's training
    source rows and is scored on held-out ones; a scorer sees only the
    validation fold, so here the held-out source rows play both parts (their
    labels are read only to score).

    Parameters
    ----------
    scoring : str, callable or None, default=None
        Metric of the reverse model on the labeled source rows (name or
        callable scorer).  None: ``"accuracy"`` for classifiers,
        ``"neg_mean_squared_error"`` for regressors.  With
        ``greater_is_better`` set, a plain metric ``f(y_true, y_pred)``
        instead (skada's ``source_scorer``).
    reverse_estimator : estimator or None, default=None
        The reverse model to clone; None: a clone of the scored estimator.
        It is fitted as ``fit(X, y)`` with the source rows' labels masked
        (``-1`` or ``NaN``), so it must follow skadapt's convention: a
        skadapt estimator, :class:`~skadapt.LabeledOnly` or a pipeline ending
        in one.
    greater_is_better : bool or None, default=None
        None: ``scoring`` is a scorer name or a scorer callable.  True or
        False: ``scoring`` is a metric ``f(y_true, y_pred)`` (e.g.
        :func:`~sklearn.metrics.balanced_accuracy_score`, or
        :func:`~sklearn.metrics.mean_squared_error` with False), turned into a
        scorer by :func:`~sklearn.metrics.make_scorer` (negated when False,
        so that greater is better for the search).

    See Also
    --------
    ImportanceWeightedScorer : Importance-weighted validation.

    Notes
    -----
    When the forward model predicts one class only on the target rows, the
    reverse model can only predict that class: the score is then the
    metric of that constant prediction (no model is fitted).

    References
    ----------
    E. Zhong, W. Fan, Q. Yang, O. Verscheure and J. Ren, "Cross validation
    framework to choose amongst models and datasets for transfer learning",
    ECML PKDD 2010, pp. 547-562.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import ReverseValidationScorer
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.normal(size=(40, 2)); ys = (Xs[:, 0] > 0).astype(int)
    >>> Xt = rng.normal(0.5, 1.0, size=(30, 2))
    >>> X, y, sd = source_target_merge(Xs, ys, Xt)
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> round(ReverseValidationScorer()(model, X, y), 2)
    0.95
    """

    def __init__(self, scoring=None, *, reverse_estimator=None, greater_is_better=None):
        self.scoring = scoring
        self.reverse_estimator = reverse_estimator
        self.greater_is_better = greater_is_better

    def _score(self, estimator, X, y, split):
        labeled = self._labeled_source_rows(y, split)
        target = self._target_rows(split)
        X_source, y_source = _safe_indexing(X, labeled), y[labeled]
        X_target = _safe_indexing(X, target)
        pseudo = np.asarray(estimator.predict(X_target))
        metric = _metric_scoring(self, self.scoring, self.greater_is_better, estimator)
        regression = is_regressor(estimator)
        if not regression and np.unique(pseudo).shape[0] < 2:
            constant = DummyClassifier(strategy="most_frequent").fit(X_target, pseudo)
            return metric(constant, X_source, y_source)
        if regression:
            mask = np.full(labeled.shape[0], np.nan)
            y_rev = np.concatenate([pseudo.astype(np.float64), mask])
        else:
            mask = np.full(labeled.shape[0], -1, dtype=pseudo.dtype)
            y_rev = np.concatenate([pseudo, mask])
        X_rev = _stack_rows(X_target, X_source, convert=True, frames=True)
        template = estimator if self.reverse_estimator is None else self.reverse_estimator
        reverse = clone(template).fit(X_rev, y_rev)
        return metric(reverse, X_source, y_source)


class PredictionEntropyScorer(_DomainScorer):
    """Minus the mean entropy of the predicted class probabilities on target rows.

    A model whose predictions on the target domain are confident scores
    higher (Morerio et al., 2018, use it to tune adaptation).  It reads no
    label at all, and it rewards over-confidence as well as good adaptation:
    compare candidates of similar capacity with it, or pair it with a
    labeled score.

    Parameters
    ----------
    eps : float, default=1e-15
        Probabilities are clipped to ``[eps, 1]`` before the logarithm.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-row scores ``sum_k p_k(x) log p_k(x)`` are reduced over
        the target rows: their mean, their sum, or none (an array of one
        score per target row, in input order: for inspection, not for
        ``scoring=``, which needs a number).  skada's ``"none"`` returns the
        per-class terms; here a row's terms are summed.

    See Also
    --------
    ImportanceWeightedScorer : Uses the source labels as well.

    Notes
    -----
    ``score = (1/n_t) sum_{x in target} sum_k p_k(x) log p_k(x)``, in nats
    (without the ``1/n_t`` for ``reduction="sum"``).

    References
    ----------
    P. Morerio, J. Cavazza and V. Murino, "Minimal-entropy correlation
    alignment for unsupervised deep domain adaptation", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import PredictionEntropyScorer
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0], [0.0], [3.0]])
    >>> y = np.array([0, 0, 1, 1, -1, -1])
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> PredictionEntropyScorer()(model, X, y) < 0
    True
    """

    def __init__(self, *, eps=1e-15, reduction="mean"):
        self.eps = eps
        self.reduction = reduction

    def __call__(self, estimator, X, y, sample_domain=None):
        if self.reduction not in ("mean", "sum", "none"):
            raise ValueError(
                "PredictionEntropyScorer: `reduction` must be 'mean', 'sum' or 'none', got "
                f"{self.reduction!r}."
            )
        if self.reduction != "none":
            return super().__call__(estimator, X, y, sample_domain=sample_domain)
        y, split = self._fold(estimator, X, y, sample_domain)
        return self._score(estimator, X, y, split)

    def _score(self, estimator, X, y, split):
        target = self._target_rows(split)
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"PredictionEntropyScorer: {type(estimator).__name__} has no "
                "predict_proba; the entropy needs class probabilities."
            )
        if not 0.0 < self.eps < 1.0:
            raise ValueError(f"PredictionEntropyScorer: `eps` must be in (0, 1), got {self.eps!r}.")
        proba = np.clip(estimator.predict_proba(_safe_indexing(X, target)), self.eps, 1.0)
        per_row = np.sum(proba * np.log(proba), axis=1)
        if self.reduction == "none":
            return per_row
        return float(np.sum(per_row) if self.reduction == "sum" else np.mean(per_row))


class TargetAccuracyScorer(_DomainScorer):
    """Any metric on the validation fold's few labeled target rows.

    For semi-supervised adaptation: the target rows that carry a label
    (``sample_domain < 0`` and a label that is not masked) are scored with
    the metric.  Telling them from source rows needs ``sample_domain``: turn
    scikit-learn's metadata routing on and pass ``sample_domain=`` to the
    search (the scorer requests it by default).  Without it a labeled row is
    taken for a source row, so the scorer raises.

    Parameters
    ----------
    scoring : str or callable, default="accuracy"
        The metric, as a scorer name or a callable ``scorer(estimator, X, y)``.

    See Also
    --------
    skadapt.model_selection.SourceTargetShuffleSplit : Holds out labeled
        target rows as it holds out source rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import TargetAccuracyScorer
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0], [-1.5], [1.5], [0.5]])
    >>> y = np.array([0, 0, 1, 1, 0, 1, -1])
    >>> sample_domain = np.array([1, 1, 1, 1, -1, -1, -1])
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> TargetAccuracyScorer()(model, X, y, sample_domain=sample_domain)
    1.0
    """

    def __init__(self, scoring="accuracy"):
        self.scoring = scoring

    def __call__(self, estimator, X, y, sample_domain=None):
        if sample_domain is None:
            raise ValueError(
                "TargetAccuracyScorer: needs `sample_domain` to tell labeled target rows "
                "from source rows. Enable metadata routing "
                "(sklearn.set_config(enable_metadata_routing=True)) and pass "
                "sample_domain= to fit / cross_validate(params=...)."
            )
        return super().__call__(estimator, X, y, sample_domain=sample_domain)

    def _score(self, estimator, X, y, split):
        rows = np.flatnonzero(split.target & split.labeled)
        if rows.shape[0] == 0:
            raise ValueError(
                "TargetAccuracyScorer: the validation fold has no labeled target row "
                "(sample_domain < 0 with a label); hold some out with "
                "SourceTargetShuffleSplit or DomainShuffleSplit."
            )
        metric = _resolve_scoring(self, self.scoring, estimator)
        return metric(estimator, _safe_indexing(X, rows), y[rows])


# --------------------------------------------------------------------------
# issue 18: metric callables with greater_is_better, soft neighborhood
# density, deep embedded validation
# --------------------------------------------------------------------------
def _metric_scoring(scorer, scoring, greater_is_better, estimator):
    """``_resolve_scoring``, or a plain metric ``f(y_true, y_pred)`` made a scorer."""
    if greater_is_better is None:
        return _resolve_scoring(scorer, scoring, estimator)
    if isinstance(scoring, str) or not callable(scoring):
        raise TypeError(
            f"{type(scorer).__name__}: with `greater_is_better` set, `scoring` must be a "
            f"metric callable f(y_true, y_pred), got {scoring!r}."
        )
    from sklearn.metrics import make_scorer

    return make_scorer(scoring, greater_is_better=bool(greater_is_better))


def _model_features(estimator, X):
    """The rows as the fitted model's last step sees them (its "features").

    A :class:`~sklearn.pipeline.Pipeline` maps them through every step but
    the last; a skadapt adapter with an ``estimator`` (TCA(LR), ...) through
    its own ``transform``.  Any other model (a weighter, TrAdaBoost, a
    shallow classifier) works on its input, which is returned.
    """
    from sklearn.pipeline import Pipeline

    from ..base import BaseAdapter

    last = estimator
    if isinstance(estimator, Pipeline):
        if len(estimator) > 1:
            X = estimator[:-1].transform(X)
        last = estimator[-1]
    if isinstance(last, BaseAdapter) and getattr(last, "estimator", None) is not None:
        X = last.transform(X)
    return X


def _require_proba(scorer, estimator):
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{type(scorer).__name__}: {type(estimator).__name__} has no predict_proba; "
            "this score needs class probabilities (a classifier such as "
            "LogisticRegression, or SVC(probability=True))."
        )


class SoftNeighborhoodDensity(_DomainScorer):
    """Soft neighborhood density (SND) of the target predictions, with no label.

    Saito et al. (ICCV 2021): a good adapted classifier maps target rows of a
    class close to each other, so each target row has many soft neighbours.
    The class-probability vectors ``p(x)`` of the target rows are
    L2-normalised, their similarities ``s_ij = p_i . p_j / T`` turned into a
    softmax over the other rows ``j != i`` of the fold, and the score is the
    mean entropy of these rows of the similarity distribution.  Greater is
    better.

    Parameters
    ----------
    T : float, default=0.05
        The temperature (the paper's value).

    See Also
    --------
    PredictionEntropyScorer : The entropy of the predictions themselves.
    DeepEmbeddedValidation : Uses the source labels as well.

    Notes
    -----
    ``P_ij = exp(s_ij) / sum_{j' != i} exp(s_ij')`` for ``j != i`` (the row's
    own similarity is left out, as in the paper) and ``SND = (1/n_t) sum_i
    -sum_j P_ij log P_ij``.  skada's implementation applies one softmax over
    the whole matrix (all rows together) and keeps a negated diagonal, so its
    values differ.  The cost is ``O(n_t^2)`` time; memory is held to blocks
    of rows.

    References
    ----------
    K. Saito, D. Kim, P. Teterwak, S. Sclaroff, T. Darrell and K. Saenko,
    "Tune it the right way: unsupervised validation of domain adaptation via
    soft neighborhood density", ICCV 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import SoftNeighborhoodDensity
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0], [-1.5], [1.5], [0.2]])
    >>> y = np.array([0, 0, 1, 1, -1, -1, -1])
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> score = SoftNeighborhoodDensity()(model, X, y)
    >>> bool(0.0 <= score <= np.log(2))     # at most log(n_target - 1)
    True
    """

    _BLOCK = 1024

    def __init__(self, *, T=0.05):
        self.T = T

    def _score(self, estimator, X, y, split):
        if isinstance(self.T, bool) or not isinstance(self.T, (int, float)) or not (
            np.isfinite(self.T) and self.T > 0
        ):
            raise ValueError(
                f"SoftNeighborhoodDensity: `T` must be a positive finite float, got {self.T!r}."
            )
        target = self._target_rows(split)
        if target.shape[0] < 2:
            raise ValueError(
                "SoftNeighborhoodDensity: the validation fold needs at least 2 target rows "
                "(each row's neighbours are the other target rows)."
            )
        _require_proba(self, estimator)
        P = np.asarray(estimator.predict_proba(_safe_indexing(X, target)), dtype=np.float64)
        norms = np.linalg.norm(P, axis=1, keepdims=True)
        F = P / np.where(norms > 0, norms, 1.0)
        n = F.shape[0]
        total = 0.0
        for start in range(0, n, self._BLOCK):
            stop = min(start + self._BLOCK, n)
            S = F[start:stop] @ F.T / self.T
            S[np.arange(stop - start), np.arange(start, stop)] = -np.inf
            S -= S.max(axis=1, keepdims=True)
            E = np.exp(S)
            Q = E / E.sum(axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(Q > 0, Q * np.log(Q), 0.0)
            total += float(-terms.sum())
        return total / n


class DeepEmbeddedValidation(_DomainScorer):
    """Deep embedded validation (DEV) score, with no target label.

    You et al. (ICML 2019): the loss of the model on the validation fold's
    labeled source rows, importance-weighted by a density ratio learned on
    the model's **features**, with a control variate that lowers its
    variance.  The features are the rows as the model's last step sees them
    (:class:`~sklearn.pipeline.Pipeline`: after every step but the last; a
    skadapt adapter with an ``estimator``, e.g. ``TCA(LogisticRegression())``:
    its embedding); a shallow model (a weighter, TrAdaBoost,
    :class:`~skadapt.LabeledOnly`) uses its input.  The score is minus the
    DEV risk: greater is better.

    Parameters
    ----------
    domain_classifier : classifier or None, default=None
        Tells source from target rows on the features; its ``predict_proba``
        gives the ratio.  None: ``LogisticRegression(max_iter=1000)``.
    loss_func : callable or None, default=None
        Per-row loss ``loss_func(y_true, y_pred)`` returning one value per
        row, with ``y_pred`` the ``predict_proba`` of a classifier that has
        one, else ``predict``.  None: the cross-entropy ``-log p(y | x)``
        (probabilities clipped at 1e-15) for classifiers with
        ``predict_proba``, the 0/1 loss for other classifiers, the squared
        error for regressors.
    cv : int, default=5
        Folds of the cross-fitting of the domain classifier: the ratio of a
        source row comes from a classifier that did not see that row (at
        most as many folds as rows of the smaller domain).
    random_state : int, RandomState instance or None, default=None
        Shuffling of those folds.  None keeps the rows in order (stratified,
        unshuffled folds), so that every candidate of a search is scored on the
        same folds and the score is reproducible; pass an int to shuffle them
        reproducibly.

    See Also
    --------
    ImportanceWeightedScorer : The same idea on the input, without the
        control variate.
    SoftNeighborhoodDensity : No source label needed.

    Notes
    -----
    With ``l_i`` the losses of the ``n_s`` labeled source rows of the fold and
    ``w_i = (n_s / n_t) P(target | f_i) / P(source | f_i)`` their ratios, the
    DEV risk is ``mean(w l) + eta mean(w) - eta`` with ``eta = -Cov(w l, w) /
    Var(w)`` (unbiased sample moments; ``eta = 0`` when the ratios are all
    equal).  In the paper the discriminator is fitted on the training source
    rows and the target rows and evaluated on the validation source rows; a
    scorer sees one fold only, so the fold's labeled source rows are the
    validation rows and the discriminator is cross-fitted on them and on the
    fold's target rows.

    References
    ----------
    K. You, X. Wang, M. Long and M. I. Jordan, "Towards accurate model
    selection in deep unsupervised domain adaptation", ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> from skadapt.metrics import DeepEmbeddedValidation
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.normal(size=(60, 2)); ys = (Xs[:, 0] > 0).astype(int)
    >>> Xt = rng.normal(0.5, 1.0, size=(40, 2))
    >>> X, y, sd = source_target_merge(Xs, ys, Xt)
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> score = DeepEmbeddedValidation(random_state=0)(model, X, y)
    >>> bool(score < 0)      # minus a risk
    True
    """

    def __init__(self, *, domain_classifier=None, loss_func=None, cv=5, random_state=None):
        self.domain_classifier = domain_classifier
        self.loss_func = loss_func
        self.cv = cv
        self.random_state = random_state

    def _losses(self, estimator, X, y):
        classifier = not is_regressor(estimator)
        if classifier and hasattr(estimator, "predict_proba"):
            pred = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        else:
            pred = np.asarray(estimator.predict(X))
        if self.loss_func is not None:
            losses = np.asarray(self.loss_func(y, pred), dtype=np.float64).reshape(-1)
            if losses.shape != (y.shape[0],):
                raise ValueError(
                    f"DeepEmbeddedValidation: `loss_func` returned shape {losses.shape}; "
                    f"expected ({y.shape[0]},), one loss per row."
                )
            return losses
        n = y.shape[0]
        if not classifier:  # squared error (averaged over the outputs of a 2-d y)
            diff = np.asarray(pred, dtype=np.float64).reshape(n, -1) - np.asarray(
                y, dtype=np.float64
            ).reshape(n, -1)
            return np.mean(diff**2, axis=1)
        if pred.ndim == 2:
            cols = np.searchsorted(estimator.classes_, y)
            cols = np.minimum(cols, len(estimator.classes_) - 1)
            known = np.asarray(estimator.classes_)[cols] == y
            p_true = np.where(known, pred[np.arange(n), cols], 0.0)
            return -np.log(np.clip(p_true, 1e-15, 1.0))
        return (pred != y).astype(np.float64)

    def _ratios(self, F_source, F_target):
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        n_s, n_t = _num_samples(F_source), _num_samples(F_target)
        n_folds = min(int(self.cv), n_s, n_t)
        if n_folds < 2:
            raise ValueError(
                "DeepEmbeddedValidation: the validation fold needs at least 2 labeled "
                f"source rows and 2 target rows to cross-fit the domain classifier (got "
                f"{n_s} and {n_t})."
            )
        F = _stack_rows(F_source, F_target, convert=True)
        domain = np.r_[np.zeros(n_s, dtype=int), np.ones(n_t, dtype=int)]
        clf = (LogisticRegression(max_iter=1000) if self.domain_classifier is None
               else clone(self.domain_classifier))
        shuffle = self.random_state is not None
        folds = StratifiedKFold(
            n_folds, shuffle=shuffle, random_state=self.random_state if shuffle else None
        )
        # ``params={}`` (no metadata) rather than the default None: with metadata
        # routing on, scikit-learn 1.6.0 unpacks ``**params`` and fails on None.
        proba = cross_val_predict(
            clf, F, domain, cv=folds, method="predict_proba", params={}
        )[:n_s]
        p_source = np.clip(proba[:, 0], 1e-12, 1.0)
        return (n_s / n_t) * proba[:, 1] / p_source

    def _score(self, estimator, X, y, split):
        if isinstance(self.cv, bool) or not isinstance(self.cv, (int, np.integer)) or self.cv < 2:
            raise ValueError(f"DeepEmbeddedValidation: `cv` must be an int >= 2, got {self.cv!r}.")
        labeled = self._labeled_source_rows(y, split)
        target = self._target_rows(split)
        X_source = _safe_indexing(X, labeled)
        w = self._ratios(
            _model_features(estimator, X_source),
            _model_features(estimator, _safe_indexing(X, target)),
        )
        losses = self._losses(estimator, X_source, y[labeled])
        return -_dev_risk(losses, w)


def _dev_risk(losses, w):
    """The control-variate estimate of You et al. (2019), Algorithm 1."""
    weighted = w * losses
    if w.shape[0] < 2:
        return float(np.mean(weighted))
    var_w = float(np.var(w, ddof=1))
    eta = 0.0 if var_w <= 0 else -float(np.cov(weighted, w, ddof=1)[0, 1]) / var_w
    return float(np.mean(weighted) + eta * np.mean(w) - eta)
