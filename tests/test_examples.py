"""Every docstring example in the package runs: the doctests of each module, warnings as errors.

The public API promises a runnable example per estimator and function; this runs them
all (pytest's ``filterwarnings = error`` applies, so an example that only works by
emitting a warning fails here).
"""

import doctest
import pkgutil
from importlib import import_module

import numpy as np
import pytest

import skadapt

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(skadapt.__path__, prefix="skadapt.")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    module = import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    with np.printoptions(legacy=False):
        for test in finder.find(module, module_name):
            if test.examples:
                runner.run(test, out=lambda text: pytest.fail(f"{test.name}:\n{text}"))
    assert runner.failures == 0
