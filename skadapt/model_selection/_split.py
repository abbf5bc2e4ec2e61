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

from ..utils._docstrings import DOMAIN_DOCS, fill_doc
from ..utils._domain import _split_domains
from ..utils._sklearn_compat import _num_samples

__all__ = [
    "SourceTargetShuffleSplit",
    "LeaveOneDomainOut",
    "DomainShuffleSplit",
    "StratifiedDomainShuffleSplit",
    "LeaveOneTargetDomainOut",
    "pack_domains",
]


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

    @fill_doc(DOMAIN_DOCS)
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
        %(sample_domain_routed)s

        Yields
        ------
        train : ndarray
            The training row indices of the split, sorted.
        test : ndarray
            The validation row indices of the split, sorted.
        """
        n_samples, split = self._domains(X, y, groups, sample_domain)
        for train, test in self._iter_indices(n_samples, split, y):
            yield np.sort(train), np.sort(test)

    @abstractmethod
    def _iter_indices(self, n_samples, split, y):
        """Yield ``(train, test)`` index arrays (``y``: the labels as given to ``split``)."""


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

    def _check_shuffle_params(self):
        _check_n_splits(self, self.n_splits)
        _check_test_size(self, self.test_size)


#: The parameters of the shuffle-split splitters, for their docstrings.
_SHUFFLE_DOCS = {
    "n_splits": """
        n_splits : int, default=5
            Number of re-shuffling and splitting iterations.
    """,
    "pool_test_size": """
        test_size : float or int, default=0.2
            Share (float in (0, 1)) or number (int) of the rows of each pool held
            out for validation.
    """,
    "shuffle_random_state": """
        random_state : int, RandomState instance or None, default=None
            Controls the shuffling; pass an int for reproducible splits.
    """,
}


class _PoolShuffleSplit(_ShuffleDomainSplitter):
    """Shuffle-splits each pool of rows on its own, ``n_splits`` times.

    Subclasses implement ``_pools(split, y)``: the pools, as ``(rows,
    labels)`` pairs (``labels`` None, or the strata of ``rows`` for
    ``_split_pool``).
    """

    def __init__(self, n_splits=5, *, test_size=0.2, random_state=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.random_state = random_state

    @abstractmethod
    def _pools(self, split, y):
        """The ``(rows, labels)`` pools of one call of ``split``."""

    def _split_pool(self, pool, labels, rng):
        """``(train, test)`` of one pool."""
        return _shuffle_pool(pool, self.test_size, rng)

    def _iter_indices(self, n_samples, split, y):
        self._check_shuffle_params()
        pools = [(rows, labels) for rows, labels in self._pools(split, y) if rows.shape[0]]
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            parts = [self._split_pool(rows, labels, rng) for rows, labels in pools]
            yield (
                np.concatenate([train for train, _ in parts]),
                np.concatenate([test for _, test in parts]),
            )


@fill_doc(_SHUFFLE_DOCS)
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
    %(n_splits)s
    test_size : float or int, default=0.2
        Share (float in (0, 1)) or number (int) of the source rows, and of the
        labeled target rows, held out for validation in each split.  At least
        one row of each pool is held out and at least one is kept to train on.
    target_in_test : bool, default=True
        Whether the unlabeled target rows are also in the validation folds.
        Keep True for the unsupervised scorers; with False a validation fold
        holds held-out labeled rows only (plain source validation).
    %(shuffle_random_state)s

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

    def _iter_indices(self, n_samples, split, y):
        self._check_shuffle_params()
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


@fill_doc(_SHUFFLE_DOCS)
class DomainShuffleSplit(_PoolShuffleSplit):
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
    %(n_splits)s
    %(pool_test_size)s
    %(shuffle_random_state)s

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

    def _pools(self, split, y):
        pools = []
        for domain in np.unique(split.sample_domain):
            rows = split.sample_domain == domain
            if domain > 0:
                pools.append((np.flatnonzero(rows), None))
            else:
                pools.append((np.flatnonzero(rows & split.labeled), None))
                pools.append((np.flatnonzero(rows & ~split.labeled), None))
        return pools


class _DomainOutSplitter(_DomainSplitter):
    """A splitter whose splits hold out one domain each (at most ``max_n_splits``).

    Subclasses implement ``_candidate_domains(split)``: the domains that
    may be held out, in turn.
    """

    @abstractmethod
    def _candidate_domains(self, split):
        """The domains held out in turn (all of them unless ``max_n_splits``)."""

    def _n_splits(self, X, y, groups, sample_domain):
        """``get_n_splits``: the number of candidate domains, at most ``max_n_splits``."""
        domains = sample_domain if sample_domain is not None else groups
        if domains is None:
            raise ValueError(
                f"{type(self).__name__}: get_n_splits needs the domains, as `groups` (or "
                "`sample_domain` with metadata routing)."
            )
        n_samples = _num_samples(X) if X is not None else _num_samples(domains)
        _, split = self._domains(np.empty((n_samples, 0)), y, groups, sample_domain)
        return _n_held_out(self, self._candidate_domains(split).shape[0])


class LeaveOneDomainOut(_DomainOutSplitter):
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
    max_n_splits : int or None, default=10
        At most this many source domains are held out (a random subset,
        drawn with ``random_state``, when there are more); None: all.
    test_size : float, int or None, default=None
        None: every row of the held-out domain is in the validation fold.
        A float in (0, 1) or an int: only that share (number) of its rows,
        drawn at random, is; its other rows are in neither fold (the model
        never trains on the held-out domain).
    target_in_test : bool, default=True
        Whether the unlabeled target rows are also in the validation folds.
    random_state : int, RandomState instance or None, default=None
        Draws the held-out domains (beyond ``max_n_splits``) and the rows
        kept with ``test_size``.

    See Also
    --------
    SourceTargetShuffleSplit : For a single source domain.
    LeaveOneTargetDomainOut : Every domain in turn as the (unlabeled) target.

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

    def __init__(self, max_n_splits=10, *, test_size=None, target_in_test=True,
                 random_state=None):
        self.max_n_splits = max_n_splits
        self.test_size = test_size
        self.target_in_test = target_in_test
        self.random_state = random_state

    def _candidate_domains(self, split):
        domains = np.unique(split.sample_domain[split.source])
        if domains.shape[0] < 2:
            raise ValueError(
                f"LeaveOneDomainOut: found {domains.shape[0]} source domain(s); at least "
                "2 are needed. Number the source domains 1, 2, ... in `groups` (or "
                "`sample_domain` with metadata routing), or use SourceTargetShuffleSplit."
            )
        return domains

    def _iter_indices(self, n_samples, split, y):
        unlabeled_target = split.target & ~split.labeled
        rng = check_random_state(self.random_state)
        for domain in _held_out_domains(self, self._candidate_domains(split), rng):
            held_out = split.sample_domain == domain
            kept = _kept_rows(self, np.flatnonzero(held_out), rng)
            test = np.zeros(n_samples, dtype=bool)
            test[kept] = True
            if self.target_in_test:
                test |= unlabeled_target
            yield np.flatnonzero(~held_out), np.flatnonzero(test)

    @fill_doc(DOMAIN_DOCS)
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
        %(sample_domain_routed)s

        Returns
        -------
        n_splits : int
            The number of source domains, at most ``max_n_splits``.
        """
        return self._n_splits(X, y, groups, sample_domain)


