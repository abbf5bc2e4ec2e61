import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from skadapt.datasets import make_covariate_shift, make_domain_shift_classification
from skadapt.utils import source_target_split

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 60)


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_source=sizes, n_target=sizes)
def test_covariate_shift_convention_and_determinism(seed, n_source, n_target):
    data = make_covariate_shift(n_source, n_target, random_state=seed)
    _same(data, make_covariate_shift(n_source, n_target, random_state=seed))
    assert data.X.shape == (n_source + n_target, 1) and data.sizes == (n_source, n_target)
    assert np.all(data.sample_domain[:n_source] == 1) and np.all(
        data.sample_domain[n_source:] == -1
    )
    assert np.isnan(data.y[n_source:]).all() and not np.isnan(data.y[:n_source]).any()
    Xs, ys, Xt, _ = source_target_split(data.X, data.y, data.sample_domain)
    np.testing.assert_array_equal(Xs, data.X_source)
    np.testing.assert_array_equal(ys, data.y_source)
    np.testing.assert_array_equal(Xt, data.X_target)
    assert data.true_weights.shape == (n_source,) and np.all(data.true_weights > 0)


def test_covariate_shift_densities_and_function():
    data = make_covariate_shift(20000, 20000, noise=0.0, random_state=0)
    xs, xt = data.X_source.ravel(), data.X_target.ravel()
    assert abs(xs.mean() - 0.5) < 0.02 and abs(xs.std() - 0.5) < 0.02
    assert abs(xt.mean()) < 0.02 and abs(xt.std() - 0.3) < 0.02
    np.testing.assert_allclose(data.y_source, -xs + xs**3)
    # the exact density ratio N(0, .3^2) / N(.5, .5^2)
    pt = np.exp(-0.5 * (xs / 0.3) ** 2) / 0.3
    ps = np.exp(-0.5 * ((xs - 0.5) / 0.5) ** 2) / 0.5
    np.testing.assert_allclose(data.true_weights, pt / ps)
    # importance weighting repairs the least-squares line on the target
    noisy = make_covariate_shift(500, 500, random_state=1)
    plain = LinearRegression().fit(noisy.X_source, noisy.y_source)
    weighted = LinearRegression().fit(
        noisy.X_source, noisy.y_source, sample_weight=noisy.true_weights
    )

    def mse(model):
        return np.mean((model.predict(noisy.X_target) - noisy.y_target) ** 2)

    assert mse(weighted) < mse(plain)


def test_covariate_shift_seeds_differ_and_bad_args():
    a = make_covariate_shift(random_state=0)
    b = make_covariate_shift(random_state=1)
    assert not np.array_equal(a.X, b.X)
    with pytest.raises(ValueError, match="n_source"):
        make_covariate_shift(0)
    with pytest.raises(ValueError, match="noise"):
        make_covariate_shift(noise=-1.0)


@settings(max_examples=25, deadline=None)
@given(
    seed=seeds,
    n_source=sizes,
    n_target=sizes,
    n_features=st.integers(1, 5),
    n_classes=st.integers(2, 4),
    shift=st.floats(-5, 5),
)
def test_classification_convention_and_determinism(
    seed, n_source, n_target, n_features, n_classes, shift
):
    kw = dict(n_features=n_features, shift=shift, n_classes=n_classes, random_state=seed)
    data = make_domain_shift_classification(n_source, n_target, **kw)
    _same(data, make_domain_shift_classification(n_source, n_target, **kw))
    assert data.X.shape == (n_source + n_target, n_features)
    assert np.all(data.y[n_source:] == -1)
    np.testing.assert_array_equal(data.y[:n_source], data.y_source)
    np.testing.assert_array_equal(
        np.sign(data.sample_domain), np.r_[np.ones(n_source), -np.ones(n_target)]
    )
    counts = np.bincount(data.y_source, minlength=n_classes)
    assert counts.max() - counts.min() <= 1  # balanced
    np.testing.assert_allclose(np.linalg.norm(data.target_offset), abs(shift), atol=1e-12)


def test_classification_shift_moves_target():
    data = make_domain_shift_classification(
        5000, 5000, n_features=3, shift=[3.0, 0.0, -1.0], random_state=0
    )
    diff = data.X_target.mean(axis=0) - data.X_source.mean(axis=0)
    np.testing.assert_allclose(diff, [3.0, 0.0, -1.0], atol=0.1)
    none = make_domain_shift_classification(5000, 5000, shift=0.0, random_state=0)
    np.testing.assert_allclose(none.X_target.mean(0), none.X_source.mean(0), atol=0.1)
    with pytest.raises(ValueError, match="length n_features=2"):
        make_domain_shift_classification(shift=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="n_classes"):
        make_domain_shift_classification(n_classes=1)
