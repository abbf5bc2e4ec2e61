"""The peers' KMM, KLIEP and uLSIF on one problem, timed (run in the peers' venv).

Inputs (npz): Xs, Xt (training rows), X_eval (rows where the fitted ratio is
returned, e.g. held-out target rows; optional).
Params (JSON): method ("KMM", "KLIEP" or "uLSIF"), peer ("adapt", "skada",
"libtlda", "densratio"), gamma (float for KMM, list for KLIEP/uLSIF), B, eps,
lambdas, n_centers, cv, seed, repeats, warmup (fit once on 50 rows first, so
that compilation is not timed).
Output: weights of the source rows, ratio at X_eval (density-ratio methods),
seconds (median of repeats), peak extra resident memory (MB), chosen params.
"""

import importlib
import warnings

import numpy as np

import peer_io as _peers_io  # noqa: E402 (this folder is on sys.path)
load, save, timed = _peers_io.load, _peers_io.save, _peers_io.timed

warnings.filterwarnings("ignore")


def _rbf(X, C, gamma):
    d = (X**2).sum(1)[:, None] + (C**2).sum(1)[None, :] - 2 * X @ C.T
    return np.exp(-gamma * np.maximum(d, 0))


def kmm_adapt(Xs, Xt, p):
    from adapt.instance_based import KMM

    model = KMM(kernel="rbf", gamma=p["gamma"], B=p["B"], eps=p["eps"], max_size=len(Xs),
                verbose=0, random_state=p["seed"])
    return {"weights": model.fit_weights(Xs, Xt)}


def kmm_skada(Xs, Xt, p):
    from skada import KMMReweightAdapter

    X = np.concatenate([Xs, Xt])
    sd = np.r_[np.ones(len(Xs), dtype=int), -np.ones(len(Xt), dtype=int)]
    model = KMMReweightAdapter(kernel="rbf", gamma=p["gamma"], B=p["B"], eps=p["eps"])
    model.fit(X, sample_domain=sd)
    return {"weights": model.source_weights_}


def kmm_libtlda(Xs, Xt, p):
    from libtlda.iw import ImportanceWeightedClassifier

    # libtlda's kernel is exp(-||x - y|| / (2 s^2)) (distance, not squared):
    # s is set so that 1 / (2 s^2) equals gamma; the problem differs anyway.
    model = ImportanceWeightedClassifier(iwe="kmm", kernel_type="rbf",
                                         bandwidth=float(np.sqrt(0.5 / p["gamma"])))
    from cvxopt import solvers

    solvers.options["show_progress"] = False
    return {"weights": model.iwe_kernel_mean_matching(Xs, Xt)}


def kliep_adapt(Xs, Xt, p):
    from adapt.instance_based import KLIEP

    model = KLIEP(kernel="rbf", gamma=list(p["gamma"]), max_centers=p["n_centers"], cv=p["cv"],
                  verbose=0, random_state=p["seed"])
    w = model.fit_weights(Xs, Xt)
    return {"weights": w, "model": model, "chosen": model.best_params_}


def kliep_skada(Xs, Xt, p):
    from skada import KLIEPReweightAdapter

    X = np.concatenate([Xs, Xt])
    sd = np.r_[np.ones(len(Xs), dtype=int), -np.ones(len(Xt), dtype=int)]
    model = KLIEPReweightAdapter(gamma=list(p["gamma"]), cv=p["cv"], n_centers=p["n_centers"],
                                 random_state=p["seed"])
    model.fit(X, sample_domain=sd)
    w = _rbf(Xs, model.centers_, model.best_gamma_) @ model.alpha_
    return {"weights": w, "model": model, "chosen": {"gamma": model.best_gamma_}}


def kliep_densratio(Xs, Xt, p):
    from densratio import densratio

    sig = [float(np.sqrt(0.5 / g)) for g in p["gamma"]]
    model = densratio(Xt, Xs, method="KLIEP", sigma_range=sig, kernel_num=p["n_centers"],
                      fold=p["cv"], verbose=False)
    return {"weights": model.compute_density_ratio(Xs), "model": model,
            "chosen": {"gamma": 0.5 / model.kernel_info.sigma**2}}


def ulsif_densratio(Xs, Xt, p):
    from densratio import densratio

    sig = [float(np.sqrt(0.5 / g)) for g in p["gamma"]]
    model = densratio(Xt, Xs, method="uLSIF", sigma_range=sig, lambda_range=list(p["lambdas"]),
                      kernel_num=p["n_centers"], verbose=False)
    return {"weights": model.compute_density_ratio(Xs), "model": model,
            "chosen": {"gamma": 0.5 / model.kernel_info.sigma**2, "lambda": model.lambda_}}


def ulsif_adapt(Xs, Xt, p):
    from adapt.instance_based import ULSIF

    model = ULSIF(kernel="rbf", gamma=list(p["gamma"]), lambdas=list(p["lambdas"]),
                  max_centers=p["n_centers"], verbose=0, random_state=p["seed"])
    w = model.fit_weights(Xs, Xt)
    return {"weights": w, "model": model, "chosen": model.best_params_}


def _ratio(out, X):
    model = out["model"]
    if hasattr(model, "compute_density_ratio"):
        return model.compute_density_ratio(X)
    if hasattr(model, "predict_weights"):
        return model.predict_weights(X)
    return _rbf(X, model.centers_, model.best_gamma_) @ model.alpha_


RUNNERS = {
    ("KMM", "adapt"): kmm_adapt,
    ("KMM", "skada"): kmm_skada,
    ("KMM", "libtlda"): kmm_libtlda,
    ("KLIEP", "adapt"): kliep_adapt,
    ("KLIEP", "skada"): kliep_skada,
    ("KLIEP", "densratio"): kliep_densratio,
    ("uLSIF", "densratio"): ulsif_densratio,
    ("uLSIF", "adapt"): ulsif_adapt,
}


# modules imported before the clock starts: import time (adapt loads
# tensorflow) is not part of a fit
IMPORTS = {"adapt": "adapt.instance_based", "skada": "skada", "libtlda": "libtlda.iw",
           "densratio": "densratio"}


def main():
    arrays, params = load()
    Xs, Xt = arrays["Xs"], arrays["Xt"]
    importlib.import_module(IMPORTS[params["peer"]])
    run = RUNNERS[(params["method"], params["peer"])]
    if params.get("warmup"):
        run(Xs[:50], Xt[:50], params)
    out, seconds, mb = timed(lambda: run(Xs, Xt, params), repeats=params.get("repeats", 1))
    result = {"weights": np.asarray(out["weights"], dtype=float).ravel(), "seconds": seconds,
              "peak_mb": mb, "chosen": out.get("chosen")}
    if "X_eval" in arrays and "model" in out:
        result["ratio_eval"] = np.asarray(_ratio(out, arrays["X_eval"]), dtype=float).ravel()
    save(result)


if __name__ == "__main__":
    main()
