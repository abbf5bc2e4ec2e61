"""Shared driver of the TCA peer scripts (tca_adapt, tca_skada, tca_libtlda).

Arrays: ``Xs_i, ys_i, Xt_i`` (and ``yt_i`` for an accuracy) for each task
``i``; params (JSON): ``n_tasks``, ``task_params`` (a list of per-task
overrides) and whatever the peer reads (kernel, n_components, mu, ...),
``repeats``, ``return_embedding``.  A whole batch runs in one process, so that
the peer's import (TensorFlow for adapt) is paid once.  For each task the
result holds the median seconds and peak extra memory of the fit, the
accuracy of a 1-NN classifier fit on the embedded source (when ``yt_i`` is
given) and, on request, the embedding of source then target rows.
"""


import numpy as np
from sklearn.neighbors import KNeighborsClassifier

import peer_io as _peers_io  # noqa: E402 (this folder is on sys.path)


def main(fit):
    """Run ``fit(Xs, Xt, params) -> (Z_source, Z_target)`` on every task of the batch."""
    arrays, params = _peers_io.load()
    overrides = params.get("task_params", [{}] * params["n_tasks"])
    results = []
    for i in range(params["n_tasks"]):
        arr = {k[: -len(f"_{i}")]: v for k, v in arrays.items() if k.endswith(f"_{i}")}
        par = {**params, **overrides[i]}
        try:
            (Zs, Zt), seconds, mb = _peers_io.timed(
                lambda: fit(arr["Xs"], arr["Xt"], par), repeats=par.get("repeats", 1)
            )
        except Exception as exc:  # report the failure of this task, run the others
            results.append({"error": f"n/a ({type(exc).__name__}: {str(exc)[:150]})"})
            continue
        res = {"seconds": seconds, "peak_mb": mb}
        if "yt" in arr:
            knn = KNeighborsClassifier(n_neighbors=1).fit(Zs, arr["ys"])
            res["accuracy"] = float(np.mean(knn.predict(Zt) == arr["yt"]))
        if par.get("return_embedding"):
            res["embedding"] = np.vstack([Zs, Zt])
        results.append(res)
    _peers_io.save({"results": results})
