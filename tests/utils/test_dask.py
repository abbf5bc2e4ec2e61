"""skadapt with dask (issue 16): search on a cluster, fits on dask arrays.

Everything here runs on a real ``distributed.LocalCluster`` with two worker
processes (one thread each), started once for the module and closed at its
end:

1. the GridSearchCV story of API.md section 3 under
   ``joblib.parallel_backend("dask")`` with ``n_jobs=-1`` gives the local
   ``cv_results_``, and so does a search over every skadapt estimator, with
   every splitter and every scorer of skadapt;
2. ``fit`` on a dask array of ULSIF, RuLSIF, Nystroem KMM, landmark TCA and
   LabeledOnly equals the in-memory fit on the same centres/landmarks;
3. ``predict``, ``predict_proba``, ``transform`` and ``density_ratio`` on a
   dask array are lazy dask arrays equal to the in-memory results;
4. the methods that cannot fit blockwise say so.

The module is skipped, with its reason, when the ``dask`` extra is missing.
"""

import numpy as np
import pytest

pytest.importorskip("dask.array", reason="the optional `dask` extra (dask[array]) is not installed")
pytest.importorskip("distributed", reason="the optional `dask` extra (distributed) is not installed")

import dask.array as da  # noqa: E402
import joblib  # noqa: E402
import sklearn  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

import skadapt  # noqa: E402
from skadapt.metrics import (  # noqa: E402
    DeepEmbeddedValidation,
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensity,
    TargetAccuracyScorer,
)
from skadapt.model_selection import (  # noqa: E402
    DomainShuffleSplit,
    LeaveOneDomainOut,
    LeaveOneTargetDomainOut,
    SourceTargetShuffleSplit,
    StratifiedDomainShuffleSplit,
    pack_domains,
)
from skadapt.utils.discovery import all_estimators  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each; closed cleanly at the end of the module."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, Client(cluster) as dask_client:
        yield dask_client


def _classification(seed=0, n_source=80, n_target=60, n_labeled_target=0, n_sources=1):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(0.0, 1.0, size=(n_source, 3))
    Xt = rng.normal(0.0, 1.0, size=(n_target, 3)) + [0.8, 0.0, 0.0]
    ys = (Xs[:, 0] + Xs[:, 1] > 0).astype(int)
    yt = (Xt[:, 0] + Xt[:, 1] > 0.8).astype(int)
    X = np.r_[Xs, Xt]
    y = np.r_[ys, np.full(n_target, -1)]
    y[n_source : n_source + n_labeled_target] = yt[:n_labeled_target]
    domain = np.r_[1 + np.arange(n_source) % n_sources, -np.ones(n_target, dtype=int)]
    return X, y, domain


def _regression(seed=0, n_source=80, n_target=60, n_labeled_target=15):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_source + n_target, 3))
    X[n_source:, 0] += 0.8
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=X.shape[0])
    y[n_source + n_labeled_target :] = np.nan
    domain = np.r_[np.ones(n_source, dtype=int), -np.ones(n_target, dtype=int)]
    return X, y, domain


def _search_both_ways(client, search, X, y, routing, **fit_params):
    """``cv_results_`` of the search run locally and on the cluster (``n_jobs=-1``)."""
    results = []
    for on_cluster in (False, True):
        s = sklearn.base.clone(search).set_params(n_jobs=-1 if on_cluster else None)
        with sklearn.config_context(enable_metadata_routing=routing):
            if on_cluster:
                with joblib.parallel_backend("dask"):
                    s.fit(X, y, **fit_params)
            else:
                s.fit(X, y, **fit_params)
        results.append(s.cv_results_)
    return results


def _assert_same_results(local, remote):
    assert [p for p in local["params"]] == [p for p in remote["params"]]
    for key in local:
        if key.startswith(("split", "mean_test", "std_test")):
            np.testing.assert_allclose(local[key], remote[key], rtol=1e-9, err_msg=key)
    np.testing.assert_array_equal(local["rank_test_score"], remote["rank_test_score"])
    assert np.isfinite(local["mean_test_score"]).all()


# ------------------------------------------------------ 1. search on a cluster


