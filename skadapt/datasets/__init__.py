"""datasets (being built)."""

__all__ = []