# --------------------------------------------------------------------------
# issue 18: stratified domain split, leave-one-domain-out helpers, and every
# domain in turn as the target ("pack LODO")
# --------------------------------------------------------------------------
def _check_max_n_splits(splitter):
    value = splitter.max_n_splits
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1
    ):
        raise ValueError(
            f"{type(splitter).__name__}: `max_n_splits` must be None or an integer >= 1, "
            f"got {value!r}."
        )


def _n_held_out(splitter, n_domains):
    _check_max_n_splits(splitter)
    if splitter.max_n_splits is None:
        return int(n_domains)
    return int(min(n_domains, splitter.max_n_splits))


def _held_out_domains(splitter, domains, rng):
    """The domains held out in turn: all of them, or a random ``max_n_splits`` (sorted)."""
    n = _n_held_out(splitter, domains.shape[0])
    if n == domains.shape[0]:
        return domains
    return np.sort(domains[rng.choice(domains.shape[0], n, replace=False)])


def _kept_rows(splitter, rows, rng):
    """All ``rows`` (``test_size=None``) or a random ``test_size`` share of them."""
    if splitter.test_size is None:
        return rows
    _check_test_size(splitter, splitter.test_size)
    _, test = _shuffle_pool(rows, splitter.test_size, rng)
    if test.shape[0] == 0:  # a domain of one row
        return rows
    return test


