"""Scorers for choosing domain-adaptation parameters, usable as ``scoring=``.

Without target labels: :class:`ImportanceWeightedScorer` (IWCV),
:class:`ReverseValidationScorer`, :class:`PredictionEntropyScorer`,
:class:`SoftNeighborhoodDensity`, :class:`DeepEmbeddedValidation`; with a few
labeled target rows: :class:`TargetAccuracyScorer`.
"""

from ._scorer import (
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    TargetAccuracyScorer,
)
from ._scorer import DeepEmbeddedValidation, SoftNeighborhoodDensity

__all__ = [
    "ImportanceWeightedScorer",
    "PredictionEntropyScorer",
    "ReverseValidationScorer",
    "TargetAccuracyScorer",
]
__all__ += ["DeepEmbeddedValidation", "SoftNeighborhoodDensity"]
