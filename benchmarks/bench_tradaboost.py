"""Speed and memory of TrAdaBoost: skadapt against adapt, same data, same base learner.

20 Newsgroups rec vs talk (CoCC split, sparse CSR), 1 % of the target rows
labeled (draw 0), N = 100 rounds, three settings: the paper's linear SVM
(``LinearSVC(class_weight="balanced")``, hard errors, uniform start) on all
52,600 TF-IDF features at C = 1 and at C = 0.1 (where the SVM errs on its
training rows, so every round is fitted), and the reproduction's ``MAIN``
setting (``LogisticRegression``, soft errors, balanced start, the words of
>= 20 documents), also with an lbfgs ``LogisticRegression(warm_start=True)``,
which skadapt refits from the previous round's solution (adapt gets the same
learner).  Reported: median fit seconds over the
repeats, peak extra resident memory during the fits, and the error rate on
the unlabeled target rows.  adapt runs in the peers' venv (``run_peer``),
in the same run, on the same arrays; its timing excludes the subprocess start
and the data loading.

Quick mode: N = 20, one timed fit each.  Full mode: N = 100, three timed fits.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from benchmarks._common import markdown_table, median_time, peak_memory_mb, run_peer, write_result
from benchmarks.reproduce_tradaboost import (
    BASE_NAMES, MAIN, _base, _csr_arrays, _draw, _load, _seeded, _transform,
)
from skadapt import TrAdaBoostClassifier

#: (preprocessing label, transform, base learner, C, error, initial_weights),
#: as in ``reproduce_tradaboost.SETTINGS``
SETTINGS = (
    ("TF-IDF, L2 rows", "tfidf", "svc", 1.0, "hard", "uniform"),
    ("TF-IDF, L2 rows", "tfidf", "svc", 0.1, "hard", "uniform"),  # the SVM errs: all rounds
    MAIN,
    # the same model with a solver that can start from the previous round
    (MAIN[0], MAIN[1], "logistic_lbfgs_warm", MAIN[3], MAIN[4], MAIN[5]),
)
PEER_BASE = {"svc": "linear_svc", "logistic": "logistic",
             "logistic_lbfgs_warm": "logistic_lbfgs_warm"}
WARM_NAME = ("LogisticRegression(C={C}, class_weight='balanced', tol=1e-6, max_iter=1000, "
             "warm_start=True)")


def _learner(kind, C):
    if kind == "logistic_lbfgs_warm":
        return LogisticRegression(C=C, class_weight="balanced", tol=1e-6, max_iter=1000,
                                  warm_start=True)
    return _base(kind, C)
TARGET_SPEEDUP = 2.0
MISSED_REASON = (
    "Why the ratio stays below 2x where both fit all N learners: the time of both "
    "libraries is dominated by the same N fits of the base learner on the same rows and "
    "weights (a profile of skadapt's fit in the liblinear soft/logistic setting puts most "
    "of it inside liblinear); skadapt's own work per round (weights, errors, "
    "predict_proba on the training rows) is a small share, so even none at all would not "
    "halve adapt's time. Cheaper base fits are what closes it: with an lbfgs learner and "
    "warm_start=True, skadapt refits each round from the previous round's solution (the "
    "last row). At lbfgs's default tol (1e-4) the warm-started solver stops almost at "
    "once and the models drift from the cold fits (a higher error), so the row uses "
    "tol=1e-6, at which the error equals adapt's."
)


def _one(setting, n_rounds, repeats):
    name, kind, base_kind, C, error, start = setting
    Xs, ys, Xt, yt = _load("rec_vs_talk")
    Z = _transform(sp.vstack([Xs, Xt]), kind)
    Zs, Zt = Z[: Xs.shape[0]], Z[Xs.shape[0] :]
    lab = _draw(np.random.RandomState(0), yt)
    test = np.setdiff1d(np.arange(yt.shape[0]), lab)
    X_train = sp.vstack([Zs, Zt[lab]]).tocsr()
    y_train = np.r_[ys, yt[lab]]
    sd = np.r_[np.ones(Xs.shape[0], dtype=int), -np.ones(lab.shape[0], dtype=int)]

    def fit():
        base = _seeded(_learner(base_kind, C), 0)
        clf = TrAdaBoostClassifier(base, n_estimators=n_rounds, error=error,
                                   initial_weights=start, random_state=0)
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
              "repeats": repeats, "base": PEER_BASE[base_kind]}
    if start != "uniform":
        params["target_share"] = 0.5 if start == "balanced" else float(start)
    res = run_peer("tradaboost_adapt", arrays, params)
    label = (f"{name}; {BASE_NAMES.get(base_kind, WARM_NAME).format(C=f'{C:g}')}; "
             f"error='{error}', "
             f"initial_weights='{start}'")
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
    rows, payloads, shapes = [], [], []
    for setting in SETTINGS:
        r, p, shape, nnz, n_lab = _one(setting, n_rounds, repeats)
        rows += r
        payloads.append(p)
        shapes.append(f"{setting[0]}: {shape[0]} × {shape[1]}, nnz {nnz}")
    md = "\n".join(
        [
            f"# TrAdaBoost speed: 20NG rec vs talk, sparse, N = {n_rounds} ({mode} mode)",
            "",
            f"X (CSR, {n_lab} labeled target rows): " + "; ".join(dict.fromkeys(shapes))
            + ". Draw 0 of the "
            f"reproduction. Median of {repeats} fit(s); peak extra RSS during a fit; error on "
            "the other target rows. adapt runs in the peers' venv in the same run. "
            "\"learners fitted\": skadapt stops fitting once a round makes no error on any "
            "training row (the weights can no longer change; that learner stands for the "
            "remaining rounds); adapt measures errors on predicted probabilities (soft "
            "errors), so its weights always move and it fits all N. adapt gets the same "
            "base learner and, for a balanced start, the same initial weights.",
            "",
            markdown_table(
                ["setting", "implementation", "fit (s)", "peak memory (MB)", "error",
                 "learners fitted", "adapt / skadapt time"],
                rows,
            ),
        ]
    )
    verdicts = []
    for pay in payloads:
        ours, adapt = pay["ours"], pay.get("adapt", {})
        if "seconds" not in adapt:
            continue
        ratio = adapt["seconds"] / ours["seconds"]
        equal = ours["learners_fitted"] == n_rounds
        ok = ratio >= TARGET_SPEEDUP and ours["error_rate"] <= adapt["error_rate"]
        verdicts.append(
            f"- {pay['setting']}: {ratio:.1f}x adapt's time, error {ours['error_rate']:.4f} "
            f"against {adapt['error_rate']:.4f}"
            + ("" if equal else " (skadapt stopped early: fewer learners fitted)")
            + f" -- >= {TARGET_SPEEDUP:g}x at equal or lower error: {'met' if ok else 'MISSED'}"
        )
    md += "\n\n## Target (issue 5: >= 2x faster than adapt at equal or lower error)\n\n"
    md += "\n".join(verdicts) + "\n"
    if any(v.endswith("MISSED") for v in verdicts):
        md += "\n" + MISSED_REASON + "\n"
    write_result(f"tradaboost_speed_{mode}", {"mode": mode, "n_rounds": n_rounds,
                                              "runs": payloads, "verdicts": verdicts}, md)


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "quick")