def test_grid_search_story_on_cluster_equals_local(client):
    """API.md section 3, first story, with the search spread over two worker processes."""
    X, y, sample_domain = _classification()
    pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression(), gamma=1.0))
    search = GridSearchCV(pipe, {"kmm__gamma": [0.1, 1.0, 10.0], "kmm__estimator__C": [0.1, 1.0]},
                          cv=SourceTargetShuffleSplit(n_splits=3, random_state=0),
                          scoring=ImportanceWeightedScorer())
    local, remote = _search_both_ways(client, search, X, y, False, groups=sample_domain)
    _assert_same_results(local, remote)


# (estimator, grid, splitter, scorer, data, routing): every public estimator,
# and every splitter and scorer at least once.
_LR = LogisticRegression(max_iter=1000)
_CASES = {
    "KLIEP": (skadapt.KLIEP(_LR, gamma=1.0, cv=2, random_state=0), {"estimator__C": [0.1, 1.0]},
              SourceTargetShuffleSplit(n_splits=2, random_state=0), ImportanceWeightedScorer(),
              "classification", False),
    "KMM": (skadapt.KMM(_LR, gamma=1.0, n_components=20, random_state=0),
            {"estimator__C": [0.1, 1.0]}, DomainShuffleSplit(n_splits=2, random_state=0),
            ReverseValidationScorer(), "classification", False),
    "LabeledOnly": (skadapt.LabeledOnly(_LR), {"estimator__C": [0.1, 1.0]},
                    LeaveOneDomainOut(), PredictionEntropyScorer(), "two_sources", False),
    "RuLSIF": (skadapt.RuLSIF(_LR, gamma=1.0, lambdas=0.1, random_state=0),
               {"estimator__C": [0.1, 1.0]}, SourceTargetShuffleSplit(n_splits=2, random_state=0),
               PredictionEntropyScorer(), "classification", False),
    "SSTCA": (skadapt.SSTCA(_LR, n_components=2), {"mu": [0.1, 1.0]},
              SourceTargetShuffleSplit(n_splits=2, random_state=0), ReverseValidationScorer(),
              "classification", False),
    "TCA": (skadapt.TCA(_LR, n_components=2), {"mu": [0.1, 1.0]},
            SourceTargetShuffleSplit(n_splits=2, random_state=0), ImportanceWeightedScorer(),
            "classification", False),
    "TrAdaBoostClassifier": (
        skadapt.TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=3,
                                     random_state=0),
        {"learning_rate": [0.5, 1.0]}, SourceTargetShuffleSplit(n_splits=2, random_state=0),
        TargetAccuracyScorer(), "labeled_target", True),
    "TrAdaBoostR2": (skadapt.TrAdaBoostR2(Ridge(), n_estimators=3, random_state=0),
                     {"estimator__alpha": [0.1, 1.0]},
                     SourceTargetShuffleSplit(n_splits=2, random_state=0),
                     TargetAccuracyScorer("r2"), "regression", True),
    "TwoStageTrAdaBoostR2": (
        skadapt.TwoStageTrAdaBoostR2(Ridge(), n_steps=2, n_estimators=2, cv=2, random_state=0),
        {"estimator__alpha": [0.1, 1.0]}, SourceTargetShuffleSplit(n_splits=2, random_state=0),
        TargetAccuracyScorer("r2"), "regression", True),
    "CoCC": (skadapt.CoCC(n_word_clusters=2, max_iter=3, random_state=0),
             {"lambda_": [0.25, 1.0]}, StratifiedDomainShuffleSplit(n_splits=2, random_state=0),
             SoftNeighborhoodDensity(), "counts", False),
    "SCL": (skadapt.SCL(_LR, n_pivots=1, n_components=1, min_df=0, random_state=0),
            {"estimator__C": [0.1, 1.0]}, SourceTargetShuffleSplit(n_splits=2, random_state=0),
            DeepEmbeddedValidation(), "classification", True),
    "TwoStageFeatureSelector": (
        skadapt.TwoStageFeatureSelector(_LR, n_generalizable=2, n_rounds=1, k_per_round=5),
        {"n_generalizable": [1, 2]}, LeaveOneTargetDomainOut(), None, "packed", True),
    "ULSIF": (skadapt.ULSIF(_LR, gamma=1.0, lambdas=0.1, random_state=0),
              {"estimator__C": [0.1, 1.0]}, SourceTargetShuffleSplit(n_splits=2, random_state=0),
              ImportanceWeightedScorer(density_ratio=skadapt.RuLSIF(random_state=0)),
              "classification", False),
}


