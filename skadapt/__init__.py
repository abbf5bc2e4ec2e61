"""skadapt: classical transfer learning and domain adaptation for scikit-learn.

The estimators of every family are re-exported here (``skadapt.KMM``,
``skadapt.TCA``, ``skadapt.TrAdaBoostClassifier`` ...); the subpackages hold
the rest: :mod:`skadapt.datasets`, :mod:`skadapt.kernels`,
:mod:`skadapt.metrics`, :mod:`skadapt.model_selection`, :mod:`skadapt.utils`.

Importing skadapt changes no global state: no scikit-learn configuration, no
numba or threading configuration, no logging configuration.
"""

from . import (
    coclustering,
    datasets,
    ensemble,
    exceptions,
    feature_selection,
    instance_weighting,
    kernels,
    metrics,
    model_selection,
    subspace,
    utils,
)
from .base import LabeledOnly
from .coclustering import *  # noqa: F403
from .ensemble import *  # noqa: F403
from .feature_selection import *  # noqa: F403
from .instance_weighting import *  # noqa: F403
from .subspace import *  # noqa: F403

__version__ = "0.1.0.dev0"

__all__ = sorted(
    ["LabeledOnly", *ensemble.__all__, *instance_weighting.__all__, *subspace.__all__]
    + feature_selection.__all__
    + coclustering.__all__
) + [
    "datasets",
    "exceptions",
    "feature_selection",
    "kernels",
    "metrics",
    "model_selection",
    "utils",
    "__version__",
]
