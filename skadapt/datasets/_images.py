"""Image domain pairs of the JDA paper: USPS <-> MNIST and COIL1 <-> COIL2.

Both files are conversions of MATLAB v7.3 (HDF5) files of the ``chamwen/JPDA``
repository, which scipy cannot read; skadapt therefore does not rebuild them
and a missing file raises an ``OSError`` that says where to put a copy.
"""

import numpy as np

from ._base import (
    _check_choice,
    _DataFile,
    _domain_bunch,
    _fetch_file,
    _load_descr,
    _load_npz,
    _LOADER_DOCS,
    _preprocess,
)
from ..utils._docstrings import fill_doc

__all__ = ["fetch_coil20", "fetch_mnist_usps"]

_JPDA = (
    "https://raw.githubusercontent.com/chamwen/JPDA/b056e5eca625fc480aa605242348809f9199d5f8/data/"
)
_HOW = (
    "It is skadapt's conversion of the MATLAB v7.3 files {files} of the chamwen/JPDA "
    "repository ({urls}); skadapt does not convert v7.3 files itself (scipy cannot read "
    "them): obtain the converted file from the skadapt data folder."
)

_MNIST_USPS = _DataFile(
    name="mnist_usps_jda.npz",
    sha256="3cce8e0e60a088d3ae250e43f465dfa9b6bdbb1044068d62519fff8ff358118a",
    content_sha256="714cfd7a62ded09bdb38dab4cd22fd9f521aa0366d7171adede1fdeef4420bdf",
    how_to_get=_HOW.format(
        files="MNIST_vs_USPS.mat / USPS_vs_MNIST.mat",
        urls=_JPDA + "MNIST_vs_USPS.mat",
    ),
)
_COIL20 = _DataFile(
    name="coil20_jda.npz",
    sha256="6571269d65fa997ccdfe7169adb847411f66ecb4dc15495acb0c22f7877f9b6c",
    content_sha256="22522ad12f0b14be30d920795b4da997ccdc536dc7fd0bc8c2272e96f1953514",
    how_to_get=_HOW.format(
        files="COIL1_vs_COIL2.mat / COIL2_vs_COIL1.mat",
        urls=_JPDA + "COIL1_vs_COIL2.mat",
    ),
)


def _image_task(
    spec, domains, source, target, preprocessing, data_home, download_if_missing, loader, **extra
):
    """Load, check and preprocess one pair of image domains into the loaders' Bunch."""
    _check_choice(source, domains, loader, "source")
    _check_choice(target, domains, loader, "target")
    _check_choice(preprocessing, ("l2", "zscore", None), loader, "preprocessing")
    path, status = _fetch_file(spec, data_home, download_if_missing)
    d = _load_npz(path)
    parts = []
    for name in (source, target):
        parts += [
            _preprocess(d[f"X_{name}"], preprocessing, loader),
            d[f"y_{name}"].astype(np.int64) - 1,
        ]
    return _domain_bunch(
        *parts,
        domain_names=(source, target),
        preprocessing=preprocessing,
        task="classification",
        data_file=f"{spec.name}: {status}",
        **extra,
    )


