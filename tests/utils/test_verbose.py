"""``verbose=1`` prints one line per stage or iteration with the elapsed time."""

import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skadapt

_LINE = re.compile(r"^\[(\w+)\] .+ \(elapsed \d+\.\d\ds\)$")


def _problem():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (80, 2)), rng.normal(0.5, 0.7, (60, 2))]
    y = np.r_[(X[:80, 0] > 0).astype(int), -np.ones(60, dtype=int)]
    return X, y


@pytest.mark.parametrize(
    "estimator, expected",
    [
        (skadapt.KMM(gamma=1.0, verbose=1), ["iter", "relative gap"]),
        (skadapt.ULSIF(random_state=0, verbose=1), ["leave-one-out 1/5", "fitted with"]),
        (skadapt.RuLSIF(random_state=0, verbose=1), ["leave-one-out 5/5", "fitted with"]),
        (skadapt.KLIEP(cv=2, random_state=0, verbose=1), ["fold 2/2", "fitted with"]),
        (skadapt.TCA(n_components=2, verbose=1), ["kernel matrix", "eigensolver"]),
        (skadapt.TCA(n_components=2, n_landmarks=20, random_state=0, verbose=1),
         ["landmark sums", "eigensolver"]),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, list) else "",
)
def test_verbose_lines_have_the_elapsed_time(capsys, estimator, expected):
    X, y = _problem()
    estimator.fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(_LINE.match(line) for line in lines), lines
    assert all(line.startswith(f"[{type(estimator).__name__}]") for line in lines)
    for word in expected:
        assert any(word in line for line in lines), (word, lines)


def test_tradaboost_rounds_have_the_elapsed_time(capsys):
    X, y = _problem()
    domain = np.r_[np.ones(80, dtype=int), -np.ones(60, dtype=int)]
    y[80:95] = (X[80:95, 0] > 0.5).astype(int)  # a few labeled target rows
    skadapt.TrAdaBoostClassifier(LogisticRegression(), n_estimators=3, random_state=0,
                                 verbose=1).fit(X, y, sample_domain=domain)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all(_LINE.match(line) for line in lines), lines
    assert "round 3/3" in lines[-1]


def test_silent_by_default(capsys):
    X, y = _problem()
    skadapt.KMM(gamma=1.0).fit(X, y)
    skadapt.TCA(n_components=2).fit(X, y)
    assert capsys.readouterr().out == ""
