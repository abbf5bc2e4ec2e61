"""Every private scikit-learn name skadapt uses, imported in one place.

scikit-learn does not promise that private names keep their home or their
signature between releases.  skadapt's modules import them from here and
nowhere else, so a move in a new release is fixed in this one file.  CI
runs the tests that exercise scikit-learn's API against the oldest supported
release too (the pin in ``.ci/oldest-sklearn.txt``, which must equal the
``scikit-learn>=`` floor of ``pyproject.toml``), and they check this file first.

The names, grouped by where scikit-learn keeps them:

- parameter validation (``sklearn.utils._param_validation``): the constraint
  objects every estimator's ``_parameter_constraints`` is built from, and
  ``validate_params`` for the public functions;
- ``_fit_context`` (``sklearn.base``): the decorator that validates the
  parameters once per ``fit`` and handles nested estimators;
- indexing and sizes (``sklearn.utils``, ``sklearn.utils.validation``):
  ``_safe_indexing`` (rows of arrays, sparse matrices, lists and data
  frames alike), ``_num_samples`` and ``_check_feature_names_in``;
- metadata routing (``sklearn.utils.metadata_routing``): the request mixin and
  the switch that the scorers need to take ``sample_domain`` like a
  scikit-learn scorer.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.metadata_routing import (
    UNCHANGED,
    MetadataRequest,
    _MetadataRequester,
    _routing_enabled,
)
from sklearn.utils.validation import _check_feature_names_in, _num_samples

__all__ = [
    "UNCHANGED",
    "HasMethods",
    "Interval",
    "MetadataRequest",
    "StrOptions",
    "_MetadataRequester",
    "_check_feature_names_in",
    "_fit_context",
    "_num_samples",
    "_routing_enabled",
    "_safe_indexing",
    "validate_params",
]
