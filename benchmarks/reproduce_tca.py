"""Reproduce the published TCA tables: the JDA paper's TCA column and the TCA paper's Reuters table.

1. Long, Wang, Ding, Sun, Yu, "Transfer feature learning with joint
   distribution adaptation", ICCV 2013, Table 3 (columns NN, PCA, TCA), with
   the protocol of REPRODUCTION.md section 4c: all labelled source rows and
   all unlabelled target rows; TCA fit on all rows; a 1-NN classifier fit on
   the embedded source; accuracy (%) on the whole target; deterministic
   (n = 1).  Office+Caltech SURF rows divided by their sum and z-scored per
   domain (``fetch_office_caltech(preprocessing="jda")``), USPS/MNIST and
   COIL rows L2-normalised.  Kernel TCA with a **linear kernel**; the fixed
   default is ``n_components = 100, mu = 1``.  The paper tuned its baselines
   on the target: next to the default we report the target-oracle best over
   the grid ``n_components in {20, 50, 100} x mu in {0.1, 1}`` (labelled
   "oracle"; the same grid of ``n_components`` for PCA) and over the paper's
   own grid (``k in {10, ..., 200}``, ``mu in {0.01, ..., 100}``).  The components of
   one fit are nested (the top 20 are the first 20 of the top 100), so one
   fit with 100 components per ``mu`` serves the whole grid.  Also: TCA with
   400 Nystrom landmarks (same kernel, k, mu), SSTCA with the source labels
   (linear kernel, k = 100, mu = 1, lambda_locality = 1, gamma_labels = 0.5,
   5 neighbours) and, in full mode, adapt's and skada's TCA with the same
   kernel, k and mu (their ``mu`` multiplies the MMD term: they get 1 / mu).
2. Pan, Tsang, Kwok, Yang, "Domain adaptation via transfer component
   analysis", IJCAI 2009, Table 3 (Reuters, REPRODUCTION.md section 4a): train
   on a random 50 % of the labelled source and 35 % of the target
   (unlabelled), test on the other 65 % of the target; 10 repeats; linear
   SVM (``LinearSVC(C=1)``) on the embedded rows; ``mu = 0.1``; linear and RBF
   kernels (RBF width: ``gamma="median"``, the paper does not give it);
   5/10/20/30 components.  Documents: word counts, rows L2-normalised (the
   paper's preprocessing is not given); the task construction is skadapt's
   (``fetch_reuters_transfer``), the paper's is unknown.  Full mode only.

BLAS runs with one thread (here and in the peers' processes), see
:func:`benchmarks._common.single_blas_thread`.

Quick mode: the 12 Office+Caltech tasks, NN and TCA at the fixed default
(the README main job).  Full mode: everything above, peers included.
"""

import time

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from benchmarks._common import data_dir, markdown_table, run_peer, single_blas_thread, write_result
from skadapt import SSTCA, TCA, LabeledOnly
from skadapt.datasets import (
    fetch_coil20,
    fetch_mnist_usps,
    fetch_office_caltech,
    fetch_reuters_transfer,
)

