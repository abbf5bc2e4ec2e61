"""Speed and memory of TrAdaBoost: skadapt against adapt, same data, same base learner.

20 Newsgroups rec vs talk (CoCC split, sparse CSR), 1 % of the target rows
labeled, N = 100 rounds, on the first draws of T_s of the reproduction, four
settings: the paper's linear SVM (``LinearSVC(class_weight="balanced")``,
hard errors, uniform start) on all 52,600 TF-IDF features at C = 1 and at
C = 0.1 (where the SVM errs on its training rows, so every round is
fitted), the reproduction's ``MAIN`` setting (liblinear
``LogisticRegression``, soft errors, balanced start, its word cut), and the
same model solved by lbfgs with ``warm_start=True``, which skadapt refits
from the previous round's solution (adapt gets the same learner; it refits
from scratch).  Its ``tol`` (``WARM_TOL``) is tight enough that the
warm-started rounds are the cold ones: the script also fits skadapt with
``warm_start=False`` and reports how many test predictions differ.

Reported per setting: the median over the draws of the fit seconds, the
ratio adapt / skadapt (median of the per-draw ratios), peak extra resident
memory during a fit (draw 0, a separate fit), the error rate on the
unlabeled target rows (mean over the draws) and, against adapt, how many
test documents only one of the two gets right (summed over the draws).
adapt runs in the peers' venv (``run_peer``), in the same run, on the same
arrays; its timing excludes the subprocess start and the data loading.

Quick mode: N = 20, one draw.  Full mode: N = 100, three draws.
"""

import statistics
import time

import numpy as np
import scipy.sparse as sp
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression

from benchmarks._common import markdown_table, peak_memory_mb, run_peer, write_result
from benchmarks.reproduce_tradaboost import (
    BASE_NAMES, MAIN, _base, _csr_arrays, _draw, _load, _seeded, _transform,
)
from skadapt import TrAdaBoostClassifier

#: lbfgs tolerance of the warm-started setting: at lbfgs's default (1e-4) a
#: warm start stops almost at once and drifts from the cold fits; at 1e-8 the
#: warm and the cold rounds give the same predictions (measured by the script).
WARM_TOL = 1e-8
WARM_MAX_ITER = 5000
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
WARM_NAME = ("LogisticRegression(C={C}, class_weight='balanced', tol=%g, max_iter=%d, "
             "warm_start=True)" % (WARM_TOL, WARM_MAX_ITER))


def _learner(kind, C, warm=True):
    if kind == "logistic_lbfgs_warm":
        return LogisticRegression(C=C, class_weight="balanced", tol=WARM_TOL,
                                  max_iter=WARM_MAX_ITER, warm_start=warm)
    return _base(kind, C)


TARGET_SPEEDUP = 2.0
MISSED_REASON = (
    "Why the ratio stays below 2x where both fit all N learners from scratch: the time of "
    "both libraries is dominated by the same N fits of the base learner on the same rows "
    "and weights (a profile of skadapt's fit in the liblinear soft/logistic setting puts "
    "most of it inside liblinear); skadapt's own work per round (weights, errors, "
    "predict_proba on the training rows) is a small share, so even none at all would not "
    "halve adapt's time. Cheaper base fits are what closes it: with an lbfgs learner and "
    "warm_start=True, skadapt refits each round from the previous round's solution (the "
    "last setting). Where the speed is there and the error decides: adapt's rounds differ "
    "from the paper's, which skadapt follows, in two details (beta_t = eps_t / (2 - eps_t) "
    "instead of eps_t / (1 - eps_t), which raises the target rows' weights faster, and a "
    "vote over predicted probabilities instead of predicted classes), so at the same "
    "settings the two models disagree on a handful of test documents; the verdict line "
    "gives the net count."
)


def _sign_test(a, b):
    """Two-sided exact sign test (McNemar) on ``a`` against ``b`` discordant documents."""
    return float(binomtest(a, a + b).pvalue) if a + b else 1.0


