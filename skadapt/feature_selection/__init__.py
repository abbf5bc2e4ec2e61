"""Feature selection for domain adaptation.

* :class:`TwoStageFeatureSelector` -- two-stage feature selection in the
  spirit of Jiang & Zhai (CIKM 2007): features that generalise across
  several labeled source domains, then self-training on the unlabeled target
  (and, optionally, target-specific features).
"""

from ._two_stage import TwoStageFeatureSelector

__all__ = ["TwoStageFeatureSelector"]
