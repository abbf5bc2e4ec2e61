"""Warnings and errors raised by skadapt."""

__all__ = ["NoTargetWarning"]


class NoTargetWarning(UserWarning):
    """Emitted when ``fit`` receives no information about the target domain.

    A plain ``fit(X, y)`` where every row is labeled and no ``sample_domain``
    is given carries no target rows.  skadapt then assumes that there is no
    shift: the training rows are taken as the target (importance weights are
    close to one, TCA drops its MMD term, TrAdaBoost boosts on all labeled
    rows).  Mark target rows with a masked label (``-1`` for classification,
    ``NaN`` for regression) or with a negative ``sample_domain`` to adapt.
    """
