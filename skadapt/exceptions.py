"""Warnings and errors raised by skadapt."""

__all__ = [
    "BoostingStoppedWarning",
    "ComponentsCappedWarning",
    "EmptyClassWarning",
    "LowEffectiveSampleSizeWarning",
    "MaskedLabelWarning",
    "NoTargetWarning",
    "SingleSourceWarning",
]


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


class LowEffectiveSampleSizeWarning(UserWarning):
    """Emitted when importance weights concentrate on a few source rows.

    The effective sample size of weights ``w`` is Kish's
    ``(sum w) ** 2 / sum(w ** 2)``: the number of equally weighted rows that
    would give an estimate of the same variance.  Every weighter (KMM, KLIEP,
    ULSIF, RuLSIF) exposes it as ``effective_sample_size_`` and warns when it
    falls below 10 % of the source rows (``skadapt.base.ESS_WARN_FRACTION``):
    a model fitted with such weights rests on a handful of rows.  The message
    names the parameter that spreads the weights (KMM's ``B``, KLIEP's
    ``gamma``, the ``lambdas`` of ULSIF, RuLSIF's ``alpha``).
    """


class MaskedLabelWarning(UserWarning):
    """Emitted when rows labeled ``-1`` are marked as source by ``sample_domain``.

    ``-1`` is the mask of an unlabeled row (see ``skadapt.utils._domain``):
    such rows are unlabeled source rows.  An estimator that does not use
    unlabeled source rows ignores them, and the warning gives their count,
    so that a class ``-1`` never vanishes silently.
    """


class BoostingStoppedWarning(UserWarning):
    """Emitted when a boosting round leaves nothing for later rounds to change.

    In TrAdaBoost, a round that makes no error on any training row cannot
    change the weights, so every later round would fit the same model: the
    boosting stops and that learner stands for the remaining rounds.
    """


class ComponentsCappedWarning(UserWarning):
    """Emitted when an explicit ``n_components`` exceeds the rank of the problem.

    TCA and SSTCA have at most as many non-null components as the rank of
    their eigenproblem (the number of training rows, of features for a linear
    kernel, or of landmarks).  Further components would be zero columns, so
    the embedding is capped to the rank (``n_components_``) with this warning.
    The default ``n_components=None`` is capped silently.
    """
