"""Speed, memory and exactness of skadapt's TCA against adapt's, skada's and libtlda's.

1. Exact TCA at n_s = n_t = 2000, d = 800 (``make_domain_shift_classification``
   Gaussians, shift 1), k = 30, mu = 1 (the peers get their ``mu = 1 / mu`` = 1),
   linear and RBF kernels (gamma = 1 / n_features for everyone: skada cannot
   set it).  Time (median of ``repeats`` fits) and peak extra resident memory
   of the fit, each peer in its own process; the subspace of the training
   embedding ``K W`` against a dense reference solve, scipy's generalized
   ``eigh(K H K, K L K + mu I)``: the largest principal angle (degrees).
   libtlda runs on the linear kernel only (its "rbf" is another kernel).
2. Landmark TCA at n = 100,000 (50,000 source + 50,000 target), d = 100,
   m = 1000 landmarks, k = 30, RBF kernel: time and peak memory of the fit;
   target accuracy (LogisticRegression on the embedded source) against exact
   TCA fit on a 4,000-row subsample (2,000 + 2,000) and landmark TCA fit on
   the same subsample, all three scored on the same 50,000 target rows.

BLAS runs with one thread in both skadapt's and the peers' processes (the
machine is shared by several jobs; OpenBLAS with two threads on a busy
2-core machine spins and distorts every timing); the markdown says so.
Quick mode shrinks the sizes (n_s = n_t = 500; n = 20,000, m = 300) and
skips libtlda.
"""

import time

import numpy as np
from scipy.linalg import eigh, subspace_angles
from sklearn.linear_model import LogisticRegression

from benchmarks._common import (
    markdown_table,
    median_time,
    peak_memory_mb,
    run_peer,
    single_blas_thread,
    write_result,
)
from skadapt import TCA
from skadapt.datasets import make_domain_shift_classification
from skadapt.kernels import pairwise_kernels

SIZES = {"quick": {"n": 500, "n_big": 20_000, "m": 300}, "full": {"n": 2000, "n_big": 100_000, "m": 1000}}
D_EXACT, D_BIG, K_COMPONENTS, MU = 800, 100, 30, 1.0
TARGETS = {"speedup": 10.0, "extra_mb": 512.0, "landmark_seconds": 60.0, "landmark_mb": 3072.0,
           "landmark_points": 1.0}  # fmt: skip


def _reference_embedding(X, sd, kernel, gamma, k, mu):
    """Dense generalized eigh of (K H K, K L K + mu I): the paper's problem, solved naively."""
    K = pairwise_kernels(X, metric=kernel, gamma=gamma)
    n = X.shape[0]
    e = np.where(sd > 0, 1.0 / (sd > 0).sum(), -1.0 / (sd < 0).sum())
    HK = K - K.mean(axis=0, keepdims=True)
    B = np.outer(K @ e, K @ e)
    B[np.diag_indices(n)] += mu
    vals, W = eigh(K @ HK, B, subset_by_index=[n - k, n - 1])
    return K @ W[:, ::-1]


def _angle(A, B):
    return float(np.rad2deg(subspace_angles(A, B)).max())


