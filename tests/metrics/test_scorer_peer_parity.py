"""Scorers added for parity with adapt / skada (issue 18): SND, DEV, entropy
reductions, reverse validation with a metric callable."""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    mean_squared_error,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skadapt import (
    KLIEP,
    KMM,
    SSTCA,
    TCA,
    ULSIF,
    LabeledOnly,
    RuLSIF,
    TrAdaBoostClassifier,
    TrAdaBoostR2,
    TwoStageTrAdaBoostR2,
)
from skadapt.metrics import (
    DeepEmbeddedValidation,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensity,
)
from skadapt.metrics._scorer import _model_features
from skadapt.model_selection import SourceTargetShuffleSplit
from skadapt.utils import source_target_merge


def _shifted(seed=0, n_source=60, n_target=40, regression=False, n_labeled_target=0):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(0.0, 1.0, size=(n_source, 2))
    Xt = rng.normal([1.0, 0.5], 0.7, size=(n_target, 2))
    if regression:
        ys, yt = Xs @ [1.0, -0.5], Xt @ [1.0, -0.5] + 0.2
    else:
        ys, yt = (Xs[:, 0] > 0.3).astype(int), (Xt[:, 0] > 0.8).astype(int)
    X, y, sd = source_target_merge(Xs, ys, Xt)
    if n_labeled_target:
        y = y.astype(yt.dtype)
        y[n_source : n_source + n_labeled_target] = yt[:n_labeled_target]
    return X, y, sd, yt


# ------------------------------------------------------------ entropy reductions


def test_prediction_entropy_reductions():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    P = model.predict_proba(X[sd < 0])
    per_row = np.sum(P * np.log(P), axis=1)
    rows = PredictionEntropyScorer(reduction="none")(model, X, y)
    np.testing.assert_allclose(rows, per_row)
    assert PredictionEntropyScorer(reduction="sum")(model, X, y) == pytest.approx(per_row.sum())
    assert PredictionEntropyScorer()(model, X, y) == pytest.approx(per_row.mean())
    with pytest.raises(ValueError, match="PredictionEntropyScorer: `reduction` must be"):
        PredictionEntropyScorer(reduction="max")(model, X, y)


# --------------------------------------------- reverse validation, metric callable


def test_reverse_validation_with_a_metric_and_greater_is_better():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    plain = ReverseValidationScorer()(model, X, y)
    assert ReverseValidationScorer(accuracy_score, greater_is_better=True)(model, X, y) == plain
    balanced = ReverseValidationScorer(balanced_accuracy_score, greater_is_better=True)
    assert 0.5 <= balanced(model, X, y) <= 1.0
    Xr, yr, _, _ = _shifted(regression=True)
    reg = LabeledOnly(Ridge()).fit(Xr, yr)
    neg_mse = ReverseValidationScorer(mean_squared_error, greater_is_better=False)(reg, Xr, yr)
    assert neg_mse == pytest.approx(ReverseValidationScorer()(reg, Xr, yr)) and neg_mse <= 0
    with pytest.raises(TypeError, match="ReverseValidationScorer: with `greater_is_better` set"):
        ReverseValidationScorer("accuracy", greater_is_better=True)(model, X, y)


# ------------------------------------------------------------------------ SND


def _snd_by_hand(P, T):
    F = [p / np.sqrt(sum(v * v for v in p)) for p in P]
    n = len(F)
    entropies = []
    for i in range(n):
        sims = {j: float(np.dot(F[i], F[j])) / T for j in range(n) if j != i}
        z = sum(np.exp(s) for s in sims.values())
        probs = [np.exp(s) / z for s in sims.values()]
        entropies.append(-sum(q * np.log(q) for q in probs))
    return float(np.mean(entropies))


