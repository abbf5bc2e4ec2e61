"""The one implementation of skadapt's domain convention.

A domain-adaptation problem is passed as one ``X``, one ``y`` and an optional
``sample_domain`` (see ``API.md`` section 1):

* an unlabeled row has a masked label: ``-1`` for classification, ``NaN`` for
  regression;
* ``sample_domain`` holds one integer per row, ``> 0`` for a source domain and
  ``< 0`` for a target domain (skada's convention);
* without ``sample_domain``, masked rows are the target and labeled rows the
  source; with no masked row either there is no target information, which is
  a :class:`~skadapt.exceptions.NoTargetWarning` and not an error.

**The mask rule** (one rule for every estimator and scorer, implemented by
:func:`_masked`): a row is unlabeled when its label is

* ``NaN`` or ``None`` (any dtype);
* ``-1`` in classification: the integer ``-1``; the float ``-1.0`` when the
  task is classification, or when it is unknown ("auto") and every finite
  label is a whole number (labels with decimals are regression targets, for
  which only ``NaN`` masks); the string ``"-1"`` for string or object labels
  (and an object ``-1``).

So ``-1`` can never be a class.  Two guards keep a collision from passing
silently: when the mask leaves the labeled rows with one class while rows
labeled ``-1`` exist and no ``sample_domain`` says which rows are the
target (``y`` in ``{-1, +1}``), :func:`_split_domains` raises a
``ValueError`` that names the estimator, the mask and the fix (re-encode the
labels, e.g. with :class:`~sklearn.preprocessing.LabelEncoder`); when
``sample_domain`` marks rows labeled ``-1`` as source and the estimator does
not use unlabeled source rows, it emits a
:class:`~skadapt.exceptions.MaskedLabelWarning` with their count.

:func:`source_target_merge` and :func:`source_target_split` convert between
this convention and separate source/target arrays.  :func:`_split_domains` is
what every estimator's ``fit`` calls to validate and split the domains.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import column_or_1d

from ..exceptions import MaskedLabelWarning, NoTargetWarning

__all__ = ["source_target_merge", "source_target_split"]

_CLASSIFICATION_MASK = -1


def _stack_rows(*blocks, convert=False, frames=False):
    """The rows of ``blocks``, one block after the other, in one container.

    The one row-stacking helper of skadapt (source then target rows, a pack
    of domains, a reverse-validation training set...).

    Parameters
    ----------
    *blocks : ndarray, sparse matrix or array, dask array, DataFrame or list
        Blocks of rows with the same columns.
    convert : bool, default=False
        False: the blocks share one container, which the result keeps: CSR of
        scipy's class when a block is sparse (a sparse array stays a sparse
        array), else what :func:`numpy.concatenate` gives (an ndarray, or a
        lazy dask array for dask blocks).  True: the blocks may be anything
        array-like: the result is a ``scipy.sparse.csr_matrix`` when any block
        is sparse (a dense block, or a sparse array, is converted), else an
        ndarray (a dask block is computed).
    frames : bool, default=False
        Whether DataFrames (or Series) stay one, ``pandas.concat`` with a
        fresh index, and lists one list, when every block is one.  A sparse
        block comes first: then the result is sparse.

    Returns
    -------
    stacked : ndarray, sparse matrix or array, dask array, DataFrame or list
        The rows of every block, in order.
    """
    if any(sp.issparse(b) for b in blocks):
        if convert:
            blocks = [sp.csr_matrix(b) for b in blocks]
        return sp.vstack(list(blocks), format="csr")
    if frames and all(hasattr(b, "iloc") for b in blocks):
        import pandas as pd

        return pd.concat(list(blocks), ignore_index=True)
    if frames and all(isinstance(b, list) for b in blocks):
        return [row for b in blocks for row in b]
    if convert:
        blocks = [np.asarray(b) for b in blocks]
    return np.concatenate(list(blocks), axis=0)


def _as_list(value, name, several=None):
    """Wrap one domain in a list; ``several`` says if lists mean domains."""
    if several is None:
        several = isinstance(value, (list, tuple))
    if several:
        if not isinstance(value, (list, tuple)):
            raise ValueError(
                f"source_target_merge: `{name}` must be a list with one array per "
                "domain, like the matching X argument."
            )
        if len(value) == 0:
            raise ValueError(f"source_target_merge: `{name}` is an empty list.")
        return list(value)
    return [value]


def _is_domain_list(X):
    """A list of 2-d blocks (one per domain), as opposed to one 2-d list of rows."""
    return (
        isinstance(X, (list, tuple))
        and len(X) > 0
        and (sp.issparse(X[0]) or np.ndim(X[0]) == 2)
    )


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def source_target_merge(X_source, y_source, X_target, y_target=None, *, target_labels="mask"):
    """Stack source and target data into skadapt's ``(X, y, sample_domain)``.

    Parameters
    ----------
    X_source : array-like or sparse matrix of shape (n_source, n_features), or list of them
        Source rows.  A list gives several source domains, numbered 1, 2, ...
    y_source : array-like of shape (n_source,), or list of them
        Source labels, one array per source domain.
    X_target : array-like or sparse matrix of shape (n_target, n_features), or list of them
        Target rows.  A list gives several target domains, numbered -1, -2, ...
    y_target : array-like of shape (n_target,), list of them, or None
        Target labels.  ``None`` marks every target row as unlabeled.  A label
        may already be masked (``-1`` or ``NaN``) to mix labeled and unlabeled
        target rows.
    target_labels : {"mask", "keep"}, default="mask"
        ``"mask"`` masks every target label in the returned ``y`` (unsupervised
        adaptation: the labels, if given, are not read); ``"keep"`` keeps the
        given target labels (for methods that use a few labeled target rows,
        such as TrAdaBoost).

    Returns
    -------
    X : ndarray or CSR matrix of shape (n_source + n_target, n_features)
        Source rows then target rows.
    y : ndarray of shape (n_source + n_target,)
        Labels with masked target rows: ``-1`` for integer or string-free
        classification labels, ``NaN`` for float (regression) labels.
    sample_domain : ndarray of shape (n_source + n_target,)
        ``1, 2, ...`` for the source domains and ``-1, -2, ...`` for the target
        domains.

    See Also
    --------
    source_target_split : The inverse operation.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.utils import source_target_merge
    >>> Xs, ys = np.zeros((3, 2)), np.array([0, 1, 0])
    >>> Xt = np.ones((2, 2))
    >>> X, y, sample_domain = source_target_merge(Xs, ys, Xt)
    >>> y
    array([ 0,  1,  0, -1, -1])
    >>> sample_domain
    array([ 1,  1,  1, -1, -1])
    """
    if target_labels not in ("mask", "keep"):
        raise ValueError(
            "source_target_merge: `target_labels` must be 'mask' or 'keep', "
            f"got {target_labels!r}."
        )
    several_sources = _is_domain_list(X_source)
    several_targets = _is_domain_list(X_target)
    Xs_list = _as_list(X_source, "X_source", several_sources)
    ys_list = _as_list(y_source, "y_source", several_sources)
    Xt_list = _as_list(X_target, "X_target", several_targets)
    if len(Xs_list) != len(ys_list):
        raise ValueError(
            "source_target_merge: `X_source` and `y_source` must hold the same number "
            f"of domains, got {len(Xs_list)} and {len(ys_list)}."
        )
    if y_target is None:
        yt_list = [None] * len(Xt_list)
    else:
        yt_list = _as_list(y_target, "y_target", several_targets)
        if len(yt_list) != len(Xt_list):
            raise ValueError(
                "source_target_merge: `X_target` and `y_target` must hold the same "
                f"number of domains, got {len(Xt_list)} and {len(yt_list)}."
            )
    ys_arrays = []
    for k, (Xs, ys) in enumerate(zip(Xs_list, ys_list)):
        ys = np.asarray(ys)
        if ys.ndim != 1 or ys.shape[0] != _n_rows(Xs):
            raise ValueError(
                f"source_target_merge: source domain {k + 1} has {_n_rows(Xs)} rows "
                f"but its labels have shape {ys.shape}; expected ({_n_rows(Xs)},)."
            )
        ys_arrays.append(ys)
    y_all_source = np.concatenate(ys_arrays)
    regression = y_all_source.dtype.kind == "f"
    if y_all_source.dtype.kind not in "biuf":
        raise TypeError(
            "source_target_merge: labels must be numeric (integers for classification, "
            f"floats for regression), got dtype {y_all_source.dtype}. Encode string "
            "labels with sklearn.preprocessing.LabelEncoder first."
        )
    if not regression and np.any(y_all_source == _CLASSIFICATION_MASK):
        raise ValueError(
            "source_target_merge: the source labels contain -1, which is the mask of "
            "an unlabeled row. Encode classes with non-negative integers."
        )
    mask_value = np.nan if regression else _CLASSIFICATION_MASK
    yt_arrays = []
    for k, (Xt, yt) in enumerate(zip(Xt_list, yt_list)):
        n = _n_rows(Xt)
        if yt is None or target_labels == "mask":
            yt_arrays.append(np.full(n, mask_value, dtype=np.float64 if regression else np.int64))
        else:
            yt = np.asarray(yt)
            if yt.ndim != 1 or yt.shape[0] != n:
                raise ValueError(
                    f"source_target_merge: target domain {-(k + 1)} has {n} rows but its "
                    f"labels have shape {yt.shape}; expected ({n},)."
                )
            yt_arrays.append(yt)
    y = np.concatenate(ys_arrays + yt_arrays)
    if not regression:
        y = y.astype(np.int64, copy=False)
    sample_domain = np.concatenate(
        [np.full(_n_rows(Xs), k + 1, dtype=np.int64) for k, Xs in enumerate(Xs_list)]
        + [np.full(_n_rows(Xt), -(k + 1), dtype=np.int64) for k, Xt in enumerate(Xt_list)]
    )
    X = _stack_rows(*Xs_list, *Xt_list, convert=True)
    return X, y, sample_domain


def source_target_split(X, y, sample_domain=None):
    """Split skadapt's ``(X, y, sample_domain)`` into source and target parts.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        All rows.
    y : array-like of shape (n_samples,)
        Labels, masked (``-1`` or ``NaN``) for unlabeled rows.
    sample_domain : array-like of shape (n_samples,), default=None
        Domain of each row (``> 0`` source, ``< 0`` target).  When ``None``,
        masked rows are the target and labeled rows the source.

    Returns
    -------
    X_source, y_source, X_target, y_target
        The rows of each side in their input order.  ``y_target`` keeps its
        masked values.

    See Also
    --------
    source_target_merge : The inverse operation.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.utils import source_target_merge, source_target_split
    >>> X, y, sd = source_target_merge(np.zeros((3, 2)), [0, 1, 0], np.ones((2, 2)))
    >>> Xs, ys, Xt, yt = source_target_split(X, y, sd)
    >>> Xs.shape, Xt.shape
    ((3, 2), (2, 2))
    """
    y = np.asarray(y)
    n = _n_rows(X)
    if y.shape != (n,):
        raise ValueError(
            f"source_target_split: `y` has shape {y.shape}; expected ({n},) to match `X`."
        )
    if sample_domain is None:
        source = ~_masked(y)
    else:
        sample_domain = _check_sample_domain(sample_domain, n, "source_target_split")
        source = sample_domain > 0
    target = ~source
    if sp.issparse(X):
        X = X.tocsr()
    else:
        X = np.asarray(X)
    return X[source], y[source], X[target], y[target]


def _masked(y, task="auto"):
    """Boolean mask of the unlabeled rows of ``y`` (the mask rule of the module docstring).

    ``NaN``/``None`` is always a mask.  ``-1`` is a mask for classification; with
    ``task="auto"`` a float ``-1.0`` counts as one unless ``y`` holds
    non-integer floats (regression targets).  For string/object labels the
    mask is ``"-1"`` (or an object ``-1``).
    """
    y = np.asarray(y)
    if y.dtype.kind == "f":
        mask = np.isnan(y)
        if task == "regression":
            return mask
        finite = y[~mask]
        integral = finite.size == 0 or np.all(finite == np.round(finite))
        if task == "classification" or integral:
            mask |= y == _CLASSIFICATION_MASK
        return mask
    if y.dtype.kind in "biu":
        if task == "regression":
            return np.zeros(y.shape, dtype=bool)
        return y == _CLASSIFICATION_MASK
    if y.dtype.kind in "OUS":
        return np.array([_masked_object(v, task) for v in y.ravel()], dtype=bool)
    return np.zeros(y.shape, dtype=bool)


def _masked_object(value, task):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return True
    if task == "regression":
        return False
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.strip() == "-1"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == -1


def _minus_one_rows(y, masked):
    """Masked rows whose label is the value -1 (not NaN/None): possible class collisions."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        return masked & ~np.isnan(y)
    if y.dtype.kind in "OUS":
        none = np.array(
            [v is None or (isinstance(v, float) and np.isnan(v)) for v in y.ravel()], dtype=bool
        )
        return masked & ~none
    return masked


