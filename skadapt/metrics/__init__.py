"""Scorers for choosing domain-adaptation parameters, usable as ``scoring=``.

Without target labels: :class:`ImportanceWeightedScorer` (IWCV),
:class:`ReverseValidationScorer`, :class:`PredictionEntropyScorer`; with a few
labeled target rows: :class:`TargetAccuracyScorer`.
"""

from ._scorer import (
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    TargetAccuracyScorer,
)

__all__ = [
    "ImportanceWeightedScorer",
    "PredictionEntropyScorer",
    "ReverseValidationScorer",
    "TargetAccuracyScorer",
]