def _exact(mode, repeats):
    n = SIZES[mode]["n"]
    data = make_domain_shift_classification(n, n, D_EXACT, shift=1.0, random_state=0)
    X, y, sd = data.X, data.y, data.sample_domain
    rows = []
    for kernel in ("linear", "rbf"):
        gamma = 1.0 / D_EXACT
        model = TCA(n_components=K_COMPONENTS, kernel=kernel, gamma=gamma, mu=MU)
        Z, mb = peak_memory_mb(lambda: model.fit_transform(X, y, sample_domain=sd))
        seconds = median_time(lambda: model.fit(X, y, sample_domain=sd), repeats=repeats, warmup=0)
        start = time.perf_counter()
        Z_ref = _reference_embedding(X, sd, kernel, gamma, K_COMPONENTS, MU)
        ref_seconds = time.perf_counter() - start
        row = {"kernel": kernel, "n": 2 * n, "d": D_EXACT, "skadapt": {"seconds": seconds, "peak_mb": mb,
               "angle": _angle(Z, Z_ref)}, "reference_seconds": ref_seconds}  # fmt: skip
        arrays = {"Xs_0": data.X_source, "ys_0": data.y_source, "Xt_0": data.X_target}
        params = {"n_tasks": 1, "kernel": kernel, "n_components": K_COMPONENTS, "mu": 1.0 / MU,
                  "repeats": 1, "return_embedding": True}  # fmt: skip
        if kernel == "rbf":
            params["gamma"] = gamma  # adapt rejects gamma for the linear kernel
        peers = [("adapt", "tca_adapt"), ("skada", "tca_skada")]
        if mode == "full" and kernel == "linear":  # libtlda's rbf is another kernel
            peers.append(("libtlda", "tca_libtlda"))
        for peer, script in peers:
            res = run_peer(script, arrays, params)
            res = res.get("results", [res])[0]
            if "error" in res:
                row[peer] = {"error": res["error"]}
                continue
            emb = np.asarray(res["embedding"])
            row[peer] = {"seconds": res["seconds"], "peak_mb": res["peak_mb"], "angle": _angle(emb, Z_ref),
                         "speedup": res["seconds"] / seconds}  # fmt: skip
        rows.append(row)
    return rows


def _landmarks(mode):
    n_big, m = SIZES[mode]["n_big"], SIZES[mode]["m"]
    half = n_big // 2
    data = make_domain_shift_classification(half, half, D_BIG, shift=3.0, random_state=1)
    X, y, sd = data.X, data.y, data.sample_domain
    Xt, yt = data.X_target, data.y_target

    def accuracy(model, rows):
        Z_src = model.transform(X[rows][sd[rows] > 0])
        clf = LogisticRegression(max_iter=1000).fit(Z_src, y[rows][sd[rows] > 0])
        return 100.0 * clf.score(model.transform(Xt), yt)

    big = TCA(n_components=K_COMPONENTS, mu=MU, n_landmarks=m, random_state=0)
    start = time.perf_counter()
    _, mb = peak_memory_mb(lambda: big.fit(X, y, sample_domain=sd))
    seconds = time.perf_counter() - start
    rng = np.random.default_rng(0)
    sub = np.r_[rng.choice(half, 2000, replace=False), half + rng.choice(half, 2000, replace=False)]
    exact = TCA(n_components=K_COMPONENTS, mu=MU).fit(X[sub], y[sub], sample_domain=sd[sub])
    small = TCA(n_components=K_COMPONENTS, mu=MU, n_landmarks=m, random_state=0)
    small.fit(X[sub], y[sub], sample_domain=sd[sub])
    every = np.arange(X.shape[0])
    return {
        "n": int(X.shape[0]), "d": D_BIG, "m": m, "seconds": seconds, "peak_mb": mb,
        "accuracy_landmarks_all_rows": accuracy(big, every),
        "accuracy_exact_subsample": accuracy(exact, sub),
        "accuracy_landmarks_subsample": accuracy(small, sub),
        "n_target_scored": int(Xt.shape[0]),
    }  # fmt: skip


def _cell(res, key, fmt):
    if "error" in res:
        return res["error"][:90]
    return fmt.format(res[key])


