"""Tests of the domain-adaptation scorers."""

import numpy as np
import scipy.sparse as sp
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer, mean_squared_error
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.svm import SVC

import skadapt.metrics as metrics_module
from skadapt import LabeledOnly
from skadapt.base import BaseWeighter
from skadapt.metrics import (
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    TargetAccuracyScorer,
)
from skadapt.model_selection import SourceTargetShuffleSplit
from skadapt.utils import source_target_merge


def _shifted(seed=0, n_source=80, n_target=60):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(0.0, 1.0, size=(n_source, 2))
    ys = (Xs[:, 0] + 0.3 * Xs[:, 1] ** 2 > 0.5).astype(int)
    Xt = rng.normal([1.0, 0.5], 0.6, size=(n_target, 2))
    yt = (Xt[:, 0] + 0.3 * Xt[:, 1] ** 2 > 0.5).astype(int)
    X, y, sd = source_target_merge(Xs, ys, Xt)
    return X, y, sd, yt


def _linear_ratio(X_source, X_target):
    """A toy ratio: larger for source rows nearer the target mean."""
    d = np.sum((X_source - X_target.mean(axis=0)) ** 2, axis=1)
    return np.exp(-0.5 * d)


class _CountingRatio:
    def __init__(self):
        self.calls = 0

    def __call__(self, X_source, X_target):
        self.calls += 1
        return np.ones(X_source.shape[0])


class _GaussianWeighter(BaseWeighter):
    """A weighter with a fixed Gaussian ratio around the target mean (test double)."""

    def __init__(self, estimator=None, *, width=1.0):
        self.estimator = estimator
        self.width = width

    def _fit_weights(self, X_source, X_target, random_state):
        d = np.sum((X_source - X_target.mean(axis=0)) ** 2, axis=1)
        return np.exp(-d / (2 * self.width**2))


def test_all_is_exported():
    for name in metrics_module.__all__:
        assert hasattr(metrics_module, name)


def test_iwcv_uniform_ratio_is_plain_source_accuracy():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    score = ImportanceWeightedScorer(density_ratio=lambda Xs, Xt: np.ones(len(Xs)))(model, X, y)
    source = sd > 0
    assert score == pytest.approx(accuracy_score(y[source], model.predict(X[source])))


@pytest.mark.parametrize("routed", [False, True])
def test_iwcv_weights_the_metric_by_the_ratio(routed):
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression(C=0.1)).fit(X, y)
    kwargs = {"sample_domain": sd} if routed else {}
    score = ImportanceWeightedScorer(density_ratio=_linear_ratio)(model, X, y, **kwargs)
    w = _linear_ratio(X[sd > 0], X[sd < 0])
    expected = accuracy_score(y[sd > 0], model.predict(X[sd > 0]), sample_weight=w)
    assert score == pytest.approx(expected)


def test_iwcv_with_a_weighter_and_a_custom_metric():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    scorer = ImportanceWeightedScorer("neg_log_loss", density_ratio=_GaussianWeighter(width=0.8))
    w = _GaussianWeighter(width=0.8)._fit_weights(X[sd > 0], X[sd < 0], None)
    from sklearn.metrics import log_loss

    expected = -log_loss(y[sd > 0], model.predict_proba(X[sd > 0]), sample_weight=w)
    assert scorer(model, X, y) == pytest.approx(expected)


def test_iwcv_regression_default_is_weighted_squared_error():
    rng = np.random.RandomState(0)
    Xs = rng.uniform(-1, 1, (50, 1))
    ys = np.sinc(Xs[:, 0]) + 0.1 * rng.normal(size=50)
    Xt = rng.normal(0.5, 0.3, (40, 1))
    X, y, sd = source_target_merge(Xs, ys, Xt)
    assert np.isnan(y[sd < 0]).all()
    model = LabeledOnly(Ridge()).fit(X, y)
    score = ImportanceWeightedScorer(density_ratio=_linear_ratio)(model, X, y)
    w = _linear_ratio(Xs, Xt)
    assert score == pytest.approx(-mean_squared_error(ys, model.predict(Xs), sample_weight=w))


def test_iwcv_default_density_ratio_is_ulsif():
    X, y, sd, _ = _shifted(n_source=60, n_target=40)
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    score = ImportanceWeightedScorer()(model, X, y)
    assert 0.0 <= score <= 1.0


def test_iwcv_fits_one_ratio_per_fold():
    X, y, sd, _ = _shifted()
    ratio = _CountingRatio()
    search = GridSearchCV(
        LabeledOnly(LogisticRegression()),
        {"estimator__C": [0.01, 0.1, 1.0, 10.0]},
        cv=SourceTargetShuffleSplit(n_splits=3, random_state=0),
        scoring=ImportanceWeightedScorer(density_ratio=ratio),
    )
    search.fit(X, y, groups=sd)
    assert ratio.calls == 3