@fill_doc(_LOADER_DOCS)
def fetch_mnist_usps(
    source="usps",
    target="mnist",
    *,
    preprocessing="l2",
    data_home=None,
    download_if_missing=True,
):
    """Load the USPS <-> MNIST digit task of the JDA paper (16 x 16 images).

    2000 MNIST and 1800 USPS images (randomly sampled by Long et al.), resized
    to 16 x 16 gray levels; ten classes, the digits 0..9.

    Parameters
    ----------
    source, target : {"usps", "mnist"}
        Source and target domains (default USPS -> MNIST).
    preprocessing : {"l2", "zscore"} or None, default="l2"
        ``"l2"``: each row divided by its Euclidean norm (the JDA protocol).
        ``"zscore"``: per-domain z-score of the pixels.  ``None``: the stored
        values (MNIST k/256, USPS in [0, 1]).
    %(data_home)s
    download_if_missing : bool, default=True
        Kept for a uniform signature: this file cannot be rebuilt automatically
        (its originals are MATLAB v7.3 files), so a missing file raises an
        ``OSError`` that says where to get it.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_source + n_target, 256)
            Source rows then target rows; ``row.reshape(16, 16)`` is upright.
        y : ndarray
            Source digits; target rows masked with ``-1``.
        sample_domain : ndarray
            ``1`` for source rows, ``-1`` for target rows.
        X_source, y_source, X_target, y_target : ndarrays
            Each side with its true labels.
        sizes : tuple of int
            ``(n_source, n_target)``.
        class_names : list of str
            ``"0"`` .. ``"9"``: label ``k`` is the digit ``k``.
        image_shape : tuple
            ``(16, 16)``.
        domain_names : tuple of str
            ``(source, target)``.
        preprocessing : str or None
            The ``preprocessing`` argument.
        task : str
            ``"classification"``.
        %(data_file)s

    Notes
    -----
    The file stores labels 1..10 for the digits 0..9; the loader returns the
    digit.  With the default preprocessing a 1-NN classifier gives the NN
    column of Long et al. (2013), Table 3: USPS->MNIST 44.70 %, MNIST->USPS
    65.94 %.

    References
    ----------
    .. [1] Long, Wang, Ding, Sun, Yu, "Transfer feature learning with joint
       distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> from skadapt.datasets import fetch_mnist_usps
    >>> data = fetch_mnist_usps("usps", "mnist")  # doctest: +SKIP
    >>> data.X_source.shape, data.X_target.shape  # doctest: +SKIP
    ((1800, 256), (2000, 256))
    """
    return _image_task(
        _MNIST_USPS,
        ("usps", "mnist"),
        source,
        target,
        preprocessing,
        data_home,
        download_if_missing,
        "fetch_mnist_usps",
        class_names=[str(k) for k in range(10)],
        image_shape=(16, 16),
        DESCR=_load_descr("mnist_usps.rst"),
    )


@fill_doc(_LOADER_DOCS)
def fetch_coil20(
    source="coil1",
    target="coil2",
    *,
    preprocessing="l2",
    data_home=None,
    download_if_missing=True,
):
    """Load the COIL1 <-> COIL2 object task of the JDA paper (32 x 32 images).

    COIL-20 (20 objects photographed every 5 degrees of rotation, 72 images
    each) split into COIL1 (images taken in [0, 85] and [180, 265] degrees)
    and COIL2 ([90, 175] and [270, 355] degrees): 720 images each, 36 per
    object.

    Parameters
    ----------
    source, target : {"coil1", "coil2"}
        Source and target domains (default COIL1 -> COIL2).
    preprocessing : {"l2", "zscore"} or None, default="l2"
        ``"l2"``: each row divided by its Euclidean norm (the JDA protocol).
        ``"zscore"``: per-domain z-score of the pixels.  ``None``: the stored
        gray levels in [0, 1].
    %(data_home)s
    download_if_missing : bool, default=True
        Kept for a uniform signature: this file cannot be rebuilt automatically
        (its originals are MATLAB v7.3 files), so a missing file raises an
        ``OSError`` that says where to get it.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (1440, 1024)
            Source rows then target rows (32 x 32 images).
        y : ndarray
            Source labels 0..19; target rows masked with ``-1``.
        sample_domain : ndarray
            ``1`` for source rows, ``-1`` for target rows.
        X_source, y_source, X_target, y_target : ndarrays
            Each side with its true labels.
        sizes : tuple of int
            ``(n_source, n_target)``.
        class_names : list of str
            ``"obj1"`` .. ``"obj20"``: label ``k`` is COIL-20 object ``k + 1``.
        image_shape : tuple
            ``(32, 32)``.
        domain_names : tuple of str
            ``(source, target)``.
        preprocessing : str or None
            The ``preprocessing`` argument.
        task : str
            ``"classification"``.
        %(data_file)s

    Notes
    -----
    The file stores labels 1..20; the loader returns ``label - 1``.  With the
    default preprocessing a 1-NN classifier gives the NN column of Long et al.
    (2013), Table 3: COIL1->COIL2 83.61 %, COIL2->COIL1 82.78 %.

    References
    ----------
    .. [1] Nene, Nayar, Murase, "Columbia Object Image Library (COIL-20)",
       Technical report CUCS-005-96, 1996.
    .. [2] Long, Wang, Ding, Sun, Yu, "Transfer feature learning with joint
       distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> from skadapt.datasets import fetch_coil20
    >>> data = fetch_coil20("coil1", "coil2")  # doctest: +SKIP
    >>> data.X.shape  # doctest: +SKIP
    (1440, 1024)
    """
    return _image_task(
        _COIL20,
        ("coil1", "coil2"),
        source,
        target,
        preprocessing,
        data_home,
        download_if_missing,
        "fetch_coil20",
        class_names=[f"obj{k + 1}" for k in range(20)],
        image_shape=(32, 32),
        DESCR=_load_descr("coil20.rst"),
    )
