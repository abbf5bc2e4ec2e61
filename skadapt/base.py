"""Base classes of skadapt's three kinds of estimators (API.md section 2).

Every public ``fit`` follows one template: validate ``X``, validate and split
the domains with :func:`skadapt.utils._domain._split_domains` (the only place
that reads the domain convention), then call the abstract ``_fit`` of the
subclass, which does the work on plain arrays.

* :class:`BaseWeighter` learns importance weights of the source rows
  (``weights_``) and, given an ``estimator``, fits it on the labeled source
  rows with ``sample_weight`` and delegates prediction to it.
* :class:`BaseAdapter` learns a representation from source and target rows
  (``transform``) and, given an ``estimator``, fits it on the transformed
  labeled rows and delegates prediction through ``transform``.
* :class:`BaseColumnSelector` is an adapter whose representation is a
  subset of the input columns (``SelectorMixin``: ``get_support``,
  ``inverse_transform``, ``get_feature_names_out``); its ``estimator`` may
  be fitted on more rows than the labeled ones (pseudo-labeled target rows).
* :class:`BaseDAEstimator` is a predictor for the target domain
  (TrAdaBoost, CoCC); subclasses implement ``predict`` & co.
* :class:`LabeledOnly` is the no-adaptation glue.

All of them declare ``sample_domain`` as fit metadata, so that it is routed
when scikit-learn's metadata routing is on, and take it as a plain fit
argument when routing is off.
"""

import warnings
from abc import ABCMeta, abstractmethod
from copy import deepcopy

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
)
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import check_random_state, get_tags, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from .exceptions import LowEffectiveSampleSizeWarning
from .utils._dask import (
    any_inf_nan,
    check_dask_fit_supported,
    check_dask_X,
    dask_rows,
    default_dask_fit_error,
    is_dask_array,
)
from .utils._docstrings import DOMAIN_DOCS, fill_doc
from .utils._domain import _check_mask_left_classes, _check_y, _split_domains
from .utils._sklearn_compat import HasMethods, _fit_context, _num_samples, _safe_indexing

__all__ = ["BaseWeighter", "BaseAdapter", "BaseColumnSelector", "BaseDAEstimator", "LabeledOnly"]

#: A weighter warns (LowEffectiveSampleSizeWarning) when the effective sample
#: size of its source weights falls below this fraction of the source rows.
ESS_WARN_FRACTION = 0.1


def _as_input_dtype(Z, X):
    """``Z`` in the float dtype of ``X`` (float32 in, float32 out).

    An ndarray-like becomes an ndarray; a sparse matrix (SCL's augmented
    features) stays sparse and a dask array stays lazy.
    """
    if not (sp.issparse(Z) or is_dask_array(Z)):
        Z = np.asarray(Z)
    return Z.astype(X.dtype, copy=False)


def _numeric_values(X):
    """The float values of ``X`` (array, sparse, DataFrame), or None if not numeric."""
    if sp.issparse(X):
        values = X.data
    elif hasattr(X, "dtypes") and hasattr(X, "to_numpy"):  # a DataFrame
        try:
            values = X.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            return None
    else:
        values = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "fc":
        return None
    return values


