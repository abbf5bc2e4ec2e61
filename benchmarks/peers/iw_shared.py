"""Helpers of the iw_adapt / iw_skada peer scripts (run in the peers' venv).

A batch of transfer problems comes in one npz (for each problem ``key``:
``key__Xs``, ``key__ys``, ``key__Xt``, ``key__X_test``; a matrix may come as
CSR parts ``key__Xs__data``, ``__indices``, ``__indptr``, ``__shape`` and is
made dense) with JSON params ``{"problems": [{"key": ..., ...}, ...]}`` (a
problem reads the arrays of prefix ``data`` when given, so that several
problems share one copy); the script writes
``{"results": {key: result or {"error": "n/a (...)"}}}``.
"""

import warnings

warnings.filterwarnings("ignore")

import peer_io as _peers_io  # noqa: E402 (this folder is on sys.path)


def get_matrix(arrays, name):
    """A dense array, stored either as such or as CSR parts ``name__data`` ..."""
    if f"{name}__data" in arrays:
        import scipy.sparse as sp

        parts = tuple(arrays[f"{name}__{p}"] for p in ("data", "indices", "indptr"))
        return sp.csr_matrix(parts, shape=tuple(arrays[f"{name}__shape"])).toarray()
    return arrays[name]


def problem_arrays(arrays, params):
    """``(Xs, ys, Xt, X_test)`` of one problem (prefix ``data``, default ``key``)."""
    key = params.get("data", params["key"])
    return (
        get_matrix(arrays, f"{key}__Xs"),
        arrays[f"{key}__ys"],
        get_matrix(arrays, f"{key}__Xt"),
        get_matrix(arrays, f"{key}__X_test"),
    )


def classifier(params):
    """LogisticRegression or LinearSVC with the problem's ``C``."""
    if params.get("classifier", "logreg") == "linearsvc":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=params["C"])
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=params["C"], max_iter=1000)


def run_batch(solve, peer):
    """Solve every problem of the batch; one failure does not hide the others."""
    arrays, params = _peers_io.load()
    results = {}
    for problem in params["problems"]:
        try:
            results[problem["key"]] = solve(arrays, problem)
        except Exception as exc:
            message = f"n/a ({peer} failed: {type(exc).__name__}: {exc})"
            results[problem["key"]] = {"error": message[:300]}
    _peers_io.save({"results": results})
