"""Domain-aware cross-validation splitters.

The splitters follow scikit-learn's splitter API (``split`` and
``get_n_splits``) so that they work as ``cv=`` in
:class:`~sklearn.model_selection.GridSearchCV` and
:func:`~sklearn.model_selection.cross_validate`.  They read the domains

* from ``groups`` when scikit-learn's metadata routing is off
  (``search.fit(X, y, groups=sample_domain)``),
* from ``sample_domain`` when it is on (``search.fit(X, y, sample_domain=sd)``:
  both are requested for ``split`` by default),
* otherwise from the masked labels of ``y`` (``-1``/``NaN`` rows are the
  target), like every skadapt estimator.

The convention is read by :func:`skadapt.utils._domain._split_domains` only.

What a validation fold holds is chosen for the scorers of
:mod:`skadapt.metrics`: held-out **labeled** rows (their labels are what a
scorer can check) and, by default, the **unlabeled target** rows, which the
unsupervised scorers need (importance-weighted validation fits its density
ratio on the fold's source versus target rows, prediction entropy and
reverse validation read the target rows).  Unlabeled target rows are also in
every training fold: a domain-adaptation estimator adapts to them, exactly as
the final ``fit`` on all rows will; their labels are never seen, so having
them on both sides leaks nothing.  Labeled target rows (``sample_domain < 0``
with a label) are held out like source rows, so that a validation fold never
holds a label that its training fold used.
"""

import numbers
from abc import abstractmethod

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples

from ..utils._domain import _split_domains

__all__ = ["SourceTargetShuffleSplit", "LeaveOneDomainOut", "DomainShuffleSplit"]


def _check_n_splits(splitter, n_splits):
    if (
        isinstance(n_splits, bool)
        or not isinstance(n_splits, numbers.Integral)
        or n_splits < 1
    ):
        raise ValueError(
            f"{type(splitter).__name__}: `n_splits` must be an integer >= 1, got {n_splits!r}."
        )


def _check_test_size(splitter, test_size):
    name = type(splitter).__name__
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise ValueError(
            f"{name}: `test_size` must be a float in (0, 1) or an int >= 1, got {test_size!r}."
        )
    if isinstance(test_size, numbers.Integral):
        if test_size < 1:
            raise ValueError(f"{name}: `test_size` as an int must be >= 1, got {test_size}.")
    elif not 0.0 < test_size < 1.0:
        raise ValueError(f"{name}: `test_size` as a float must be in (0, 1), got {test_size}.")


def _n_test(test_size, n):
    """Rows of a pool of ``n`` held out: at least one, and one left to train on."""
    if n < 2:
        return 0
    if isinstance(test_size, numbers.Integral):
        k = int(test_size)
    else:
        k = int(np.ceil(test_size * n))
    return int(min(max(k, 1), n - 1))


def _shuffle_pool(pool, test_size, rng):
    """Split the row indices ``pool`` into (train, test) at random."""
    k = _n_test(test_size, pool.shape[0])
    perm = pool[rng.permutation(pool.shape[0])]
    return perm[k:], perm[:k]


class _DomainSplitter(BaseCrossValidator):
    """Reads the domains of a split call; subclasses implement ``_iter_indices``."""

    # Both are requested by default, so that GridSearchCV routes
    # sample_domain (routing on) and groups (either way) to ``split``.
    __metadata_request__split = {"groups": True, "sample_domain": True}
    # Whether explicit domains must include a target (negative) domain.
    _require_target = True

    def _domains(self, X, y, groups, sample_domain):
        """Return ``(n_samples, DomainSplit)`` for one call of ``split``."""
        name = type(self).__name__
        n_samples = _num_samples(X)
        if groups is not None and sample_domain is not None:
            groups_arr, sd_arr = np.asarray(groups), np.asarray(sample_domain)
            if groups_arr.shape != sd_arr.shape or np.any(groups_arr != sd_arr):
                raise ValueError(
                    f"{name}: `groups` and `sample_domain` were both given and differ; "
                    "pass the domains once (sample_domain with metadata routing, groups "
                    "without it)."
                )
        domains = sample_domain if sample_domain is not None else groups
        split = _split_domains(
            y,
            domains,
            n_samples,
            estimator=self,
            require_labels=False,
            warn_no_target=False,
            require_target=self._require_target,
        )
        if split.no_target:
            raise ValueError(
                f"{name}: no target row. Pass the domains as `groups` (or as "
                "`sample_domain` with metadata routing), > 0 for source and < 0 for "
                "target rows, or mask the labels of the target rows in `y` (-1 or NaN)."
            )
        return n_samples, split

    def split(self, X, y=None, groups=None, sample_domain=None):
        """Generate indices to split data into training and validation sets.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            All rows, source and target.
        y : array-like of shape (n_samples,), default=None
            Labels, ``-1``/``NaN`` for unlabeled rows.  Tells labeled from
            unlabeled rows, and the domains when neither ``groups`` nor
            ``sample_domain`` is given.
        groups : array-like of shape (n_samples,), default=None
            The domain of each row (``> 0`` source, ``< 0`` target), as
            passed by ``GridSearchCV.fit(X, y, groups=...)``.
        sample_domain : array-like of shape (n_samples,), default=None
            The same, as routed by scikit-learn's metadata routing.

        Yields
        ------
        train : ndarray
            The training row indices of the split, sorted.
        test : ndarray
            The validation row indices of the split, sorted.
        """
        n_samples, split = self._domains(X, y, groups, sample_domain)
        for train, test in self._iter_indices(n_samples, split):
            yield np.sort(train), np.sort(test)

    @abstractmethod
    def _iter_indices(self, n_samples, split):
        """Yield ``(train, test)`` index arrays."""


