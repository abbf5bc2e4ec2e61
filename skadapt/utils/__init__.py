"""Utilities: the domain convention helpers and estimator discovery."""

from ._domain import source_target_merge, source_target_split

__all__ = ["source_target_merge", "source_target_split"]
