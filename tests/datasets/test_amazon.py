import gzip

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.io import savemat

from skadapt.datasets import _base, fetch_amazon_reviews
from skadapt.datasets._amazon import _KINGDOM, _REVIEWS, _SKADA_BENCH

POOLS = {"books": 4465, "dvd": 3586, "electronics": 5681, "kitchen": 5945}  # data README 1c
V400 = {  # data README 1d: (n, positives)
    "books": (2000, 1000),
    "dvd": (1999, 999),
    "electronics": (1998, 998),
    "kitchen": (1999, 999),
}


def _convention(data, ns, nt):
    assert data.X.shape[0] == ns + nt
    np.testing.assert_array_equal(data.sample_domain, np.r_[np.ones(ns), -np.ones(nt)])
    assert np.all(data.y[data.sample_domain < 0] == -1)


@pytest.mark.parametrize("version", ["msda5000", "processed_acl"])
def test_sparse_versions(version, shared_data):
    data = fetch_amazon_reviews("B", "kitchen", version=version)
    _convention(data, 2000, 2000)
    assert sp.issparse(data.X) and data.X.format == "csr" and data.X.dtype == np.float64
    assert (
        data.X.shape[1]
        == len(data.feature_names)
        == {"msda5000": 5000, "processed_acl": 473856}[version]
    )
    np.testing.assert_array_equal(data.y[:2000], data.y_source)
    for y in (data.y_source, data.y_target):
        np.testing.assert_array_equal(np.bincount(y), [1000, 1000])
    assert data.domain_names == ("books", "kitchen") and data.class_names[1] == "positive"
    assert (
        data.X_source_unlabeled is None
        and data.n_unlabeled == (0, 0)
        and data.sizes == (2000, 2000)
    )
    assert {"great", "waste"} <= set(data.feature_names)


def test_same_reviews_in_both_sparse_versions(shared_data):
    """msda5000's labelled rows are processed_acl reviews projected on its vocabulary."""
    msda = fetch_amazon_reviews("dvd", "books", version="msda5000")
    full = fetch_amazon_reviews("dvd", "books", version="processed_acl")
    column = {w: j for j, w in enumerate(full.feature_names)}
    projected = full.X_target[:, [column[w] for w in msda.feature_names]]

    def rows(X, y):
        return sorted((tuple(r.indices), tuple(r.data), int(label)) for r, label in zip(X, y))

    Xp = sp.csr_matrix(projected)
    Xp.sort_indices()
    Xm = msda.X_target.copy()
    Xm.sort_indices()
    assert rows(Xp, full.y_target) == rows(Xm, msda.y_target)


def test_unlabeled_pools(shared_data):
    both = fetch_amazon_reviews("dvd", "electronics", include_unlabeled=True)
    ns, nt = 2000 + POOLS["dvd"], 2000 + POOLS["electronics"]
    _convention(both, ns, nt)
    assert both.sizes == (2000, 2000)
    assert both.n_unlabeled == (POOLS["dvd"], POOLS["electronics"])
    assert np.all(both.y[:2000] >= 0) and np.all(both.y[2000:] == -1)
    assert (both.X[2000:ns] != both.X_source_unlabeled).nnz == 0
    assert (both.X[ns : ns + 2000] != both.X_target).nnz == 0
    assert both.y_target_unlabeled.shape == (POOLS["electronics"],)
    target_only = fetch_amazon_reviews("dvd", "electronics", include_unlabeled="target")
    _convention(target_only, 2000, nt)
    assert target_only.X_source_unlabeled is None
    with pytest.raises(ValueError, match="needs version='msda5000'"):
        fetch_amazon_reviews("dvd", "books", version="400", include_unlabeled=True)
    with pytest.raises(ValueError, match="`include_unlabeled` must be one of"):
        fetch_amazon_reviews("dvd", "books", include_unlabeled="source")


@pytest.mark.parametrize("source,target", [("books", "dvd"), ("electronics", "kitchen")])
def test_version_400(source, target, shared_data):
    data = fetch_amazon_reviews(source, target, version="400")
    (ns, ps), (nt, pt) = V400[source], V400[target]
    _convention(data, ns, nt)
    assert isinstance(data.X, np.ndarray) and data.X.shape[1] == 400
    assert data.y_source.sum() == ps and data.y_target.sum() == pt
    assert data.feature_names is None and data.X.min() >= 0 and data.X.max() <= 1


def test_bad_domain():
    with pytest.raises(ValueError, match="fetch_amazon_reviews: `source` must be one of"):
        fetch_amazon_reviews("music", "books")
    with pytest.raises(ValueError, match="`version` must be one of"):
        fetch_amazon_reviews("books", "dvd", version="5000")


def test_msda5000_missing_is_rebuilt_or_says_why(tmp_path, monkeypatch, fake_web):
    monkeypatch.setenv("SKADAPT_DATA", str(tmp_path))
    with pytest.raises(OSError, match="mdsd_msda5000.npz.*download_if_missing=False"):
        fetch_amazon_reviews("books", "dvd", download_if_missing=False)
    assert fake_web.asked == []
    with pytest.raises(OSError, match="could not download books_train.svmlight.*mocked"):
        fetch_amazon_reviews("books", "dvd")


def test_corrupted_copy_raises(tmp_path, monkeypatch):
    (tmp_path / "mdsd_400.npz").write_bytes(b"not an npz")
    monkeypatch.setenv("SKADAPT_DATA", str(tmp_path))
    with pytest.raises(OSError, match="checksum mismatch for .*mdsd_400.npz"):
        fetch_amazon_reviews("books", "dvd", version="400")


