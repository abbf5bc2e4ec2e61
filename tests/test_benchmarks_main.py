"""Issue 12: ``python -m benchmarks`` on a fresh machine (skips with reasons, writes only where told)."""

import sys
import types

import pytest

from benchmarks import __main__ as runner  # the tests run from the repository root
from benchmarks import _common
from skadapt.datasets import _base


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No data folder, an empty data home, results into a temporary folder by default."""
    monkeypatch.setenv("SKADAPT_DATA", str(tmp_path / "no_data"))
    monkeypatch.setattr(_base, "_DEFAULT_DATA_HOME", str(tmp_path / "data_home"))
    monkeypatch.setattr(_common, "DEFAULT_OUT", tmp_path / "default_out")
    monkeypatch.setitem(_common._SETTINGS, "out", tmp_path / "default_out")
    monkeypatch.setitem(_common._SETTINGS, "download", False)
    return tmp_path


def _fake_script(monkeypatch, name, requires, calls):
    module = types.ModuleType(f"benchmarks.{name}")
    module.REQUIRES = requires

    def run(mode):
        calls.append((name, mode))
        _common.write_result(name, {"mode": mode}, f"# {name}\n")

    module.run = run
    monkeypatch.setitem(sys.modules, f"benchmarks.{name}", module)


def test_missing_data_skips_with_a_reason_and_exits_zero(bare_machine, monkeypatch, capsys):
    calls = []
    _fake_script(monkeypatch, "reproduce_needs_data", {"quick": ("reuters21578_bow.npz",)}, calls)
    _fake_script(monkeypatch, "reproduce_shipped", ("office_caltech10_surf.npz",), calls)
    monkeypatch.setattr(runner, "_scripts", lambda: ["reproduce_needs_data", "reproduce_shipped"])
    out = bare_machine / "out"
    assert runner.main(["--quick", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert calls == [("reproduce_shipped", "quick")]
    assert "-- reproduce_needs_data (quick) skipped: needs reuters21578_bow.npz" in text
    assert "ran 1, skipped 1, failed 0" in text
    assert (out / "reproduce_shipped.md").is_file() and (out / "reproduce_shipped.json").is_file()
    assert not (bare_machine / "default_out").exists()


def test_results_go_to_the_ignored_folder_unless_update_results(bare_machine, monkeypatch, capsys):
    calls = []
    _fake_script(monkeypatch, "reproduce_toy", (), calls)
    monkeypatch.setattr(runner, "_scripts", lambda: ["reproduce_toy"])
    written = []
    monkeypatch.setattr(_common, "RESULTS", bare_machine / "tracked")
    assert runner.main(["--quick"]) == 0
    written.append(sorted(p.name for p in (bare_machine / "default_out").iterdir()))
    assert written == [["reproduce_toy.json", "reproduce_toy.md"]]
    assert not (bare_machine / "tracked").exists()
    assert runner.main(["--quick", "--update-results"]) == 0
    assert (bare_machine / "tracked" / "reproduce_toy.md").is_file()


def test_a_failing_script_still_fails_the_run(bare_machine, monkeypatch):
    module = types.ModuleType("benchmarks.reproduce_broken")
    module.run = lambda mode: 1 / 0
    monkeypatch.setitem(sys.modules, "benchmarks.reproduce_broken", module)
    monkeypatch.setattr(runner, "_scripts", lambda: ["reproduce_broken"])
    assert runner.main(["--quick"]) == 1


@pytest.mark.parametrize("name", ["reproduce_instance_weighting", "reproduce_tradaboost"])
def test_reproductions_that_need_data_declare_it(bare_machine, name):
    module = __import__(f"benchmarks.{name}", fromlist=["run"])
    assert _common.missing_data(module, "quick")  # nothing local on this bare machine
    assert _common.missing_data(__import__("benchmarks.reproduce_tca", fromlist=["run"]), "quick") == []


def test_loader_options_never_download_unless_asked(bare_machine):
    assert _common.loader_options() == {"download_if_missing": False}
    _common.set_download(True)
    assert _common.loader_options() == {"download_if_missing": True}
