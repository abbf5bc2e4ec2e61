"""subspace (being built)."""

__all__ = []
