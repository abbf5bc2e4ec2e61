import dataclasses
import gzip
import hashlib
import io
import json
import tarfile

import numpy as np
import pytest

from skadapt.datasets import _base, _text, fetch_20newsgroups_transfer
from skadapt.datasets._text import _NG_TARBALL

# REPRODUCTION.md sections 1 and 6: CoCC split on the shipped data (train + test).
COCC_SIZES = {
    "comp_vs_sci": (3933, 4910),
    "rec_vs_talk": (3671, 3561),
    "rec_vs_sci": (3961, 3970),
    "sci_vs_talk": (3377, 3828),
    "comp_vs_rec": (4913, 3957),
    "comp_vs_talk": (4492, 3652),  # with the documented fix
}
# Dai et al., ICML 2007 (TrAdaBoost), Table 1.
TABLE1 = {
    "rec_vs_talk": (3669, 3561),
    "rec_vs_sci": (3961, 3965),
    "sci_vs_talk": (3374, 3828),
}


@pytest.mark.parametrize("task", sorted(COCC_SIZES))
def test_20newsgroups_cocc_sizes_and_convention(task, shared_data, check_text_convention):
    data = fetch_20newsgroups_transfer(task)
    assert data.sizes == COCC_SIZES[task]
    if task in TABLE1:  # within 5 documents of TrAdaBoost's Table 1
        assert all(abs(a - b) <= 5 for a, b in zip(data.sizes, TABLE1[task]))
    check_text_convention(data)
    first, second = task.split("_vs_")
    assert data.class_names == [second, first]
    ns = data.sizes[0]
    src, tgt = set(data.groups[:ns]), set(data.groups[ns:])
    assert not src & tgt  # different newsgroups in each domain
    assert src == set(data.source_groups[0] + data.source_groups[1])
    for groups, labels in ((data.groups[:ns], data.y_source), (data.groups[ns:], data.y_target)):
        assert all(g.startswith(first) for g in groups[labels == 1])
        assert all(g.startswith(second) for g in groups[labels == 0])
    assert data.data_file.startswith("20news_bydate_bow.npz: sha256 ok")


def test_20newsgroups_skada_split_and_subsets(shared_data, check_text_convention):
    skada = fetch_20newsgroups_transfer("sci_vs_talk", split="skada")
    assert skada.sizes == (3660, 3545)
    check_text_convention(skada)
    train = fetch_20newsgroups_transfer("rec_vs_talk", subset="train")
    test = fetch_20newsgroups_transfer("rec_vs_talk", subset="test")
    assert np.add(train.sizes, test.sizes).tolist() == list(COCC_SIZES["rec_vs_talk"])
    with pytest.raises(ValueError, match="`task` must be one of"):
        fetch_20newsgroups_transfer("comp_vs_sci", split="skada")
    with pytest.raises(ValueError, match="`split` must be one of"):
        fetch_20newsgroups_transfer(split="adapt")
    with pytest.raises(ValueError, match="`subset` must be one of"):
        fetch_20newsgroups_transfer(subset="both")


# ---- the 20 Newsgroups download path, with a mocked network ---------------------------

TEXTS = {
    (0, "rec.autos", 12): "Subject: engine\n\nMy car engine and the engine oil, car car",
    (0, "rec.autos", 3): "Subject: car\n\ncar engine oil tires",
    (0, "talk.politics.guns", 7): "Subject: guns\n\nguns law vote engine",
    (1, "rec.sport.baseball", 5): "Subject: game\n\ngame bat car oil engine",
    (1, "talk.politics.mideast", 9): "Subject: peace\n\npeace vote law guns caf\xe9",
    (0, "sci.med", 4): "Subject: doctor\n\ndoctor vote oil",
}


def _fake_tarball():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for (split, group, fid), text in TEXTS.items():
            raw = text.encode("latin-1")
            info = tarfile.TarInfo(
                f"20news-bydate-{'train' if split == 0 else 'test'}/{group}/{fid}"
            )
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


def test_20newsgroups_mocked_download(tmp_path, monkeypatch, fake_web, _isolated_data_home):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    tarball = _fake_tarball()
    fake = dataclasses.replace(_NG_TARBALL, sha256=hashlib.sha256(tarball).hexdigest())
    expected = _text._20news_arrays([k + (v,) for k, v in TEXTS.items()])
    spec = dataclasses.replace(
        _text._NG_BOW, originals=(fake,), content_sha256=_base._arrays_digest(expected)
    )
    monkeypatch.setattr(_text, "_NG_BOW", spec)
    fake_web.pages[_NG_TARBALL.urls[1]] = tarball  # the first mirror is "down"
    data = fetch_20newsgroups_transfer("rec_vs_talk")
    assert fake_web.asked == list(_NG_TARBALL.urls)
    assert data.data_file == "20news_bydate_bow.npz: content sha256 ok (downloaded)"
    assert data.sizes == (3, 2)
    # rows: train then test, groups alphabetically, ids ascending; min_df=3 vocabulary
    assert list(data.feature_names) == ["car", "engine", "oil", "subject", "vote"]
    np.testing.assert_array_equal(data.y_source, [1, 1, 0])
    col = list(data.feature_names).index("engine")
    np.testing.assert_array_equal(data.X_source[:, col].toarray().ravel(), [1, 3, 1])
    assert (_isolated_data_home / "originals" / "20news-bydate.tar.gz").is_file()


def test_20newsgroups_download_checksum_mismatch(monkeypatch, fake_web):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    for url in _NG_TARBALL.urls:
        fake_web.pages[url] = _fake_tarball()
    with pytest.raises(OSError, match="20news-bydate.tar.gz: .*checksum mismatch"):
        fetch_20newsgroups_transfer()


@pytest.mark.slow
def test_20newsgroups_conversion_reproduces_the_reference_file(shared_data):
    """The conversion of the raw messages gives exactly the arrays of 20news_bydate_bow.npz."""
    with gzip.open(shared_data / "20news_bydate.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    records = [
        (0 if d["split"] == "train" else 1, d["category"], d["file_id"], d["text"]) for d in docs
    ]
    arrays = _text._20news_arrays(records[::-1])  # any input order
    assert _base._arrays_digest(arrays) == _text._NG_BOW.content_sha256
