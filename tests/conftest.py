"""Fixtures shared by every test: where the shared data files are.

Tests that read data files other than the one shipped in the package ask for
the ``shared_data`` fixture (the folder ``$SKADAPT_DATA``, else
``<repo root>/../shared/data``).  On a machine without that folder they are
SKIPPED with the reason, so that the README's test command passes on a fresh
clone; with ``SKADAPT_REQUIRE_DATA=1`` (set by ``.ci/run``, which has the
folder) a missing folder makes them FAIL instead, so that CI can never pass
by skipping them.
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis draws new examples on every run on a developer's machine.  CI
# (``.ci/run`` sets SKADAPT_HYPOTHESIS_PROFILE=ci) draws a fixed sequence, so
# that a landing never depends on the luck of the draw; a failure found
# locally is kept as an ``@example`` in its test.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("SKADAPT_HYPOTHESIS_PROFILE", "default"))

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_folder():
    """``$SKADAPT_DATA``, else ``<repo root>/../shared/data``."""
    env = os.environ.get("SKADAPT_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


SHARED = _shared_folder()


def data_required():
    """Whether a missing data folder must fail the tests (``SKADAPT_REQUIRE_DATA=1``)."""
    return os.environ.get("SKADAPT_REQUIRE_DATA", "").strip() not in ("", "0")


def missing_data_outcome(reason):
    """Skip with ``reason``, or fail when ``SKADAPT_REQUIRE_DATA`` is set."""
    if data_required():
        pytest.fail(f"{reason} (SKADAPT_REQUIRE_DATA is set: the data tests are mandatory)")
    pytest.skip(reason)


@pytest.fixture
def shared_folder():
    """Where the shared data folder is (whether or not it exists)."""
    return SHARED


@pytest.fixture
def shared_data():
    """The shared data folder; skips (or, under SKADAPT_REQUIRE_DATA, fails) when missing."""
    if not (SHARED / "SHA256SUMS").is_file():
        missing_data_outcome(
            f"the shared data folder {SHARED} is missing (or has no SHA256SUMS): set "
            "SKADAPT_DATA to the folder holding skadapt's data files to run this test"
        )
    return SHARED
