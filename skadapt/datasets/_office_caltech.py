"""Office+Caltech-10 with SURF features (Gong et al., CVPR 2012; Saenko et al., ECCV 2010).

The data file ``office_caltech10_surf.npz`` (300 KB) ships with skadapt, so
:func:`fetch_office_caltech` works offline.  It was converted from the four
``*_SURF_L10.mat`` files of the GFK release as stored in the
``scikit-adaptation/skada-bench`` repository; :func:`_build_surf` redoes that
conversion when the file has to be downloaded again.
"""

import numpy as np

from ._base import (
    _check_choice,
    _DataFile,
    _domain_bunch,
    _domain_name,
    _fetch_file,
    _load_descr,
    _load_npz,
    _LOADER_DOCS,
    _Original,
    _preprocess,
    _save_npz,
)
from ..utils._docstrings import fill_doc

__all__ = ["fetch_office_caltech"]

_DOMAINS = ("amazon", "caltech", "dslr", "webcam")
_ALIASES = {"a": "amazon", "c": "caltech", "d": "dslr", "w": "webcam"}
_CLASS_NAMES = (
    "back_pack",
    "bike",
    "calculator",
    "headphones",
    "keyboard",
    "laptop_computer",
    "monitor",
    "mouse",
    "mug",
    "projector",
)
_SKADA_BENCH = (
    "https://raw.githubusercontent.com/scikit-adaptation/skada-bench/"
    "e04399f55724b1accbed8ae1050e3c6c73fd481a/data/OFFICE_31_SURF_DATASET/"
)
_MAT_FILES = ("amazon", "Caltech10", "dslr", "webcam")  # same order as _DOMAINS


def _build_surf(originals, out, data_home=None):
    """Convert the four GFK ``*_SURF_L10.mat`` files (fields ``fts``, ``labels``) to our npz."""
    from scipy.io import loadmat  # imported here: rarely needed, slow to import

    X, y, domain = [], [], []
    for k, stem in enumerate(_MAT_FILES):
        mat = loadmat(originals[f"{stem}_SURF_L10.mat"])
        fts = np.asarray(mat["fts"], dtype=np.float64)
        if not (np.all(fts == np.round(fts)) and fts.min() >= 0 and fts.max() <= 255):
            raise OSError(f"{stem}_SURF_L10.mat: `fts` is not a table of counts in 0..255")
        X.append(fts.astype(np.uint8))
        y.append(np.asarray(mat["labels"]).ravel().astype(np.int8))
        domain.append(np.full(fts.shape[0], k, dtype=np.int8))
    _save_npz(
        out,
        {
            "X": np.concatenate(X),
            "y": np.concatenate(y),
            "domain": np.concatenate(domain),
            "domain_names": np.array(_DOMAINS, dtype="<U7"),
            "class_names": np.array(_CLASS_NAMES, dtype="<U15"),
        },
    )


_SURF = _DataFile(
    name="office_caltech10_surf.npz",
    sha256="df2dda93abe749db307fd2b6b00cda857c4249fa9092b2a6ea60c509d0ab6b51",
    content_sha256="7000c8b22938b72241929b253faf672cceaa87431bb713d5243ff456f26b5cba",
    originals=tuple(
        _Original(f"{stem}_SURF_L10.mat", (_SKADA_BENCH + f"{stem}_SURF_L10.mat",))
        for stem in _MAT_FILES
    ),
    build=_build_surf,
    shipped=True,
)


