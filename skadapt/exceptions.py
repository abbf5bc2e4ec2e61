"""Warnings and errors raised by skadapt."""

__all__ = ["EmptyClassWarning", "NoTargetWarning", "SingleSourceWarning"]


class NoTargetWarning(UserWarning):
    """Emitted when ``fit`` receives no information about the target domain.

    A plain ``fit(X, y)`` where every row is labeled and no ``sample_domain``
    is given carries no target rows.  skadapt then assumes that there is no
    shift: the training rows are taken as the target (importance weights are
    close to one, TCA drops its MMD term, TrAdaBoost boosts on all labeled
    rows).  Mark target rows with a masked label (``-1`` for classification,
    ``NaN`` for regression) or with a negative ``sample_domain`` to adapt.
    """


class SingleSourceWarning(UserWarning):
    """Emitted when a multi-source method is given one source domain only.

    :class:`~skadapt.TwoStageFeatureSelector` ranks features by how
    consistently they predict across several source domains and validates its
    settings by leaving one source domain out; with one source domain neither
    is possible, and it falls back to that domain's weights (documented in its
    Notes).  Number the source domains ``1, 2, ...`` in ``sample_domain``.
    """


class EmptyClassWarning(UserWarning):
    """Emitted when a fitted classifier assigns no target row to some class.

    CoCC keeps one document cluster per source class; if, at the end of the
    fit, a class holds no target document although there were enough of them,
    the class has vanished from the target predictions.  This may be right
    (the target lacks the class) or a sign that the clustering merged two
    classes: check the parameters before trusting the predictions.
    """
