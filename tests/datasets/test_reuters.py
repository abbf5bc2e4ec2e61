import dataclasses
import gzip
import hashlib
import io
import json
import tarfile

import numpy as np
import pytest

from skadapt.datasets import _base, _reuters, fetch_reuters_transfer
from skadapt.datasets._reuters import _REUTERS_TARBALL, _parse_sgml

# Dai et al., ICML 2007 (TrAdaBoost), Table 1: |T_d| / |T_s u S|.
TABLE1 = {
    "orgs_vs_people": (1016, 1046),
    "orgs_vs_places": (1079, 1080),
    "people_vs_places": (1239, 1210),
}
# skadapt's Reuters rules (documented in the DESCR), recorded next to Table 1.
REUTERS_SIZES = {
    "orgs_vs_people": (834, 781),
    "orgs_vs_places": (1158, 1118),
    "people_vs_places": (1267, 1232),
}
TABLE1_RULE_SIZES = {
    "orgs_vs_people": (1030, 1031),
    "orgs_vs_places": (1078, 1055),
    "people_vs_places": (1241, 1239),
}

# Verbatim (trailing spaces written \x20): the records NEWID 2 and 3 of reut2-000.sgm
# (Reuters-21578, Distribution 1.0).
SGML_2_3 = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TOPICS></TOPICS>
<PLACES><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>\x20
&#5;&#5;&#5;F Y
&#22;&#22;&#1;f0708&#31;reute
d f BC-STANDARD-OIL-&lt;SRD>-TO   02-26 0082</UNKNOWN>
<TEXT>&#2;
<TITLE>STANDARD OIL &lt;SRD> TO FORM FINANCIAL UNIT</TITLE>
<DATELINE>    CLEVELAND, Feb 26 - </DATELINE><BODY>Standard Oil Co and BP North America
Inc said they plan to form a venture to manage the money market
borrowing and investment activities of both companies.
    BP North America is a subsidiary of British Petroleum Co
Plc &lt;BP>, which also owns a 55 pct interest in Standard Oil.
    The venture will be called BP/Standard Financial Trading
and will be operated by Standard Oil under the oversight of a
joint management committee.

 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5546" NEWID="3">
<DATE>26-FEB-1987 15:03:27.51</DATE>
<TOPICS></TOPICS>
<PLACES><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>\x20
&#5;&#5;&#5;F A
&#22;&#22;&#1;f0714&#31;reute
d f BC-TEXAS-COMMERCE-BANCSH   02-26 0064</UNKNOWN>
<TEXT>&#2;
<TITLE>TEXAS COMMERCE BANCSHARES &lt;TCB> FILES PLAN</TITLE>
<DATELINE>    HOUSTON, Feb 26 - </DATELINE><BODY>Texas Commerce Bancshares Inc's Texas
Commerce Bank-Houston said it filed an application with the
Comptroller of the Currency in an effort to create the largest
banking network in Harris County.
    The bank said the network would link 31 banks having
13.5 billion dlrs in assets and 7.5 billion dlrs in deposits.
      \x20
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
"""

# Written after the collection's DTD (not verbatim): a BRIEF and an UNPROC story.
SGML_BRIEF_UNPROC = """\
<REUTERS TOPICS="YES" LEWISSPLIT="TEST" CGISPLIT="TRAINING-SET" OLDID="7" NEWID="8">
<DATE>1-MAR-1987 01:30:29.50</DATE>
<TOPICS><D>money-supply</D></TOPICS>
<PLACES></PLACES>
<PEOPLE><D>volcker</D></PEOPLE>
<ORGS><D>ec</D><D>imf</D></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>x</UNKNOWN>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>ASSETS ROSE 720.4 MLN DLRS &amp; MORE
</TITLE>
&#3;

</TEXT>
</REUTERS>
<REUTERS TOPICS="BYPASS" LEWISSPLIT="NOT-USED" CGISPLIT="PUBLISHED-TESTSET" OLDID="9" NEWID="10">
<DATE>1-MAR-1987 01:41:26.47</DATE>
<TOPICS></TOPICS>
<PLACES><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>x</UNKNOWN>
<TEXT TYPE="UNPROC">&#2;
FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26
 Net free reserves.............644 vs.....1,337
 Reuter
