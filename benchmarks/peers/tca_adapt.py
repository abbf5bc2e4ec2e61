"""adapt's TCA (adapt.feature_based.TCA) on a batch of tasks: time, memory, 1-NN accuracy, embedding.

Arrays: Xs_i, ys_i, Xt_i (yt_i for an accuracy) per task i.  Parameters (JSON): n_tasks,
task_params (a list of per-task overrides), kernel, n_components, mu (adapt's convention: the weight of
the MMD term, i.e. 1 / skadapt's mu), gamma (optional), repeats,
return_embedding.  adapt solves ``lstsq(I + mu K L K, K H K)`` and runs
``eigh`` on that (non-symmetric) matrix.
"""

import importlib.util
from pathlib import Path

import numpy as np
from adapt.feature_based import TCA
from sklearn.neighbors import KNeighborsClassifier

# "_io" is also a built-in module name: load benchmarks/peers/_io.py by path.
_spec = importlib.util.spec_from_file_location("peers_io", Path(__file__).with_name("_io.py"))
_peers_io = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_peers_io)
load, save, timed = _peers_io.load, _peers_io.save, _peers_io.timed

arrays, params = load()

_last = {}


def _timed(fn, par):
    result, seconds, mb = timed(fn, repeats=par.get("repeats", 1))
    _last.update(seconds=seconds, peak_mb=mb)
    return result


def fit(Xs, Xt, par):
    kw = {"gamma": par["gamma"]} if par.get("gamma") is not None else {}

    def run():
        model = TCA(
            None,
            Xt=Xt,
            n_components=par["n_components"],
            mu=par["mu"],
            kernel=par["kernel"],
            verbose=0,
            random_state=0,
            **kw,
        )
        return model.fit_transform(Xs, Xt), model.transform(Xt)

    return _timed(run, par)


def _task(i):
    """The i-th task's arrays and params (a batch avoids paying the import per task)."""
    suffix = f"_{i}"
    arr = {k[: -len(suffix)]: v for k, v in arrays.items() if k.endswith(suffix)}
    return arr, {**params, **params.get("task_params", [{}] * params["n_tasks"])[i]}


results = []
for i in range(params["n_tasks"]):
    arr, par = _task(i)
    try:
        Zs, Zt = fit(arr["Xs"], arr["Xt"], par)
    except Exception as exc:  # report the failure of this task, run the others
        results.append({"error": f"n/a ({type(exc).__name__}: {str(exc)[:150]})"})
        continue
    res = {"seconds": _last["seconds"], "peak_mb": _last["peak_mb"]}
    if "yt" in arr:
        knn = KNeighborsClassifier(n_neighbors=1).fit(Zs, arr["ys"])
        res["accuracy"] = float(np.mean(knn.predict(Zt) == arr["yt"]))
    if par.get("return_embedding"):
        res["embedding"] = np.vstack([Zs, Zt])
    results.append(res)
save({"results": results})
