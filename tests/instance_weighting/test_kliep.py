"""KLIEP: the ConvergenceWarning reports the gaps that it counts."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skadapt import KLIEP

GAP = re.compile(r"largest gap of those fits ([0-9.eE+-]+)")
FINAL = re.compile(r"the final fit (converged|did not) \(gap ([0-9.eE+-]+)\)")


def _data(seed):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(0, 1, (60, 2)), rng.normal(0.5, 0.6, (40, 2))]
    y = np.r_[np.zeros(60), -np.ones(40)]
    return X, y


def _convergence_messages(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("seed, max_iter", [(10, 5), (14, 5), (7, 3)])
def test_warning_reports_a_gap_above_tol(seed, max_iter):
    # Here some likelihood cross-validation fits stop above `tol` while the
    # final fit converges: the message used to print the final fit's gap
    # (below tol) next to "did not reach its tolerance".
    X, y = _data(seed)
    tol = 1e-6
    messages = _convergence_messages(KLIEP(max_iter=max_iter, tol=tol, random_state=seed), X, y)
    assert len(messages) == 1
    message = messages[0]
    largest = GAP.search(message)
    assert largest is not None, message
    assert float(largest.group(1)) > tol, message
    final = FINAL.search(message)
    assert final is not None, message
    converged = final.group(1) == "converged"
    assert converged == (float(final.group(2)) <= tol), message


def test_final_fit_not_converged_reports_its_gap():
    X, y = _data(0)
    tol = 1e-12
    messages = _convergence_messages(KLIEP(gamma=0.5, max_iter=1, tol=tol, random_state=0), X, y)
    assert len(messages) == 1
    final = FINAL.search(messages[0])
    assert final is not None and final.group(1) == "did not", messages[0]
    assert float(final.group(2)) > tol
    assert float(GAP.search(messages[0]).group(1)) == float(final.group(2))
    assert "0 of 0 likelihood cross-validation" in messages[0]


def test_no_warning_when_every_fit_converges():
    X, y = _data(0)
    assert _convergence_messages(KLIEP(random_state=0), X, y) == []