@fill_doc(_LOADER_DOCS)
def fetch_office_caltech(
    source, target, *, preprocessing="jda", data_home=None, download_if_missing=True
):
    """Load one Office+Caltech-10 SURF task (source domain -> target domain).

    800-bin SURF bag-of-visual-words histograms of the 10 classes shared by
    Office-31 and Caltech-256, in four domains: ``amazon`` (958 images),
    ``caltech`` (1123), ``dslr`` (157) and ``webcam`` (295).  The data file
    ships with skadapt; no download is needed.

    Read more in the description: ``print(fetch_office_caltech("C", "A").DESCR)``.

    Parameters
    ----------
    source, target : {"amazon", "caltech", "dslr", "webcam"} or {"A", "C", "D", "W"}
        The source and target domains (case-insensitive).  They may be equal
        (for an in-domain check).
    preprocessing : {"jda", "l1", "zscore"} or None, default="jda"
        ``"jda"``: each row divided by its sum, then each domain z-scored
        separately (each column centred and divided by its population standard
        deviation over that domain): the protocol of Long et al. (JDA, ICCV
        2013) and of their TCA/JDA baselines.  ``"l1"``: rows divided by their
        sum.  ``"zscore"``: per-domain z-score of the raw counts.  ``None``: the
        raw counts as float64.
    data_home : str or path-like, default=None
        Cache folder searched after ``SKADAPT_DATA`` and before the copy that
        ships with skadapt (see :func:`get_data_home`).
    download_if_missing : bool, default=True
        Download and convert the original ``.mat`` files when no copy is found
        (only relevant if the shipped copy was removed).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_source + n_target, 800)
            Source rows then target rows, preprocessed.
        y : ndarray of shape (n_source + n_target,)
            Source labels; target rows masked with ``-1``.
        sample_domain : ndarray of shape (n_source + n_target,)
            ``1`` for source rows, ``-1`` for target rows.
        X_source, y_source, X_target, y_target : ndarrays
            Each side with its true labels (``y_target`` is for evaluation).
        sizes : tuple of int
            ``(n_source, n_target)``.
        class_names : list of str
            ``class_names[k]`` is the name of label ``k`` (0..9).
        domain_names : tuple of str
            ``(source, target)`` full names.
        preprocessing : str or None
            The ``preprocessing`` argument.
        task : str
            ``"classification"``.
        %(data_file)s

    Notes
    -----
    The file stores labels 1..10; the loader returns ``label - 1``, so label
    ``k`` is ``class_names[k]`` in alphabetical order: 0 back_pack, 1 bike,
    2 calculator, 3 headphones, 4 keyboard, 5 laptop_computer, 6 monitor,
    7 mouse, 8 mug, 9 projector.

    With ``preprocessing="jda"`` a 1-NN classifier fit on the source gives the
    NN column of Long et al. (2013), Table 3, e.g. C->A 23.70 %, W->D 59.24 %,
    D->W 63.39 %.

    References
    ----------
    .. [1] Gong, Shi, Sha, Grauman, "Geodesic flow kernel for unsupervised
       domain adaptation", CVPR 2012.
    .. [2] Saenko, Kulis, Fritz, Darrell, "Adapting visual category models to
       new domains", ECCV 2010.
    .. [3] Long, Wang, Ding, Sun, Yu, "Transfer feature learning with joint
       distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skadapt import LabeledOnly
    >>> from skadapt.datasets import fetch_office_caltech
    >>> data = fetch_office_caltech("caltech", "amazon")
    >>> data.X.shape, data.X_source.shape, data.X_target.shape
    ((2081, 800), (1123, 800), (958, 800))
    >>> model = LabeledOnly(KNeighborsClassifier(n_neighbors=1)).fit(data.X, data.y)
    >>> round(100 * model.score(data.X_target, data.y_target), 2)
    23.7
    """
    loader = "fetch_office_caltech"
    source = _domain_name(source, _DOMAINS, _ALIASES, loader, "source")
    target = _domain_name(target, _DOMAINS, _ALIASES, loader, "target")
    _check_choice(preprocessing, ("jda", "l1", "zscore", None), loader, "preprocessing")
    path, status = _fetch_file(_SURF, data_home, download_if_missing)
    d = _load_npz(path)
    names = [str(n) for n in d["domain_names"]]
    parts = []
    for name in (source, target):
        rows = d["domain"] == names.index(name)
        X = _preprocess(d["X"][rows], preprocessing, loader)
        parts += [X, d["y"][rows].astype(np.int64) - 1]
    return _domain_bunch(
        *parts,
        class_names=[str(c) for c in d["class_names"]],
        domain_names=(source, target),
        preprocessing=preprocessing,
        task="classification",
        data_file=f"{_SURF.name}: {status}",
        DESCR=_load_descr("office_caltech.rst"),
    )
