"""Speed and memory of TrAdaBoost: skadapt against adapt, same data, same base learner.

20 Newsgroups rec vs talk (CoCC split, sparse CSR, all 52,600 features,
preprocessed as the reproduction's ``MAIN`` setting), 1 % of the target rows
labeled (draw 0), ``LinearSVC(class_weight="balanced")`` with the
reproduction's C, N = 100 rounds.  Reported: median fit seconds over the
repeats, peak extra resident memory during the fits, and the error rate on
the unlabeled target rows.  adapt runs in the peers' venv (``run_peer``),
in the same run, on the same arrays; its timing excludes the subprocess start
and the data loading.

Quick mode: N = 20, one timed fit each.  Full mode: N = 100, three timed fits.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from benchmarks._common import markdown_table, median_time, peak_memory_mb, run_peer, write_result
from benchmarks.reproduce_tradaboost import MAIN, _csr_arrays, _draw, _load, _transform
from skadapt import TrAdaBoostClassifier


SECOND = ("TF-IDF, L2 rows", "tfidf", 0.1)  # a C at which the SVM errs: more rounds fitted


def _one(setting, n_rounds, repeats):
    name, kind, C = setting
    Xs, ys, Xt, yt = _load("rec_vs_talk")
    Z = _transform(sp.vstack([Xs, Xt]), kind)
    Zs, Zt = Z[: Xs.shape[0]], Z[Xs.shape[0] :]
    lab = _draw(np.random.RandomState(0), yt)
    test = np.setdiff1d(np.arange(yt.shape[0]), lab)
    X_train = sp.vstack([Zs, Zt[lab]]).tocsr()
    y_train = np.r_[ys, yt[lab]]
    sd = np.r_[np.ones(Xs.shape[0], dtype=int), -np.ones(lab.shape[0], dtype=int)]

    def fit():
        base = LinearSVC(C=C, class_weight="balanced", random_state=0)
        clf = TrAdaBoostClassifier(base, n_estimators=n_rounds, random_state=0)
        return clf.fit(X_train, y_train, sample_domain=sd)

    ours_model, ours_mb = peak_memory_mb(fit)
    ours_s = median_time(fit, repeats=repeats, warmup=0)
    ours_err = float(np.mean(ours_model.predict(Zt[test]) != yt[test]))
    n_fitted = len({id(e) for e in ours_model.estimators_})
    arrays = {
        **_csr_arrays("Xs", Zs),
        **_csr_arrays("Xt", Zt[lab]),
        **_csr_arrays("X_test", Zt[test]),
        "ys": ys,
        "yt": yt[lab],
    }
    params = {"C": C, "class_weight": "balanced", "n_estimators": n_rounds, "seed": 0,
              "repeats": repeats}
    res = run_peer("tradaboost_adapt", arrays, params)
    label = f"{name}, C = {C:g}"
    payload = {
        "setting": label,
        "shape": X_train.shape,
        "nnz": X_train.nnz,
        "ours": {"seconds": ours_s, "peak_mb": ours_mb, "error_rate": ours_err,
                 "learners_fitted": n_fitted},
    }
    rows = [[label, "skadapt TrAdaBoostClassifier", f"{ours_s:.2f}", f"{ours_mb:.0f}",
             f"{ours_err:.3f}", f"{n_fitted}", ""]]
    if "error" in res:
        rows.append([label, "adapt TrAdaBoost", res["error"], "", "", "", ""])
        payload["adapt"] = res
    else:
        adapt_err = float(np.mean(np.asarray(res["y_pred"]) != yt[test]))
        payload["adapt"] = {k: v for k, v in res.items() if k != "y_pred"}
        payload["adapt"]["error_rate"] = adapt_err
        rows.append([label, "adapt TrAdaBoost", f"{res['seconds']:.2f}", f"{res['peak_mb']:.0f}",
                     f"{adapt_err:.3f}", f"{n_rounds}", f"{res['seconds'] / ours_s:.1f}×"])
    return rows, payload, X_train.shape, X_train.nnz, lab.shape[0]


def run(mode="quick"):
    full = mode == "full"
    n_rounds = 100 if full else 20
    repeats = 3 if full else 1
    rows, payloads = [], []
    for setting in (MAIN, SECOND):
        r, p, shape, nnz, n_lab = _one(setting, n_rounds, repeats)
        rows += r
        payloads.append(p)
    md = "\n".join(
        [
            f"# TrAdaBoost speed: 20NG rec vs talk, sparse, N = {n_rounds} ({mode} mode)",
            "",
            f"X: {shape[0]} training rows ({n_lab} labeled target) × {shape[1]} features, CSR "
            f"(nnz {nnz}); base `LinearSVC(C, class_weight='balanced')`; draw 0 of the "
            f"reproduction. Median of {repeats} fit(s); peak extra RSS during a fit; error on "
            "the other target rows. adapt runs in the peers' venv in the same run. "
            "\"learners fitted\": skadapt stops fitting once a round makes no error on any "
            "training row (the weights can no longer change; that learner stands for the "
            "remaining rounds); adapt measures errors on predicted probabilities, so its "
            "weights always move and it fits all N.",
            "",
            markdown_table(
                ["setting", "implementation", "fit (s)", "peak memory (MB)", "error",
                 "learners fitted", "adapt / skadapt time"],
                rows,
            ),
        ]
    )
    write_result(f"tradaboost_speed_{mode}", {"mode": mode, "n_rounds": n_rounds,
                                              "runs": payloads}, md)


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "quick")