def test_iwcv_errors():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    source = sd > 0
    with pytest.raises(ValueError, match="ImportanceWeightedScorer: the validation fold has no target"):
        ImportanceWeightedScorer(density_ratio=_linear_ratio)(model, X[source], y[source])
    with pytest.raises(ValueError, match="weights of shape"):
        ImportanceWeightedScorer(density_ratio=lambda a, b: np.ones(3))(model, X, y)
    with pytest.raises(ValueError, match="non-negative"):
        ImportanceWeightedScorer(density_ratio=lambda a, b: -np.ones(len(a)))(model, X, y)
    with pytest.raises(TypeError, match="`density_ratio` must be"):
        ImportanceWeightedScorer(density_ratio=3)(model, X, y)
    with pytest.raises(TypeError, match="`scoring` must be"):
        ImportanceWeightedScorer(scoring=3, density_ratio=_linear_ratio)(model, X, y)
    with pytest.raises(ValueError, match="no labeled source row"):
        target = sd < 0
        ImportanceWeightedScorer(density_ratio=_linear_ratio)(
            model, X[target], y[target], sample_domain=np.r_[1, sd[target][1:]]
        )


def test_reverse_validation():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    score = ReverseValidationScorer()(model, X, y)
    # by hand: reverse model fitted on the pseudo-labeled target rows
    pseudo = model.predict(X[sd < 0])
    reverse = LogisticRegression().fit(X[sd < 0], pseudo)
    assert score == pytest.approx(accuracy_score(y[sd > 0], reverse.predict(X[sd > 0])))
    explicit = ReverseValidationScorer("balanced_accuracy", reverse_estimator=LabeledOnly(SVC()))
    assert 0.0 <= explicit(model, X, y) <= 1.0


