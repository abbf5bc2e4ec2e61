"""libtlda's transfer component analysis (TransferComponentClassifier) on (Xs, Xt).

Only its component step is used (``transfer_component_analysis``), so that the
same 1-NN classifier as everyone else's is fit on the embedded source.
Arrays: Xs_i, ys_i, Xt_i (yt_i for an accuracy) per task i.  Parameters (JSON): n_tasks,
task_params (a list of per-task overrides), kernel ("linear" or "rbf"; libtlda's rbf is
``exp(-||x - z|| / (2 bandwidth^2))``, on the distance, not its square),
n_components, mu (libtlda's convention: the weight of the MMD term, i.e.
1 / skadapt's mu), bandwidth, repeats, return_embedding.  libtlda adds a
ridge to K until a Cholesky succeeds, inverts ``I + mu K L K`` and runs ARPACK
``eigs`` on the product.
"""

import contextlib
import io

import importlib.util
from pathlib import Path

import numpy as np
from libtlda.tca import TransferComponentClassifier
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
    def run():
        model = TransferComponentClassifier(
            mu=par["mu"],
            num_components=par["n_components"],
            kernel_type=par["kernel"],
            bandwidth=par.get("bandwidth", 1.0),
        )
        with contextlib.redirect_stdout(io.StringIO()):  # it prints its ridge steps
            C, K = model.transfer_component_analysis(Xs, Xt)
        return K @ C

    Z = _timed(run, par)
    return Z[: len(Xs)], Z[len(Xs) :]


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
