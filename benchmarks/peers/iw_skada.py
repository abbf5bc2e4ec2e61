"""skada's KMMReweight / KLIEPReweight on one transfer task (run in the peers' venv).

Inputs (npz): Xs, ys, Xt (unlabeled target rows used for adaptation), X_test.
Params (JSON): method ("KMM" or "KLIEP"), C, classifier ("logreg" or
"linearsvc"), kernel, gamma (float, or list for KLIEP's likelihood CV), B, eps,
n_centers, cv, seed.
Output: predictions on X_test, source weights, seconds of fit.
"""

import time
import warnings

import importlib.util
from pathlib import Path

import numpy as np

# "_io" is also the name of a built-in module, which wins over sys.path: load the
# shared helpers of benchmarks/peers/_io.py by file path.
_spec = importlib.util.spec_from_file_location("peers_io", Path(__file__).with_name("_io.py"))
_peers_io = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_peers_io)
load, save = _peers_io.load, _peers_io.save

warnings.filterwarnings("ignore")


def _classifier(params):
    if params.get("classifier", "logreg") == "linearsvc":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=params["C"])
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=params["C"], max_iter=1000)


def _weighted_classifier(params):
    # skada switches scikit-learn's metadata routing on at import: the
    # classifier must request the weights the reweighting step passes on.
    return _classifier(params).set_fit_request(sample_weight=True)


def main():
    arrays, params = load()
    Xs, ys, Xt, X_test = arrays["Xs"], arrays["ys"], arrays["Xt"], arrays["X_test"]
    if params["method"] == "KMM":
        from skada import KMMReweight

        model = KMMReweight(
            _weighted_classifier(params),
            kernel=params.get("kernel", "rbf"),
            gamma=params["gamma"],
            B=params.get("B", 1000.0),
            eps=params.get("eps"),
        )
    else:
        from skada import KLIEPReweight

        model = KLIEPReweight(
            _weighted_classifier(params),
            gamma=params["gamma"],
            cv=params.get("cv", 5),
            n_centers=params.get("n_centers", 100),
            random_state=params.get("seed", 0),
        )
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
    save({"predictions": np.asarray(predictions), "weights": weights, "seconds": seconds})


if __name__ == "__main__":
    main()