#: Long et al., ICCV 2013 (JDA), Table 3: accuracy (%) of (NN, PCA, TCA).
PUBLISHED_JDA_ICCV2013_TABLE3_NN_PCA_TCA = {
    "C→A": (23.70, 36.95, 38.20),
    "C→W": (25.76, 32.54, 38.64),
    "C→D": (25.48, 38.22, 41.40),
    "A→C": (26.00, 34.73, 37.76),
    "A→W": (29.83, 35.59, 37.63),
    "A→D": (25.48, 27.39, 33.12),
    "W→C": (19.86, 26.36, 29.30),
    "W→A": (22.96, 31.00, 30.06),
    "W→D": (59.24, 77.07, 87.26),
    "D→C": (26.27, 29.65, 31.70),
    "D→A": (28.50, 32.05, 32.15),
    "D→W": (63.39, 75.93, 86.10),
    "USPS→MNIST": (44.70, 44.95, 51.05),
    "MNIST→USPS": (65.94, 66.22, 56.28),
    "COIL1→COIL2": (83.61, 84.72, 88.47),
    "COIL2→COIL1": (82.78, 84.03, 85.83),
}
#: Pan et al., IJCAI 2009, Table 3 (Reuters): accuracy of the no-adaptation
#: baseline ("Original") and of TCA (linear / RBF kernel) with 5/10/20/30 components.
PUBLISHED_TCA_IJCAI2009_TABLE3 = {
    "people_vs_places": {
        "original": 0.5198,
        "linear": (0.5804, 0.5495, 0.5600, 0.5468),
        "rbf": (0.6129, 0.5920, 0.5954, 0.5916),
    },
    "orgs_vs_people": {
        "original": 0.6696,
        "linear": (0.6397, 0.7308, 0.7425, 0.7330),
        "rbf": (0.6297, 0.7088, 0.7196, 0.7217),
    },
    "orgs_vs_places": {
        "original": 0.6683,
        "linear": (0.6403, 0.7006, 0.6720, 0.5989),
        "rbf": (0.6899, 0.7042, 0.6942, 0.6896),
    },
}
TOLERANCE = 2.0  # REPRODUCTION.md: within 2 accuracy points (% tables)
GOAL_MEAN_SURF = 43.61  # the paper's TCA mean over the 12 SURF tasks (computed)
DEFAULT_K, DEFAULT_MU = 100, 1.0
GRID_K, GRID_MU = (20, 50, 100), (0.1, 1.0)
#: the JDA paper's own tuning grid (k in 10..200 by 10, lambda = mu in 0.01..100)
GRID_K_PAPER, GRID_MU_PAPER = tuple(range(10, 201, 10)), (0.01, 0.1, 1.0, 10.0, 100.0)
N_LANDMARKS = 400
SSTCA_PARAMS = {"lambda_locality": 1.0, "gamma_labels": 0.5, "n_neighbors": 5}
REUTERS_COMPONENTS = (5, 10, 20, 30)
REUTERS_MU, REUTERS_REPEATS = 0.1, 10
_SURF = [("C", "A"), ("C", "W"), ("C", "D"), ("A", "C"), ("A", "W"), ("A", "D"),
         ("W", "C"), ("W", "A"), ("W", "D"), ("D", "C"), ("D", "A"), ("D", "W")]  # fmt: skip
_SURF_NAMES = frozenset(f"{s}→{t}" for s, t in _SURF)
_IMAGES = [
    (fetch_mnist_usps, "usps", "mnist", "USPS→MNIST"),
    (fetch_mnist_usps, "mnist", "usps", "MNIST→USPS"),
    (fetch_coil20, "coil1", "coil2", "COIL1→COIL2"),
    (fetch_coil20, "coil2", "coil1", "COIL2→COIL1"),
]


def _loader_options():
    folder = data_dir()
    if folder.is_dir():
        return {"data_home": folder, "download_if_missing": False}
    return {"download_if_missing": False}


def _tasks(mode):
    options = _loader_options()
    for s, t in _SURF:
        yield f"{s}→{t}", lambda s=s, t=t: fetch_office_caltech(s, t, preprocessing="jda", **options)
    if mode == "full":
        for loader, s, t, name in _IMAGES:
            yield name, lambda loader=loader, s=s, t=t: loader(s, t, preprocessing="l2", **options)


def _nn_accuracy(Z, data, k=None):
    """% target accuracy of 1-NN fit on the embedded source (first ``k`` columns)."""
    Z = Z if k is None else Z[:, :k]
    src = data.sample_domain > 0
    knn = KNeighborsClassifier(n_neighbors=1).fit(Z[src], data.y_source)
    return 100.0 * float(np.mean(knn.predict(Z[~src]) == data.y_target))