def _check_mask_left_classes(y, labeled, rows, name):
    """Raise when masking ``-1`` leaves the labeled ``rows`` with a single class."""
    if y is None or not rows.any():
        return
    minus_one = _minus_one_rows(y, ~labeled)
    if not minus_one.any():
        return
    classes = np.unique(y[rows])
    if classes.shape[0] == 1:
        raise ValueError(
            f"{name}: the labeled source rows hold only one class ({classes.tolist()}) "
            f"after masking: -1 is skadapt's mask of an unlabeled row, so the "
            f"{int(minus_one.sum())} rows labeled -1 were taken as unlabeled (target) rows. "
            "If -1 is a class, re-encode the labels before fitting (e.g. y = "
            "sklearn.preprocessing.LabelEncoder().fit_transform(y), or map -1 to 0), "
            "then mark the unlabeled rows with -1."
        )


def _check_y(y, n_samples, name):
    """``y`` as a 1-d array of ``n_samples`` labels.

    A column vector is raveled with scikit-learn's ``DataConversionWarning``
    (never silently); any other shape is an error naming the estimator.
    """
    if y is None:
        raise ValueError(
            f"{name} requires y to be passed, but the target y is None. Pass the labels, "
            "with -1 (classification) or NaN (regression) for unlabeled rows."
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(
            f"{name}: `y` has shape {y.shape}; expected ({n_samples},), one label per "
            "row of X (mask unlabeled rows with -1 or NaN)."
        )
    return y


def _check_sample_domain(sample_domain, n_samples, name):
    sample_domain = np.asarray(sample_domain)
    if sample_domain.ndim != 1 or sample_domain.shape[0] != n_samples:
        raise ValueError(
            f"{name}: `sample_domain` has shape {sample_domain.shape}; expected "
            f"({n_samples},), one domain per row of X."
        )
    if sample_domain.dtype.kind == "f":
        if not np.all(np.isfinite(sample_domain)) or np.any(
            sample_domain != np.round(sample_domain)
        ):
            raise ValueError(
                f"{name}: `sample_domain` must hold integers (> 0 source, < 0 target)."
            )
    elif sample_domain.dtype.kind not in "biu":
        raise ValueError(
            f"{name}: `sample_domain` must hold integers (> 0 source, < 0 target), got "
            f"dtype {sample_domain.dtype}."
        )
    sample_domain = sample_domain.astype(np.int64)
    if np.any(sample_domain == 0):
        raise ValueError(
            f"{name}: `sample_domain` contains 0 at rows "
            f"{np.flatnonzero(sample_domain == 0)[:5].tolist()}...; use > 0 for source "
            "domains and < 0 for target domains."
        )
    return sample_domain


@dataclass(frozen=True)
class DomainSplit:
    """The validated domains of a training set (private; built by `_split_domains`).

    Attributes
    ----------
    sample_domain : ndarray of int64, shape (n_samples,)
        Domain of each row, resolved (``1``/``-1`` when it was inferred).
    source : ndarray of bool
        Rows of the source domains.
    target : ndarray of bool
        Rows of the target domains.  Equals ``source`` when ``no_target``.
    labeled : ndarray of bool
        Rows whose label is not masked.
    no_target : bool
        True when there was no target information (the NoTargetWarning case):
        every row is then both source and target.
    """

    sample_domain: np.ndarray
    source: np.ndarray
    target: np.ndarray
    labeled: np.ndarray
    no_target: bool

    @property
    def labeled_source(self):
        return self.source & self.labeled

    @property
    def labeled_target(self):
        if self.no_target:
            return self.labeled.copy()
        return self.target & self.labeled


def _split_domains(
    y,
    sample_domain,
    n_samples,
    *,
    estimator,
    task="auto",
    require_labels=True,
    require_classes=False,
    warn_no_target=True,
    require_target=True,
    uses_unlabeled_source=True,
):
    """Validate ``y`` and ``sample_domain`` and split the rows into domains.

    Every skadapt estimator calls this from ``fit``; it is the only place where
    the domain convention is interpreted.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or None
        Labels with masked unlabeled rows, already passed through ``_check_y``.
        ``None`` means no row is labeled.
    sample_domain : array-like of shape (n_samples,) or None
        Domains (``> 0`` source, ``< 0`` target).
    n_samples : int
        Number of rows of ``X``.
    estimator : estimator or str
        Used to name the estimator in error messages.
    task : {"auto", "classification", "regression"}
        How masked labels are recognised (see ``_masked``).
    require_labels : bool
        Raise if no source row is labeled.
    require_classes : bool
        Raise if the labeled source rows hold fewer than two classes.
    warn_no_target : bool
        Emit :class:`NoTargetWarning` when there is no target information.
    require_target : bool
        Raise if a given ``sample_domain`` has no target (negative) value.
        Only the no-adaptation baseline ``LabeledOnly`` turns this off.
    uses_unlabeled_source : bool
        Whether the estimator reads unlabeled source rows.  When False and
        ``sample_domain`` marks rows labeled ``-1`` as source, a
        :class:`~skadapt.exceptions.MaskedLabelWarning` gives their count.

    Returns
    -------
    DomainSplit
    """
    name = estimator if isinstance(estimator, str) else type(estimator).__name__
    if y is None:
        labeled = np.zeros(n_samples, dtype=bool)
    else:
        y = _check_y(y, n_samples, name)
        labeled = ~_masked(y, task)
    no_target = False
    if sample_domain is None:
        if y is None or labeled.all():
            no_target = True
            source = np.ones(n_samples, dtype=bool)
            target = source
            resolved = np.ones(n_samples, dtype=np.int64)
        else:
            source = labeled
            target = ~labeled
            resolved = np.where(source, 1, -1).astype(np.int64)
    else:
        resolved = _check_sample_domain(sample_domain, n_samples, name)
        source = resolved > 0
        target = ~source
        if require_target and not target.any():
            raise ValueError(
                f"{name}: `sample_domain` has no target row (no negative value). Mark the "
                "target rows with a negative domain, or omit `sample_domain` to fit "
                "without adaptation."
            )
    if no_target and warn_no_target:
        warnings.warn(
            f"{name}: no target rows were given (no masked label and no sample_domain); "
            "assuming no domain shift, the training rows are used as the target. Mark "
            "unlabeled target rows with y=-1 (classification) or NaN (regression), or "
            "pass sample_domain with negative values for target rows.",
            NoTargetWarning,
            stacklevel=3,
        )
    if require_labels and not (source & labeled).any():
        raise ValueError(
            f"{name}: no labeled source row. Source rows (sample_domain > 0, or labeled "
            "rows when sample_domain is omitted) need labels that are not -1/NaN."
        )
    if not uses_unlabeled_source and sample_domain is not None and y is not None:
        dropped = _minus_one_rows(y, source & ~labeled)
        if dropped.any():
            warnings.warn(
                f"{name}: {int(dropped.sum())} rows marked as source by `sample_domain` are "
                f"labeled -1, the mask of an unlabeled row; {name} does not use unlabeled "
                "source rows, so they are ignored. If -1 is a class, re-encode the labels "
                "(e.g. with sklearn.preprocessing.LabelEncoder).",
                MaskedLabelWarning,
                stacklevel=3,
            )
    if require_labels and task != "regression" and sample_domain is None:
        # the domains were read from the mask: a class -1 would become the target
        _check_mask_left_classes(y, labeled, source & labeled, name)
    if require_classes and y is not None:
        classes = np.unique(y[source & labeled])
        if classes.shape[0] < 2:
            raise ValueError(
                f"{name}: the labeled source rows hold only one class ({classes.tolist()}); "
                "at least two classes are needed."
            )
    return DomainSplit(
        sample_domain=resolved,
        source=source,
        target=target,
        labeled=labeled,
        no_target=no_target,
    )

