"""The base classes and LabeledOnly."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skadapt import LabeledOnly
from skadapt.base import BaseAdapter, BaseWeighter
from skadapt.exceptions import NoTargetWarning
from skadapt.utils import source_target_merge


def _data(seed=0):
    rng = np.random.default_rng(seed)
    Xs = rng.normal(size=(40, 3))
    ys = (Xs[:, 0] > 0).astype(int)
    Xt = rng.normal(size=(30, 3)) + 1.0
    return source_target_merge(Xs, ys, Xt)


def test_labeled_only_drops_masked_rows():
    X, y, sd = _data()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    ref = LogisticRegression().fit(X[y != -1], y[y != -1])
    np.testing.assert_allclose(model.decision_function(X), ref.decision_function(X))
    assert model.n_features_in_ == 3
    np.testing.assert_array_equal(model.classes_, [0, 1])


def test_labeled_only_regression_nan_mask_and_fit_params():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = X @ [1.0, -2.0]
    y[::4] = np.nan
    w = rng.uniform(0.5, 1.5, size=20)
    model = LabeledOnly(LinearRegression()).fit(X, y, sample_weight=w)
    keep = ~np.isnan(y)
    ref = LinearRegression().fit(X[keep], y[keep], sample_weight=w[keep])
    np.testing.assert_allclose(model.predict(X), ref.predict(X))


def test_labeled_only_all_masked_is_an_error():
    with pytest.raises(ValueError, match="LabeledOnly: every label"):
        LabeledOnly(LogisticRegression()).fit(np.zeros((3, 1)), [-1, -1, -1])


def test_labeled_only_accepts_text_and_sparse():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = ["good great", "bad awful", "great fine", "awful poor", "unknown text"]
    y = np.array([1, 0, 1, 0, -1])
    pipe = make_pipeline(CountVectorizer(), LabeledOnly(LogisticRegression()))
    pipe.fit(texts, y)
    assert pipe.predict(["great"])[0] == 1
    X = sp.random(10, 5, density=0.5, format="coo", random_state=0)
    model = LabeledOnly(KNeighborsClassifier(1)).fit(X, np.r_[[0, 1] * 4, [-1, -1]])
    assert model.predict(X.tocsr()).shape == (10,)


def test_labeled_only_in_grid_search_with_and_without_routing():
    X, y, sd = _data()
    grid = {"labeledonly__estimator__C": [0.1, 1.0]}
    pipe = make_pipeline(StandardScaler(), LabeledOnly(LogisticRegression()))
    Xl, yl = X[y != -1], y[y != -1]
    GridSearchCV(pipe, grid, cv=3).fit(Xl, yl)
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler(), LabeledOnly(LogisticRegression()))
        res = cross_validate(pipe, Xl, yl, cv=3, params={"sample_domain": np.ones_like(yl)})
    assert res["test_score"].shape == (3,)


class _MeanShiftWeighter(BaseWeighter):
    """A tiny concrete weighter for testing the base: weight 2 for rows closer to the target mean."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def _fit_weights(self, X_source, X_target, random_state):
        mu = X_target.mean(axis=0)
        d = np.linalg.norm(X_source - mu, axis=1)
        return np.where(d < np.median(d), 2.0, 1.0)


class _CenteringAdapter(BaseAdapter):
    """A tiny concrete adapter for testing the base: centre each domain's rows on the source mean."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def _fit(self, X, y, split, random_state):
        self.shift_ = X[split.target].mean(axis=0) - X[split.source].mean(axis=0)
        return None

    def _transform(self, X):
        return X - self.shift_

    @property
    def _n_features_out(self):
        return self.shift_.shape[0]


def test_weighter_base_weights_and_estimator():
    X, y, sd = _data()
    w = _MeanShiftWeighter(LogisticRegression()).fit(X, y)
    assert np.all(w.weights_[sd < 0] == 0)
    assert set(np.unique(w.weights_[sd > 0])) == {1.0, 2.0}
    ref = LogisticRegression().fit(X[sd > 0], y[sd > 0], sample_weight=w.weights_[sd > 0])
    np.testing.assert_allclose(w.predict_proba(X), ref.predict_proba(X))
    assert not hasattr(_MeanShiftWeighter(), "predict")


def test_weighter_rejects_estimator_without_sample_weight():
    X, y, sd = _data()
    with pytest.raises(TypeError, match="_MeanShiftWeighter.*KNeighborsClassifier.*sample_weight"):
        _MeanShiftWeighter(KNeighborsClassifier()).fit(X, y)


def test_no_target_warning_from_plain_fit():
    X, y, sd = _data()
    keep = y != -1
    with pytest.warns(NoTargetWarning, match="_MeanShiftWeighter"):
        _MeanShiftWeighter().fit(X[keep], y[keep])


def test_adapter_base_transform_and_predict():
    X, y, sd = _data()
    a = _CenteringAdapter(LogisticRegression()).fit(X, y)
    Z = a.transform(X)
    np.testing.assert_allclose(Z, X - a.shift_)
    np.testing.assert_allclose(a.fit_transform(X, y), Z)
    assert list(a.get_feature_names_out()) == [f"_centeringadapter{i}" for i in range(3)]
    with pytest.raises(ValueError, match="features"):
        a.transform(X[:, :2])
    ref = LogisticRegression().fit(Z[y != -1], y[y != -1])
    np.testing.assert_array_equal(a.predict(X), ref.predict(Z))


def test_sparse_input_rejected_with_clear_error():
    X, y, sd = _data()
    with pytest.raises(TypeError, match="_CenteringAdapter does not support sparse input"):
        _CenteringAdapter().fit(sp.csr_matrix(X), y)


def test_nan_in_X_is_an_error():
    X, y, sd = _data()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _MeanShiftWeighter().fit(X, y)


def test_column_y_warns_and_is_raveled():
    from sklearn.exceptions import DataConversionWarning

    X, y, sd = _data()
    with pytest.warns(DataConversionWarning):
        w = _MeanShiftWeighter(LogisticRegression()).fit(X, y[:, None])
    assert w.weights_.shape == (X.shape[0],)


# ---------------------------------------------------------------- issue 12: LabeledOnly


def test_labeled_only_inf_in_an_unlabeled_row_is_an_error():
    X, y, sd = _data()
    X[-1, 0] = np.inf  # an unlabeled (target) row
    with pytest.raises(ValueError, match="LabeledOnly: `X` contains inf"):
        LabeledOnly(LogisticRegression()).fit(X, y)
    X[-1, 0] = np.nan
    with pytest.raises(ValueError, match="LabeledOnly: `X` contains NaN"):
        LabeledOnly(LogisticRegression()).fit(X, y)


def test_labeled_only_feature_names_in():
    pd = pytest.importorskip("pandas")
    X, y, sd = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = LabeledOnly(LogisticRegression()).fit(frame, y)
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    assert not hasattr(LabeledOnly(LogisticRegression()).fit(X, y), "feature_names_in_")


def test_empty_X_is_reported_as_empty():
    with pytest.raises(ValueError, match="LabeledOnly: `X` is empty"):
        LabeledOnly(LogisticRegression()).fit(np.empty((0, 3)), np.empty(0, dtype=int))