def _class_counts_to_hold_out(counts, n_test, rng):
    """Split ``n_test`` among classes in proportion to ``counts`` (largest remainders).

    A class keeps at least one row in training when it has two or more, and
    a class of one row stays in training; ties of the remainders are broken at
    random.
    """
    cap = np.where(counts >= 2, counts - 1, 0)
    exact = n_test * counts / counts.sum()
    take = np.minimum(np.floor(exact).astype(int), cap)
    left = int(n_test - take.sum())
    order = np.lexsort((rng.random_sample(counts.shape[0]), -(exact - np.floor(exact))))
    while left > 0 and np.any(take < cap):
        for k in order:
            if left == 0:
                break
            if take[k] < cap[k]:
                take[k] += 1
                left -= 1
    return take


@fill_doc(_SHUFFLE_DOCS)
class StratifiedDomainShuffleSplit(_PoolShuffleSplit):
    """Shuffle-split every domain on its own, keeping its class proportions.

    As :class:`DomainShuffleSplit` (each domain, and inside a target domain
    its labeled and its unlabeled rows, split separately with the same
    ``test_size``; disjoint training and validation folds), and in addition
    the labeled rows of each domain are split class by class, so that each
    domain's class proportions are the same, up to rounding, in both folds
    (skada's ``StratifiedDomainShuffleSplit``).  The number of rows a pool
    holds out is that of :class:`DomainShuffleSplit`; it is shared among the
    classes by largest remainders.  A class with a single row in a domain
    stays in training; every class with two rows or more keeps one.

    Parameters
    ----------
    %(n_splits)s
    %(pool_test_size)s
    %(shuffle_random_state)s

    See Also
    --------
    DomainShuffleSplit : The same without the stratification by class.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.model_selection import StratifiedDomainShuffleSplit
    >>> X = np.zeros((16, 1))
    >>> y = np.r_[[0] * 6 + [1] * 2, [0] * 4 + [1] * 4]
    >>> sample_domain = np.r_[[1] * 8, [2] * 8]
    >>> sample_domain[-1] = -1      # one (labeled) target row
    >>> cv = StratifiedDomainShuffleSplit(n_splits=1, test_size=0.5, random_state=0)
    >>> train, test = next(cv.split(X, y, groups=sample_domain))
    >>> [int(np.sum((sample_domain[test] == 1) & (y[test] == c))) for c in (0, 1)]
    [3, 1]
    """

    def _split_pool(self, pool, labels, rng):
        n_test = _n_test(self.test_size, pool.shape[0])
        if labels is None or n_test == 0:
            return _shuffle_pool(pool, self.test_size, rng)
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        take = _class_counts_to_hold_out(counts, n_test, rng)
        train, test = [], []
        for k in range(classes.shape[0]):
            rows = pool[inverse == k]
            rows = rows[rng.permutation(rows.shape[0])]
            test.append(rows[: take[k]])
            train.append(rows[take[k]:])
        return np.concatenate(train), np.concatenate(test)

    @fill_doc(DOMAIN_DOCS)
    def split(self, X, y=None, groups=None, sample_domain=None):
        """Generate indices to split data into training and validation sets.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            All rows, source and target.
        y : array-like of shape (n_samples,)
            Class labels, ``-1``/``NaN`` for unlabeled rows: the strata.
        groups : array-like of shape (n_samples,), default=None
            The domain of each row (``> 0`` source, ``< 0`` target).
        %(sample_domain_routed)s

        Yields
        ------
        train : ndarray
            The training row indices of the split, sorted.
        test : ndarray
            The validation row indices of the split, sorted.
        """
        if y is None:
            raise ValueError(
                "StratifiedDomainShuffleSplit: `y` is needed to stratify by class; use "
                "DomainShuffleSplit to split without labels."
            )
        yield from super().split(X, y, groups, sample_domain)

    def _pools(self, split, y):
        labels = np.asarray(y)
        pools = []
        for domain in np.unique(split.sample_domain):
            rows = split.sample_domain == domain
            labeled = np.flatnonzero(rows & split.labeled)
            pools.append((labeled, labels[labeled]))
            pools.append((np.flatnonzero(rows & ~split.labeled), None))
        return pools