class _FixedProba(ClassifierMixin, BaseEstimator):
    """Predicts given class probabilities for the rows x = 0, 1, 2 ... (test double)."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.asarray(self.table)[np.asarray(X)[:, 0].astype(int)]


@pytest.mark.parametrize("T", [0.05, 1.0])
def test_snd_equals_a_direct_computation(T):
    table = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5], [0.05, 0.95]]
    X = np.arange(5.0).reshape(-1, 1)
    X = np.r_[X, X]
    y = np.r_[[0, 0, 1, 1, 1], -np.ones(5, int)]
    model = _FixedProba(table).fit(X[:5], y[:5])
    score = SoftNeighborhoodDensity(T=T)(model, X, y)
    assert score == pytest.approx(_snd_by_hand(table, T), rel=1e-12)
    # blocks of rows give the same value
    small = SoftNeighborhoodDensity(T=T)
    small._BLOCK = 2
    assert small(model, X, y) == pytest.approx(score, rel=1e-12)


def test_snd_errors():
    Xr, yr, _, _ = _shifted(regression=True)
    with pytest.raises(TypeError, match="SoftNeighborhoodDensity: .* has no predict_proba"):
        SoftNeighborhoodDensity()(LabeledOnly(Ridge()).fit(Xr, yr), Xr, yr)
    X, y, _, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="SoftNeighborhoodDensity: `T` must be"):
        SoftNeighborhoodDensity(T=0)(model, X, y)


# ------------------------------------------------------------------------ DEV


def _dev_by_hand(losses, w):
    n = len(w)
    wl = [a * b for a, b in zip(w, losses)]
    mean_w, mean_wl = sum(w) / n, sum(wl) / n
    cov = sum((a - mean_wl) * (b - mean_w) for a, b in zip(wl, w)) / (n - 1)
    var = sum((b - mean_w) ** 2 for b in w) / (n - 1)
    eta = -cov / var
    return mean_wl + eta * mean_w - eta


def test_dev_equals_a_direct_computation():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    score = DeepEmbeddedValidation(cv=4, random_state=0)(model, X, y)
    source, target = np.flatnonzero(sd > 0), np.flatnonzero(sd < 0)
    F = np.r_[X[source], X[target]]
    d = np.r_[np.zeros(len(source), int), np.ones(len(target), int)]
    proba = cross_val_predict(LogisticRegression(max_iter=1000), F, d, method="predict_proba",
                              cv=StratifiedKFold(4, shuffle=True, random_state=0))[: len(source)]
    w = len(source) / len(target) * proba[:, 1] / proba[:, 0]
    P = model.predict_proba(X[source])
    losses = -np.log(P[np.arange(len(source)), y[source]])
    assert score == pytest.approx(-_dev_by_hand(losses, w), rel=1e-10)


def test_dev_with_equal_ratios_is_the_mean_source_loss_and_custom_loss():
    X, y, sd, _ = _shifted()
    model = LabeledOnly(LogisticRegression()).fit(X, y)
    flat = DeepEmbeddedValidation(domain_classifier=DummyClassifier(strategy="prior"))
    P = model.predict_proba(X[sd > 0])
    log_loss = -np.log(P[np.arange(P.shape[0]), y[sd > 0]])
    assert flat(model, X, y) == pytest.approx(-log_loss.mean())
    zero_one = DeepEmbeddedValidation(
        domain_classifier=DummyClassifier(strategy="prior"),
        loss_func=lambda yt, p: (np.argmax(p, axis=1) != yt).astype(float),
    )
    assert zero_one(model, X, y) == pytest.approx(
        -(1 - accuracy_score(y[sd > 0], model.predict(X[sd > 0]))))


def test_dev_reads_the_models_features():
    X, y, sd, _ = _shifted()
    pipe = make_pipeline(StandardScaler(), TCA(n_components=2), LabeledOnly(LogisticRegression()))
    pipe.fit(X, y)
    np.testing.assert_allclose(_model_features(pipe, X), pipe[:-1].transform(X))
    tca = TCA(LogisticRegression(), n_components=2).fit(X, y)
    np.testing.assert_allclose(_model_features(tca, X), tca.transform(X))
    kmm = make_pipeline(StandardScaler(), KMM(LogisticRegression())).fit(X, y)
    np.testing.assert_allclose(_model_features(kmm, X), kmm[0].transform(X))
    assert _model_features(TrAdaBoostClassifier(), X) is X


# ------------------------- every skadapt estimator, cross_val_score and GridSearchCV


def _classifiers():
    lr = LogisticRegression()
    return [
        KMM(lr, gamma=1.0), KLIEP(lr), ULSIF(lr), RuLSIF(lr), TCA(lr, n_components=2),
        SSTCA(lr, n_components=2), LabeledOnly(lr),
        make_pipeline(StandardScaler(), TCA(n_components=2), LabeledOnly(lr)),
        TrAdaBoostClassifier(n_estimators=4, random_state=0),
    ]


def _regressors():
    return [
        KMM(Ridge(), gamma=1.0), TCA(Ridge(), n_components=2), LabeledOnly(Ridge()),
        TrAdaBoostR2(n_estimators=4, random_state=0),
        TwoStageTrAdaBoostR2(n_steps=2, n_estimators=3, cv=2, random_state=0),
    ]


def _name(est):
    return type(est[-1] if hasattr(est, "steps") else est).__name__


def _evaluate(estimator, scorer, X, y, sd, routing):
    cv = SourceTargetShuffleSplit(n_splits=2, test_size=0.25, random_state=0)
    needs_domains = _name(estimator).startswith(("TrAdaBoost", "TwoStage"))
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            scores = cross_val_score(estimator, X, y, cv=cv, scoring=scorer,
                                     params={"sample_domain": sd})
            search = GridSearchCV(estimator, {}, cv=cv, scoring=scorer)
            search.fit(X, y, sample_domain=sd)
        else:
            params = {"sample_domain": sd} if needs_domains else None
            scores = cross_val_score(estimator, X, y, cv=cv, scoring=scorer, groups=sd,
                                     params=params)
            search = GridSearchCV(estimator, {}, cv=cv, scoring=scorer)
            search.fit(X, y, groups=sd, **(params or {}))
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    assert np.isfinite(search.best_score_)
    return scores


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# the scorers are under test, not the boosting: an easy fold may end it early
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")
@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize("estimator", _classifiers(), ids=_name)
def test_snd_and_dev_with_every_classifier(estimator, routing):
    X, y, sd, _ = _shifted(n_labeled_target=6)
    snd = _evaluate(estimator, SoftNeighborhoodDensity(), X, y, sd, routing)
    assert np.all(snd >= 0)
    dev = _evaluate(estimator, DeepEmbeddedValidation(random_state=0), X, y, sd, routing)
    assert np.all(dev <= 0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize("estimator", _regressors(), ids=_name)
def test_dev_with_every_regressor(estimator, routing):
    X, y, sd, _ = _shifted(regression=True, n_labeled_target=6)
    dev = _evaluate(estimator, DeepEmbeddedValidation(random_state=0), X, y, sd, routing)
    assert np.all(dev <= 0)
    with pytest.raises(TypeError, match="SoftNeighborhoodDensity: .* has no predict_proba"):
        SoftNeighborhoodDensity()(clone_fit(estimator, X, y, sd), X, y, sample_domain=sd)


def clone_fit(estimator, X, y, sd):
    from sklearn.base import clone

    return clone(estimator).fit(X, y, sample_domain=sd)
