"""The domain convention: merge/split helpers and the fit-time validation."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skadapt.exceptions import NoTargetWarning
from skadapt.utils import source_target_merge, source_target_split
from skadapt.utils._domain import _masked, _split_domains, _stack_rows


def _blocks(draw, n_max=8, d=3):
    n = draw(st.integers(1, n_max))
    X = draw(arrays(np.float64, (n, d), elements=st.floats(-10, 10)))
    y = draw(arrays(np.int64, (n,), elements=st.integers(0, 3)))
    return X, y


@st.composite
def problems(draw):
    n_sources = draw(st.integers(1, 3))
    n_targets = draw(st.integers(1, 2))
    sources = [_blocks(draw) for _ in range(n_sources)]
    targets = [_blocks(draw) for _ in range(n_targets)]
    return sources, targets


@given(problems(), st.booleans())
@settings(max_examples=40, deadline=None)
def test_merge_then_split_is_identity(problem, sparse):
    sources, targets = problem
    conv = sp.csr_matrix if sparse else np.asarray
    Xs = [conv(X) for X, _ in sources]
    ys = [y for _, y in sources]
    Xt = [conv(X) for X, _ in targets]
    yt = [y for _, y in targets]
    X, y, sd = source_target_merge(Xs, ys, Xt, yt, target_labels="keep")
    assert sp.issparse(X) == sparse
    n_s = sum(x.shape[0] for x in Xs)
    assert np.all(sd[:n_s] > 0) and np.all(sd[n_s:] < 0)
    Xs2, ys2, Xt2, yt2 = source_target_split(X, y, sd)
    dense = (lambda a: a.toarray()) if sparse else np.asarray
    np.testing.assert_array_equal(dense(Xs2), np.vstack([dense(x) for x in Xs]))
    np.testing.assert_array_equal(dense(Xt2), np.vstack([dense(x) for x in Xt]))
    np.testing.assert_array_equal(ys2, np.concatenate(ys))
    np.testing.assert_array_equal(yt2, np.concatenate(yt))
    # domain numbers follow the list order, rows keep their order inside each domain
    expected = np.concatenate(
        [np.full(len(y), k + 1) for k, y in enumerate(ys)]
        + [np.full(len(y), -(k + 1)) for k, y in enumerate(yt)]
    )
    np.testing.assert_array_equal(sd, expected)


@given(problems())
@settings(max_examples=30, deadline=None)
def test_masked_target_labels_never_leak(problem):
    sources, targets = problem
    Xs = [X for X, _ in sources]
    ys = [y for _, y in sources]
    Xt = [X for X, _ in targets]
    yt = [y + 100 for _, y in targets]  # recognisable values
    X, y, sd = source_target_merge(Xs, ys, Xt, yt)  # target_labels="mask"
    assert not np.any(y >= 100)
    assert np.all(y[sd < 0] == -1)
    split = _split_domains(y, sd, X.shape[0], estimator="E")
    assert not split.labeled[sd < 0].any()
    np.testing.assert_array_equal(split.source, sd > 0)


def test_merge_regression_masks_with_nan():
    X, y, sd = source_target_merge(np.zeros((2, 1)), np.array([0.5, 1.5]), np.ones((3, 1)))
    assert y.dtype == np.float64
    assert np.isnan(y[2:]).all() and not np.isnan(y[:2]).any()


def test_merge_plain_lists_are_one_domain():
    X, y, sd = source_target_merge([[0, 1], [2, 3]], [0, 1], [[5, 5]])
    assert X.shape == (3, 2)
    np.testing.assert_array_equal(sd, [1, 1, -1])


def test_merge_errors():
    with pytest.raises(ValueError, match="source_target_merge.*target_labels"):
        source_target_merge(np.zeros((2, 1)), [0, 1], np.zeros((1, 1)), target_labels="x")
    with pytest.raises(ValueError, match="rows but its labels"):
        source_target_merge(np.zeros((2, 1)), [0, 1, 1], np.zeros((1, 1)))
    with pytest.raises(ValueError, match="-1, which is the mask"):
        source_target_merge(np.zeros((2, 1)), [-1, 1], np.zeros((1, 1)))
    with pytest.raises(TypeError, match="LabelEncoder"):
        source_target_merge(np.zeros((2, 1)), ["a", "b"], np.zeros((1, 1)))


def test_split_without_sample_domain_uses_mask():
    X = np.arange(5.0)[:, None]
    y = np.array([0, -1, 1, -1, 0])
    Xs, ys, Xt, yt = source_target_split(X, y)
    np.testing.assert_array_equal(Xs.ravel(), [0, 2, 4])
    np.testing.assert_array_equal(Xt.ravel(), [1, 3])


def test_masked_rules():
    np.testing.assert_array_equal(_masked(np.array([0, -1, 2])), [False, True, False])
    np.testing.assert_array_equal(_masked(np.array([0.5, np.nan, -1.0])), [False, True, False])
    np.testing.assert_array_equal(_masked(np.array([0.0, np.nan, -1.0])), [False, True, True])
    np.testing.assert_array_equal(
        _masked(np.array([0.0, np.nan, -1.0]), "regression"), [False, True, False]
    )
    np.testing.assert_array_equal(_masked(np.array([3, -1]), "regression"), [False, False])


@pytest.mark.parametrize(
    "sample_domain, message",
    [
        (np.array([1, 1, -1]), "shape"),
        (np.array([1, 0, -1, -1]), "contains 0"),
        (np.array([1, 1, 2, 2]), "no target row"),
        (np.array([1.5, 1, -1, -1]), "integers"),
        (np.array(["a", "b", "c", "d"]), "integers"),
    ],
)
def test_split_domains_errors(sample_domain, message):
    y = np.array([0, 1, -1, -1])
    with pytest.raises(ValueError, match=f"MyEstimator.*{message}"):
        _split_domains(y, sample_domain, 4, estimator="MyEstimator")


def test_split_domains_label_errors():
    with pytest.raises(ValueError, match="E: `y` has shape"):
        _split_domains(np.zeros(3), None, 4, estimator="E")
    with pytest.raises(ValueError, match="E: no labeled source row"):
        _split_domains(np.array([-1, -1, 0, 1]), np.array([1, 1, -1, -1]), 4, estimator="E")
    with pytest.raises(ValueError, match="E: the labeled source rows hold only one class"):
        _split_domains(
            np.array([1, 1, -1, -1]), None, 4, estimator="E", require_classes=True
        )


def test_no_target_warning_once_and_all_rows_both_domains():
    y = np.array([0, 1, 0, 1])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        split = _split_domains(y, None, 4, estimator="E")
    assert [w.category for w in record] == [NoTargetWarning]
    assert "E: no target rows" in str(record[0].message)
    assert split.no_target and split.source.all() and split.target.all()
    np.testing.assert_array_equal(split.labeled_target, [True] * 4)


def test_sample_domain_with_labeled_target_rows():
    y = np.array([0, 1, 1, -1])
    split = _split_domains(y, [1, 1, -1, -1], 4, estimator="E")
    np.testing.assert_array_equal(split.labeled_target, [False, False, True, False])
    np.testing.assert_array_equal(split.labeled_source, [True, True, False, False])
    assert not split.no_target


# ---------------------------------------------------------------- issue 12: the -1 mask rule


@pytest.mark.parametrize(
    "y, expected",
    [
        (np.array([0, 1, -1]), [False, False, True]),  # integers
        (np.array([0.0, 1.0, -1.0, np.nan]), [False, False, True, True]),  # whole floats
        (np.array([0.5, 1.5, -1.0, np.nan]), [False, False, False, True]),  # regression floats
        (np.array(["a", "b", "-1"]), [False, False, True]),  # strings
        (np.array(["a", None, "-1", -1], dtype=object), [False, True, True, True]),  # objects
    ],
)
def test_one_mask_rule_for_int_float_and_string_labels(y, expected):
    np.testing.assert_array_equal(_masked(y), expected)


def test_string_minus_one_is_masked_by_every_estimator():
    """'-1' is unlabeled for KMM and TCA alike (TCA used to learn it as a third class)."""
    from sklearn.linear_model import LogisticRegression

    from skadapt import KMM, TCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = np.where(X[:, 0] > 0, "pos", "neg").astype(object)
    y[40:] = "-1"
    for model in (KMM(LogisticRegression(), gamma=0.5), TCA(LogisticRegression(), n_components=2)):
        model.fit(X, y)
        assert set(model.classes_) == {"neg", "pos"}
        assert "-1" not in set(model.predict(X[40:]))


@pytest.mark.parametrize("name", ["KMM", "TCA", "TrAdaBoostClassifier", "LabeledOnly"])
def test_masking_that_leaves_one_class_names_estimator_mask_and_fix(name):
    import skadapt
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] > 0, 1, -1)  # classes {-1, +1}: -1 is the mask
    model = getattr(skadapt, name)(LogisticRegression())
    with pytest.raises(ValueError, match=rf"{name}: .*one class \(\[1\]\).*-1 is skadapt's mask.*re-encode"):
        model.fit(X, y)


def test_source_rows_labeled_minus_one_warn_with_their_count():
    from sklearn.linear_model import LogisticRegression

    from skadapt import KMM, LabeledOnly, TrAdaBoostClassifier
    from skadapt.exceptions import MaskedLabelWarning

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = rng.integers(0, 2, size=60)
    y[:7] = -1  # a class -1 in the source: sample_domain says these rows are source
    y[45:50] = 1 - (X[45:50, 0] > 0)
    sd = np.r_[np.ones(45, int), -np.ones(15, int)]
    with pytest.warns(MaskedLabelWarning, match=r"LabeledOnly: 7 rows marked as source .* labeled -1"):
        LabeledOnly(LogisticRegression()).fit(X, y, sample_domain=sd)
    with pytest.warns(MaskedLabelWarning, match=r"TrAdaBoostClassifier: 7 rows"):
        TrAdaBoostClassifier(LogisticRegression(), n_estimators=2).fit(X, y, sample_domain=sd)
    with warnings.catch_warnings():  # KMM weighs unlabeled source rows too: no warning
        warnings.simplefilter("error", MaskedLabelWarning)
        KMM(LogisticRegression(), gamma=0.5).fit(X, y, sample_domain=sd)


def test_stack_rows_keeps_or_converts_the_container():
    """One row-stacking helper: each caller's container and dtype, row order kept."""
    A = np.arange(6, dtype=np.float32).reshape(2, 3)
    B = np.ones((1, 3), dtype=np.float32)
    dense = _stack_rows(A, B)
    assert type(dense) is np.ndarray and dense.dtype == np.float32
    np.testing.assert_array_equal(dense, np.r_[A, B])
    # sparse: scipy's class is kept (a sparse array stays one) ...
    for kind in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        out = _stack_rows(kind(A), kind(B))
        assert out.format == "csr" and out.dtype == np.float32
        assert sp.isspmatrix(out) == sp.isspmatrix(kind(A))
        np.testing.assert_array_equal(out.toarray(), dense)
    # ... unless convert: then a csr_matrix, even from a sparse array or a dense block
    for blocks in ((sp.csr_array(A), sp.csr_array(B)), (sp.csr_matrix(A), B)):
        out = _stack_rows(*blocks, convert=True)
        assert sp.isspmatrix_csr(out) and out.dtype == np.float32
        np.testing.assert_array_equal(out.toarray(), dense)
    # convert: array-likes become one ndarray
    out = _stack_rows(A.tolist(), B, convert=True)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, dense)
    # frames: DataFrames and lists keep their container
    pd = pytest.importorskip("pandas")
    df = _stack_rows(pd.DataFrame(A), pd.DataFrame(B), convert=True, frames=True)
    assert isinstance(df, pd.DataFrame) and list(df.index) == [0, 1, 2]
    np.testing.assert_array_equal(df.to_numpy(), dense)
    assert _stack_rows(["a", "b"], ["c"], frames=True) == ["a", "b", "c"]
    out = _stack_rows(pd.DataFrame(A), pd.DataFrame(B), convert=True)
    assert type(out) is np.ndarray


def test_stack_rows_dask_stays_lazy_unless_converted():
    da = pytest.importorskip("dask.array")
    A = da.from_array(np.arange(6.0).reshape(2, 3), chunks=1)
    lazy = _stack_rows(A, A)
    assert type(lazy).__module__.startswith("dask")
    assert type(_stack_rows(A, A, convert=True)) is np.ndarray
    np.testing.assert_array_equal(lazy.compute(), _stack_rows(A, A, convert=True))
