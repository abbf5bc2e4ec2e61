"""libtlda's transfer component analysis on a batch of tasks, through tca_batch.main.

Only its component step is used (``TransferComponentClassifier.
transfer_component_analysis``), so that the same 1-NN classifier as
everyone else's is fit on the embedded source.  Params: kernel ("linear" or
"rbf"; libtlda's rbf is ``exp(-||x - z|| / (2 bandwidth^2))``, on the
distance, not its square), n_components, mu (libtlda's convention: the weight
of the MMD term, i.e. 1 / skadapt's mu), bandwidth.  libtlda adds a ridge to
K until a Cholesky succeeds, inverts ``I + mu K L K`` and runs ARPACK ``eigs``
on the product.
"""

import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from libtlda.tca import TransferComponentClassifier  # noqa: E402
from tca_batch import main  # noqa: E402


def fit(Xs, Xt, par):
    model = TransferComponentClassifier(mu=par["mu"], num_components=par["n_components"],
                                        kernel_type=par["kernel"], bandwidth=par.get("bandwidth", 1.0))  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its ridge steps
        C, K = model.transfer_component_analysis(Xs, Xt)
    Z = K @ C
    return Z[: len(Xs)], Z[len(Xs) :]


main(fit)