def test_cases_cover_every_estimator_splitter_and_scorer():
    assert sorted(_CASES) == [name for name, _ in all_estimators()]
    splitters = {type(case[2]).__name__ for case in _CASES.values()}
    scorers = {type(case[3]).__name__ for case in _CASES.values() if case[3] is not None}
    public_splitters = {
        name for name in skadapt.model_selection.__all__
        if isinstance(getattr(skadapt.model_selection, name), type)  # not pack_domains
    }
    assert splitters == public_splitters
    assert scorers == set(skadapt.metrics.__all__)


@pytest.mark.parametrize("name", sorted(_CASES))
def test_search_on_cluster_equals_local(client, name):
    estimator, grid, cv, scorer, data, routing = _CASES[name]
    if data == "regression":
        X, y, domain = _regression()
    elif data == "labeled_target":
        X, y, domain = _classification(n_labeled_target=15)
    elif data == "two_sources":
        X, y, domain = _classification(n_sources=2)
    elif data == "counts":  # non-negative word-count-like features (CoCC)
        X, y, domain = _classification()
        X = np.exp(X)
    elif data == "packed":  # each domain in turn as the target (pack_domains)
        X, y, domain = pack_domains(*_classification(n_sources=3, n_target=0))
    else:
        X, y, domain = _classification()
    search = GridSearchCV(estimator, grid, cv=cv, scoring=scorer)
    params = {"sample_domain": domain} if routing else {"groups": domain}
    local, remote = _search_both_ways(client, search, X, y, routing, **params)
    _assert_same_results(local, remote)


# ------------------------------------------------- 2. fits on dask arrays


def _shifted_rows(n_source=700, n_target=500, n_features=4, seed=0):
    rng = np.random.RandomState(seed)
    X = np.r_[rng.normal(0.0, 1.0, (n_source, n_features)),
              rng.normal(0.5, 0.7, (n_target, n_features))]
    y = np.r_[(X[:n_source, 0] > 0).astype(int), -np.ones(n_target, dtype=int)]
    return X, y


