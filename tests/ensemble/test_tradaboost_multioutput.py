"""TrAdaBoostR2 and TwoStageTrAdaBoostR2 with a multi-output ``y``."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from skadapt import TrAdaBoostR2, TwoStageTrAdaBoostR2
from skadapt.ensemble._tradaboost_r2 import _adjusted_errors


def _problem(seed=0, n_s=150, n_t=40):
    rng = np.random.RandomState(seed)
    Xs = rng.uniform(-1, 1, size=(n_s, 2))
    Xt = rng.uniform(-1, 1, size=(n_t, 2))

    def outputs(X, shift):
        return np.c_[np.sin(3 * X[:, 0]) + shift * X[:, 1], X[:, 0] ** 2 - shift * X[:, 1]]

    X = np.vstack([Xs, Xt])
    y = np.vstack([outputs(Xs, 0.0), outputs(Xt, 0.5)])
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return X, y, sd, Xt, outputs


def test_adjusted_errors_scale_each_output_then_reduce():
    y = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    pred = np.array([[1.0, 0.0], [2.0, 100.0], [0.0, 50.0]])
    # output 0 scaled by 2, output 1 by 100
    assert_allclose(_adjusted_errors(y, pred, "linear", "mean"), [0.25, 1.0, 0.25])
    assert_allclose(_adjusted_errors(y, pred, "linear", "max"), [0.5, 1.0, 0.5])
    assert_allclose(_adjusted_errors(y, pred, "square", "mean"), [0.125, 1.0, 0.125])
    # one output: the classical AdaBoost.R2 error
    assert_allclose(_adjusted_errors(y[:, 0], pred[:, 0], "linear"), [0.5, 1.0, 0.0])


@pytest.mark.parametrize("cls, params", [
    (TrAdaBoostR2, {"n_estimators": 8}),
    (TwoStageTrAdaBoostR2, {"n_steps": 3, "n_estimators": 4, "cv": 3}),
])
@pytest.mark.parametrize("output_reduction", ["mean", "max"])
def test_a_doubled_output_gives_the_single_output_model(cls, params, output_reduction):
    # y[:, 1] = 2 y[:, 0]: the per-output errors are equal, the trees split alike,
    # so the model is the single-output one on each output
    X, y, sd, Xt, _ = _problem()
    y2 = np.c_[y[:, 0], 2.0 * y[:, 0]]
    multi = cls(random_state=0, output_reduction=output_reduction, **params).fit(
        X, y2, sample_domain=sd)
    single = cls(random_state=0, **params).fit(X, y[:, 0], sample_domain=sd)
    pred = multi.predict(Xt)
    assert pred.shape == (len(Xt), 2) and multi.n_outputs_ == 2 and single.n_outputs_ == 1
    assert_allclose(pred[:, 0], single.predict(Xt))
    assert_allclose(pred[:, 1], 2.0 * single.predict(Xt))
    assert_allclose(multi.sample_weight_, single.sample_weight_)


@pytest.mark.parametrize("cls, params", [
    (TrAdaBoostR2, {"n_estimators": 20}),
    (TwoStageTrAdaBoostR2, {"n_steps": 4, "n_estimators": 5, "cv": 3}),
])
def test_multi_output_fit_is_as_good_as_per_output_fits(cls, params):
    X, y, sd, _, outputs = _problem(seed=1)
    rng = np.random.RandomState(2)
    X_test = rng.uniform(-1, 1, size=(400, 2))
    y_test = outputs(X_test, 0.5)
    multi = cls(random_state=0, **params).fit(X, y, sample_domain=sd)
    err_multi = np.mean((multi.predict(X_test) - y_test) ** 2, axis=0)
    err_single = np.array([
        np.mean((cls(random_state=0, **params).fit(X, y[:, k], sample_domain=sd)
                 .predict(X_test) - y_test[:, k]) ** 2)
        for k in range(2)
    ])
    # each output predicted about as well as by its own model, and far better than 0
    assert np.all(err_multi <= 1.5 * err_single + 0.01)
    assert np.all(err_multi < 0.5 * np.var(y_test, axis=0))


def test_staged_predict_and_linear_base_multi_output():
    X, y, sd, Xt, _ = _problem()
    reg = TrAdaBoostR2(Ridge(), n_estimators=5, random_state=0).fit(X, y, sample_domain=sd)
    stages = list(reg.staged_predict(Xt))
    assert len(stages) == 5 and stages[-1].shape == (len(Xt), 2)
    assert_allclose(stages[-1], reg.predict(Xt))


def test_unlabeled_rows_and_partial_masks():
    X, y, sd, Xt, _ = _problem()
    y = y.copy()
    y[-5:] = np.nan                                  # unlabeled target rows
    reg = TrAdaBoostR2(n_estimators=4, random_state=0).fit(X, y, sample_domain=sd)
    assert np.all(reg.sample_weight_[-5:] == 0)
    y[-10, 0] = np.nan                               # one output only
    with pytest.raises(ValueError, match="TrAdaBoostR2: rows \\[.*\\] of `y` have some outputs NaN"):
        TrAdaBoostR2(n_estimators=4).fit(X, y, sample_domain=sd)
    y[-10] = 1.0
    y[0, 1] = np.inf
    with pytest.raises(ValueError, match="TrAdaBoostR2: `y` contains inf"):
        TrAdaBoostR2(n_estimators=4).fit(X, y, sample_domain=sd)


# ------------------------------------------------------------- store_weights


def test_store_weights_history_of_every_estimator():
    from skadapt import TrAdaBoostClassifier

    X, y, sd, _, _ = _problem()
    noise = np.random.RandomState(3).normal(scale=0.5, size=len(y))
    y_clf = (y[:, 0] + noise > 0).astype(int)     # no tree fits it exactly
    for est, yy in [
        (TrAdaBoostClassifier(n_estimators=6, random_state=0), y_clf),
        (TrAdaBoostR2(n_estimators=6, random_state=0), y[:, 0]),
        (TwoStageTrAdaBoostR2(n_steps=3, n_estimators=3, cv=3, random_state=0), y[:, 0]),
    ]:
        plain = est.fit(X, yy, sample_domain=sd)
        assert not hasattr(plain, "sample_weight_history_")
        kept = est.set_params(store_weights=True).fit(X, yy, sample_domain=sd)
        hist = kept.sample_weight_history_
        n_rounds = getattr(kept, "n_steps_", len(getattr(kept, "estimators_", [])))
        assert hist.shape == (n_rounds, X.shape[0])
        assert_allclose(hist.sum(axis=1), 1.0)
        source = sd > 0
        # the source share recorded per round is the one reported
        assert_allclose(hist[:, source].sum(axis=1), kept.source_weight_mass_)
        # and it decays: the source rows lose weight over the rounds
        assert hist[-1, source].sum() < hist[0, source].sum()
