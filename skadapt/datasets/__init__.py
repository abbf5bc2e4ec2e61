"""Domain-shift data sets: loaders of the classical benchmarks and toy generators.

Every loader and generator returns a :class:`~sklearn.utils.Bunch` that follows
skadapt's domain convention: ``X`` (source rows, then target rows), ``y``
(target rows masked: ``-1`` for classification, ``NaN`` for regression),
``sample_domain`` (``> 0`` source, ``< 0`` target), the separate parts
``X_source, y_source, X_target, y_target`` (true labels, for evaluation) and a
``DESCR``.

Data files are looked up in ``$SKADAPT_DATA``, then in ``data_home``
(default ``~/scikit_adapt_data``), then in the package (Office+Caltech SURF
ships with skadapt); each is checked against its sha256.
"""

from ._amazon import fetch_amazon_reviews
from ._base import get_data_home
from ._images import fetch_coil20, fetch_mnist_usps
from ._office_caltech import fetch_office_caltech
from ._reuters import fetch_reuters_transfer
from ._samples_generator import make_covariate_shift, make_domain_shift_classification
from ._text import fetch_20newsgroups_transfer

__all__ = [
    "fetch_20newsgroups_transfer",
    "fetch_amazon_reviews",
    "fetch_coil20",
    "fetch_mnist_usps",
    "fetch_office_caltech",
    "fetch_reuters_transfer",
    "get_data_home",
    "make_covariate_shift",
    "make_domain_shift_classification",
]