def test_mocked_download_of_a_review_file(shared_data, monkeypatch, fake_web):
    raw = gzip.open(shared_data / _REVIEWS["kitchen", "negative"].name).read()
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    fake_web.pages[_KINGDOM + "kitchen/negative.review"] = raw
    path, status = _base._fetch_file(_REVIEWS["kitchen", "negative"])
    assert status in ("sha256 ok (downloaded)", "content sha256 ok (downloaded)")
    assert gzip.open(path).read() == raw
    # a changed original is refused before any conversion
    fake_web.pages[_KINGDOM + "kitchen/positive.review"] = raw
    with pytest.raises(OSError, match="kitchen_positive.review: .*checksum mismatch"):
        _base._fetch_file(_REVIEWS["kitchen", "positive"])


def test_mocked_download_of_version_400(shared_data, tmp_path, monkeypatch, fake_web):
    d = np.load(shared_data / "mdsd_400.npz")
    for k, stem in enumerate(("books", "dvd", "elec", "kitchen")):
        rows = d["domain"] == k
        savemat(tmp_path / "m.mat", {"fts": d["X"][rows], "labels": d["y"][rows, None] * 1.0})
        fake_web.pages[_SKADA_BENCH + f"{stem}_400.mat"] = (tmp_path / "m.mat").read_bytes()
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    data = fetch_amazon_reviews("books", "dvd", version="400")
    assert data.data_file == "mdsd_400.npz: content sha256 ok (downloaded)"
    assert data.y_target.sum() == 999


@pytest.mark.slow
def test_mocked_rebuild_of_processed_acl(shared_data, monkeypatch, fake_web):
    """The eight .review files, converted, give exactly mdsd_processed_acl_bow.npz."""
    for (domain, polarity), spec in _REVIEWS.items():
        fake_web.pages[_KINGDOM + f"{domain}/{polarity}.review"] = gzip.open(
            shared_data / spec.name
        ).read()
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    data = fetch_amazon_reviews("books", "dvd", version="processed_acl")
    assert data.data_file == "mdsd_processed_acl_bow.npz: content sha256 ok (downloaded)"
    assert len(fake_web.asked) == 8


def _tiny_full(vocab, X):
    X = sp.csr_matrix(X)
    return {
        "data": X.data,
        "indices": X.indices,
        "indptr": X.indptr,
        "shape": np.array(X.shape),
        "y": np.tile([1, 0], 4).astype(np.int8),
        "domain": np.repeat(np.arange(4), 2).astype(np.int8),
        "vocab_utf8": np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
    }


def test_vocabulary_recovery_resolves_unigram_bigram_pairs():
    from skadapt.datasets._amazon import _recover_vocabulary

    rng = np.random.default_rng(0)
    counts = rng.integers(0, 3, size=(8, 3))
    counts[:, 1] = counts[:, 0]  # "a" and "a_b": same statistics on the labelled reviews
    full = _tiny_full(["a", "a_b", "c"], counts)
    order = [2, 1, 0]  # the mSDA columns: c, a_b, a
    labeled = sp.csr_matrix(counts[:, order])
    y, domain = full["y"], full["domain"]
    pool = sp.csr_matrix(np.array([[1, 1, 3], [0, 2, 2], [4, 0, 5]]))  # a >= a_b everywhere
    assert _recover_vocabulary(labeled, y, domain, pool, full) == ["c", "a_b", "a"]
    undecided = sp.csr_matrix(np.array([[1, 2, 1], [0, 0, 2]]))
    with pytest.raises(OSError, match="cannot tell mSDA columns"):
        _recover_vocabulary(labeled, y, domain, undecided, full)
    with pytest.raises(OSError, match="matches no processed_acl token"):
        _recover_vocabulary(sp.csr_matrix(counts[:, order] + 1), y, domain, pool, full)


@pytest.mark.slow
def test_mocked_rebuild_of_msda5000(shared_data, tmp_path, monkeypatch, fake_web):
    """svmlight files like Ganin et al.'s + processed_acl give exactly mdsd_msda5000.npz."""
    from sklearn.datasets import dump_svmlight_file

    from skadapt.datasets._amazon import _GRAAL

    d = np.load(shared_data / "mdsd_msda5000.npz")
    X = sp.csr_matrix((d["data"], d["indices"], d["indptr"]), shape=tuple(d["shape"]))
    for k, name in enumerate(("books", "dvd", "electronics", "kitchen")):
        for s, part in enumerate(("train", "test")):
            rows = (d["domain"] == k) & (d["split"] == s)
            path = tmp_path / f"{name}_{part}.svmlight"
            labels = np.where(d["y"][rows] == 1, 1, -1)
            dump_svmlight_file(X[rows].astype(np.float64), labels, str(path), zero_based=True)
            fake_web.pages[_GRAAL + path.name] = path.read_bytes()
    local = tmp_path / "local"  # holds processed_acl only
    local.mkdir()
    (local / "mdsd_processed_acl_bow.npz").symlink_to(shared_data / "mdsd_processed_acl_bow.npz")
    monkeypatch.setenv("SKADAPT_DATA", str(local))
    data = fetch_amazon_reviews("books", "dvd", version="msda5000", include_unlabeled=True)
    assert data.data_file == "mdsd_msda5000.npz: content sha256 ok (downloaded)"
    assert data.n_unlabeled == (POOLS["books"], POOLS["dvd"])
