import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from skadapt import LabeledOnly
from skadapt.datasets import fetch_coil20, fetch_mnist_usps

MNIST_COUNTS = [196, 227, 207, 202, 196, 179, 191, 206, 195, 201]  # data README, digits 0..9
USPS_COUNTS = [352, 241, 165, 166, 166, 126, 139, 172, 129, 144]


def _convention(data, ns, nt, d):
    assert data.X.shape == (ns + nt, d) and data.X.dtype == np.float64
    np.testing.assert_array_equal(data.sample_domain, np.r_[np.ones(ns), -np.ones(nt)])
    assert np.all(data.y[ns:] == -1)
    np.testing.assert_array_equal(data.y[:ns], data.y_source)
    np.testing.assert_array_equal(data.X[:ns], data.X_source)
    np.testing.assert_array_equal(data.X[ns:], data.X_target)


def test_mnist_usps(shared_data):
    data = fetch_mnist_usps()  # USPS -> MNIST
    _convention(data, 1800, 2000, 256)
    np.testing.assert_array_equal(np.bincount(data.y_source), USPS_COUNTS)
    np.testing.assert_array_equal(np.bincount(data.y_target), MNIST_COUNTS)
    np.testing.assert_allclose(np.linalg.norm(data.X, axis=1), 1.0)
    assert data.class_names[3] == "3" and data.image_shape == (16, 16)
    raw = fetch_mnist_usps("mnist", "usps", preprocessing=None)
    assert raw.X.min() >= 0 and raw.X.max() <= 1
    z = fetch_mnist_usps("mnist", "usps", preprocessing="zscore")
    np.testing.assert_allclose(z.X_source.mean(axis=0), 0, atol=1e-10)


def test_coil20(shared_data):
    data = fetch_coil20("coil2", "coil1")
    _convention(data, 720, 720, 1024)
    np.testing.assert_array_equal(np.bincount(data.y_source), np.full(20, 36))
    np.testing.assert_array_equal(np.bincount(data.y_target), np.full(20, 36))
    assert data.class_names[0] == "obj1" and data.image_shape == (32, 32)


@pytest.mark.parametrize(
    "loader,source,target,expected",
    [
        (fetch_mnist_usps, "usps", "mnist", 44.70),  # Long et al., ICCV 2013, Table 3, NN
        (fetch_mnist_usps, "mnist", "usps", 65.94),
        (fetch_coil20, "coil1", "coil2", 83.61),
        (fetch_coil20, "coil2", "coil1", 82.78),
    ],
)
def test_nn_baseline_matches_jda_table3(loader, source, target, expected, shared_data):
    data = loader(source, target)
    model = LabeledOnly(KNeighborsClassifier(n_neighbors=1)).fit(data.X, data.y)
    assert round(100 * model.score(data.X_target, data.y_target), 2) == expected


def test_bad_arguments_and_missing_file(tmp_path, monkeypatch, fake_web):
    with pytest.raises(ValueError, match="fetch_mnist_usps: `source` must be one of"):
        fetch_mnist_usps("svhn")
    with pytest.raises(ValueError, match="fetch_coil20: `preprocessing`"):
        fetch_coil20(preprocessing="l1")
    monkeypatch.setenv("SKADAPT_DATA", str(tmp_path))
    with pytest.raises(OSError, match="mnist_usps_jda.npz.*SKADAPT_DATA.*MATLAB v7.3"):
        fetch_mnist_usps()
    with pytest.raises(OSError, match="coil20_jda.npz.*COIL1_vs_COIL2.mat"):
        fetch_coil20()
    assert fake_web.asked == []
