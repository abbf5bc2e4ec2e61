"""adapt's TrAdaBoost on one transfer task (run in the peers' venv by run_peer).

Inputs (npz): sparse CSR matrices passed as components ``<name>_data``,
``<name>_indices``, ``<name>_indptr``, ``<name>_shape`` for ``Xs`` (labeled
source rows), ``Xt`` (labeled target rows) and ``X_test``; labels ``ys``,
``yt``.  Params (JSON): ``base`` (``"linear_svc"``, the default,
``"logistic_lbfgs_warm"`` (lbfgs, ``tol`` and ``max_iter`` from the params,
default 1e-6 and 1000, ``warm_start=True``), or
``"logistic"``: ``LogisticRegression(solver="liblinear", dual=True)``), ``C``
and ``class_weight`` of the base learner, ``n_estimators``, ``seed``,
``target_share`` (optional: initial weights with this share of the mass on
the target rows, uniform within each domain; default adapt's uniform start),
``repeats`` (timed fits; the median is reported).  Output: predictions on X_test, median seconds of fit, peak extra
resident memory (MB) during the fits, the estimator errors of the last fit.
"""

import warnings

import numpy as np
import scipy.sparse as sp

import peer_io as _peers_io  # noqa: E402 (this folder is on sys.path)
load, save, timed = _peers_io.load, _peers_io.save, _peers_io.timed

warnings.filterwarnings("ignore")


def _csr(arrays, name):
    return sp.csr_matrix(
        (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]),
        shape=tuple(arrays[f"{name}_shape"]),
    )


def main():
    arrays, params = load()
    from adapt.instance_based import TrAdaBoost
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    Xs, Xt, X_test = _csr(arrays, "Xs"), _csr(arrays, "Xt"), _csr(arrays, "X_test")
    ys, yt = arrays["ys"], arrays["yt"]

    fit_params = {}
    share = params.get("target_share")
    if share is not None:
        n_s, n_t = Xs.shape[0], Xt.shape[0]
        fit_params = {
            "sample_weight_src": np.full(n_s, (1.0 - share) / n_s),
            "sample_weight_tgt": np.full(n_t, share / n_t),
        }

    def fit():
        if params.get("base") == "logistic_lbfgs_warm":
            base = LogisticRegression(
                C=params["C"], class_weight=params.get("class_weight"),
                tol=params.get("tol", 1e-6),
                max_iter=params.get("max_iter", 1000), warm_start=True,
                random_state=params["seed"],
            )
        elif params.get("base", "linear_svc") == "logistic":
            base = LogisticRegression(
                C=params["C"], class_weight=params.get("class_weight"), solver="liblinear",
                dual=True, max_iter=1000, random_state=params["seed"],
            )
        else:
            base = LinearSVC(
                C=params["C"], class_weight=params.get("class_weight"), random_state=params["seed"]
            )
        model = TrAdaBoost(
            base,
            Xt=Xt,
            yt=yt,
            n_estimators=params["n_estimators"],
            verbose=0,
            random_state=params["seed"],
        )
        return model.fit(Xs, ys, **fit_params)

    model, seconds, peak_mb = timed(fit, repeats=params.get("repeats", 1))
    save(
        {
            "y_pred": model.predict(X_test),
            "seconds": seconds,
            "peak_mb": peak_mb,
            "estimator_errors": np.asarray(model.estimator_errors_, dtype=float),
        }
    )


if __name__ == "__main__":
    main()
