"""The model-selection user story of API.md section 3, word for word apart from data.

It runs with scikit-learn's metadata routing off (domains passed as
``groups=``) and on (``sample_domain=`` passed to ``Pipeline.fit``,
``GridSearchCV.fit`` and ``cross_validate(params=...)``), and on a shifted
problem importance-weighted validation chooses another KMM ``gamma`` than
plain accuracy on held-out source rows -- and a better one for the target.

The shifted problem (``_shifted_problem``): six standard-normal features;
the label is ``x1 > 0`` where ``x0 < 0.5`` and ``x1 <= 0`` beyond, so a
linear model fitted on the whole source follows the majority part
(``x0 < 0.5``), while the target rows sit in the other part
(``x0 ~ N(1.2, 0.5)``, the other features as in the source).  After
standardisation, ``gamma = 10`` is so narrow in six dimensions that KMM sees
no overlap and returns near-uniform weights (the unweighted model, which
plain source accuracy prefers, and which is wrong on most target rows),
while ``gamma = 0.1`` or ``1`` weights the source rows near the target
(which IWCV prefers, and which is right on most target rows).  Checked on
seeds 0..6 while writing the test (plain accuracy chose ``gamma = 10`` and
IWCV 0.1 or 1 on every seed; target accuracy about 0.75-0.85 against
0.15-0.35); seed 0 is asserted.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skadapt

GRID = {"kmm__gamma": [0.1, 1.0, 10.0], "kmm__estimator__C": [0.1, 1.0]}


def _shifted_problem(seed=0, n_source=200, n_target=150, n_features=6):
    rng = np.random.RandomState(seed)

    def label(X):
        # x1 > 0 where x0 < 0.5, and the other way round beyond
        return ((X[:, 1] > 0) == (X[:, 0] < 0.5)).astype(int)

    def target_rows(n):
        Xt = rng.normal(0.0, 1.0, size=(n, n_features))
        Xt[:, 0] = rng.normal(1.2, 0.5, size=n)
        return Xt

    Xs = rng.normal(0.0, 1.0, size=(n_source, n_features))
    Xt = target_rows(n_target)
    Xt_new = target_rows(n_target)
    return Xs, label(Xs), Xt, label(Xt), Xt_new, label(Xt_new)


def _story(routing):
    """API.md section 3, first story; returns (pipe, predictions, search)."""
    Xs, ys, Xt, _, Xt_new, _ = _shifted_problem()
    with sklearn.config_context(enable_metadata_routing=routing):
        X, y, sample_domain = skadapt.utils.source_target_merge(Xs, ys, Xt)   # y of target rows = -1
        pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression(), gamma=1.0))
        if routing:
            pipe.fit(X, y, sample_domain=sample_domain)
        else:
            pipe.fit(X, y)             # masked rows are the target; LR is fit on the labeled rows, weighted
        predictions = pipe.predict(Xt_new)

        search = GridSearchCV(pipe, {"kmm__gamma": [0.1, 1.0, 10.0], "kmm__estimator__C": [0.1, 1.0]},
                              cv=skadapt.model_selection.SourceTargetShuffleSplit(n_splits=3, random_state=0),
                              scoring=skadapt.metrics.ImportanceWeightedScorer())
        if routing:
            search.fit(X, y, sample_domain=sample_domain)
        else:
            search.fit(X, y, groups=sample_domain)
    return pipe, predictions, search


@pytest.fixture(scope="module")
def story_without_routing():
    return _story(routing=False)


def test_story_without_routing(story_without_routing):
    pipe, predictions, search = story_without_routing
    Xs, ys, Xt, _, Xt_new, _ = _shifted_problem()
    assert predictions.shape == (Xt_new.shape[0],)
    assert set(np.unique(predictions)) <= {0, 1}
    weights = pipe[-1].weights_
    assert weights.shape == (Xs.shape[0] + Xt.shape[0],)
    assert np.all(weights[Xs.shape[0]:] == 0) and np.all(weights >= 0)
    assert search.n_splits_ == 3
    assert search.best_params_["kmm__gamma"] in GRID["kmm__gamma"]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(Xt_new).shape == (Xt_new.shape[0],)


def test_story_with_routing_matches(story_without_routing):
    _, predictions_off, search_off = story_without_routing
    _, predictions_on, search_on = _story(routing=True)
    # the domains are the same whether routed or read from groups / masked labels
    np.testing.assert_array_equal(predictions_on, predictions_off)
    np.testing.assert_allclose(
        search_on.cv_results_["mean_test_score"], search_off.cv_results_["mean_test_score"]
    )
    assert search_on.best_params_ == search_off.best_params_


@pytest.mark.parametrize("routing", [False, True])
def test_cross_validate_story(routing):
    Xs, ys, Xt, _, _, _ = _shifted_problem(n_source=120, n_target=80)
    X, y, sample_domain = skadapt.utils.source_target_merge(Xs, ys, Xt)
    pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression(), gamma=1.0))
    cv = skadapt.model_selection.SourceTargetShuffleSplit(n_splits=2, random_state=0)
    scoring = {
        "iwcv": skadapt.metrics.ImportanceWeightedScorer(),
        "reverse": skadapt.metrics.ReverseValidationScorer(),
        "entropy": skadapt.metrics.PredictionEntropyScorer(),
    }
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            result = cross_validate(pipe, X, y, cv=cv, scoring=scoring,
                                    params={"sample_domain": sample_domain})
        else:
            result = cross_validate(pipe, X, y, cv=cv, scoring=scoring, groups=sample_domain)
    assert np.all((result["test_iwcv"] >= 0) & (result["test_iwcv"] <= 1))
    assert np.all((result["test_reverse"] >= 0) & (result["test_reverse"] <= 1))
    assert np.all(result["test_entropy"] <= 0)


def test_iwcv_chooses_another_gamma_than_source_accuracy(story_without_routing):
    _, _, iwcv_search = story_without_routing
    Xs, ys, Xt, yt, Xt_new, yt_new = _shifted_problem()
    X, y, sample_domain = skadapt.utils.source_target_merge(Xs, ys, Xt)
    pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression(), gamma=1.0))
    # plain validation: held-out source rows only, unweighted accuracy
    plain_cv = skadapt.model_selection.SourceTargetShuffleSplit(
        n_splits=3, random_state=0, target_in_test=False
    )
    plain_search = GridSearchCV(pipe, GRID, cv=plain_cv, scoring="accuracy")
    plain_search.fit(X, y, groups=sample_domain)

    assert plain_search.best_params_["kmm__gamma"] == 10.0
    assert iwcv_search.best_params_["kmm__gamma"] in (0.1, 1.0)
    # and the IWCV choice is the better one on the target
    iwcv_accuracy = np.mean(iwcv_search.predict(Xt_new) == yt_new)
    plain_accuracy = np.mean(plain_search.predict(Xt_new) == yt_new)
    assert iwcv_accuracy > plain_accuracy + 0.3
