"""Importing skadapt changes no global state and is fast."""

import json
import subprocess
import sys
import textwrap

_PROBE = textwrap.dedent(
    """
    import json, logging, sys, time, warnings
    import numpy, scipy.sparse, scipy.linalg, sklearn, sklearn.base, sklearn.metrics
    import sklearn.model_selection, sklearn.pipeline, sklearn.utils.validation
    import numba

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


def _probe():
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_changes_no_global_state_and_is_fast():
    _probe()  # warm numba's cache and the OS file cache
    result = _probe()
    changed = [k for k in result["before"] if result["before"][k] != result["after"][k]]
    assert not changed, f"import skadapt changed global state: {changed}"
    # skadapt's own import time, its dependencies (scikit-learn alone takes
    # about 1 s here) being imported first
    assert result["elapsed"] < 1.0, result["elapsed"]
