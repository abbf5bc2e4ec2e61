"""Importing skadapt changes no global state and is fast."""

import json
import subprocess
import sys
import textwrap

# Lists every module that importing skadapt loads from other packages.
_DEPENDENCIES = textwrap.dedent(
    """
    import json, sys
    before = set(sys.modules)
    import skadapt
    print(json.dumps(sorted(m for m in set(sys.modules) - before
                            if m.split(".")[0] not in ("skadapt", "__main__"))))
    """
)

_PROBE = textwrap.dedent(
    """
    import importlib, json, logging, sys, time, warnings
    import numba, numpy, sklearn
    for name in json.loads(sys.argv[1]):
        try:
            importlib.import_module(name)
        except Exception:
            pass

    def state():
        return {
            "sklearn": repr(sorted(sklearn.get_config().items())),
            "numba_threads": numba.get_num_threads(),
            "numba_config": repr(sorted((k, repr(v)) for k, v in vars(numba.config).items()
                                        if k.isupper())),
            "logging": repr([(n, l.level) for n, l in sorted(logging.Logger.manager.loggerDict.items())
                             if isinstance(l, logging.Logger)] + [logging.getLogger().level]),
            "warnings": repr(warnings.filters),
            "numpy_err": repr(numpy.geterr()),
            "numpy_print": repr(numpy.get_printoptions()),
        }

    before = state()
    start = time.perf_counter()
    import skadapt
    elapsed = time.perf_counter() - start
    after = state()
    print(json.dumps({"elapsed": elapsed, "before": before, "after": after}))
    """
)


def _run(code, *args):
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _probe():
    return _run(_PROBE, json.dumps(_run(_DEPENDENCIES)))


def test_import_changes_no_global_state_and_is_fast():
    _probe()  # warm numba's cache and the OS file cache
    result = _probe()
    changed = [k for k in result["before"] if result["before"][k] != result["after"][k]]
    assert not changed, f"import skadapt changed global state: {changed}"
    # skadapt's own import time: every module of another package that it loads
    # (scikit-learn alone takes about 1 s here) is imported first
    assert result["elapsed"] < 1.0, result["elapsed"]


def test_import_does_not_import_dask():
    """dask is optional: skadapt imports it only when a dask array is passed."""
    loaded = _run(_DEPENDENCIES)
    assert not [m for m in loaded if m.split(".")[0] in ("dask", "distributed")]