def pack_domains(X, y, sample_domain):
    """Stack every labeled domain twice: as a source and, labels masked, as a target.

    The data layout of :class:`LeaveOneTargetDomainOut` (skada's "pack" of a
    multi-domain dataset, with every domain both a source and a target):
    rows ``0 .. n-1`` are the input rows with their labels and domains
    ``k > 0``; rows ``n .. 2n-1`` are the same rows with the labels masked
    (``NaN`` for a float ``y``, ``-1`` for integer labels, ``None`` for other
    labels) and the domains ``-k``.  A plain scikit-learn search then needs no
    help to hide a domain's labels from the model: the splitter puts the
    masked copy of the target domain in the training fold and its labeled
    copy in the validation fold.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The rows of every domain.
    y : array-like of shape (n_samples,)
        Their labels (none masked).
    sample_domain : array-like of shape (n_samples,)
        Their domains, integers ``>= 1`` (each will be a source and a target).

    Returns
    -------
    X_packed : ndarray or sparse matrix of shape (2 * n_samples, n_features)
    y_packed : ndarray of shape (2 * n_samples,)
    sample_domain_packed : ndarray of shape (2 * n_samples,)

    See Also
    --------
    LeaveOneTargetDomainOut : The splitter for the packed data.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.model_selection import pack_domains
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> Xp, yp, sdp = pack_domains(X, np.array([0, 1, 1]), np.array([1, 1, 2]))
    >>> yp, sdp
    (array([ 0,  1,  1, -1, -1, -1]), array([ 1,  1,  2, -1, -1, -2]))
    """
    import scipy.sparse as sp

    from ..utils._domain import _check_sample_domain, _check_y, _masked, _stack_rows

    n = _num_samples(X)
    y = _check_y(y, n, "pack_domains")
    domains = _check_sample_domain(sample_domain, n, "pack_domains")
    if np.any(domains < 0):
        raise ValueError(
            "pack_domains: `sample_domain` must number every domain 1, 2, ... (> 0): each "
            "domain becomes a source and a target; got negative values."
        )
    if np.any(_masked(y)):
        raise ValueError(
            "pack_domains: `y` has masked labels (-1/NaN); every row of every domain needs "
            "its label (it is scored when its domain is the target)."
        )
    if y.dtype.kind == "f":
        masked = np.full(n, np.nan)
    elif y.dtype.kind in "iu":
        masked = np.full(n, -1, dtype=y.dtype if y.dtype.kind == "i" else np.int64)
    else:
        masked = np.full(n, None, dtype=object)
        y = y.astype(object)
    if not sp.issparse(X):
        X = np.asarray(X)  # a DataFrame, a list or a dask array becomes an ndarray
    X_packed = _stack_rows(X, X)
    return X_packed, np.concatenate([y, masked]), np.concatenate([domains, -domains])