def test_reverse_validation_one_predicted_class_and_regression():
    class _Constant(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.array([0, 1])
            return self

        def predict(self, X):
            return np.ones(X.shape[0], dtype=int)

    X, y, sd, _ = _shifted()
    score = ReverseValidationScorer()(_Constant().fit(X, y), X, y)
    assert score == pytest.approx(np.mean(y[sd > 0] == 1))

    rng = np.random.RandomState(0)
    Xs, Xt = rng.uniform(-1, 1, (40, 1)), rng.uniform(0, 1, (30, 1))
    X, y, sd = source_target_merge(Xs, 2 * Xs[:, 0], Xt)
    model = LabeledOnly(Ridge(alpha=1e-6)).fit(X, y)
    assert ReverseValidationScorer()(model, X, y) == pytest.approx(0.0, abs=1e-6)


def test_prediction_entropy():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    proba = model.predict_proba(X[sd < 0])
    expected = np.mean(np.sum(proba * np.log(proba), axis=1))
    assert PredictionEntropyScorer()(model, X, y) == pytest.approx(expected)
    sharper = LabeledOnly(LogisticRegression(C=100.0)).fit(X, y)
    flatter = LabeledOnly(LogisticRegression(C=1e-4)).fit(X, y)
    assert PredictionEntropyScorer()(sharper, X, y) > PredictionEntropyScorer()(flatter, X, y)
    with pytest.raises(TypeError, match="PredictionEntropyScorer: .* has no predict_proba"):
        PredictionEntropyScorer()(LabeledOnly(SVC()).fit(X, y), X, y)
    with pytest.raises(ValueError, match="`eps`"):
        PredictionEntropyScorer(eps=2.0)(model, X, y)


def test_target_accuracy():
    X, y, sd, yt = _shifted()
    y_semi = y.copy()
    labeled_target = np.flatnonzero(sd < 0)[:10]
    y_semi[labeled_target] = yt[:10]
    model = LabeledOnly(LogisticRegression()).fit(X[sd > 0], y[sd > 0])
    score = TargetAccuracyScorer()(model, X, y_semi, sample_domain=sd)
    assert score == pytest.approx(accuracy_score(yt[:10], model.predict(X[labeled_target])))
    f1 = TargetAccuracyScorer(make_scorer(accuracy_score))(model, X, y_semi, sample_domain=sd)
    assert f1 == pytest.approx(score)
    with pytest.raises(ValueError, match="TargetAccuracyScorer: needs `sample_domain`"):
        TargetAccuracyScorer()(model, X, y_semi)
    with pytest.raises(ValueError, match="no labeled target row"):
        TargetAccuracyScorer()(model, X, y, sample_domain=sd)


@pytest.mark.parametrize("routing", [False, True])
def test_scorers_in_cross_validate(routing):
    X, y, sd, yt = _shifted()
    scoring = {
        "iwcv": ImportanceWeightedScorer(density_ratio=_linear_ratio),
        "reverse": ReverseValidationScorer(),
        "entropy": PredictionEntropyScorer(),
        "accuracy": "accuracy",
    }
    cv = SourceTargetShuffleSplit(n_splits=2, random_state=0)
    model = LabeledOnly(LogisticRegression())
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            y_semi = y.copy()
            y_semi[np.flatnonzero(sd < 0)[:20]] = yt[:20]
            scoring["target"] = TargetAccuracyScorer()
            res = cross_validate(model, X, y_semi, cv=cv, scoring=scoring,
                                 params={"sample_domain": sd})
            assert np.all((res["test_target"] >= 0) & (res["test_target"] <= 1))
        else:
            res = cross_validate(model, X, y, cv=cv, scoring=scoring, groups=sd)
    for name in ["iwcv", "reverse"]:
        assert np.all((res[f"test_{name}"] >= 0) & (res[f"test_{name}"] <= 1))
    assert np.all(res["test_entropy"] <= 0)


def test_score_request_and_repr():
    routing = ImportanceWeightedScorer().get_metadata_routing()
    assert routing.score.requests == {"sample_domain": True}
    with pytest.raises(RuntimeError, match="set_score_request is only available"):
        PredictionEntropyScorer().set_score_request(sample_domain=False)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = PredictionEntropyScorer().set_score_request(sample_domain="domains")
        assert scorer.get_metadata_routing().score.requests == {"sample_domain": "domains"}
    assert repr(TargetAccuracyScorer()) == "TargetAccuracyScorer(scoring='accuracy')"
    assert repr(ImportanceWeightedScorer()) == (
        "ImportanceWeightedScorer(scoring=None, density_ratio=None)"
    )


# ------------------------------------------------ issue 12: features, NaN, clean state


def _reviews(seed=0, n_source=60, n_target=40):
    """A tiny synthetic review corpus: sentiment words shared, topic words shifted."""
    rng = np.random.RandomState(seed)
    good, bad = ["great", "love", "excellent", "fine"], ["poor", "awful", "broken", "bad"]
    topics = {"s": ["book", "plot", "author", "chapter"], "t": ["blender", "knife", "pan", "oven"]}

    def docs(n, domain):
        labels = rng.randint(0, 2, size=n)
        texts = [
            " ".join(rng.choice(good if c else bad, size=3).tolist()
                     + rng.choice(topics[domain], size=4).tolist()
                     + rng.choice(topics["s"] + topics["t"], size=1).tolist())
            for c in labels
        ]
        return texts, labels

    texts_s, ys = docs(n_source, "s")
    texts_t, yt = docs(n_target, "t")
    y = np.r_[ys, -np.ones(n_target, dtype=int)]
    return texts_s + texts_t, y, yt


def test_iwcv_on_raw_text_uses_the_pipeline_features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from skadapt import KMM

    texts, y, _ = _reviews()
    pipe = make_pipeline(TfidfVectorizer(), KMM(LogisticRegression(), kernel="linear"))
    search = GridSearchCV(
        pipe,
        {"kmm__estimator__C": [0.01, 1.0, 100.0]},
        cv=SourceTargetShuffleSplit(n_splits=2, random_state=0),
        scoring=ImportanceWeightedScorer(),
        error_score="raise",
    )
    search.fit(texts, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.ptp(scores) > 0
    # the same score by hand: the ratio is fitted on the TF-IDF vectors
    pipe.fit(texts, y)
    seen = {}

    def ratio(X_source, X_target):
        seen["sparse"] = sp.issparse(X_source)
        return np.ones(X_source.shape[0])

    score = ImportanceWeightedScorer(density_ratio=ratio)(pipe, texts, y)
    assert seen["sparse"] and np.isfinite(score)


def test_iwcv_uses_the_fitted_weighters_density_ratio():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skadapt import ULSIF

    X, y, sd, _ = _shifted()
    pipe = make_pipeline(StandardScaler(), ULSIF(LogisticRegression(), random_state=0)).fit(X, y)
    score = ImportanceWeightedScorer(density_ratio="estimator")(pipe, X, y)
    Z = pipe[:-1].transform(X)
    labeled = y != -1
    w = pipe[-1].density_ratio(Z[labeled])
    assert score == pytest.approx(accuracy_score(y[labeled], pipe.predict(X[labeled]), sample_weight=w))
    with pytest.raises(TypeError, match="density_ratio='estimator' needs"):
        ImportanceWeightedScorer(density_ratio="estimator")(LabeledOnly(LogisticRegression()).fit(X, y), X, y)


def test_a_scorer_that_cannot_score_raises_instead_of_nan():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    nan_metric = lambda est, X, y, sample_weight=None: float("nan")  # noqa: E731
    with pytest.raises(ValueError, match="ImportanceWeightedScorer: the metric gave nan"):
        ImportanceWeightedScorer(nan_metric, density_ratio=_linear_ratio)(model, X, y)
    with pytest.raises(ValueError, match="ReverseValidationScorer: the metric gave nan"):
        ReverseValidationScorer(nan_metric)(model, X, y)


def test_scorers_keep_no_state_and_pickle_after_use():
    import copy
    import pickle

    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    scorer = ImportanceWeightedScorer()
    first = scorer(model, X, y)
    assert set(vars(scorer)) == {"scoring", "density_ratio"}
    for twin in (pickle.loads(pickle.dumps(scorer)), copy.deepcopy(scorer), copy.copy(scorer)):
        assert vars(twin) == vars(scorer)
        assert twin(model, X, y) == first
