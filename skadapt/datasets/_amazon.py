"""Amazon reviews: the Multi-Domain Sentiment Dataset of Blitzer et al. (ACL 2007).

Three versions of the same 4 x 2000 labelled reviews (books, dvd, electronics,
kitchen; 1000 positive and 1000 negative each):

* ``"processed_acl"``: the original unigram+bigram counts with the full
  vocabulary, rebuilt when missing from the eight ``*.review`` files (each
  downloaded and checked against its sha256, then converted; the result is
  checked against the content digest of skadapt's reference file);
* ``"msda5000"``: the 5000 most frequent features of Chen et al. (ICML 2012),
  with the unlabelled pools of every domain, rebuilt from the eight svmlight
  files of Ganin et al. plus ``processed_acl`` (to name the columns);
* ``"400"``: a dense 400-feature version (EasyTL, skada-bench), rebuilt from
  the skada-bench ``.mat`` files.
"""

import gzip

import numpy as np
import scipy.sparse as sp

from ._base import (
    _check_choice,
    _csr_arrays,
    _csr_from,
    _DataFile,
    _domain_bunch,
    _domain_name,
    _fetch_file,
    _load_descr,
    _load_npz,
    _LOADER_DOCS,
    _Original,
    _save_npz,
    _vocabulary,
)
from ..utils._docstrings import fill_doc

__all__ = ["fetch_amazon_reviews"]

_DOMAINS = ("books", "dvd", "electronics", "kitchen")
_ALIASES = {"b": "books", "d": "dvd", "e": "electronics", "elec": "electronics", "k": "kitchen"}
_POLARITIES = ("positive", "negative")

_KINGDOM = (
    "https://raw.githubusercontent.com/declare-lab/kingdom/"
    "79f81f15d706f35ad67479a57cc98dd00785ce01/dataset/"
)
_SKADA_BENCH = (
    "https://raw.githubusercontent.com/scikit-adaptation/skada-bench/"
    "e04399f55724b1accbed8ae1050e3c6c73fd481a/data/amazon_review/"
)
_GRAAL = (
    "https://raw.githubusercontent.com/GRAAL-Research/domain_adversarial_neural_network/"
    "74eec5e0ae06bd6614bce048abba492c16a633e3/data/"
)

# sha256 of the .gz files (SHA256SUMS) and of their content (= the original .review files)
_REVIEW_DIGESTS = {
    ("books", "negative"): (
        "282e1f5652f66705fe4c5f17381715d111924f5b85e9d190dcd796e430a5557d",
        "42e4d7e63f429e396de0db87b814f8c6a4b4948d34c94524725b0fe2944a0ff4",
    ),
    ("books", "positive"): (
        "14e104589b180af438bb78354be9665c508a847c052b6ae5bc6d27e5c9cfe082",
        "d27a35a59e99b2c2d56731cad8d63870f8a3b9063a70bf8c18862e0a107cdd02",
    ),
    ("dvd", "negative"): (
        "84699620afc083c1889d1710efaf75c0e2f00bd2ec74732e17110a76cd07ed6e",
        "9f0c977cf863f361f1f9961dc9e8c2b88630902da3eb5fd880146445144c355d",
    ),
    ("dvd", "positive"): (
        "854e94c2a5ac1342caccca368888f8e9a63e9102b45d17afb096e3d40cc2ab9c",
        "7e3a2655f9afd141bba569d0df6a4444f6bfa3c28daf243f21125c757940b563",
    ),
    ("electronics", "negative"): (
        "ef33845ae45576e485fe445c19d936f0ad22480cceca1498f8687aba264a01b6",
        "497d95c1ce079d2db672f9d2efa9cc02ba4ebd2a525f7b2495233305def11616",
    ),
    ("electronics", "positive"): (
        "a85ab05939ddd4e106b7b2d9b2edce9f7f7bbfb5dd0bd9f74029a12c20975d60",
        "38d0ee5fd4147cfaff427b7f8c1ea9aacbb1fd383d51676288b7af5947fe039f",
    ),
    ("kitchen", "negative"): (
        "9debd015565afa38acdf40d5842170c8730b3d28720638285f57b1d2a8c2b609",
        "674510d22f8f0b27790d323ef8633408777e92c122e801ee4ba02bb001d1d798",
    ),
    ("kitchen", "positive"): (
        "c62e99983923bdbe72d004c430c02ba414401061a067732400bddc0f8e53559b",
        "30fd84894433ee9dd7f7aa3da6f858811104e364528719be2d77372295c7d3b3",
    ),
}