def _jda_task(name, data, mode):
    """Every skadapt column of one task (accuracy %, deterministic)."""
    row = {"task": name, "n_source": int(data.X_source.shape[0]), "n_target": int(data.X_target.shape[0])}
    row["NN"] = 100.0 * LabeledOnly(KNeighborsClassifier(n_neighbors=1)).fit(data.X, data.y).score(
        data.X_target, data.y_target
    )
    # the linear-kernel MMD vector X^T e (e = 1/n_s source, -1/n_t target): zero when the
    # domain means are equal, e.g. after z-scoring per domain (then TCA = kernel PCA)
    e = np.where(data.sample_domain > 0, 1.0 / row["n_source"], -1.0 / row["n_target"])
    row["max_abs_Xte"] = float(np.abs(data.X.T @ e).max())
    start = time.perf_counter()
    tca = TCA(n_components=DEFAULT_K, kernel="linear", mu=DEFAULT_MU)
    Z = tca.fit_transform(data.X, data.y, sample_domain=data.sample_domain)
    row["seconds_tca"] = time.perf_counter() - start
    row["TCA"] = _nn_accuracy(Z, data)
    if mode != "full":
        return row
    grid = {}
    for mu in GRID_MU_PAPER:
        Zmu = TCA(n_components=max(GRID_K_PAPER), kernel="linear", mu=mu).fit_transform(
            data.X, data.y, sample_domain=data.sample_domain
        )
        for k in GRID_K_PAPER:
            grid[(k, mu)] = _nn_accuracy(Zmu, data, k)
    small = {key: grid[key] for key in grid if key[0] in GRID_K and key[1] in GRID_MU}
    for label, candidates in (("TCA_oracle", small), ("TCA_oracle_paper_grid", grid)):
        best = max(candidates, key=candidates.get)
        row[label], row[label + "_params"] = candidates[best], {"n_components": best[0], "mu": best[1]}
    row["TCA_grid"] = {f"k={k}, mu={mu:g}": acc for (k, mu), acc in grid.items()}
    Zp = PCA(n_components=max(GRID_K_PAPER), svd_solver="full").fit_transform(data.X)
    pca = {k: _nn_accuracy(Zp, data, k) for k in GRID_K_PAPER}
    row["PCA"] = pca[DEFAULT_K]
    best_k = max((k for k in pca if k in GRID_K), key=pca.get)
    row["PCA_oracle"], row["PCA_oracle_k"] = pca[best_k], best_k
    best_k = max(pca, key=pca.get)
    row["PCA_oracle_paper_grid"], row["PCA_oracle_paper_grid_k"] = pca[best_k], best_k
    start = time.perf_counter()
    Zl = TCA(
        n_components=DEFAULT_K, kernel="linear", mu=DEFAULT_MU, n_landmarks=N_LANDMARKS, random_state=0
    ).fit_transform(data.X, data.y, sample_domain=data.sample_domain)
    row["seconds_landmarks"] = time.perf_counter() - start
    row["TCA_landmarks"] = _nn_accuracy(Zl, data)
    Zss = SSTCA(n_components=DEFAULT_K, kernel="linear", mu=DEFAULT_MU, **SSTCA_PARAMS).fit_transform(
        data.X, data.y, sample_domain=data.sample_domain
    )
    row["SSTCA"] = _nn_accuracy(Zss, data)
    return row


def _peer_columns(datasets):
    """adapt's and skada's TCA on every task, one batch per peer (same kernel, k, 1/mu)."""
    arrays = {}
    for i, data in enumerate(datasets):
        arrays.update(
            {f"Xs_{i}": data.X_source, f"ys_{i}": data.y_source, f"Xt_{i}": data.X_target, f"yt_{i}": data.y_target}
        )
    params = {"n_tasks": len(datasets), "kernel": "linear", "n_components": DEFAULT_K, "mu": 1.0 / DEFAULT_MU}
    out = {}
    for peer, script in (("adapt", "tca_adapt"), ("skada", "tca_skada")):
        res = run_peer(script, arrays, params)
        if "error" in res:
            out[peer] = [res["error"]] * len(datasets)
        else:
            out[peer] = [
                r.get("error") or (100.0 * r["accuracy"], r["seconds"]) for r in res["results"]
            ]
    return out


def _fmt(value):
    return f"{value:.2f}" if isinstance(value, (int, float)) else str(value)


def _verdict(diff):
    if abs(diff) < 0.05:
        return "reproduced (to 0.05)"
    if diff >= -TOLERANCE:
        return f"within {TOLERANCE:g} points or above"
    return "NOT reproduced"