def _estimator_has(attr):
    """Check for ``attr`` on the fitted ``estimator_``, else on ``estimator``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return self.estimator is not None and hasattr(self.estimator, attr)

    return check


def _delegate(name, doc):
    """The method ``name`` of a meta-estimator, delegated to its ``estimator_``.

    The method calls ``estimator_.<name>`` on ``self._estimator_input(X)``
    (which checks fitting, and validates or embeds the rows) and exists only
    when the estimator has it (``available_if``).  ``score`` passes ``y`` and
    ``sample_weight`` (when given) on; the other methods work row by row, so
    that they run blockwise on a dask array (:func:`dask_rows`).
    """
    if name == "score":

        def method(self, X, y, sample_weight=None):
            X = self._estimator_input(X)  # raises NotFittedError before estimator_ is read
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
            return self.estimator_.score(X, y, **kwargs)

    else:

        def method(self, X):
            X = self._estimator_input(X)  # raises NotFittedError before estimator_ is read
            return getattr(self.estimator_, name)(X)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    if name != "score":
        method = dask_rows(method)
    return available_if(_estimator_has(name))(method)


def _copy_prediction_tags(tags, estimator):
    """Make ``tags`` say what kind of predictor ``estimator`` is."""
    if estimator is None:
        return tags
    inner = get_tags(estimator)
    tags.estimator_type = inner.estimator_type
    tags.classifier_tags = deepcopy(inner.classifier_tags)
    tags.regressor_tags = deepcopy(inner.regressor_tags)
    return tags


class _DelegatingMixin(MetaEstimatorMixin):
    """A meta-estimator whose predictions are those of its fitted ``estimator_``.

    Gives ``classes_`` and tags that say what kind of predictor ``estimator``
    is.  Subclasses implement ``_estimator_input(X)``, the rows the delegated
    methods (made by :func:`_delegate`) pass to ``estimator_``.
    """

    @property
    def classes_(self):
        """Class labels of the fitted ``estimator_``."""
        return self.estimator_.classes_

    @abstractmethod
    def _estimator_input(self, X):
        """The rows ``estimator_`` predicts on (raises NotFittedError before fit)."""

    def __sklearn_tags__(self):
        return _copy_prediction_tags(super().__sklearn_tags__(), self.estimator)


class DomainAdaptationMixin:
    """Shared fit-time validation of every skadapt estimator.

    Subclasses set ``_task`` ("auto", "classification" or "regression") and
    override ``_accepts_sparse`` when the maths allows sparse input.
    """

    __metadata_request__fit = {"sample_domain": True}
    _task = "auto"
    #: False for estimators that ignore unlabeled source rows (they then warn
    #: when ``sample_domain`` marks rows labeled -1 as source).
    _uses_unlabeled_source = True

    def _accepts_sparse(self):
        """Whether ``X`` may be sparse for the current parameters."""
        return False

    def _dask_fit_error(self):
        """None when ``fit`` takes a dask ``X`` (current parameters), else the error."""
        return default_dask_fit_error(self)

    def _sparse_error(self):
        return (
            f"{type(self).__name__} does not support sparse input with the current "
            "parameters; convert X to a dense array (X.toarray()) or use "
            "kernel='linear'."
        )

    def _check_sparse(self, X):
        if sp.issparse(X) and not self._accepts_sparse():
            raise TypeError(self._sparse_error())

    def _validate_fit_data(
        self,
        X,
        y,
        sample_domain,
        *,
        require_labels=True,
        require_classes=False,
        warn_no_target=True,
        require_y=False,
        dtype=(np.float64, np.float32),
    ):
        """Validate X and split the domains: returns ``(X, y, split)``."""
        if is_dask_array(X):  # validated lazily; y and sample_domain are computed
            check_dask_fit_supported(self)
            X = check_dask_X(self, X)
        else:
            self._check_sparse(X)
            X = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc") if self._accepts_sparse() else False,
                dtype=list(dtype),
                reset=True,
            )
        if y is not None or require_y:
            y = _check_y(y, X.shape[0], type(self).__name__)
        split = _split_domains(
            y,
            sample_domain,
            X.shape[0],
            estimator=self,
            task=self._task,
            require_labels=require_labels,
            require_classes=require_classes,
            warn_no_target=warn_no_target,
            uses_unlabeled_source=self._uses_unlabeled_source,
        )
        if y is not None and split.labeled.any():
            labeled_y = y[split.labeled]
            if labeled_y.dtype.kind in "fc" and not np.all(np.isfinite(labeled_y)):
                raise ValueError(f"{type(self).__name__}: `y` contains inf.")
        return X, y, split

    def _validate_predict_data(self, X):
        check_is_fitted(self)
        self._check_sparse(X)
        return validate_data(
            self,
            X,
            accept_sparse=("csr", "csc") if self._accepts_sparse() else False,
            dtype=[np.float64, np.float32],
            reset=False,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accepts_sparse()
        tags.target_tags.required = False
        return tags


class BaseWeighter(DomainAdaptationMixin, _DelegatingMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of importance-weighting methods (KMM, KLIEP, uLSIF).

    Subclasses implement ``_fit_weights(X_source, X_target, random_state)``
    that returns one non-negative weight per source row.

    Attributes set by ``fit``: ``weights_`` (one per training row, 0 for the
    target rows, in the float dtype of ``X``), ``effective_sample_size_``
    (Kish's ``(sum w) ** 2 / sum(w ** 2)`` over the source rows: how many
    equally weighted rows the weights are worth), ``estimator_`` when
    ``estimator`` is given, ``n_features_in_``.  When the effective sample
    size falls below ``ESS_WARN_FRACTION`` (10 %) of the source rows, ``fit``
    emits a :class:`~skadapt.exceptions.LowEffectiveSampleSizeWarning` naming
    the parameter that smooths the weights (``_ess_hint`` of the subclass).
    """

    _parameter_constraints = {"estimator": [HasMethods(["fit"]), None]}
    #: What to change when the weights collapse on a few rows (for the warning).
    _ess_hint = "a smoother kernel (smaller gamma)"

    def _check_effective_sample_size(self, w_source):
        """Set ``effective_sample_size_``; warn when it is a small share of the source."""
        n_source = w_source.shape[0]
        total = float(w_source.sum())
        squares = float(np.dot(w_source, w_source))
        self.effective_sample_size_ = total**2 / squares if squares > 0 else 0.0
        if n_source and self.effective_sample_size_ < ESS_WARN_FRACTION * n_source:
            warnings.warn(
                f"{type(self).__name__}: the importance weights rest on an effective "
                f"{self.effective_sample_size_:.1f} of the {n_source} source rows (less than "
                f"{ESS_WARN_FRACTION:.0%}; max weight {w_source.max():.3g}, mean "
                f"{total / n_source:.3g}); a model fitted with them rests on a handful of "
                f"rows. To spread them, try {self._ess_hint}.",
                LowEffectiveSampleSizeWarning,
                stacklevel=3,
            )

    @abstractmethod
    def __init__(self, estimator=None):
        self.estimator = estimator

    @abstractmethod
    def _fit_weights(self, X_source, X_target, random_state):
        """Return the weights of the source rows (ndarray of shape (n_source,))."""

    def _fit_weights_dask(self, X, split, random_state):
        """Weights of every row of a dask ``X`` (a dask array, 0 on target rows).

        Only reached when :meth:`_dask_fit_error` returns None; the methods
        that fit blockwise override both.
        """
        raise TypeError(default_dask_fit_error(self))

    @_fit_context(prefer_skip_nested_validation=False)
    @fill_doc(DOMAIN_DOCS)
    def fit(self, X, y=None, sample_domain=None):
        """Learn the importance weights and fit ``estimator`` with them.

        Parameters
        ----------
        %(X_fit)s
        %(y_fit)s
            Required when ``estimator`` is given.
        %(sample_domain_fit)s

        Returns
        -------
        self : object
            The fitted weighter.
        """
        X, y, split = self._validate_fit_data(
            X, y, sample_domain, require_labels=self.estimator is not None
        )
        if self.estimator is not None and not has_fit_parameter(self.estimator, "sample_weight"):
            raise TypeError(
                f"{type(self).__name__}: `estimator` {type(self.estimator).__name__} does "
                "not accept sample_weight in fit, so the importance weights cannot be "
                "used; choose an estimator whose fit takes sample_weight."
            )
        random_state = check_random_state(getattr(self, "random_state", None))
        if is_dask_array(X):  # a lazy dask array of weights, 0 on the target rows
            self.weights_ = self._fit_weights_dask(X, split, random_state)
        else:
            w_source = self._fit_weights(X[split.source], X[split.target], random_state)
            # float32 in, float32 out (API.md section 2); computed in float64
            weights = np.zeros(X.shape[0], dtype=X.dtype)
            weights[split.source] = w_source
            self.weights_ = weights
            self._check_effective_sample_size(np.asarray(w_source, dtype=np.float64))
        if self.estimator is not None:
            rows = np.flatnonzero(split.labeled_source)
            self.estimator_ = clone(self.estimator).fit(
                X[rows], y[rows], sample_weight=self.weights_[rows]
            )
        return self

    def _estimator_input(self, X):
        """The rows ``estimator_`` predicts on: validated ``X`` (checks fitting first)."""
        return self._validate_predict_data(X)

    predict = _delegate("predict", "Predict with the estimator fitted on the weighted source rows.")
    predict_proba = _delegate("predict_proba", "Class probabilities from the weighted estimator.")
    predict_log_proba = _delegate(
        "predict_log_proba", "Log class probabilities from the weighted estimator."
    )
    decision_function = _delegate(
        "decision_function", "Decision function of the weighted estimator."
    )
    score = _delegate("score", "Score of the weighted estimator on ``(X, y)``.")


