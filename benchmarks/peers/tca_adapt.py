"""adapt's TCA (adapt.feature_based.TCA) on a batch of tasks, through tca_batch.main.

Params: kernel, n_components, mu (adapt's convention: the weight of the MMD
term, i.e. 1 / skadapt's mu), gamma (optional; rbf only).  adapt solves
``lstsq(I + mu K L K, K H K)`` and runs ``eigh`` on that (non-symmetric)
matrix.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from adapt.feature_based import TCA  # noqa: E402
from tca_batch import main  # noqa: E402


def fit(Xs, Xt, par):
    kw = {"gamma": par["gamma"]} if par.get("gamma") is not None else {}
    model = TCA(None, Xt=Xt, n_components=par["n_components"], mu=par["mu"],
                kernel=par["kernel"], verbose=0, random_state=0, **kw)  # fmt: skip
    return model.fit_transform(Xs, Xt), model.transform(Xt)


main(fit)