def _one(setting, n_rounds, n_draws):
    name, kind, base_kind, C, error, start = setting
    Xs, ys, Xt, yt, _ = _load("rec_vs_talk")
    Z = _transform(sp.vstack([Xs, Xt]), kind)
    Zs, Zt = Z[: Xs.shape[0]], Z[Xs.shape[0] :]
    warm = base_kind == "logistic_lbfgs_warm"
    rec = {k: [] for k in ("ours_s", "adapt_s", "ours_err", "adapt_err", "cold_s", "cold_err")}
    only_ours = only_adapt = warm_vs_cold = 0
    ours_mb = adapt_mb = n_fitted = None
    for draw in range(n_draws):
        lab = _draw(np.random.RandomState(draw), yt)
        test = np.setdiff1d(np.arange(yt.shape[0]), lab)
        X_train = sp.vstack([Zs, Zt[lab]]).tocsr()
        y_train = np.r_[ys, yt[lab]]
        sd = np.r_[np.ones(Xs.shape[0], dtype=int), -np.ones(lab.shape[0], dtype=int)]

        def fit(warm_start=True):
            base = _seeded(_learner(base_kind, C, warm_start), 0)
            clf = TrAdaBoostClassifier(base, n_estimators=n_rounds, error=error,
                                       initial_weights=start, random_state=0)
            return clf.fit(X_train, y_train, sample_domain=sd)

        if draw == 0:
            # memory first, before a timed fit has grown the allocator's pools
            ours_mb = peak_memory_mb(fit)[1]
        t0 = time.perf_counter()
        model = fit()
        rec["ours_s"].append(time.perf_counter() - t0)
        pred = model.predict(Zt[test])
        rec["ours_err"].append(float(np.mean(pred != yt[test])))
        if draw == 0:
            n_fitted = len({id(e) for e in model.estimators_})
        if warm:
            t0 = time.perf_counter()
            cold = fit(warm_start=False)
            rec["cold_s"].append(time.perf_counter() - t0)
            cold_pred = cold.predict(Zt[test])
            rec["cold_err"].append(float(np.mean(cold_pred != yt[test])))
            warm_vs_cold += int(np.sum(cold_pred != pred))
        arrays = {
            **_csr_arrays("Xs", Zs),
            **_csr_arrays("Xt", Zt[lab]),
            **_csr_arrays("X_test", Zt[test]),
            "ys": ys,
            "yt": yt[lab],
        }
        params = {"C": C, "class_weight": "balanced", "n_estimators": n_rounds, "seed": 0,
                  "repeats": 1, "base": PEER_BASE[base_kind], "tol": WARM_TOL,
                  "max_iter": WARM_MAX_ITER}
        if start != "uniform":
            params["target_share"] = 0.5 if start == "balanced" else float(start)
        res = run_peer("tradaboost_adapt", arrays, params)
        if "error" in res:
            return None, {"setting": name, "adapt_error": res["error"]}
        apred = np.asarray(res["y_pred"])
        rec["adapt_s"].append(res["seconds"])
        rec["adapt_err"].append(float(np.mean(apred != yt[test])))
        if draw == 0:
            adapt_mb = res["peak_mb"]
        only_ours += int(np.sum((pred == yt[test]) & (apred != yt[test])))
        only_adapt += int(np.sum((pred != yt[test]) & (apred == yt[test])))

    label = (f"{name}; {BASE_NAMES.get(base_kind, WARM_NAME).format(C=f'{C:g}')}; "
             f"error='{error}', initial_weights='{start}'")
    ratios = [a / o for a, o in zip(rec["adapt_s"], rec["ours_s"])]
    summary = {
        "setting": label,
        "shape": X_train.shape,
        "nnz": X_train.nnz,
        "n_labeled_target": int(lab.shape[0]),
        "draws": n_draws,
        **rec,
        "ours_seconds": statistics.median(rec["ours_s"]),
        "adapt_seconds": statistics.median(rec["adapt_s"]),
        "ratio": statistics.median(ratios),
        "ours_error": float(np.mean(rec["ours_err"])),
        "adapt_error": float(np.mean(rec["adapt_err"])),
        "ours_peak_mb": ours_mb,
        "adapt_peak_mb": adapt_mb,
        "learners_fitted": n_fitted,
        "only_ours_right": only_ours,
        "only_adapt_right": only_adapt,
    }
    rows = [[label, "skadapt TrAdaBoostClassifier", f"{summary['ours_seconds']:.2f}",
             f"{ours_mb:.0f}", f"{summary['ours_error']:.4f}", f"{n_fitted}", "", ""]]
    if warm:
        summary["cold_seconds"] = statistics.median(rec["cold_s"])
        summary["warm_vs_cold_differences"] = warm_vs_cold
        rows.append([label.replace("warm_start=True", "warm_start=False"),
                     "skadapt TrAdaBoostClassifier, cold fits",
                     f"{summary['cold_seconds']:.2f}", "",
                     f"{np.mean(rec['cold_err']):.4f}", f"{n_rounds}", "",
                     f"{warm_vs_cold} test predictions differ from the warm fits"])
    rows.append([label, "adapt TrAdaBoost", f"{summary['adapt_seconds']:.2f}",
                 f"{adapt_mb:.0f}", f"{summary['adapt_error']:.4f}", f"{n_rounds}",
                 f"{summary['ratio']:.1f}×",
                 f"{only_ours} documents only skadapt gets right, {only_adapt} only adapt"])
    return rows, summary