class BaseAdapter(
    DomainAdaptationMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _DelegatingMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class of representation-learning methods (TCA, SCL).

    Subclasses implement ``_fit(X, y, split, random_state)``, which learns the
    representation and returns the embedding of the training rows (or None to
    have it computed by ``_transform``), ``_transform(X)`` and the property
    ``_n_features_out``.
    """

    _parameter_constraints = {"estimator": [HasMethods(["fit"]), None]}

    @abstractmethod
    def __init__(self, estimator=None):
        self.estimator = estimator

    @abstractmethod
    def _fit(self, X, y, split, random_state):
        """Learn the representation; return the embedding of X or None."""

    @abstractmethod
    def _transform(self, X):
        """Embed validated rows."""

    def _fit_embed(self, X, y, sample_domain):
        X, y, split = self._validate_fit_data(
            X, y, sample_domain, require_labels=self.estimator is not None
        )
        random_state = check_random_state(getattr(self, "random_state", None))
        Z = self._fit(X, y, split, random_state)
        if Z is None:
            Z = self._transform(X)
        Z = _as_input_dtype(Z, X)
        if self.estimator is not None:
            rows = np.flatnonzero(split.labeled)
            self.estimator_ = clone(self.estimator).fit(Z[rows], y[rows])
        return Z

    @_fit_context(prefer_skip_nested_validation=False)
    @fill_doc(DOMAIN_DOCS)
    def fit(self, X, y=None, sample_domain=None):
        """Learn the representation from source and target rows.

        Parameters
        ----------
        %(X_fit)s
        %(y_fit)s
        %(sample_domain_fit)s

        Returns
        -------
        self : object
            The fitted adapter.
        """
        self._fit_embed(X, y, sample_domain)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    @fill_doc(DOMAIN_DOCS)
    def fit_transform(self, X, y=None, sample_domain=None):
        """Fit, then return the embedding of the training rows in input order.

        Parameters
        ----------
        %(X_fit)s
        y : array-like of shape (n_samples,), default=None
            Labels; unlabeled rows are masked with ``-1`` or ``NaN``.
        %(sample_domain_fit)s

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The embedding.
        """
        return self._fit_embed(X, y, sample_domain)

    @dask_rows
    def transform(self, X):
        """Embed any rows, in their input order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to embed.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The embedding.
        """
        return self._embed(X)

    def _embed(self, X):
        """The embedding in the input's float dtype (an ndarray, or sparse if sparse).

        ``predict`` & co. use this, not the public ``transform``: with
        ``set_output(transform="pandas")`` the latter returns a DataFrame,
        whose column names ``estimator_`` (fitted on arrays) would warn about.
        """
        X = self._validate_predict_data(X)  # raises NotFittedError first
        return _as_input_dtype(self._transform(X), X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _estimator_input(self, X):
        """The rows ``estimator_`` predicts on: the embedding of ``X``."""
        return self._embed(X)

    predict = _delegate("predict", "Predict with the estimator fitted on the embedded labeled rows.")
    predict_proba = _delegate(
        "predict_proba", "Class probabilities of the estimator on the embedded rows."
    )
    predict_log_proba = _delegate(
        "predict_log_proba", "Log class probabilities of the estimator on the embedded rows."
    )
    decision_function = _delegate(
        "decision_function", "Decision function of the estimator on the embedded rows."
    )
    score = _delegate("score", "Score of the estimator on the embedded rows.")


class BaseColumnSelector(SelectorMixin, BaseAdapter):
    """Base class of adapters that select input columns (two-stage selection).

    The representation is ``X[:, support_]``: ``transform`` keeps sparse input
    sparse, and scikit-learn's :class:`~sklearn.feature_selection.SelectorMixin`
    supplies ``get_support``, ``inverse_transform`` and
    ``get_feature_names_out``.  Subclasses implement
    ``_fit(X, y, split, random_state)``, which sets the boolean ``support_``
    and returns ``(rows, labels)``: the row indices of ``X`` and the labels on
    which ``estimator`` is then fitted over the kept columns (the labeled rows,
    plus pseudo-labeled target rows for a self-training method).  ``X`` is
    CSR when sparse.  Every other method (prediction delegated through
    ``transform``) is :class:`BaseAdapter`'s.
    """

    def _accepts_sparse(self):
        return True

    def _get_support_mask(self):
        check_is_fitted(self, "support_")
        return self.support_

    def _fit_embed(self, X, y, sample_domain):
        X, y, split = self._validate_fit_data(
            X, y, sample_domain, require_classes=True, require_y=True
        )
        if sp.issparse(X):
            X = X.tocsr()
        random_state = check_random_state(getattr(self, "random_state", None))
        rows, labels = self._fit(X, y, split, random_state)
        Z = self._transform(X)
        if self.estimator is not None:
            self.estimator_ = clone(self.estimator).fit(_safe_indexing(Z, rows), labels)
        return Z

    def transform(self, X):
        """Keep the selected columns of any rows, in their input order.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Rows to reduce.

        Returns
        -------
        X_new : ndarray or sparse matrix of shape (n_samples, n_selected)
            ``X[:, support_]``, sparse when ``X`` is sparse.
        """
        return self._transform(self._validate_predict_data(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class BaseDAEstimator(DomainAdaptationMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of domain-adaptation predictors (TrAdaBoost, CoCC).

    Subclasses implement ``_fit(X, y, split, random_state)`` and the
    prediction methods; ``fit`` validates the data and the domains first.
    ``_require_classes`` says whether at least two source classes are needed.
    """

    _require_classes = False

    @abstractmethod
    def _fit(self, X, y, split, random_state):
        """Fit on validated arrays; must return self."""

    @_fit_context(prefer_skip_nested_validation=False)
    @fill_doc(DOMAIN_DOCS)
    def fit(self, X, y, sample_domain=None):
        """Fit the model on source rows and (labeled or unlabeled) target rows.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Source and target rows.
        y : array-like of shape (n_samples,)
            Labels; unlabeled rows are masked with ``-1`` or ``NaN``.
        %(sample_domain_fit)s

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, split = self._validate_fit_data(
            X, y, sample_domain, require_classes=self._require_classes, require_y=True
        )
        random_state = check_random_state(getattr(self, "random_state", None))
        return self._fit(X, y, split, random_state)


class LabeledOnly(_DelegatingMixin, BaseEstimator):
    """Fit an estimator on the labeled rows only: the no-adaptation baseline.

    Rows whose label is masked (``-1`` for classification, ``NaN`` for
    regression) are dropped before ``estimator.fit``; ``sample_domain`` is
    accepted and ignored, so that ``LabeledOnly`` can stand wherever an
    adapting estimator stands, in a plain :class:`~sklearn.pipeline.Pipeline`
    or in :class:`~sklearn.model_selection.GridSearchCV`.  It makes no
    assumption about a shift, so it emits no
    :class:`~skadapt.exceptions.NoTargetWarning`.

    Parameters
    ----------
    estimator : estimator object
        The estimator fitted on the labeled rows.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray
        Class labels, when ``estimator`` is a classifier.
    n_features_in_ : int
        Number of features seen by ``estimator_``, when it records it.

    See Also
    --------
    skadapt.utils.source_target_merge : Builds ``(X, y, sample_domain)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skadapt import LabeledOnly
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [1.5]])
    >>> y = np.array([0, 0, 1, 1, -1])          # the last row is unlabeled
    >>> model = LabeledOnly(LogisticRegression()).fit(X, y)
    >>> model.predict([[0.2], [2.8]])
    array([0, 1])
    """

    __metadata_request__fit = {"sample_domain": True}

    _parameter_constraints = {"estimator": [HasMethods(["fit"])]}

    def __init__(self, estimator):
        self.estimator = estimator

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_domain=None, **fit_params):
        """Fit ``estimator`` on the rows whose label is not masked.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            All rows; anything ``estimator`` accepts.
        y : array-like of shape (n_samples,)
            Labels, masked for unlabeled rows.
        sample_domain : array-like of shape (n_samples,), default=None
            Validated and otherwise ignored.
        **fit_params : dict
            Passed to ``estimator.fit``, restricted to the labeled rows when
            they have one value per row.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        (X,) = indexable(X)
        n_samples = _num_samples(X)
        if n_samples == 0:
            raise ValueError(
                "LabeledOnly: `X` is empty (0 rows); at least one labeled row is needed."
            )
        self._check_finite(X)
        y = _check_y(y, n_samples, type(self).__name__)
        task = "regression" if get_tags(self.estimator).estimator_type == "regressor" else "auto"
        split = _split_domains(
            y,
            sample_domain,
            n_samples,
            estimator=self,
            task=task,
            require_labels=False,
            warn_no_target=False,
            require_target=False,
            uses_unlabeled_source=False,
        )
        rows = np.flatnonzero(split.labeled)
        if rows.shape[0] == 0:
            raise ValueError(
                "LabeledOnly: every label of `y` is masked (-1 or NaN); at least one "
                "labeled row is needed."
            )
        if task != "regression":
            _check_mask_left_classes(y, split.labeled, split.labeled, "LabeledOnly")
        if sp.issparse(X) and X.format not in ("csr", "csc"):
            X = X.tocsr()  # row selection needs a format that can index rows
        params = {
            key: _safe_indexing(value, rows)
            if hasattr(value, "__len__") and _num_samples(value) == n_samples
            else value
            for key, value in fit_params.items()
        }
        self.estimator_ = clone(self.estimator).fit(
            _safe_indexing(X, rows), y[rows], **params
        )
        return self

    @property
    def n_features_in_(self):
        """Number of features seen by the fitted ``estimator_``."""
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen by the fitted ``estimator_`` (fitted on a DataFrame)."""
        return self.estimator_.feature_names_in_

    def _check_finite(self, X):
        """Every row of a numeric ``X``, labeled or not, must be finite.

        The unlabeled rows are dropped before ``estimator.fit`` sees them, so
        its own check would miss them.  NaN is let through when ``estimator``
        handles missing values (its ``allow_nan`` tag); inf never is.
        Non-numeric input (text for a pipeline) is left to ``estimator``.
        """
        if is_dask_array(X):  # blockwise reductions: X is never gathered
            if X.dtype.kind not in "fc":
                return
            has_inf, has_nan = any_inf_nan(X)
        else:
            values = _numeric_values(X)
            if values is None:
                return
            has_inf, has_nan = bool(np.isinf(values).any()), bool(np.isnan(values).any())
        if has_inf:
            raise ValueError(
                "LabeledOnly: `X` contains inf (in labeled or unlabeled rows); every row "
                "must be finite."
            )
        if has_nan and not get_tags(self.estimator).input_tags.allow_nan:
            raise ValueError(
                f"LabeledOnly: `X` contains NaN and {type(self.estimator).__name__} does not "
                "handle missing values; impute them (sklearn.impute.SimpleImputer) first."
            )

    def _estimator_input(self, X):
        """The rows ``estimator_`` predicts on: ``X`` as given (checks fitting first)."""
        check_is_fitted(self)
        return X

    predict = _delegate("predict", "Predict with the fitted estimator.")
    predict_proba = _delegate("predict_proba", "Class probabilities of the fitted estimator.")
    predict_log_proba = _delegate(
        "predict_log_proba", "Log class probabilities of the fitted estimator."
    )
    decision_function = _delegate("decision_function", "Decision function of the fitted estimator.")
    transform = _delegate("transform", "Transform with the fitted estimator.")
    score = _delegate("score", "Score of the fitted estimator on ``(X, y)``.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = deepcopy(inner.input_tags)
        tags.target_tags.required = True
        return tags
