"""The README main job (benchmarks/reproduce_jda_nn.py) works offline with the shipped SURF file."""

from pathlib import Path

import pytest

from benchmarks import reproduce_jda_nn as script  # the tests run from the repository root


def test_offline_run_reproduces_the_surf_column(tmp_path, monkeypatch):
    written = {}
    monkeypatch.delenv("SKADAPT_DATA", raising=False)
    monkeypatch.setattr(script, "data_dir", lambda: Path(tmp_path / "no_shared_data"))
    monkeypatch.setattr(
        script,
        "write_result",
        lambda name, payload, md: written.update(name=name, payload=payload, markdown=md),
    )
    rows = script.run("quick")
    assert [r["task"] for r in rows] == [
        f"{s}→{t}" for s, t in script.PUBLISHED_JDA_ICCV2013_TABLE3_NN_SURF
    ]
    assert all(r["verdict"].startswith("reproduced") for r in rows)
    assert all(r["data_file"].endswith("sha256 ok (shipped)") for r in rows)
    payload = written["payload"]
    assert [s["task"] for s in payload["skipped"]] == [
        "USPS→MNIST",
        "MNIST→USPS",
        "COIL1→COIL2",
        "COIL2→COIL1",
    ]
    assert round(payload["mean_12_surf"]["skadapt"], 2) == 31.37
    assert "4 skipped" in written["markdown"]
    with pytest.raises(ValueError, match="mode must be"):
        script.run("fast")