def _jda_table(rows, mode, peers):
    full = mode == "full"
    header = ["task", "paper NN", "paper PCA", "paper TCA", "NN", "TCA (k=100, μ=1)"]
    if full:
        header += ["TCA oracle (k, μ)", "TCA oracle, paper grid (k, μ)", f"TCA landmarks (m={N_LANDMARKS})", "SSTCA", "PCA (k=100)",
                      "PCA oracle (k)", "PCA oracle, paper grid (k)", "adapt TCA", "skada TCA"]  # fmt: skip
    header += ["TCA − paper", "verdict", "TCA fit s"]
    table = []
    for i, r in enumerate(rows):
        p_nn, p_pca, p_tca = PUBLISHED_JDA_ICCV2013_TABLE3_NN_PCA_TCA[r["task"]]
        line = [r["task"], _fmt(p_nn), _fmt(p_pca), _fmt(p_tca), _fmt(r["NN"]), _fmt(r["TCA"])]
        if full:
            op, pg = r["TCA_oracle_params"], r["TCA_oracle_paper_grid_params"]
            line += [
                f"{r['TCA_oracle']:.2f} ({op['n_components']}, {op['mu']:g})",
                f"{r['TCA_oracle_paper_grid']:.2f} ({pg['n_components']}, {pg['mu']:g})",
                _fmt(r["TCA_landmarks"]),
                _fmt(r["SSTCA"]),
                _fmt(r["PCA"]),
                f"{r['PCA_oracle']:.2f} ({r['PCA_oracle_k']})",
                f"{r['PCA_oracle_paper_grid']:.2f} ({r['PCA_oracle_paper_grid_k']})",
            ]
            for peer in ("adapt", "skada"):
                v = peers[peer][i]
                line.append(v if isinstance(v, str) else f"{v[0]:.2f} ({v[1]:.1f} s)")
        line += [f"{r['TCA'] - p_tca:+.2f}", _verdict(r["TCA"] - p_tca), f"{r['seconds_tca']:.2f}"]
        table.append(line)
    surf = [r for r in rows if r["task"] in _SURF_NAMES]
    pub = np.array([PUBLISHED_JDA_ICCV2013_TABLE3_NN_PCA_TCA[r["task"]] for r in surf])
    mean = ["mean of the 12 SURF tasks", *(_fmt(v) for v in pub.mean(axis=0))]
    mean += [_fmt(np.mean([r["NN"] for r in surf])), _fmt(np.mean([r["TCA"] for r in surf]))]
    if full:
        mean += [_fmt(np.mean([r[key] for r in surf])) for key in ("TCA_oracle", "TCA_oracle_paper_grid", "TCA_landmarks", "SSTCA",
                                                          "PCA", "PCA_oracle", "PCA_oracle_paper_grid")]
        for peer in ("adapt", "skada"):
            vals = [v[0] for v in peers[peer][: len(surf)] if not isinstance(v, str)]
            mean.append(_fmt(np.mean(vals)) if len(vals) == len(surf) else "n/a")
    diff = np.mean([r["TCA"] for r in surf]) - pub[:, 2].mean()
    mean += [f"{diff:+.2f}", _verdict(diff), f"{sum(r['seconds_tca'] for r in surf):.1f} (sum)"]
    table.insert(len(surf), mean)
    return markdown_table(header, table)


