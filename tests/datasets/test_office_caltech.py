import numpy as np
import pytest
from scipy.io import savemat
from sklearn.neighbors import KNeighborsClassifier

from skadapt import LabeledOnly
from skadapt.datasets import _base, fetch_office_caltech
from skadapt.datasets._office_caltech import _SKADA_BENCH, _SURF

SIZES = {"amazon": 958, "caltech": 1123, "dslr": 157, "webcam": 295}
SHIPPED = _base._PACKAGE_DATA / _SURF.name
PER_CLASS = {  # data README, labels 0..9
    "amazon": [92, 82, 94, 99, 100, 100, 99, 100, 94, 98],
    "caltech": [151, 110, 100, 138, 85, 128, 133, 94, 87, 97],
    "dslr": [12, 21, 12, 13, 10, 24, 22, 12, 8, 23],
    "webcam": [29, 21, 31, 27, 27, 30, 43, 30, 27, 30],
}


@pytest.fixture
def no_shared(monkeypatch):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)


def test_shipped_file_works_without_shared_data(no_shared):
    data = fetch_office_caltech("caltech", "amazon")
    assert data.data_file.endswith("(shipped)")
    assert data.X.shape == (1123 + 958, 800)


@pytest.mark.parametrize("source,target", [("amazon", "webcam"), ("D", "c")])
def test_domain_convention_and_sizes(source, target, no_shared):
    data = fetch_office_caltech(source, target)
    s, t = data.domain_names
    ns, nt = SIZES[s], SIZES[t]
    assert data.X.shape == (ns + nt, 800) and data.X.dtype == np.float64
    assert data.sizes == (ns, nt)
    np.testing.assert_array_equal(data.sample_domain, np.r_[np.ones(ns), -np.ones(nt)])
    np.testing.assert_array_equal(data.y[:ns], data.y_source)
    assert np.all(data.y[ns:] == -1)
    np.testing.assert_array_equal(data.X[:ns], data.X_source)
    np.testing.assert_array_equal(data.X[ns:], data.X_target)
    np.testing.assert_array_equal(np.bincount(data.y_source, minlength=10), PER_CLASS[s])
    np.testing.assert_array_equal(np.bincount(data.y_target, minlength=10), PER_CLASS[t])
    assert data.class_names[0] == "back_pack" and data.class_names[9] == "projector"
    assert "Office+Caltech" in data.DESCR


def test_preprocessing_options(no_shared):
    raw = fetch_office_caltech("W", "D", preprocessing=None)
    assert np.all(raw.X == np.round(raw.X)) and raw.X.max() <= 255
    l1 = fetch_office_caltech("W", "D", preprocessing="l1")
    np.testing.assert_allclose(l1.X.sum(axis=1), 1.0)
    np.testing.assert_allclose(l1.X_source, raw.X_source / raw.X_source.sum(1, keepdims=True))
    for how in ("zscore", "jda"):
        z = fetch_office_caltech("W", "D", preprocessing=how)
        for part in (z.X_source, z.X_target):  # z-scored per domain
            np.testing.assert_allclose(part.mean(axis=0), 0.0, atol=1e-10)
            std = part.std(axis=0)
            np.testing.assert_allclose(std[std > 0], 1.0)


@pytest.mark.parametrize(
    "source,target,expected", [("C", "A", 23.70), ("W", "D", 59.24), ("D", "W", 63.39)]
)
def test_nn_baseline_matches_jda_table3(source, target, expected, no_shared):
    # Long et al., ICCV 2013, Table 3, NN column.
    data = fetch_office_caltech(source, target)
    model = LabeledOnly(KNeighborsClassifier(n_neighbors=1)).fit(data.X, data.y)
    assert round(100 * model.score(data.X_target, data.y_target), 2) == expected


def test_shared_copy_is_checked(shared_data):
    data = fetch_office_caltech("A", "C")
    assert data.data_file == "office_caltech10_surf.npz: sha256 ok (SKADAPT_DATA)"


def test_bad_arguments(no_shared):
    with pytest.raises(ValueError, match="fetch_office_caltech: `source` must be one of"):
        fetch_office_caltech("office", "amazon")
    with pytest.raises(ValueError, match="`target`"):
        fetch_office_caltech("amazon", 3)
    with pytest.raises(ValueError, match="`preprocessing` must be one of"):
        fetch_office_caltech("A", "C", preprocessing="l2")