def run(mode="quick"):
    """Measure and write ``results/bench_tca.{md,json}`` (``bench_tca_quick`` in quick mode)."""
    if mode not in ("quick", "full"):
        raise ValueError(f"bench_tca.run: mode must be 'quick' or 'full', got {mode!r}")
    repeats = 3 if mode == "full" else 1
    with single_blas_thread():
        exact = _exact(mode, repeats)
        land = _landmarks(mode)
    header = ["kernel", "n (d)", "who", "fit seconds", "peak extra MB", "max principal angle vs dense eigh (°)",
              "skadapt speed-up"]  # fmt: skip
    table = []
    for row in exact:
        for who in ("skadapt", "adapt", "skada", "libtlda"):
            if who not in row:
                continue
            res = row[who]
            speed = "1" if who == "skadapt" else _cell(res, "speedup", "{:.1f}×")
            table.append([row["kernel"], f"{row['n']} ({row['d']})", who, _cell(res, "seconds", "{:.2f}"),
                          _cell(res, "peak_mb", "{:.0f}"), _cell(res, "angle", "{:.2g}"), speed])  # fmt: skip
    verdicts = []
    for row in exact:
        ours = row["skadapt"]
        ups = [row[p]["speedup"] for p in ("adapt", "skada") if "speedup" in row.get(p, {})]
        verdicts.append(
            f"- {row['kernel']}: speed-up vs adapt/skada "
            + ", ".join(f"{u:.1f}×" for u in ups)
            + f" (target ≥ {TARGETS['speedup']:g}×: {'met' if ups and min(ups) >= TARGETS['speedup'] else 'NOT met'}); "
            f"memory {ours['peak_mb']:.0f} MB (target ≤ {TARGETS['extra_mb']:.0f}: "
            f"{'met' if ours['peak_mb'] <= TARGETS['extra_mb'] else 'NOT met'}); "
            f"subspace angle {ours['angle']:.2g}° (dense reference took {row['reference_seconds']:.1f} s)."
        )
    gap = land["accuracy_landmarks_all_rows"] - land["accuracy_exact_subsample"]
    land_table = markdown_table(
        ["model", "fit rows", "fit seconds", "peak extra MB", f"target accuracy % ({land['n_target_scored']} rows)"],
        [
            [f"TCA landmarks m={land['m']}", land["n"], f"{land['seconds']:.1f}", f"{land['peak_mb']:.0f}",
             f"{land['accuracy_landmarks_all_rows']:.2f}"],
            ["TCA exact", 4000, "", "", f"{land['accuracy_exact_subsample']:.2f}"],
            [f"TCA landmarks m={land['m']}", 4000, "", "", f"{land['accuracy_landmarks_subsample']:.2f}"],
        ],
    )  # fmt: skip
    markdown = "\n".join(
        [
            f"# TCA speed and scale ({mode})",
            "",
            f"Exact TCA: `make_domain_shift_classification` Gaussians, n_s = n_t = {SIZES[mode]['n']}, "
            f"d = {D_EXACT}, k = {K_COMPONENTS}, μ = {MU:g} (peers: mu = 1/μ), gamma = 1/d. skadapt: median "
            f"of {repeats} fit(s); peers: one fit each (they take minutes); memory = peak extra RSS of one fit; each peer in its own process. "
            "Angle: largest principal angle between the training embedding K W and a dense generalized "
            "`scipy.linalg.eigh(KHK, KLK + μI)` reference (adapt and skada run `eigh` on a "
            "non-symmetric matrix, hence their angles). BLAS: one thread everywhere (shared machine).",
            "",
            markdown_table(header, table),
            "",
            *verdicts,
            "",
            f"Landmark TCA: n = {land['n']} (half source, half target), d = {D_BIG}, shift 3, rbf "
            f"(gamma = 1/d), k = {K_COMPONENTS}; LogisticRegression on the embedded source rows of each "
            "model's fit rows; all scored on the same target rows.",
            "",
            land_table,
            "",
            f"- landmark fit: {land['seconds']:.1f} s (target ≤ {TARGETS['landmark_seconds']:g}: "
            f"{'met' if land['seconds'] <= TARGETS['landmark_seconds'] else 'NOT met'}), "
            f"{land['peak_mb']:.0f} MB (target ≤ {TARGETS['landmark_mb']:.0f}: "
            f"{'met' if land['peak_mb'] <= TARGETS['landmark_mb'] else 'NOT met'}); accuracy "
            f"{gap:+.2f} points vs exact TCA on the 4000-row subsample (target within "
            f"{TARGETS['landmark_points']:g}: {'met' if abs(gap) <= TARGETS['landmark_points'] or gap > 0 else 'NOT met'}).",
        ]
    )
    write_result(
        "bench_tca" if mode == "full" else "bench_tca_quick",
        {"mode": mode, "exact": exact, "landmarks": land, "blas_threads": 1, "targets": TARGETS},
        markdown,
    )
    return markdown


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "quick")