def _reuters(task, rng_seed=0):
    """IJCAI 2009 Table 3 protocol on one task: mean and std over the repeats."""
    data = fetch_reuters_transfer(task, **_loader_options())
    Xs, ys, Xt, yt = data.X_source, data.y_source, data.X_target, data.y_target
    rng = np.random.default_rng(rng_seed)
    acc = {"original": [], "linear": [], "rbf": []}
    seconds = []
    for _ in range(REUTERS_REPEATS):
        src = rng.permutation(Xs.shape[0])[: Xs.shape[0] // 2]
        perm = rng.permutation(Xt.shape[0])
        n_train_t = int(round(0.35 * Xt.shape[0]))
        tr_t, te_t = perm[:n_train_t], perm[n_train_t:]
        X_train = sp.vstack([Xs[src], Xt[tr_t]]).tocsr()
        X_test = Xt[te_t]
        # rows L2-normalised; keep the columns used by the training rows
        cols = np.flatnonzero(np.asarray(X_train.getnnz(axis=0)))
        X_train, X_test = _l2_rows(X_train[:, cols]), _l2_rows(X_test[:, cols])
        y = np.r_[ys[src], np.full(n_train_t, -1)]
        sd = np.r_[np.ones(src.shape[0], dtype=int), -np.ones(n_train_t, dtype=int)]
        svm = LinearSVC(C=1.0).fit(X_train[: src.shape[0]], ys[src])
        acc["original"].append(float(np.mean(svm.predict(X_test) == yt[te_t])))
        for kernel in ("linear", "rbf"):
            start = time.perf_counter()
            Xk_train, Xk_test = (X_train, X_test) if kernel == "linear" else (X_train.toarray(), X_test.toarray())
            tca = TCA(n_components=max(REUTERS_COMPONENTS), kernel=kernel, mu=REUTERS_MU,
                      gamma="median", random_state=0)  # fmt: skip
            Z = tca.fit_transform(Xk_train, y, sample_domain=sd)
            Zte = tca.transform(Xk_test)
            seconds.append(time.perf_counter() - start)
            per_k = []
            for k in REUTERS_COMPONENTS:
                clf = LinearSVC(C=1.0).fit(Z[: src.shape[0], :k], ys[src])
                per_k.append(float(np.mean(clf.predict(Zte[:, :k]) == yt[te_t])))
            acc[kernel].append(per_k)
    return {
        "sizes": [int(Xs.shape[0]), int(Xt.shape[0])],
        "original": (float(np.mean(acc["original"])), float(np.std(acc["original"]))),
        "linear": (np.mean(acc["linear"], axis=0).tolist(), np.std(acc["linear"], axis=0).tolist()),
        "rbf": (np.mean(acc["rbf"], axis=0).tolist(), np.std(acc["rbf"], axis=0).tolist()),
        "seconds_mean_tca_fit": float(np.mean(seconds)),
    }


def _l2_rows(X):
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ X


def _reuters_table(results):
    header = ["task (sizes src/tgt)", "features", "paper", "skadapt (mean ± std, n = 10)", "difference"]
    table = []
    for task, res in results.items():
        pub = PUBLISHED_TCA_IJCAI2009_TABLE3[task]
        label = f"{task} ({res['sizes'][0]}/{res['sizes'][1]})"
        m, s = res["original"]
        table.append([label, "Original (linear SVM)", f"{pub['original']:.4f}", f"{m:.4f} ± {s:.4f}",
                      f"{m - pub['original']:+.4f}"])  # fmt: skip
        for kernel in ("linear", "rbf"):
            means, stds = res[kernel]
            for k, pm, mm, ss in zip(REUTERS_COMPONENTS, pub[kernel], means, stds):
                table.append([label, f"TCA ({kernel}) k={k}", f"{pm:.4f}", f"{mm:.4f} ± {ss:.4f}", f"{mm - pm:+.4f}"])
    return markdown_table(header, table)


def run(mode="quick"):
    """Reproduce the TCA tables; write ``results/reproduce_tca.{md,json}``.

    Parameters
    ----------
    mode : {"quick", "full"}
        quick: 12 Office+Caltech tasks, NN and TCA at the fixed default.
        full: also digits/COIL, the oracle grid, PCA, landmarks, SSTCA, the
        peers and the Reuters table.
    """
    if mode not in ("quick", "full"):
        raise ValueError(f"reproduce_tca.run: mode must be 'quick' or 'full', got {mode!r}")
    with single_blas_thread():
        return _run(mode)


def _run(mode):
    start_all = time.perf_counter()
    rows, datasets, skipped = [], [], []
    for name, load in _tasks(mode):
        try:
            data = load()
        except OSError as exc:
            skipped.append(f"{name}: {exc}")
            continue
        rows.append(_jda_task(name, data, mode))
        datasets.append(data)
        print(f"  {name}: NN {rows[-1]['NN']:.2f}, TCA {rows[-1]['TCA']:.2f}", flush=True)
    peers = _peer_columns(datasets) if mode == "full" else {}
    reuters = {}
    if mode == "full":
        for task in PUBLISHED_TCA_IJCAI2009_TABLE3:
            try:
                reuters[task] = _reuters(task)
            except OSError as exc:
                skipped.append(f"Reuters {task}: {exc}")
    surf = [r for r in rows if r["task"] in _SURF_NAMES]
    mean_tca = float(np.mean([r["TCA"] for r in surf]))
    lines = [
        "# TCA: the JDA paper's TCA column (ICCV 2013, Table 3)"
        + (" and the TCA paper's Reuters table (IJCAI 2009, Table 3)" if mode == "full" else ""),
        "",
        f"Mode: {mode}. Protocol of REPRODUCTION.md §4c: TCA fit on all source + target rows, 1-NN "
        "fit on the embedded source, accuracy (%) on the whole target, deterministic (± 0, n = 1). "
        "skadapt TCA: linear kernel, exact solver; fixed default k = 100, μ = 1. "
        + (
            "Oracle = best on the target over k ∈ {20, 50, 100} × μ ∈ {0.1, 1} (the paper tuned "
            "its baselines on the target); PCA oracle over k ∈ {20, 50, 100}; 'paper grid' = the "
            "JDA paper's own grid, k ∈ {10, 20, …, 200} × μ ∈ {0.01, 0.1, 1, 10, 100}. Landmarks: "
            f"m = {N_LANDMARKS} Nyström landmarks, random_state = 0. SSTCA: k = 100, μ = 1, "
            f"{SSTCA_PARAMS}, source labels. Peers: same linear kernel, k = 100, their mu = 1/μ = 1 "
            "(seconds of their fit in brackets)."
            if mode == "full"
            else "Quick mode: NN and TCA default only (full mode adds digits/COIL, the oracle grid, "
            "PCA, landmarks, SSTCA, adapt/skada and the Reuters table)."
        ),
        "",
        _jda_table(rows, mode, peers),
        "",
        f"Goal: mean of the 12 SURF tasks within {TOLERANCE:g} points of {GOAL_MEAN_SURF} "
        f"(or higher): skadapt {mean_tca:.2f} → "
        + ("met." if mean_tca >= GOAL_MEAN_SURF - TOLERANCE else "NOT met."),
    ]
    lines += [
        "",
        "Why μ does not matter on SURF: the JDA preprocessing z-scores each domain, so the domain "
        "means are equal and the linear-kernel MMD vector Xᵀe vanishes (largest |Xᵀe| over the 12 "
        f"SURF tasks: {max(r['max_abs_Xte'] for r in surf):.1e}); TCA is then exactly kernel PCA with "
        "components scaled by μ^{-1/2}, i.e. 1-NN on PCA scores weighted by the singular values.",
    ]
    if mode == "full":
        lines += [
            "",
            "Digits and COIL: the fixed default is not the paper's (tuned) setting; the oracle "
            "columns show how far target-tuning over the paper's grid moves the number. MNIST→USPS: "
            "the paper's TCA (56.28) is below its own NN (65.94). adapt and skada agree with us on "
            "SURF but not on the digits (n = 3800, rank-deficient linear kernel): both run `eigh` on "
            "the non-symmetric (I + μKLK)⁻¹KHK, which only reads one triangle of it.",
            "",
            "## Reuters (Pan et al., IJCAI 2009, Table 3)",
            "",
            "Random 50 % of the labelled source + 35 % of the target (unlabelled) for training, the other "
            f"65 % of the target for testing, {REUTERS_REPEATS} repeats (seed 0); rows L2-normalised word "
            f"counts; TCA μ = {REUTERS_MU}, RBF gamma = 'median'; LinearSVC(C=1) on the embedded rows. "
            "Task construction: skadapt's fetch_reuters_transfer (the paper's is unknown, so sizes differ).",
            "",
            _reuters_table(reuters) if reuters else "Reuters data not found: skipped.",
        ]
    if skipped:
        lines += ["", "Skipped (data not found): " + "; ".join(skipped)]
    lines += ["", f"Total time: {time.perf_counter() - start_all:.0f} s (BLAS: one thread, here and in "
              "the peers' processes: the machine is shared)."]
    markdown = "\n".join(lines)
    write_result(
        "reproduce_tca" if mode == "full" else "reproduce_tca_quick",
        {
            "mode": mode,
            "papers": [
                "Long et al., Transfer feature learning with joint distribution adaptation, ICCV 2013, Table 3",
                "Pan et al., Domain adaptation via transfer component analysis, IJCAI 2009, Table 3",
            ],
            "published_jda": PUBLISHED_JDA_ICCV2013_TABLE3_NN_PCA_TCA,
            "published_reuters": PUBLISHED_TCA_IJCAI2009_TABLE3,
            "rows": rows,
            "peers": peers,
            "reuters": reuters,
            "mean_tca_surf": mean_tca,
            "skipped": skipped,
            "data_files": [getattr(d, "data_file", "") for d in datasets],
        },
        markdown,
    )
    return markdown


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "quick")