&#3;</TEXT>
</REUTERS>
"""


@pytest.mark.parametrize("task", sorted(REUTERS_SIZES))
def test_reuters_rule_sizes_and_convention(task, shared_data, check_text_convention):
    data = fetch_reuters_transfer(task)
    assert data.sizes == REUTERS_SIZES[task], f"Table 1 has {TABLE1[task]}"
    check_text_convention(data)
    for label in (0, 1):  # sub-categories never shared between domains
        assert not set(data.source_subcategories[label]) & set(data.target_subcategories[label])
    ns = data.sizes[0]
    for subs, labels, half in (
        (data.subcategories[:ns], data.y_source, data.source_subcategories),
        (data.subcategories[ns:], data.y_target, data.target_subcategories),
    ):
        for s, label in zip(subs, labels):
            assert set(s.split("|")) <= set(half[label])
    assert len(set(data.newid)) == len(data.newid)


def test_reuters_classes_are_exclusive(shared_data):
    data = fetch_reuters_transfer("orgs_vs_people")
    with gzip.open(shared_data / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = {d["newid"]: d for d in map(json.loads, f)}
    labels = np.r_[data.y_source, data.y_target]
    for newid, label in zip(data.newid, labels):
        d = docs[int(newid)]
        assert bool(d["orgs"]) == (label == 1) and bool(d["people"]) == (label == 0)
    with pytest.raises(ValueError, match="fetch_reuters_transfer: `task`"):
        fetch_reuters_transfer("orgs_vs_exchanges")


def _stories(shared_data):
    with gzip.open(shared_data / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as f:
        return {d["newid"]: d for d in map(json.loads, f)}


@pytest.mark.parametrize("task", sorted(TABLE1_RULE_SIZES))
def test_reuters_table1_rule(task, shared_data, check_text_convention):
    """construction="table1": sizes, one row per (story, label), no story on two sides."""
    data = fetch_reuters_transfer(task, construction="table1")
    assert data.sizes == TABLE1_RULE_SIZES[task] and data.construction == "table1"
    check_text_convention(data)
    for ours, paper in zip(data.sizes, TABLE1[task]):  # the documented closeness
        assert abs(ours - paper) / paper < 0.024
    assert abs(sum(data.sizes) - sum(TABLE1[task])) / sum(TABLE1[task]) < 0.013
    ns = data.sizes[0]
    labels = np.r_[data.y_source, data.y_target]
    domains = np.r_[np.zeros(ns, int), np.ones(data.sizes[1], int)]
    # a story repeated in several rows stays in one class and one domain
    sides = {}
    for newid, label, dom in zip(data.newid, labels, domains):
        sides.setdefault(int(newid), set()).add((int(label), int(dom)))
    assert all(len(v) == 1 for v in sides.values())
    assert len(sides) < len(data.newid)  # some stories do fill several rows
    # one row per (story, sub-category), each sub-category of the row's half and class
    pairs = list(zip(data.newid.tolist(), data.subcategories.tolist()))
    assert len(set(pairs)) == len(pairs)
    first, second = task.split("_vs_")
    stories = _stories(shared_data)
    for k, (newid, sub) in enumerate(pairs):
        half = data.source_subcategories if k < ns else data.target_subcategories
        assert sub in half[labels[k]]
        assert sub in stories[newid][first if labels[k] == 1 else second]
    for label in (0, 1):
        assert not set(data.source_subcategories[label]) & set(data.target_subcategories[label])
    # the repeated rows of a story are identical
    rows = np.flatnonzero(data.newid == data.newid[np.argmax(np.diff(data.newid) == 0)])
    assert len(rows) >= 2
    assert (data.X[rows[0]] != data.X[rows[1]]).nnz == 0


def test_reuters_table1_class_rules(shared_data):
    stories = _stories(shared_data)
    # Table 1's orgs vs people (2062 documents) outnumbers the stories with such a label
    assert sum(1 for d in stories.values() if d["orgs"] or d["people"]) == 1886
    data = fetch_reuters_transfer("orgs_vs_people", construction="table1")
    labels = np.r_[data.y_source, data.y_target]
    for newid, label in zip(data.newid, labels):
        n_orgs, n_people = len(stories[int(newid)]["orgs"]), len(stories[int(newid)]["people"])
        expected = 1 if n_orgs > n_people or (n_orgs == n_people and n_orgs) else 0
        assert label == expected
    data = fetch_reuters_transfer("orgs_vs_places", construction="table1")
    for newid, label in zip(data.newid, np.r_[data.y_source, data.y_target]):
        d = stories[int(newid)]
        if label == 0:
            assert len(d["places"]) == 1 and not d["orgs"] and not d["people"]
        else:
            assert d["orgs"]


def test_reuters_constructions_are_deterministic_and_checked(shared_data):
    a = fetch_reuters_transfer("people_vs_places", construction="table1")
    b = fetch_reuters_transfer("people_vs_places", construction="table1")
    np.testing.assert_array_equal(a.newid, b.newid)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.subcategories, b.subcategories)
    assert (a.X != b.X).nnz == 0
    default = fetch_reuters_transfer("people_vs_places")
    assert default.construction == "exclusive"
    assert default.sizes == REUTERS_SIZES["people_vs_places"]
    expected = (
        r"fetch_reuters_transfer: `construction` must be one of "
        r"\['exclusive', 'table1'\], got 'paper'"
    )
    with pytest.raises(ValueError, match=expected):
        fetch_reuters_transfer("people_vs_places", construction="paper")


def test_sgml_parser_reproduces_the_reference_records(shared_data):
    with gzip.open(shared_data / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as f:
        reference = [next(f).rstrip("\n") for _ in range(3)][1:]  # NEWID 2 and 3
    parsed = [json.dumps(d, ensure_ascii=False) for d in _parse_sgml(SGML_2_3)]
    assert parsed == reference


def test_sgml_parser_brief_and_unproc():
    brief, unproc = _parse_sgml(SGML_BRIEF_UNPROC)
    assert brief["text_type"] == "BRIEF" and brief["title"] == "ASSETS ROSE 720.4 MLN DLRS & MORE\n"
    assert brief["dateline"] is None and brief["body"] is None
    assert brief["orgs"] == ["ec", "imf"] and brief["people"] == ["volcker"]
    assert (brief["newid"], brief["oldid"], brief["lewissplit"]) == (8, 7, "TEST")
    assert unproc["text_type"] == "UNPROC" and unproc["title"] is None
    assert unproc["body"] == (
        "\nFEDERAL RESERVE WEEKLY REPORT 1 - FEB 26\n"
        " Net free reserves.............644 vs.....1,337\n Reuter"
    )
    assert unproc["topics_attr"] == "BYPASS" and unproc["cgisplit"] == "PUBLISHED-TESTSET"


def _tarball(sgml):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in (("README.txt", "readme"), ("reut2-000.sgm", sgml)):
            raw = text.encode("latin-1")
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


def test_mocked_download_and_conversion(tmp_path, monkeypatch, fake_web):
    """Archive -> parsed records -> word counts, each checked by its content digest."""
    sgml = SGML_2_3 + SGML_BRIEF_UNPROC
    docs = _parse_sgml(sgml)
    lines = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    docs_spec = dataclasses.replace(
        _reuters._REUTERS_DOCS, content_sha256=hashlib.sha256(lines.encode()).hexdigest()
    )
    texts = [(d["title"] or "") + " " + (d["body"] or "") for d in docs]
    X, vocab = _reuters._count_matrix(texts, 3)
    arrays = _base._csr_arrays(X, vocab)
    arrays["newid"] = np.array([2, 3, 8, 10], dtype=np.int32)
    bow_spec = dataclasses.replace(
        _reuters._REUTERS_BOW, content_sha256=_base._arrays_digest(arrays)
    )
    monkeypatch.setattr(_reuters, "_REUTERS_DOCS", docs_spec)
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    fake_web.pages[_REUTERS_TARBALL.urls[0]] = _tarball(sgml)
    path, status = _base._fetch_file(bow_spec, tmp_path / "home")
    assert status == "content sha256 ok (downloaded)"
    assert fake_web.asked == [_REUTERS_TARBALL.urls[0]]
    assert _base._vocabulary(np.load(path)).tolist() == ["reuter"]  # in >= 3 of the 4 stories
    assert gzip.open(tmp_path / "home" / "reuters21578.jsonl.gz", "rt").read() == lines


def test_download_failures_are_clear(tmp_path, monkeypatch, fake_web):
    monkeypatch.setenv("SKADAPT_DATA", str(tmp_path))
    with pytest.raises(OSError, match="reuters21578.jsonl.gz.*download_if_missing=False"):
        fetch_reuters_transfer(download_if_missing=False)
    with pytest.raises(OSError, match="could not download reuters21578.tar.gz.*mocked"):
        fetch_reuters_transfer()
    # an archive of another version: the parsed records do not match the reference
    fake_web.pages[_REUTERS_TARBALL.urls[0]] = _tarball(SGML_2_3)
    with pytest.raises(OSError, match="conversion of the originals of 'reuters21578.jsonl.gz'"):
        fetch_reuters_transfer()


@pytest.mark.slow
def test_word_counts_reproduce_the_reference_file(shared_data, tmp_path, monkeypatch):
    """The counting of title + body of the reference records gives exactly reuters21578_bow.npz."""
    local = tmp_path / "local"  # holds the records only
    local.mkdir()
    (local / "reuters21578.jsonl.gz").symlink_to(shared_data / "reuters21578.jsonl.gz")
    monkeypatch.setenv("SKADAPT_DATA", str(local))
    path, status = _base._fetch_file(_reuters._REUTERS_BOW, tmp_path / "home")
    assert status in ("sha256 ok (downloaded)", "content sha256 ok (downloaded)")
