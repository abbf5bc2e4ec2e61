"""model_selection (being built)."""

__all__ = []
