"""instance_weighting (being built)."""

__all__ = []