def _chunked(X, rows=170):
    """Row blocks of uneven sizes, the columns cut in two (re-joined by the fit)."""
    return da.from_array(X, chunks=(rows, max(1, X.shape[1] // 2)))


def _rel(a, b):
    return np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max()


@pytest.mark.parametrize("cls, gamma", [(skadapt.ULSIF, "median"), (skadapt.RuLSIF, 0.7)])
def test_lsif_dask_fit_equals_in_memory(client, cls, gamma):
    X, y = _shifted_rows()
    params = dict(gamma=gamma, lambdas=0.1, n_centers=40, random_state=0)
    ref = cls(**params).fit(X, y)
    est = cls(**params).fit(_chunked(X), y)
    assert isinstance(est.weights_, da.Array)  # lazy, 0 on the target rows
    assert est.gamma_ == ref.gamma_ and est.lambda_ == ref.lambda_
    np.testing.assert_array_equal(est.centers_, ref.centers_)
    assert _rel(est.alpha_, ref.alpha_) < 1e-8
    assert _rel(est.weights_.compute(), ref.weights_) < 1e-8
    assert est.n_features_in_ == X.shape[1]


@pytest.mark.parametrize("gamma", ["median", "scale", 1.0])
def test_nystroem_kmm_dask_fit_equals_in_memory(client, gamma):
    """Same landmarks, same target kernel mean (summed blockwise), same QP optimum.

    The Nystroem QP has rank ``n_components``: its optimal value is unique but
    its minimisers form a face, so the weights are compared through the
    objective, the constraints and the matched feature-space mean.
    """
    X, y = _shifted_rows()
    params = dict(gamma=gamma, n_components=30, random_state=0)
    ref = skadapt.KMM(**params).fit(X, y)
    est = skadapt.KMM(**params).fit(_chunked(X), y)
    assert est.gamma_ == pytest.approx(ref.gamma_, rel=1e-12)
    np.testing.assert_array_equal(
        est.nystroem_.landmark_indices_, ref.nystroem_.landmark_indices_
    )
    assert est.objective_ == pytest.approx(ref.objective_, rel=1e-8)
    w = est.weights_.compute()
    source = y != -1
    assert (w[~source] == 0).all() and (w >= 0).all() and (w <= est.B).all()
    n_s = source.sum()
    assert abs(w.sum() - n_s) <= n_s * est.eps_ + 1e-9


def test_nystroem_kmm_float32_dask_fit_equals_in_memory(client):
    """float32 blocks are cast to float64 by the Nystroem map, as in memory."""
    X, y = _shifted_rows()
    X = X.astype(np.float32)
    params = dict(gamma=1.0, n_components=30, random_state=0)
    ref = skadapt.KMM(**params).fit(X, y)
    est = skadapt.KMM(**params).fit(_chunked(X), y)
    assert est.objective_ == pytest.approx(ref.objective_, rel=1e-8)
    ratio = est.density_ratio(_chunked(X[700:]))
    np.testing.assert_allclose(np.asarray(ratio), est.density_ratio(X[700:]), rtol=1e-12)


@pytest.mark.parametrize("gamma", ["median", "scale"])
def test_landmark_tca_dask_fit_equals_in_memory(client, gamma):
    X, y = _shifted_rows()
    params = dict(n_components=3, gamma=gamma, n_landmarks=60, random_state=0)
    est = skadapt.TCA(**params)
    Z = est.fit_transform(_chunked(X).astype(np.float32), y)
    assert isinstance(Z, da.Array)
    # float32 input: the landmarks and blocks are cast to float64 as in memory
    ref32 = skadapt.TCA(**params)
    Z_ref = ref32.fit_transform(X.astype(np.float32), y)
    np.testing.assert_array_equal(est.landmark_indices_, ref32.landmark_indices_)
    assert est.gamma_ == pytest.approx(ref32.gamma_, rel=1e-12)
    assert _rel(est.eigenvalues_, ref32.eigenvalues_) < 1e-8
    assert _rel(est.components_, ref32.components_) < 1e-8
    assert _rel(Z.compute(), Z_ref) < 1e-8


class _DaskLeastSquares(RegressorMixin, BaseEstimator):
    """A least-squares regressor whose fit takes dask input (sums over rows)."""

    def fit(self, X, y, sample_weight=None):
        self.fitted_on_ = type(X).__module__.split(".")[0]
        Xw = X if sample_weight is None else X * sample_weight[:, None]
        G, b = Xw.T @ X, Xw.T @ y
        if isinstance(G, da.Array):
            G, b = da.compute(G, b)
        self.coef_ = np.linalg.solve(G, b)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.asarray(X) @ self.coef_


def test_labeled_only_passes_dask_input_to_its_estimator(client):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 3))
    y = X @ [1.0, 2.0, -1.0] + 0.01 * rng.normal(size=600)
    y[450:] = np.nan  # unlabeled rows
    model = skadapt.LabeledOnly(_DaskLeastSquares()).fit(_chunked(X), da.from_array(y, 170))
    ref = skadapt.LabeledOnly(_DaskLeastSquares()).fit(X, y)
    assert model.estimator_.fitted_on_ == "dask"
    assert _rel(model.estimator_.coef_, ref.estimator_.coef_) < 1e-8
    pred = model.predict(_chunked(X))
    assert isinstance(pred, da.Array)
    assert _rel(pred.compute(), ref.predict(X)) < 1e-8


def test_weighter_passes_dask_rows_and_weights_to_its_estimator(client):
    X, _ = _shifted_rows()
    y = np.r_[X[:700] @ [1.0, -1.0, 0.5, 0.0], np.full(500, np.nan)]
    params = dict(gamma=0.7, lambdas=0.1, n_centers=40, random_state=0)
    ref = skadapt.ULSIF(_DaskLeastSquares(), **params).fit(X, y)
    est = skadapt.ULSIF(_DaskLeastSquares(), **params).fit(_chunked(X), y)
    assert est.estimator_.fitted_on_ == "dask"
    assert _rel(est.estimator_.coef_, ref.estimator_.coef_) < 1e-8


# ------------------------------------------- 3. blockwise, lazy predictions


@pytest.mark.parametrize(
    "estimator, methods",
    [
        (skadapt.ULSIF(LogisticRegression(), gamma=1.0, lambdas=0.1, random_state=0),
         ["density_ratio", "predict", "predict_proba", "decision_function"]),
        (skadapt.TCA(LogisticRegression(), n_components=2, n_landmarks=50, random_state=0),
         ["transform", "predict", "predict_proba", "predict_log_proba"]),
        (skadapt.KMM(LogisticRegression(), gamma=1.0, n_components=20, random_state=0),
         ["predict", "predict_proba"]),
        (skadapt.LabeledOnly(LogisticRegression()), ["predict", "predict_proba"]),
        (skadapt.SSTCA(LogisticRegression(), n_components=2), ["transform", "predict"]),
        (skadapt.TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=3,
                                      random_state=0),
         ["predict", "predict_proba", "decision_function"]),
        (skadapt.TrAdaBoostR2(Ridge(), n_estimators=3, random_state=0), ["predict"]),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, list) else "",
)
# the lazy predictions are under test, not the boosting: the easy problem may end it early
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")
def test_blockwise_predictions_are_lazy_and_equal(client, estimator, methods):
    X, y = _shifted_rows(300, 200)
    fit_params = {}
    if isinstance(estimator, (skadapt.TrAdaBoostClassifier, skadapt.TrAdaBoostR2)):
        y = y.astype(float) if isinstance(estimator, skadapt.TrAdaBoostR2) else y
        y[300:340] = (X[300:340, 0] > 0.5)  # a few labeled target rows
        if isinstance(estimator, skadapt.TrAdaBoostR2):
            y[:300], y[340:] = X[:300, 0], np.nan
        fit_params["sample_domain"] = np.r_[np.ones(300, dtype=int), -np.ones(200, dtype=int)]
    fitted = sklearn.base.clone(estimator).fit(X, y, **fit_params)
    X_new = _shifted_rows(300, 200, seed=1)[0]
    for method in methods:
        lazy = getattr(fitted, method)(_chunked(X_new, rows=90))
        assert isinstance(lazy, da.Array), method
        assert lazy.chunks[0] == (90, 90, 90, 90, 90, 50)
        expected = getattr(fitted, method)(X_new)
        np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-12, atol=1e-12)


