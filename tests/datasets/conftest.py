"""Fixtures of the data-loader tests.

The loaders are tested offline against the real files of the shared data
folder: ``$SKADAPT_DATA``, else ``<repo root>/../shared/data`` (the
``shared_data`` fixture of ``tests/conftest.py``).  If that folder is missing,
every test that needs it is skipped with the reason, or FAILS when
``SKADAPT_REQUIRE_DATA=1`` (as in CI); only the tests of the shipped
Office+Caltech file and of the generators run without it.  Nothing is ever
written outside pytest's temporary folders.
"""

import io
import urllib.error
import urllib.request

import numpy as np
import pytest
import scipy.sparse as sp

from skadapt.datasets import _base


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path, monkeypatch, shared_folder):
    """Default data_home -> an empty temporary folder; SKADAPT_DATA -> the shared folder."""
    home = tmp_path / "data_home"
    monkeypatch.setattr(_base, "_DEFAULT_DATA_HOME", str(home))
    if shared_folder.is_dir():
        monkeypatch.setenv("SKADAPT_DATA", str(shared_folder))
    else:
        monkeypatch.delenv("SKADAPT_DATA", raising=False)
    return home


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


@pytest.fixture
def fake_web(monkeypatch):
    """Replace urllib.request.urlopen by a dict url -> bytes; records the urls asked for.

    An url missing from the dict raises ``URLError`` (as with no network).
    """
    pages = {}
    asked = []

    def urlopen(url, timeout=None):
        url = getattr(url, "full_url", url)
        asked.append(url)
        if url not in pages:
            raise urllib.error.URLError(f"no route to {url} (mocked)")
        return FakeResponse(pages[url])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return _Web(pages, asked)


class _Web:
    def __init__(self, pages, asked):
        self.pages = pages
        self.asked = asked


@pytest.fixture
def check_text_convention():
    """Checks of the Bunch of a text loader (sparse counts, masked target, binary labels)."""

    def check(data):
        ns, nt = data.sizes
        assert sp.issparse(data.X) and data.X.format == "csr" and data.X.dtype == np.float64
        assert data.X.shape == (ns + nt, len(data.feature_names))
        np.testing.assert_array_equal(data.sample_domain, np.r_[np.ones(ns), -np.ones(nt)])
        assert np.all(data.y[ns:] == -1)
        np.testing.assert_array_equal(data.y[:ns], data.y_source)
        assert set(data.y_source) == set(data.y_target) == {0, 1}
        assert (data.X[:ns] != data.X_source).nnz == 0 and (data.X[ns:] != data.X_target).nnz == 0
        assert data.X_source.shape[0] == ns and data.X_target.shape[0] == nt
        assert np.all(data.X.data == np.round(data.X.data)) and data.X.data.min() > 0

    return check
