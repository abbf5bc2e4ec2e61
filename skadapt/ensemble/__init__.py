"""ensemble (being built)."""

__all__ = []
