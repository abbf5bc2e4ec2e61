"""Toy domain-shift generators: a 1-D covariate-shift regression and shifted Gaussian classes.

Both draw everything from one :class:`numpy.random.Generator` made from
``random_state`` (scikit-learn's ``check_random_state`` accepts ints,
``RandomState`` instances and None; the generator is seeded from it), and
return the same :class:`~sklearn.utils.Bunch` as the loaders.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._base import _domain_bunch, _load_descr
from ..utils._sklearn_compat import Interval, validate_params

__all__ = ["make_covariate_shift", "make_domain_shift_classification"]

# Shimodaira (2000), section 7; Huang et al. (2006), toy regression example.
_SOURCE_MEAN, _SOURCE_STD = 0.5, 0.5
_TARGET_MEAN, _TARGET_STD = 0.0, 0.3


def _rng(random_state):
    """A numpy Generator seeded from anything ``check_random_state`` accepts."""
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def _covariate_shift_function(x):
    return -x + x**3


@validate_params(
    {
        "n_source": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_target": [Interval(numbers.Integral, 1, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_covariate_shift(n_source=100, n_target=100, *, noise=0.3, random_state=None):
    """Generate the 1-D polynomial regression toy with covariate shift.

    The classical example of Shimodaira (2000), used by Huang et al. (2006)
    for kernel mean matching and by Sugiyama et al. for KLIEP: the inputs of
    the two domains come from different Gaussians while the regression
    function is the same,

    * source (training) inputs :math:`x \\sim \\mathcal{N}(0.5, 0.5^2)`,
    * target (test) inputs :math:`x \\sim \\mathcal{N}(0, 0.3^2)`,
    * outputs :math:`y = -x + x^3 + \\varepsilon`,
      :math:`\\varepsilon \\sim \\mathcal{N}(0, \\text{noise}^2)` in both domains.

    A straight line fit by ordinary least squares on the source follows the
    source's right-hand part of the cubic; weighting the source rows by the
    density ratio :math:`p_t(x) / p_s(x)` (``true_weights`` here) gives a line
    that fits the target.

    Parameters
    ----------
    n_source : int, default=100
        Number of source rows.
    n_target : int, default=100
        Number of target rows.
    noise : float, default=0.3
        Standard deviation of the Gaussian noise on ``y`` (0.3 in the papers).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_source + n_target, 1)
            Source rows then target rows.
        y : ndarray of shape (n_source + n_target,)
            Source outputs; target rows masked with ``NaN``.
        sample_domain : ndarray of shape (n_source + n_target,)
            ``1`` for source rows, ``-1`` for target rows.
        X_source, y_source, X_target, y_target : ndarrays
            Each side with its true outputs.
        sizes : tuple of int
            ``(n_source, n_target)``.
        true_weights : ndarray of shape (n_source,)
            The exact density ratio :math:`p_t(x) / p_s(x)` at the source
            rows, for checking importance-weighting methods.
        source_density, target_density : tuple of float
            ``(mean, std)`` of the Gaussian inputs of each domain.
        noise : float
            Standard deviation of the output noise.
        task : str
            ``"regression"``.
        DESCR : str
            Description of the data set.

    References
    ----------
    .. [1] Shimodaira, "Improving predictive inference under covariate shift
       by weighting the log-likelihood function", Journal of Statistical
       Planning and Inference 90(2), 2000.
    .. [2] Huang, Smola, Gretton, Borgwardt, Schölkopf, "Correcting sample
       selection bias by unlabeled data", NIPS 2006.
    .. [3] Sugiyama, Nakajima, Kashima, von Bünau, Kawanabe, "Direct
       importance estimation with model selection and its application to
       covariate shift adaptation", NIPS 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt.datasets import make_covariate_shift
    >>> data = make_covariate_shift(n_source=50, n_target=30, random_state=0)
    >>> data.X.shape, data.X_source.shape, data.X_target.shape
    ((80, 1), (50, 1), (30, 1))
    >>> bool(np.isnan(data.y[50:]).all()), data.sample_domain[[0, -1]]
    (True, array([ 1, -1]))
    """
    rng = _rng(random_state)
    xs = rng.normal(_SOURCE_MEAN, _SOURCE_STD, size=n_source)
    xt = rng.normal(_TARGET_MEAN, _TARGET_STD, size=n_target)
    ys = _covariate_shift_function(xs) + noise * rng.standard_normal(n_source)
    yt = _covariate_shift_function(xt) + noise * rng.standard_normal(n_target)

    def log_density(x, mean, std):
        return -0.5 * ((x - mean) / std) ** 2 - np.log(std)

    true_weights = np.exp(
        log_density(xs, _TARGET_MEAN, _TARGET_STD) - log_density(xs, _SOURCE_MEAN, _SOURCE_STD)
    )
    return _domain_bunch(
        xs[:, None],
        ys,
        xt[:, None],
        yt,
        true_weights=true_weights,
        source_density=(_SOURCE_MEAN, _SOURCE_STD),
        target_density=(_TARGET_MEAN, _TARGET_STD),
        noise=float(noise),
        task="regression",
        DESCR=_load_descr("make_covariate_shift.rst"),
    )


def _class_means(n_classes, n_features, separation=2.0):
    """Evenly spread class centres at distance ``separation`` from the origin.

    ``n_features == 1``: points ``separation * (2k - (K-1)) / max(K-1, 1)`` on
    the line.  Otherwise: the K-th roots of unity scaled by ``separation`` in
    the first two coordinates (other coordinates 0).
    """
    means = np.zeros((n_classes, n_features))
    k = np.arange(n_classes)
    if n_features == 1:
        means[:, 0] = separation * (2 * k - (n_classes - 1)) / max(n_classes - 1, 1)
    else:
        angle = 2 * np.pi * k / n_classes
        means[:, 0] = separation * np.cos(angle)
        means[:, 1] = separation * np.sin(angle)
    return means


def _balanced_labels(n, n_classes, rng):
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    return y


@validate_params(
    {
        "n_source": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_target": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_features": [Interval(numbers.Integral, 1, None, closed="left")],
        "shift": [Interval(numbers.Real, None, None, closed="neither"), "array-like"],
        "n_classes": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_domain_shift_classification(
    n_source=200, n_target=200, n_features=2, *, shift=1.0, n_classes=2, random_state=None
):
    """Generate Gaussian classes whose target domain is translated by ``shift``.

    Each class ``k`` is an isotropic Gaussian with unit variance around a
    centre :math:`\\mu_k` (the centres are spread evenly at distance 2 from the
    origin: on a line when ``n_features == 1``, on a circle in the first two
    coordinates otherwise).  Source rows are drawn from these classes; target
    rows from the same classes translated by a vector :math:`\\delta`:

    * a float ``shift`` translates along the diagonal,
      :math:`\\delta = \\text{shift} \\cdot (1, \\dots, 1) / \\sqrt{d}`
      (so ``shift`` is the Euclidean length of the translation);
    * an array ``shift`` of length ``n_features`` is :math:`\\delta` itself.

    ``shift=0`` gives two samples of one distribution.  Labels are balanced
    (``n // n_classes`` or one more per class) and shuffled.

    Parameters
    ----------
    n_source : int, default=200
        Number of source rows.
    n_target : int, default=200
        Number of target rows.
    n_features : int, default=2
        Dimension of the rows.
    shift : float or array-like of shape (n_features,), default=1.0
        Length of the diagonal translation of the target, or the translation
        vector itself.
    n_classes : int, default=2
        Number of classes.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_source + n_target, n_features)
            Source rows then target rows.
        y : ndarray of shape (n_source + n_target,)
            Source labels (0..n_classes-1); target rows masked with ``-1``.
        sample_domain : ndarray of shape (n_source + n_target,)
            ``1`` for source rows, ``-1`` for target rows.
        X_source, y_source, X_target, y_target : ndarrays
            Each side with its true labels.
        sizes : tuple of int
            ``(n_source, n_target)``.
        class_means : ndarray of shape (n_classes, n_features)
            The source class centres.
        target_offset : ndarray of shape (n_features,)
            The translation :math:`\\delta` of the target.
        task : str
            ``"classification"``.
        DESCR : str
            Description of the data set.

    Examples
    --------
    >>> from skadapt.datasets import make_domain_shift_classification
    >>> data = make_domain_shift_classification(n_source=6, n_target=4, shift=3.0,
    ...                                         random_state=0)
    >>> data.X.shape, data.y
    ((10, 2), array([ 0,  1,  0,  0,  1,  1, -1, -1, -1, -1]))
    >>> data.target_offset.round(3)
    array([2.121, 2.121])
    """
    if np.ndim(shift) == 0:
        shift = float(shift)
        if not np.isfinite(shift):
            raise ValueError(
                f"make_domain_shift_classification: `shift` must be finite, got {shift!r}."
            )
        offset = np.full(n_features, shift / np.sqrt(n_features))
    else:
        offset = np.asarray(shift, dtype=np.float64)
        if offset.shape != (n_features,) or not np.all(np.isfinite(offset)):
            raise ValueError(
                "make_domain_shift_classification: an array `shift` must be a finite vector "
                f"of length n_features={n_features}, got shape {offset.shape}."
            )
    rng = _rng(random_state)
    means = _class_means(n_classes, n_features)
    ys = _balanced_labels(n_source, n_classes, rng)
    yt = _balanced_labels(n_target, n_classes, rng)
    Xs = means[ys] + rng.standard_normal((n_source, n_features))
    Xt = means[yt] + offset + rng.standard_normal((n_target, n_features))
    return _domain_bunch(
        Xs,
        ys,
        Xt,
        yt,
        class_means=means,
        target_offset=offset,
        task="classification",
        DESCR=_load_descr("make_domain_shift_classification.rst"),
    )
