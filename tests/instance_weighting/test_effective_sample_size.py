"""Issue 12: every weighter reports its effective sample size and warns when weights collapse."""

import warnings

import numpy as np
import pytest

from skadapt import KLIEP, KMM, ULSIF, RuLSIF
from skadapt.base import ESS_WARN_FRACTION
from skadapt.exceptions import LowEffectiveSampleSizeWarning
from skadapt.utils import source_target_merge

WEIGHTERS = {
    "KMM": (lambda: KMM(gamma=2.0), "`B`"),
    "KLIEP": (lambda: KLIEP(gamma=2.0, random_state=0), "`gamma`"),
    "ULSIF": (lambda: ULSIF(gamma=2.0, lambdas=1e-3, random_state=0), "`lambdas`"),
    "RuLSIF": (lambda: RuLSIF(gamma=2.0, lambdas=1e-3, alpha=0.01, random_state=0), "`alpha`"),
}


def _problem(shift):
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(200, 1))
    Xt = rng.normal(shift, 0.3, size=(100, 1))
    X, y, sd = source_target_merge(Xs, (Xs[:, 0] > 0).astype(int), Xt)
    return X, y, sd


def _kish(w):
    return w.sum() ** 2 / np.dot(w, w)


@pytest.mark.parametrize("name", sorted(WEIGHTERS))
def test_collapsed_weights_warn_and_name_the_parameter(name):
    make, parameter = WEIGHTERS[name]
    X, y, sd = _problem(shift=3.0)  # target in the far tail of the source
    with pytest.warns(LowEffectiveSampleSizeWarning, match=rf"{name}: .* of the 200 source rows.*{parameter}"):
        model = make().fit(X, y, sample_domain=sd)
    w = model.weights_[sd > 0]
    assert model.effective_sample_size_ == pytest.approx(_kish(w), rel=1e-5)
    assert model.effective_sample_size_ < ESS_WARN_FRACTION * 200


@pytest.mark.parametrize("name", sorted(WEIGHTERS))
def test_spread_weights_do_not_warn(name):
    make, _ = WEIGHTERS[name]
    # (in one dimension KMM's weights are sparse even without a shift: it warns there)
    rng = np.random.default_rng(1)
    Xs, Xt = rng.normal(size=(200, 5)), rng.normal(size=(100, 5))  # no shift
    X, y, sd = source_target_merge(Xs, (Xs[:, 0] > 0).astype(int), Xt)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LowEffectiveSampleSizeWarning)
        model = make().fit(X, y, sample_domain=sd)
    assert ESS_WARN_FRACTION * 200 <= model.effective_sample_size_ <= 200 + 1e-6
