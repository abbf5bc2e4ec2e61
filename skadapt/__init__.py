"""skadapt: classical transfer learning and domain adaptation for scikit-learn.

Importing skadapt changes no global state: no scikit-learn configuration, no
numba or threading configuration, no logging configuration.
"""

from . import exceptions, utils
from .base import LabeledOnly

__version__ = "0.1.0.dev0"

__all__ = [
    "LabeledOnly",
    "exceptions",
    "utils",
    "__version__",
]
