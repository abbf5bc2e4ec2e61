"""Subspace methods: representations learned from source and target rows.

* :class:`TCA` -- Transfer Component Analysis (Pan et al., IEEE TNN 2011),
  exact and landmark (Nystrom) solvers.
* :class:`SSTCA` -- its semi-supervised variant (label dependence and
  locality preservation).
* :class:`SCL` -- structural correspondence learning (Blitzer et al., EMNLP
  2006, ACL 2007), SCL and SCL-MI, for sparse text features.
"""

from ._scl import SCL
from ._sstca import SSTCA
from ._tca import TCA

__all__ = ["SCL", "SSTCA", "TCA"]
