"""adapt's KMM / KLIEP on a batch of transfer problems (run in the peers' venv by run_peer).

One process handles many problems, so that adapt (and TensorFlow, which it
imports) is loaded once; input and output as described in ``iw_shared``.
Params of a problem: ``method`` ("KMM" or "KLIEP"), ``C``, ``classifier``
("logreg" or "linearsvc"), ``kernel``, ``gamma`` (float for KMM, list for
KLIEP's likelihood CV), ``B``, ``eps``, ``max_size`` (KMM), ``n_centers``,
``cv``, ``algo`` (KLIEP), ``seed``.  Result: predictions on ``X_test``,
source weights, seconds of fit.
"""

import time

import numpy as np
from iw_shared import classifier, problem_arrays, run_batch


def _model(params, Xt):
    kernel_params = {"gamma": params["gamma"]} if "gamma" in params else {}
    if params["method"] == "KMM":
        from adapt.instance_based import KMM

        return KMM(
            classifier(params),
            Xt=Xt,
            kernel=params.get("kernel", "rbf"),
            B=params.get("B", 1000.0),
            eps=params.get("eps"),
            max_size=params.get("max_size", 1000),
            verbose=0,
            random_state=params.get("seed", 0),
            **kernel_params,
        )
    from adapt.instance_based import KLIEP

    return KLIEP(
        classifier(params),
        Xt=Xt,
        kernel=params.get("kernel", "rbf"),
        max_centers=params.get("n_centers", 100),
        cv=params.get("cv", 5),
        algo=params.get("algo", "original"),
        verbose=0,
        random_state=params.get("seed", 0),
        **kernel_params,
    )


def solve(arrays, params):
    Xs, ys, Xt, X_test = problem_arrays(arrays, params)
    model = _model(params, Xt)
    start = time.perf_counter()
    model.fit(Xs, ys)
    seconds = time.perf_counter() - start
    return {
        "predictions": np.asarray(model.predict(X_test)),
        "weights": np.asarray(model.predict_weights()),
        "seconds": seconds,
    }


if __name__ == "__main__":
    run_batch(solve, "adapt")