def test_checksum_mismatch_raises(tmp_path, monkeypatch):
    folder = tmp_path / "corrupted"
    folder.mkdir()
    good = np.load(SHIPPED)
    arrays = {k: good[k] for k in good.files}
    arrays["X"] = arrays["X"].copy()
    arrays["X"][0, 0] += 1  # one count changed
    np.savez(folder / _SURF.name, **arrays)
    monkeypatch.setenv("SKADAPT_DATA", str(folder))
    with pytest.raises(OSError, match="checksum mismatch for .*office_caltech10_surf.npz"):
        fetch_office_caltech("A", "C")


def test_recompressed_copy_passes_on_content(tmp_path, monkeypatch):
    folder = tmp_path / "recompressed"
    folder.mkdir()
    good = np.load(SHIPPED)
    # same arrays, other zip layout (reversed member order): other bytes, same content
    np.savez(folder / _SURF.name, **{k: good[k] for k in reversed(good.files)})
    monkeypatch.setenv("SKADAPT_DATA", str(folder))
    data = fetch_office_caltech("A", "C")
    assert data.data_file == "office_caltech10_surf.npz: content sha256 ok (SKADAPT_DATA)"


def _fake_mat_files(fake_web, tmp_path):
    """Serve the GFK .mat files, rebuilt from the shipped arrays, at their real URLs."""
    d = np.load(SHIPPED)
    for k, stem in enumerate(("amazon", "Caltech10", "dslr", "webcam")):
        rows = d["domain"] == k
        path = tmp_path / f"{stem}.mat"
        savemat(path, {"fts": d["X"][rows].astype(np.float64), "labels": d["y"][rows, None] * 1.0})
        fake_web.pages[_SKADA_BENCH + f"{stem}_SURF_L10.mat"] = path.read_bytes()


def test_mocked_download_and_conversion(tmp_path, monkeypatch, fake_web, _isolated_data_home):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    monkeypatch.setattr(_base, "_PACKAGE_DATA", tmp_path / "empty")
    _fake_mat_files(fake_web, tmp_path)
    data = fetch_office_caltech("C", "A")
    assert data.data_file == "office_caltech10_surf.npz: content sha256 ok (downloaded)"
    assert sorted(fake_web.asked) == sorted(fake_web.pages)
    assert (_isolated_data_home / _SURF.name).is_file()
    model = LabeledOnly(KNeighborsClassifier(n_neighbors=1)).fit(data.X, data.y)
    assert round(100 * model.score(data.X_target, data.y_target), 2) == 23.70
    # second call: from the cache, no new request
    fake_web.asked.clear()
    again = fetch_office_caltech("C", "A")
    assert again.data_file.endswith("(data_home)") and fake_web.asked == []


def test_download_failures_are_clear(tmp_path, monkeypatch, fake_web):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    monkeypatch.setattr(_base, "_PACKAGE_DATA", tmp_path / "empty")
    with pytest.raises(OSError, match="download_if_missing=False"):
        fetch_office_caltech("C", "A", download_if_missing=False)
    with pytest.raises(OSError, match="could not download amazon_SURF_L10.mat.*mocked"):
        fetch_office_caltech("C", "A")
    # originals served but different from the checked version
    _fake_mat_files(fake_web, tmp_path)
    url = _SKADA_BENCH + "dslr_SURF_L10.mat"
    savemat(tmp_path / "bad.mat", {"fts": np.ones((3, 800)), "labels": np.ones((3, 1))})
    fake_web.pages[url] = (tmp_path / "bad.mat").read_bytes()
    with pytest.raises(OSError, match="conversion of the originals .* gave content sha256"):
        fetch_office_caltech("C", "A", data_home=tmp_path / "other_home")


def test_unreadable_original_is_a_clear_error(tmp_path, monkeypatch, fake_web):
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    monkeypatch.setattr(_base, "_PACKAGE_DATA", tmp_path / "empty")
    for stem in ("amazon", "Caltech10", "dslr", "webcam"):
        fake_web.pages[_SKADA_BENCH + f"{stem}_SURF_L10.mat"] = b"<html>rate limited</html>"
    with pytest.raises(
        OSError,
        match="converting the originals of 'office_caltech10_surf.npz' "
        "failed .*delete them to download again",
    ):
        fetch_office_caltech("C", "A")
