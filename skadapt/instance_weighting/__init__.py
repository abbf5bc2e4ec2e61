"""Instance weighting: importance weights of the source rows w.r.t. the target.

* :class:`KMM` -- kernel mean matching (Huang et al., 2006), a box-and-band QP.
* :class:`KLIEP` -- Kullback-Leibler importance estimation (Sugiyama et al., 2008).
* :class:`ULSIF` and :class:`RuLSIF` -- (relative) least-squares importance
  fitting (Kanamori et al., 2009; Yamada et al., 2011).
"""

from ._kliep import KLIEP
from ._kmm import KMM
from ._lsif import RuLSIF, ULSIF

__all__ = ["KLIEP", "KMM", "RuLSIF", "ULSIF"]
