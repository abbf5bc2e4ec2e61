"""adapt's KMM / KLIEP on one transfer task (run in the peers' venv by run_peer).

Inputs (npz): Xs, ys, Xt (unlabeled target rows used for adaptation), X_test.
Params (JSON): method ("KMM" or "KLIEP"), C (LogisticRegression or LinearSVC),
classifier ("logreg" or "linearsvc"), kernel, gamma (float, or list for KLIEP's
likelihood CV), B, eps, max_size (KMM), n_centers, cv, algo (KLIEP), seed.
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


def main():
    arrays, params = load()
    Xs, ys, Xt, X_test = arrays["Xs"], arrays["ys"], arrays["Xt"], arrays["X_test"]
    if params["method"] == "KMM":
        from adapt.instance_based import KMM

        model = KMM(
            _classifier(params),
            Xt=Xt,
            kernel=params.get("kernel", "rbf"),
            gamma=params["gamma"],
            B=params.get("B", 1000.0),
            eps=params.get("eps"),
            max_size=params.get("max_size", 1000),
            verbose=0,
            random_state=params.get("seed", 0),
        )
    else:
        from adapt.instance_based import KLIEP

        model = KLIEP(
            _classifier(params),
            Xt=Xt,
            kernel=params.get("kernel", "rbf"),
            gamma=params["gamma"],
            max_centers=params.get("n_centers", 100),
            cv=params.get("cv", 5),
            algo=params.get("algo", "original"),
            verbose=0,
            random_state=params.get("seed", 0),
        )
    start = time.perf_counter()
    model.fit(Xs, ys)
    seconds = time.perf_counter() - start
    save(
        {
            "predictions": np.asarray(model.predict(X_test)),
            "weights": np.asarray(model.predict_weights()),
            "seconds": seconds,
            "best_params": getattr(model, "best_params_", None),
        }
    )


if __name__ == "__main__":
    main()
