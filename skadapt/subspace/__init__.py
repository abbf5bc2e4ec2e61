"""Subspace methods: representations learned from source and target rows.

* :class:`TCA` -- Transfer Component Analysis (Pan et al., IEEE TNN 2011),
  exact and landmark (Nystrom) solvers.
* :class:`SSTCA` -- its semi-supervised variant (label dependence and
  locality preservation).
"""

from ._sstca import SSTCA
from ._tca import TCA

__all__ = ["SSTCA", "TCA"]