def _review_filename(domain, polarity):
    return f"{domain}_{polarity}.review"


def _build_review_gz(originals, out, data_home=None):
    """gzip (mtime 0) of the downloaded ``.review`` file."""
    (path,) = originals.values()
    with open(path, "rb") as f, gzip.GzipFile(out, "wb", mtime=0) as gz:
        gz.write(f.read())


_REVIEWS = {
    key: _DataFile(
        name=f"mdsd_processed_acl/{_review_filename(*key)}.gz",
        sha256=file_sha,
        content_sha256=content_sha,
        originals=(
            _Original(
                _review_filename(*key),
                (_KINGDOM + f"{key[0]}/{key[1]}.review",),
                content_sha,
            ),
        ),
        build=_build_review_gz,
    )
    for key, (file_sha, content_sha) in _REVIEW_DIGESTS.items()
}


def _parse_reviews(lines, polarity, vocabulary, rows):
    """Parse ``token:count ... #label#:polarity`` lines into ``rows`` (dicts column -> count)."""
    for line in lines:
        tokens = line.split()
        if not tokens or tokens[-1] != f"#label#:{polarity}":
            raise OSError(f"a {polarity} review line does not end with #label#:{polarity}")
        row = {}
        for token in tokens[:-1]:
            word, count = token.rsplit(":", 1)
            j = vocabulary.setdefault(word, len(vocabulary))
            row[j] = row.get(j, 0) + int(count)
        rows.append(row)


def _build_processed_acl(originals, out, data_home=None):
    """Count matrix of the eight review files; vocabulary in order of first occurrence.

    Rows: books positive, books negative, dvd positive, ... (file line order).
    """
    vocabulary, rows, y, domain = {}, [], [], []
    for k, name in enumerate(_DOMAINS):
        for polarity in _POLARITIES:
            path, _ = _fetch_file(_REVIEWS[name, polarity], data_home)
            before = len(rows)
            with gzip.open(path, "rt", encoding="utf-8") as f:
                _parse_reviews(f, polarity, vocabulary, rows)
            y += [polarity == "positive"] * (len(rows) - before)
            domain += [k] * (len(rows) - before)
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([j for r in rows for j in sorted(r)], dtype=np.int64)
    data = np.array([r[j] for r in rows for j in sorted(r)], dtype=np.int64)
    X = sp.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocabulary)))
    arrays = _csr_arrays(X, list(vocabulary))
    arrays.update(
        y=np.array(y, dtype=np.int8),
        domain=np.array(domain, dtype=np.int8),
        domain_names=np.array(_DOMAINS, dtype="<U11"),
    )
    _save_npz(out, arrays)


_PROCESSED_ACL = _DataFile(
    name="mdsd_processed_acl_bow.npz",
    sha256="81d004fda8385ffdf2f3ed20c78057ea600249bc11c15ac3bc8cb6bb3253ba89",
    content_sha256="44ab5adbadc3972061633aaa287c7356b5f7eb18b3cebd72ea43a767e45da687",
    build=_build_processed_acl,
)

_MAT_400 = ("books", "dvd", "elec", "kitchen")  # file stems, same order as _DOMAINS


def _build_400(originals, out, data_home=None):
    """Stack the four skada-bench ``*_400.mat`` files (fields ``fts``, ``labels``)."""
    from scipy.io import loadmat  # imported here: rarely needed, slow to import

    X, y, domain = [], [], []
    for k, stem in enumerate(_MAT_400):
        mat = loadmat(originals[f"{stem}_400.mat"])
        X.append(np.asarray(mat["fts"], dtype=np.float64))
        labels = np.asarray(mat["labels"]).ravel()
        y.append((labels == labels.max()).astype(np.int8))  # the larger code is "positive"
        domain.append(np.full(labels.shape[0], k, dtype=np.int8))
    _save_npz(
        out,
        {
            "X": np.concatenate(X),
            "y": np.concatenate(y),
            "domain": np.concatenate(domain),
            "domain_names": np.array(_DOMAINS, dtype="<U11"),
        },
    )


