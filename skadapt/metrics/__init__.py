"""metrics (being built)."""

__all__ = []
