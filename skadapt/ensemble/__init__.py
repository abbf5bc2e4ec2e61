"""Boosting for transfer learning: TrAdaBoost and its regression versions.

* :class:`TrAdaBoostClassifier` -- Dai, Yang, Xue & Yu (ICML 2007), with the
  dynamic correction of Al-Stouhi & Reddy (ECML 2011) and a SAMME-style
  multiclass generalisation.
* :class:`TrAdaBoostR2` and :class:`TwoStageTrAdaBoostR2` -- Pardoe & Stone
  (ICML 2010).
"""

from ._tradaboost import TrAdaBoostClassifier
from ._tradaboost_r2 import TrAdaBoostR2, TwoStageTrAdaBoostR2

__all__ = ["TrAdaBoostClassifier", "TrAdaBoostR2", "TwoStageTrAdaBoostR2"]