# -------------------------------------------- 4. what cannot fit blockwise


@pytest.mark.parametrize(
    "estimator, points_to",
    [
        (skadapt.KMM(), "n_components"),
        (skadapt.TCA(), "n_landmarks"),
        (skadapt.SSTCA(), "TCA(n_landmarks=...)"),
        (skadapt.KLIEP(), "ULSIF"),
        (skadapt.TrAdaBoostClassifier(), "ULSIF"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else "",
)
def test_methods_that_cannot_fit_blockwise_say_so(estimator, points_to):
    X, y = _shifted_rows(60, 40)
    with pytest.raises(TypeError, match="dask array") as info:
        estimator.fit(_chunked(X), y)
    assert points_to in str(info.value)


def test_lsif_grid_on_dask_array_is_a_clear_error():
    X, y = _shifted_rows(60, 40)
    with pytest.raises(ValueError, match="one `gamma` and one `lambdas`"):
        skadapt.ULSIF().fit(_chunked(X), y)


def test_non_finite_dask_input_is_an_error(client):
    X, y = _shifted_rows(60, 40)
    X[70, 1] = np.nan
    with pytest.raises(ValueError, match="ULSIF: X contains NaN or infinity"):
        skadapt.ULSIF(gamma=1.0, lambdas=0.1).fit(_chunked(X, rows=30), y)