class LeaveOneTargetDomainOut(_DomainOutSplitter):
    """Every domain in turn as the target, in a plain ``GridSearchCV`` ("pack LODO").

    For data laid out by :func:`pack_domains` (each domain ``k`` as a labeled
    source ``k`` and an unlabeled target ``-k``), split ``k`` trains on the
    other domains as sources and on domain ``k``'s rows **with their labels
    masked** as the target, and validates on domain ``k``'s labeled rows:
    the score is the real target score of a domain-adaptation model that
    never saw a target label.  Any plain scorer works (``"accuracy"``,
    ``"r2"`` ...) since the validation fold holds labeled rows only.

    The label masking needs no custom pipeline and no meta-estimator: it is
    in the data (the masked copy), and the splitter only chooses which copy
    of a domain goes where.  ``sample_domain`` reaches the estimators with
    routing on (``search.fit(Xp, yp, sample_domain=sdp)``), and without
    routing the masked labels tell them the target rows
    (``search.fit(Xp, yp, groups=sdp)``).  The final refit of a search is
    on all the packed rows (every domain a source and a target): pass
    ``refit=False`` if only the scores matter.

    Parameters
    ----------
    max_n_splits : int or None, default=10
        At most this many domains are used as the target (a random subset,
        drawn with ``random_state``, when there are more); None: all.
    test_size : float, int or None, default=None
        None (transductive): the model adapts to all of domain ``k``'s rows,
        unlabeled, and is scored on all of them.  A float in (0, 1) or an
        int (inductive): a random ``test_size`` share of domain ``k``'s rows
        is scored and is left out of training altogether; the model adapts
        to the other rows of domain ``k``.
    random_state : int, RandomState instance or None, default=None
        Draws the target domains (beyond ``max_n_splits``) and the rows of
        ``test_size``.

    See Also
    --------
    pack_domains : Builds the packed data.
    LeaveOneDomainOut : Holds out a source domain, with a fixed target.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skadapt import KMM
    >>> from skadapt.model_selection import LeaveOneTargetDomainOut, pack_domains
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(1, 1, (30, 2)), rng.normal(2, 1, (30, 2))]
    >>> y = (X[:, 0] > X[:, 1]).astype(int)
    >>> domains = np.repeat([1, 2, 3], 30)
    >>> Xp, yp, sdp = pack_domains(X, y, domains)
    >>> cv = LeaveOneTargetDomainOut()
    >>> kmm = KMM(LogisticRegression(), B=5)   # bounded weights: the domains are far apart
    >>> scores = cross_val_score(kmm, Xp, yp, groups=sdp, cv=cv, error_score="raise")
    >>> scores.shape       # one target score per domain
    (3,)
    """

    def __init__(self, max_n_splits=10, *, test_size=None, random_state=None):
        self.max_n_splits = max_n_splits
        self.test_size = test_size
        self.random_state = random_state

    def _candidate_domains(self, split):
        sources = np.unique(split.sample_domain[split.source])
        targets = np.unique(-split.sample_domain[split.target])
        if sources.shape[0] < 2 or not np.array_equal(sources, targets):
            raise ValueError(
                "LeaveOneTargetDomainOut: expects data packed by "
                "skadapt.model_selection.pack_domains, where each of at least 2 domains k "
                f"is a source k and a target -k; got source domains {sources.tolist()} and "
                f"target domains {(-targets).tolist()}."
            )
        return sources

    def _iter_indices(self, n_samples, split, y):
        rng = check_random_state(self.random_state)
        sd = split.sample_domain
        for domain in _held_out_domains(self, self._candidate_domains(split), rng):
            as_source = np.flatnonzero(sd == domain)
            as_target = np.flatnonzero(sd == -domain)
            if as_source.shape[0] != as_target.shape[0] or split.labeled[as_target].any():
                raise ValueError(
                    f"LeaveOneTargetDomainOut: domain {domain} is not packed: its target "
                    "copy must hold the same number of rows, all with masked labels. Use "
                    "skadapt.model_selection.pack_domains."
                )
            test = _kept_rows(self, as_source, rng)
            # the masked copies of the scored rows stay out of training when
            # test_size is given (pack_domains keeps the copies in one order)
            dropped = as_target[np.searchsorted(as_source, test)]
            sources = np.flatnonzero(split.source & (sd != domain))
            if self.test_size is None:
                targets = as_target
            else:
                targets = np.setdiff1d(as_target, dropped)
            yield np.concatenate([sources, targets]), test

    @fill_doc(DOMAIN_DOCS)
    def get_n_splits(self, X=None, y=None, groups=None, sample_domain=None):
        """Return the number of target domains, at most ``max_n_splits``.

        Parameters
        ----------
        X : object, default=None
            Ignored unless needed for the number of rows.
        y : array-like of shape (n_samples,), default=None
            Labels (masked for the target copies).
        groups : array-like of shape (n_samples,), default=None
            The packed domain of each row.
        %(sample_domain_routed)s

        Returns
        -------
        n_splits : int
            The number of splits.
        """
        return self._n_splits(X, y, groups, sample_domain)