_V400 = _DataFile(
    name="mdsd_400.npz",
    sha256="fb297e752aa467412b26baf57ff662944d037536b8872e70d3e020ee1ffd13df",
    content_sha256="5aaf61d6050fc5ce09bbc4560d2245417803396c7a36f1c2b17371a664f4e773",
    originals=tuple(
        _Original(f"{stem}_400.mat", (_SKADA_BENCH + f"{stem}_400.mat",)) for stem in _MAT_400
    ),
    build=_build_400,
)


def _group_signatures(X, y, domain):
    """Per column: total count and document frequency in each (domain, class) group."""
    X = sp.csc_matrix(X)
    columns = []
    for k in range(len(_DOMAINS)):
        for label in (1, 0):
            rows = np.flatnonzero((domain == k) & (y == label))
            block = sp.csc_matrix(X[rows])
            block.eliminate_zeros()
            columns.append(np.asarray(block.sum(axis=0)).ravel())
            columns.append(np.diff(block.indptr))  # document frequency
    return np.column_stack(columns).astype(np.int64)


def _recover_vocabulary(X_labeled, y, domain, X_pool, full):
    """Name the 5000 mSDA columns by matching them to processed_acl tokens.

    A column and a token match when their total count and document frequency
    agree in each of the 8 (domain, class) groups of the labelled reviews (the
    same reviews in both versions).  A group of columns that match the same
    several tokens must be a unigram ``w`` and a bigram ``w_x``: the column
    whose count is >= the other's in every review of the unlabelled pool is the
    unigram.  Anything else raises ``OSError``.
    """
    full_vocab = _vocabulary(full)
    full_X = _csr_from(full)
    full_sig = _group_signatures(full_X, full["y"], full["domain"])
    by_signature = {}
    for j, row in enumerate(map(tuple, full_sig)):
        by_signature.setdefault(row, []).append(full_vocab[j])
    sig = _group_signatures(X_labeled, y, domain)
    vocab = [None] * sig.shape[0]
    ambiguous = {}
    for j, row in enumerate(map(tuple, sig)):
        tokens = by_signature.get(row, [])
        if len(tokens) == 1:
            vocab[j] = tokens[0]
        elif tokens:
            ambiguous.setdefault(tuple(sorted(tokens)), []).append(j)
        else:
            raise OSError(f"mSDA column {j} matches no processed_acl token")
    pool = sp.csc_matrix(X_pool)
    for tokens, cols in ambiguous.items():
        short, long = sorted(tokens, key=len) if len(tokens) == 2 else (None, None)
        if len(cols) != 2 or short is None or not long.startswith(short + "_"):
            raise OSError(f"cannot tell mSDA columns {cols} apart (tokens {list(tokens)})")
        a, b = (pool[:, c].toarray().ravel() for c in cols)
        if np.all(a >= b):
            vocab[cols[0]], vocab[cols[1]] = short, long
        elif np.all(b >= a):
            vocab[cols[0]], vocab[cols[1]] = long, short
        else:
            raise OSError(f"cannot tell mSDA columns {cols} apart (tokens {list(tokens)})")
    if len(set(vocab)) != len(vocab):
        raise OSError("two mSDA columns were given the same processed_acl token")
    return vocab


def _build_msda5000(originals, out, data_home=None):
    """Stack the eight svmlight files of Ganin et al. and recover the vocabulary.

    Rows: books train (the 2000 labelled reviews), books test (the unlabelled
    pool), dvd train, ... (file order); labels +1/-1 -> 1/0.
    """
    from sklearn.datasets import load_svmlight_file  # only for this conversion

    blocks, y, domain, split = [], [], [], []
    for k, name in enumerate(_DOMAINS):
        for s, part in enumerate(("train", "test")):
            X, labels = load_svmlight_file(
                str(originals[f"{name}_{part}.svmlight"]), n_features=5000, zero_based=True
            )
            blocks.append(X)
            y.append((labels > 0).astype(np.int8))
            domain.append(np.full(X.shape[0], k, dtype=np.int8))
            split.append(np.full(X.shape[0], s, dtype=np.int8))
    X = sp.vstack(blocks, format="csr")
    X.sort_indices()
    y, domain, split = (np.concatenate(a) for a in (y, domain, split))
    full_path, _ = _fetch_file(_PROCESSED_ACL, data_home)
    labeled = split == 0
    vocab = _recover_vocabulary(
        X[labeled], y[labeled], domain[labeled], X[~labeled], _load_npz(full_path)
    )
    arrays = _csr_arrays(X, vocab)
    arrays.update(y=y, domain=domain, split=split, domain_names=np.array(_DOMAINS, dtype="<U11"))
    _save_npz(out, arrays)