class _ShuffleDomainSplitter(_DomainSplitter):
    """A splitter with a fixed number ``n_splits`` of random splits."""

    def get_n_splits(self, X=None, y=None, groups=None, sample_domain=None):
        """Return the number of splits, ``n_splits``.

        Parameters
        ----------
        X, y, groups, sample_domain : object
            Ignored; present for API compatibility.

        Returns
        -------
        n_splits : int
            The number of splits.
        """
        _check_n_splits(self, self.n_splits)
        return self.n_splits


class SourceTargetShuffleSplit(_ShuffleDomainSplitter):
    """Shuffle-split the source rows; keep the unlabeled target rows in training.

    Each split holds out a random ``test_size`` share of the source rows (and,
    separately, of the labeled target rows, if there are any) for validation.
    The unlabeled target rows are in every training fold, where an adapting
    estimator uses them as a deployed model would, and, with
    ``target_in_test=True``, in every validation fold too, where the scorers of
    :mod:`skadapt.metrics` read them: importance-weighted validation fits its
    density ratio on the fold's source versus target rows, prediction entropy
    and reverse validation score on the target rows.  Their labels are never
    read, so this leaks no label.

    Parameters
    ----------
    n_splits : int, default=5
        Number of re-shuffling and splitting iterations.
    test_size : float or int, default=0.2
        Share (float in (0, 1)) or number (int) of the source rows, and of the
        labeled target rows, held out for validation in each split.  At least
        one row of each pool is held out and at least one is kept to train on.
    target_in_test : bool, default=True
        Whether the unlabeled target rows are also in the validation folds.
        Keep True for the unsupervised scorers; with False a validation fold
        holds held-out labeled rows only (plain source validation).
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; pass an int for reproducible splits.

    See Also
    --------
    DomainShuffleSplit : Disjoint training and validation folds, split domain by domain.
    LeaveOneDomainOut : Validate on each source domain in turn.
    skadapt.metrics.ImportanceWeightedScorer : Scores such folds without target labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.model_selection import SourceTargetShuffleSplit
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> sample_domain = np.array([1, 1, 1, 1, 1, 1, -1, -1, -1, -1])
    >>> cv = SourceTargetShuffleSplit(n_splits=2, test_size=2, random_state=0)
    >>> for train, test in cv.split(X, groups=sample_domain):
    ...     print(train, test)
    [0 1 3 4 6 7 8 9] [2 5 6 7 8 9]
    [0 2 4 5 6 7 8 9] [1 3 6 7 8 9]
    """

    def __init__(self, n_splits=5, *, test_size=0.2, target_in_test=True, random_state=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.target_in_test = target_in_test
        self.random_state = random_state

    def _iter_indices(self, n_samples, split):
        _check_n_splits(self, self.n_splits)
        _check_test_size(self, self.test_size)
        source = np.flatnonzero(split.source)
        if source.shape[0] < 2:
            raise ValueError(
                f"SourceTargetShuffleSplit: {source.shape[0]} source row(s); at least 2 "
                "are needed to hold some out."
            )
        labeled_target = np.flatnonzero(split.target & split.labeled)
        unlabeled_target = np.flatnonzero(split.target & ~split.labeled)
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            s_train, s_test = _shuffle_pool(source, self.test_size, rng)
            t_train, t_test = _shuffle_pool(labeled_target, self.test_size, rng)
            train = np.concatenate([s_train, t_train, unlabeled_target])
            test_parts = [s_test, t_test]
            if self.target_in_test:
                test_parts.append(unlabeled_target)
            yield train, np.concatenate(test_parts)


class DomainShuffleSplit(_ShuffleDomainSplitter):
    """Shuffle-split every domain on its own into disjoint train and validation rows.

    Each domain (every distinct ``sample_domain`` value) and, inside a target
    domain, its labeled and its unlabeled rows are split separately with the
    same ``test_size``, so that every domain is represented in the same share
    on both sides.  Unlike :class:`SourceTargetShuffleSplit`, the validation
    target rows are unseen at training time: use it to validate how an
    estimator carries over to target rows it did not adapt to (inductive
    setting).  A pool of one row stays in training.

    Parameters
    ----------
    n_splits : int, default=5
        Number of re-shuffling and splitting iterations.
    test_size : float or int, default=0.2
        Share (float in (0, 1)) or number (int) of the rows of each pool held
        out for validation.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; pass an int for reproducible splits.

    See Also
    --------
    SourceTargetShuffleSplit : Keeps the unlabeled target rows in training.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.model_selection import DomainShuffleSplit
    >>> X = np.zeros((8, 1))
    >>> sample_domain = np.array([1, 1, 1, 1, -1, -1, -1, -1])
    >>> cv = DomainShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
    >>> train, test = next(cv.split(X, groups=sample_domain))
    >>> sample_domain[test]
    array([ 1, -1])
    """

    def __init__(self, n_splits=5, *, test_size=0.2, random_state=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.random_state = random_state

    def _iter_indices(self, n_samples, split):
        _check_n_splits(self, self.n_splits)
        _check_test_size(self, self.test_size)
        pools = []
        for domain in np.unique(split.sample_domain):
            rows = split.sample_domain == domain
            if domain > 0:
                pools.append(np.flatnonzero(rows))
            else:
                pools.append(np.flatnonzero(rows & split.labeled))
                pools.append(np.flatnonzero(rows & ~split.labeled))
        pools = [p for p in pools if p.shape[0]]
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            parts = [_shuffle_pool(pool, self.test_size, rng) for pool in pools]
            yield (
                np.concatenate([train for train, _ in parts]),
                np.concatenate([test for _, test in parts]),
            )


class LeaveOneDomainOut(_DomainSplitter):
    """Validate on each source domain in turn, training on everything else.

    For a problem with several source domains (``sample_domain`` 1, 2, ...),
    split ``k`` holds out source domain ``k``: the training fold holds the
    other source domains and every target row, the validation fold holds the
    rows of domain ``k`` and, with ``target_in_test=True``, the unlabeled
    target rows (which the unsupervised scorers of :mod:`skadapt.metrics`
    read; importance-weighted validation then weights domain ``k``'s rows by
    the target-to-domain-``k`` density ratio).  Labeled target rows stay in
    training.  Domains given as ``groups``/``sample_domain`` may hold source
    domains only: plain leave-one-source-domain-out validation (the
    "domain-aware cross validation" of
    :class:`~skadapt.TwoStageFeatureSelector`).

    Parameters
    ----------
    target_in_test : bool, default=True
        Whether the unlabeled target rows are also in the validation folds.

    See Also
    --------
    SourceTargetShuffleSplit : For a single source domain.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.model_selection import LeaveOneDomainOut
    >>> X = np.zeros((6, 1))
    >>> sample_domain = np.array([1, 1, 2, 2, -1, -1])
    >>> cv = LeaveOneDomainOut()
    >>> cv.get_n_splits(groups=sample_domain)
    2
    >>> for train, test in cv.split(X, groups=sample_domain):
    ...     print(train, test)
    [2 3 4 5] [0 1 4 5]
    [0 1 4 5] [2 3 4 5]
    """

    _require_target = False

    def __init__(self, *, target_in_test=True):
        self.target_in_test = target_in_test

    def _source_domains(self, split):
        domains = np.unique(split.sample_domain[split.source])
        if domains.shape[0] < 2:
            raise ValueError(
                f"LeaveOneDomainOut: found {domains.shape[0]} source domain(s); at least "
                "2 are needed. Number the source domains 1, 2, ... in `groups` (or "
                "`sample_domain` with metadata routing), or use SourceTargetShuffleSplit."
            )
        return domains

    def _iter_indices(self, n_samples, split):
        unlabeled_target = split.target & ~split.labeled
        for domain in self._source_domains(split):
            held_out = split.sample_domain == domain
            test = held_out | unlabeled_target if self.target_in_test else held_out
            yield np.flatnonzero(~held_out), np.flatnonzero(test)

    def get_n_splits(self, X=None, y=None, groups=None, sample_domain=None):
        """Return the number of source domains.

        Parameters
        ----------
        X : object, default=None
            Ignored unless needed for the number of rows.
        y : array-like of shape (n_samples,), default=None
            Labels (masked for target rows).
        groups : array-like of shape (n_samples,), default=None
            The domain of each row.
        sample_domain : array-like of shape (n_samples,), default=None
            The same, as routed by scikit-learn's metadata routing.

        Returns
        -------
        n_splits : int
            The number of source domains.
        """
        domains = sample_domain if sample_domain is not None else groups
        if domains is None:
            raise ValueError(
                "LeaveOneDomainOut: get_n_splits needs the domains, as `groups` (or "
                "`sample_domain` with metadata routing)."
            )
        n_samples = _num_samples(X) if X is not None else _num_samples(domains)
        _, split = self._domains(np.empty((n_samples, 0)), y, groups, sample_domain)
        return int(self._source_domains(split).shape[0])
