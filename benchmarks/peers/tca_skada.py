"""skada's TransferComponentAnalysisAdapter on a batch of tasks, through tca_batch.main.

Params: kernel, n_components, mu (skada's convention: the weight of the MMD
term, i.e. 1 / skadapt's mu).  skada calls scikit-learn's
``pairwise_kernels(metric=kernel)`` with its default gamma (1 / n_features);
it solves ``(I + mu K L K)^{-1} K H K`` and runs ``eigh`` on that
(non-symmetric) matrix.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from skada import TransferComponentAnalysisAdapter  # noqa: E402
from tca_batch import main  # noqa: E402


def fit(Xs, Xt, par):
    X = np.vstack([Xs, Xt])
    sample_domain = np.r_[np.ones(len(Xs), dtype=int), -np.ones(len(Xt), dtype=int)]
    model = TransferComponentAnalysisAdapter(
        kernel=par["kernel"], n_components=par["n_components"], mu=par["mu"]
    )
    Z = model.fit_transform(X, sample_domain=sample_domain)
    return Z[: len(Xs)], Z[len(Xs) :]


main(fit)