_MSDA5000 = _DataFile(
    name="mdsd_msda5000.npz",
    sha256="a5ab077857efe44b463a5899d8917ca813785ddfdae3fffb9c9967fe3fda5ee2",
    content_sha256="ef6d7d90d1796f9f2c1191845092e2532a3f836566ccec99da4fdef2fd489d1d",
    originals=tuple(
        _Original(f"{name}_{part}.svmlight", (_GRAAL + f"{name}_{part}.svmlight",))
        for name in _DOMAINS
        for part in ("train", "test")
    ),
    build=_build_msda5000,
)

_VERSIONS = {"processed_acl": _PROCESSED_ACL, "msda5000": _MSDA5000, "400": _V400}


@fill_doc(_LOADER_DOCS)
def fetch_amazon_reviews(
    source,
    target,
    *,
    version="msda5000",
    include_unlabeled=False,
    data_home=None,
    download_if_missing=True,
):
    """Load a cross-domain sentiment task of the Amazon reviews (Blitzer et al., 2007).

    Four product domains, ``books``, ``dvd``, ``electronics`` and ``kitchen``,
    each with 2000 labelled reviews (1000 positive, 1000 negative) given as
    counts of unigrams and bigrams; the task is to classify the reviews of the
    target domain as positive (label 1) or negative (label 0).

    Read more in the description: ``print(data.DESCR)``.

    Parameters
    ----------
    source, target : {"books", "dvd", "electronics", "kitchen"} or {"B", "D", "E", "K"}
        Source and target domains.
    version : {"msda5000", "processed_acl", "400"}, default="msda5000"
        ``"msda5000"``: counts of the 5000 most frequent features (Chen et al.,
        ICML 2012; Ganin et al., JMLR 2016), sparse, with the unlabelled pools.
        ``"processed_acl"``: the original counts with the full vocabulary
        (473,856 features), sparse.  ``"400"``: a dense 400-feature version
        (EasyTL, skada-bench; its derivation is undocumented) in which a few
        reviews are missing.
    include_unlabeled : bool or {"target"}, default=False
        Only with ``version="msda5000"``: add the unlabelled review pool of
        the target domain (``"target"``), or of both domains (``True``), as
        extra unlabelled rows (``y = -1``): books 4465, dvd 3586, electronics
        5681, kitchen 5945 reviews.
    %(data_home)s
    download_if_missing : bool, default=True
        If no copy is found, download and convert the originals
        (``processed_acl``: the eight ``.review`` files; ``msda5000``: the
        eight svmlight files of Ganin et al., its column names recovered from
        ``processed_acl``; ``400``: the four skada-bench ``.mat`` files).  The
        result is checked against the content digest of skadapt's reference
        file.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray or scipy.sparse.csr_matrix
            Rows of the source, then of the target (float64).  With
            ``include_unlabeled``: labelled source, unlabelled source pool,
            labelled target, unlabelled target pool.
        y : ndarray
            Source labels (1 = positive, 0 = negative); target rows and pool
            rows masked with ``-1``.
        sample_domain : ndarray
            ``1`` for source rows (pool included), ``-1`` for target rows.
        X_source, y_source, X_target, y_target
            The *labelled* reviews of each domain with their labels (the
            target ones are the evaluation set).
        X_source_unlabeled, X_target_unlabeled : matrix or None
            The pool rows added to ``X`` (None when not added).
        y_source_unlabeled, y_target_unlabeled : ndarray or None
            The star-rating labels that the pools carry in the original data;
            never used in ``y``.
        feature_names : ndarray of str or None
            The unigram/bigram of each column (None for ``"400"``).
        class_names : list of str
            ``["negative", "positive"]``.
        domain_names : tuple of str
            ``(source, target)``.
        sizes : tuple of int
            ``(n_source, n_target)``: the labelled reviews of each domain.
        n_unlabeled : tuple of int
            ``(n_source_pool, n_target_pool)``: the pool rows added to ``X``.
        version : str
            The ``version`` argument.
        task : str
            ``"classification"``.
        %(data_file)s

    References
    ----------
    .. [1] Blitzer, Dredze, Pereira, "Biographies, Bollywood, boom-boxes and
       blenders: domain adaptation for sentiment classification", ACL 2007.
    .. [2] Chen, Xu, Weinberger, Sha, "Marginalized denoising autoencoders for
       domain adaptation", ICML 2012.
    .. [3] Ganin et al., "Domain-adversarial training of neural networks",
       JMLR 17, 2016.

    Examples
    --------
    >>> from skadapt.datasets import fetch_amazon_reviews
    >>> data = fetch_amazon_reviews("books", "kitchen")  # doctest: +SKIP
    >>> data.X.shape, data.sizes  # doctest: +SKIP
    ((4000, 5000), (2000, 2000))
    """
    loader = "fetch_amazon_reviews"
    source = _domain_name(source, _DOMAINS, _ALIASES, loader, "source")
    target = _domain_name(target, _DOMAINS, _ALIASES, loader, "target")
    _check_choice(version, tuple(_VERSIONS), loader, "version")
    _check_choice(include_unlabeled, (False, True, "target"), loader, "include_unlabeled")
    if include_unlabeled is not False and version != "msda5000":
        raise ValueError(
            f"{loader}: include_unlabeled={include_unlabeled!r} needs version='msda5000', the "
            f"only version with the unlabelled review pools (got version={version!r})."
        )
    spec = _VERSIONS[version]
    path, status = _fetch_file(spec, data_home, download_if_missing)
    d = _load_npz(path)
    if version == "400":
        X, feature_names = d["X"].astype(np.float64), None
    else:
        X, feature_names = _csr_from(d), _vocabulary(d)
    names = [str(n) for n in d["domain_names"]]
    split = d["split"] if "split" in d else np.zeros(X.shape[0], dtype=np.int8)
    blocks = {}
    for side, name in (("source", source), ("target", target)):
        in_domain = d["domain"] == names.index(name)
        labeled = np.flatnonzero(in_domain & (split == 0))
        blocks[side] = (X[labeled], d["y"][labeled].astype(np.int64))
        pool = None
        if include_unlabeled is True or (include_unlabeled == "target" and side == "target"):
            rows = np.flatnonzero(in_domain & (split == 1))
            pool = (X[rows], d["y"][rows].astype(np.int64))
        blocks[side + "_unlabeled"] = pool
    Xs, ys = blocks["source"]
    Xt, yt = blocks["target"]
    bunch = _domain_bunch(
        Xs,
        ys,
        Xt,
        yt,
        feature_names=feature_names,
        class_names=["negative", "positive"],
        domain_names=(source, target),
        version=version,
        task="classification",
        data_file=f"{spec.name}: {status}",
        DESCR=_load_descr("amazon_reviews.rst"),
    )
    pools = [blocks["source_unlabeled"], blocks["target_unlabeled"]]
    for side, pool in zip(("source", "target"), pools):
        bunch[f"X_{side}_unlabeled"] = None if pool is None else pool[0]
        bunch[f"y_{side}_unlabeled"] = None if pool is None else pool[1]
    bunch.n_unlabeled = tuple(0 if pool is None else pool[0].shape[0] for pool in pools)
    if include_unlabeled is not False:
        blocks_in_order = [Xs, pools[0], Xt, pools[1]]
        stack = [b[0] if isinstance(b, tuple) else b for b in blocks_in_order if b is not None]
        bunch.X = sp.vstack(stack, format="csr")
        n_src = bunch.sizes[0] + bunch.n_unlabeled[0]
        n_tgt = bunch.sizes[1] + bunch.n_unlabeled[1]
        bunch.y = np.concatenate([ys, np.full(n_src + n_tgt - len(ys), -1)])
        bunch.sample_domain = np.r_[np.ones(n_src, dtype=np.int64), -np.ones(n_tgt, dtype=np.int64)]
    return bunch
