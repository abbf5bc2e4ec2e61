"""skada's KMMReweight / KLIEPReweight on a batch of transfer problems (peers' venv).

Input and output as described in ``iw_shared``.  Params of a problem:
``method`` ("KMM" or "KLIEP"), ``C``, ``classifier``, ``kernel``, ``gamma``
(float for KMM, list for KLIEP's likelihood CV), ``B``, ``eps``,
``n_centers``, ``cv``, ``seed``.  Result: predictions on ``X_test``, source
weights (KMM), seconds of fit.
"""

import time

import numpy as np
from iw_shared import classifier, problem_arrays, run_batch


def _model(params):
    # skada switches scikit-learn's metadata routing on at import: the
    # classifier must request the weights that the reweighting step passes on.
    from skada import KLIEPReweight, KMMReweight

    clf = classifier(params).set_fit_request(sample_weight=True)
    if params["method"] == "KMM":
        kwargs = {"gamma": params["gamma"]} if "gamma" in params else {}
        return KMMReweight(
            clf,
            kernel=params.get("kernel", "rbf"),
            B=params.get("B", 1000.0),
            eps=params.get("eps"),
            **kwargs,
        )
    return KLIEPReweight(
        clf,
        gamma=params["gamma"],
        cv=params.get("cv", 5),
        n_centers=params.get("n_centers", 100),
        random_state=params.get("seed", 0),
    )


def solve(arrays, params):
    Xs, ys, Xt, X_test = problem_arrays(arrays, params)
    model = _model(params)
    X = np.concatenate([Xs, Xt])
    y = np.concatenate([ys, -np.ones(Xt.shape[0], dtype=ys.dtype)])
    sample_domain = np.r_[np.ones(Xs.shape[0], dtype=int), -np.ones(Xt.shape[0], dtype=int)]
    start = time.perf_counter()
    model.fit(X, y, sample_domain=sample_domain)
    seconds = time.perf_counter() - start
    predictions = model.predict(X_test, sample_domain=-np.ones(X_test.shape[0], dtype=int))
    selector = model.steps[0][1]
    adapter = getattr(selector, "base_estimator_", selector)
    weights = getattr(adapter, "source_weights_", None)
    return {"predictions": np.asarray(predictions), "weights": weights, "seconds": seconds}


if __name__ == "__main__":
    run_batch(solve, "skada")