def run(mode="quick"):
    full = mode == "full"
    n_rounds = 100 if full else 20
    n_draws = 3 if full else 1
    rows, summaries, shapes = [], [], []
    for setting in SETTINGS:
        r, summary = _one(setting, n_rounds, n_draws)
        summaries.append(summary)
        if r is None:
            rows.append([setting[0], "adapt TrAdaBoost", summary["adapt_error"], "", "", "", "",
                         ""])
            continue
        rows += r
        shapes.append(f"{setting[0]}: {summary['shape'][0]} × {summary['shape'][1]}, "
                      f"nnz {summary['nnz']}")
    n_lab = next((s["n_labeled_target"] for s in summaries if "n_labeled_target" in s), "?")
    md = "\n".join(
        [
            f"# TrAdaBoost speed: 20NG rec vs talk, sparse, N = {n_rounds} ({mode} mode)",
            "",
            f"X (CSR, draw 0: {n_lab} labeled target rows): " + "; ".join(dict.fromkeys(shapes))
            + f". Draws 0..{n_draws - 1} of the reproduction, one timed fit per draw and "
            "implementation: fit seconds are the median over the draws, the ratio the median "
            "of the per-draw ratios, the error the mean over the draws (on the unlabeled target "
            "rows); peak extra RSS during a separate, first fit on draw 0 (skadapt's in this "
            "process, where memory freed by the earlier settings can be reused, so it is a lower "
            "bound; adapt's in its own fresh process). adapt runs in the peers' "
            "venv in the same run. \"learners fitted\": skadapt stops fitting once a round "
            "makes no error on any training row (the weights can no longer change; that "
            "learner stands for the remaining rounds); adapt measures errors on predicted "
            "probabilities (soft errors), so its weights always move and it fits all N. adapt "
            "gets the same base learner and, for a balanced start, the same initial weights; "
            "its rounds differ from ours in two details of its own (beta_t = eps/(2 - eps) "
            "and a vote over predicted probabilities), so equal settings can differ by a few "
            "documents either way: the last column counts them.",
            "",
            markdown_table(
                ["setting", "implementation", "fit (s)", "peak memory (MB)", "error",
                 "learners fitted", "adapt / skadapt time", "documents"],
                rows,
            ),
        ]
    )
    verdicts = []
    for pay in summaries:
        if "ratio" not in pay:
            continue
        equal = pay["learners_fitted"] == n_rounds
        ok = pay["ratio"] >= TARGET_SPEEDUP and pay["ours_error"] <= pay["adapt_error"]
        verdicts.append(
            f"- {pay['setting']}: {pay['ratio']:.1f}x adapt's time, error "
            f"{pay['ours_error']:.4f} against {pay['adapt_error']:.4f}"
            + ("" if equal else " (skadapt stopped early: fewer learners fitted)")
            + f"; net {pay['only_adapt_right'] - pay['only_ours_right']:+d} test documents "
            f"wrong for skadapt against adapt over the {n_draws} draw(s) (sign test on the "
            f"{pay['only_ours_right']} + {pay['only_adapt_right']} documents only one of the two "
            f"gets right: p = {_sign_test(pay['only_ours_right'], pay['only_adapt_right']):.2g})"
            + f" -- >= {TARGET_SPEEDUP:g}x at equal or lower error: {'met' if ok else 'MISSED'}"
        )
    md += "\n\n## Target (issue 5: >= 2x faster than adapt at equal or lower error)\n\n"
    md += "\n".join(verdicts) + "\n"
    if any(v.endswith("MISSED") for v in verdicts):
        md += "\n" + MISSED_REASON + "\n"
    write_result(f"tradaboost_speed_{mode}", {"mode": mode, "n_rounds": n_rounds,
                                              "n_draws": n_draws, "runs": summaries,
                                              "verdicts": verdicts}, md)


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "quick")
