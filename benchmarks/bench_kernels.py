"""Kernel engine speed: ``skadapt.kernels`` against scikit-learn, side by side.

Two questions:

1. Full kernel matrices: ``skadapt.kernels.pairwise_kernels`` against
   ``sklearn.metrics.pairwise.pairwise_kernels`` for rbf and laplacian,
   ``K(X, X)`` with n = 1000 / 5000 / 20000 rows (quick: 1000 / 5000),
   d = 20 / 100 / 800 features (quick: 20 / 100), float64 and float32.
   Median wall-clock time of the repeats, as the ratio sklearn / skadapt
   (> 1 means skadapt is faster).  Targets: >= 1.0 everywhere, >= 1.5 in
   float32.
2. Reductions that never hold the matrix: ``kernel_mean`` and
   ``kernel_matvec`` at n = 20,000 and 50,000 (quick: 5,000), against
   scikit-learn's chunked path: ``pairwise_kernels`` on row blocks sized by
   scikit-learn's own ``working_memory`` (as ``pairwise_distances_chunked``), reduced
   block by block.  Peak extra resident memory of each (``peak_memory_mb``).
   Targets: >= 1.5x with <= 200 MB extra at n = 50,000.
3. Sparse rows (issue 17): TF-IDF of the 20 Newsgroups rec-vs-talk task
   (52,600 features, about 160 nonzeros a row; from the shared data folder,
   the section is skipped without it), float64 and float32.  skadapt's rbf
   against ``sklearn.metrics.pairwise.rbf_kernel`` on the same CSR input, for
   ``K(X, X)`` and ``K(X_source, X_target)``; the laplacian against
   ``laplacian_kernel`` too.  Target: ratio >= 1.0.

Everything runs in one process, one call at a time, on the same data; the
first call of every path is made on small data beforehand so that numba's
compilation (or cache loading) is not timed.  When a scikit-learn run would
take longer than ``_BUDGET_S`` seconds (predicted from the same configuration
at n = 5000), both libraries are timed on the same first rows of the matrix,
``K(X[:rows], X)``, and the table says how many rows were timed.  The load
average of the machine is recorded: other jobs share its 2 cores, so only the
side-by-side ratios mean something.
"""

import gc
import os
import time

import numpy as np
from sklearn.metrics.pairwise import laplacian_kernel, rbf_kernel
from sklearn.metrics.pairwise import pairwise_kernels as sk_pairwise_kernels
from sklearn import get_config
from sklearn.utils import gen_batches

from benchmarks._common import data_dir, markdown_table, median_time, peak_memory_mb, write_result
from skadapt.kernels import kernel_matvec, kernel_mean, pairwise_kernels

NAME = "bench_kernels"
_BUDGET_S = 150.0
_WIDE = 800
_MODES = {
    "quick": {"ns": [1000, 5000], "ds": [20, 100], "red_ns": [5000], "red_ds": [20],
              "sparse_ns": {"rbf": [2000], "laplacian": [1000]}},
    "full": {"ns": [1000, 5000, 20000], "ds": [20, 100, 800], "red_ns": [20000, 50000], "red_ds": [20],
             "sparse_ns": {"rbf": [2000, 7000], "laplacian": [1000, 3000]}},
}
_SPARSE_SK = {"rbf": rbf_kernel, "laplacian": laplacian_kernel}
_METRICS = ["rbf", "laplacian"]
_DTYPES = [np.float64, np.float32]


def _data(n, d, dtype, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(dtype)


def _warm_up():
    """Compile (or load from numba's cache) every path before timing."""
    for dtype in _DTYPES:
        X = _data(300, 5, dtype, 0)
        v = np.ones(300, dtype=dtype)
        for metric in _METRICS:
            pairwise_kernels(X, None, metric)
            pairwise_kernels(X, X[:200], metric)
            kernel_mean(X, X[:100], metric)
            kernel_matvec(X, X, v, metric)


def _time(fn, n, predicted):
    """Median of 3 runs after a warm-up; one run when it is big (n = 20000) or slow."""
    if n >= 20000 or (predicted is not None and predicted > 10.0):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start, 1
    return median_time(fn, repeats=3, warmup=1), 3


def _full_matrices(cfg):
    rows, per_element = [], {}
    for d in cfg["ds"]:
        for dtype in _DTYPES:
            for metric in _METRICS:
                for n in cfg["ns"]:
                    X = _data(n, d, dtype, seed=n + d)
                    gamma = 1.0 / d
                    key = (d, dtype, metric)
                    n_rows = n
                    if key in per_element and per_element[key] * n * n > _BUDGET_S:
                        n_rows = int(min(n, max(500, _BUDGET_S / (per_element[key] * n))))
                    if n >= 20000 and d >= _WIDE:
                        # the full 20000 x 20000 x 800 product segfaulted inside
                        # OpenBLAS (scikit-learn's call) in a first full run
                        n_rows = min(n_rows, 5000)
                    Xr = X[:n_rows]
                    Y = None if n_rows == n else X

                    def sk_fn():
                        return sk_pairwise_kernels(Xr, Y, metric=metric, gamma=gamma)

                    def our_fn():
                        return pairwise_kernels(Xr, Y, metric, gamma=gamma)

                    predicted = per_element[key] * n_rows * n if key in per_element else None
                    t_sk, runs = _time(sk_fn, n, predicted)
                    gc.collect()
                    t_our, _ = _time(our_fn, n, predicted)
                    gc.collect()
                    per_element[key] = t_sk / (n_rows * n)
                    row = {
                        "metric": metric,
                        "dtype": np.dtype(dtype).name,
                        "n": n,
                        "d": d,
                        "rows_timed": n_rows,
                        "runs": runs,
                        "sklearn_s": t_sk,
                        "skadapt_s": t_our,
                        "ratio": t_sk / t_our,
                        "target": 1.5 if dtype == np.float32 else 1.0,
                    }
                    rows.append(row)
                    print(" | ".join(map(str, _fmt_full(row))), flush=True)
    return rows


def _fmt_full(r):
    rows = "all" if r["rows_timed"] == r["n"] else f"{r['rows_timed']}"
    rows += f" ({'median of 3' if r['runs'] == 3 else 'once'})"
    ok = "yes" if r["ratio"] >= r["target"] else "**no**"
    return [
        r["metric"],
        r["dtype"],
        r["n"],
        r["d"],
        rows,
        f"{r['sklearn_s']:.3f}",
        f"{r['skadapt_s']:.3f}",
        f"{r['ratio']:.2f}",
        f">= {r['target']:.1f}: {ok}",
    ]


def _sklearn_chunked(X, Y, metric, gamma, reduce):
    """scikit-learn's best chunked equivalent: row blocks within its working memory."""
    # the rule of scikit-learn's pairwise_distances_chunked: rows per block
    # such that one block of the matrix fits in working_memory (MiB)
    chunk = int(get_config()["working_memory"] * 2**20 // (8 * Y.shape[0]))
    chunk = min(max(chunk, 1), X.shape[0])
    parts = [
        reduce(sk_pairwise_kernels(X[sl], Y, metric=metric, gamma=gamma))
        for sl in gen_batches(X.shape[0], chunk)
    ]
    return np.concatenate(parts)


def _reductions(cfg):
    rows = []
    for n in cfg["red_ns"]:
        for d in cfg["red_ds"]:
            X = _data(n, d, np.float64, seed=1)
            Y = _data(n, d, np.float64, seed=2) + 0.25
            v = np.random.default_rng(3).normal(size=n)
            gamma = 1.0 / d
            for metric in _METRICS:
                cases = {
                    "kernel_mean": (
                        lambda: kernel_mean(X, Y, metric, gamma=gamma),
                        lambda: _sklearn_chunked(X, Y, metric, gamma, lambda K: K.mean(axis=1)),
                    ),
                    "kernel_matvec": (
                        lambda: kernel_matvec(X, Y, v, metric, gamma=gamma),
                        lambda: _sklearn_chunked(X, Y, metric, gamma, lambda K: K @ v),
                    ),
                }
                for func, (our_fn, sk_fn) in cases.items():
                    gc.collect()
                    start = time.perf_counter()
                    sk_res, sk_mem = peak_memory_mb(sk_fn)
                    t_sk = time.perf_counter() - start
                    gc.collect()
                    start = time.perf_counter()
                    our_res, our_mem = peak_memory_mb(our_fn)
                    t_our = time.perf_counter() - start
                    err = float(np.max(np.abs(our_res - sk_res)) / max(1e-300, np.max(np.abs(sk_res))))
                    row = {
                        "function": func,
                        "metric": metric,
                        "n": n,
                        "d": d,
                        "sklearn_s": t_sk,
                        "skadapt_s": t_our,
                        "ratio": t_sk / t_our,
                        "sklearn_extra_mb": sk_mem,
                        "skadapt_extra_mb": our_mem,
                        "max_rel_diff": err,
                    }
                    rows.append(row)
                    print(" | ".join(map(str, _fmt_red(row))), flush=True)
    return rows


def _fmt_red(r):
    ok = "yes" if r["ratio"] >= 1.5 and r["skadapt_extra_mb"] <= 200 else "**no**"
    return [
        r["function"],
        r["metric"],
        r["n"],
        r["d"],
        f"{r['sklearn_s']:.2f}",
        f"{r['skadapt_s']:.2f}",
        f"{r['ratio']:.2f}",
        f"{r['sklearn_extra_mb']:.0f}",
        f"{r['skadapt_extra_mb']:.0f}",
        f"{r['max_rel_diff']:.1e}",
        ok,
    ]


def _tfidf():
    """TF-IDF rows of 20 Newsgroups rec-vs-talk (CSR) and the source mask, or None."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from skadapt.datasets import fetch_20newsgroups_transfer

    try:
        data = fetch_20newsgroups_transfer(
            "rec_vs_talk", data_home=data_dir(), download_if_missing=False
        )
    except OSError:
        return None
    return TfidfTransformer().fit_transform(data.X).tocsr(), data.sample_domain > 0


def _sparse_rows(cfg):
    loaded = _tfidf()
    if loaded is None:
        print("sparse rows skipped: 20 Newsgroups not found in", data_dir(), flush=True)
        return []
    X, is_source = loaded
    Xs_all, Xt_all = X[is_source], X[~is_source]
    rows = []
    for dtype in _DTYPES:
        for metric, ns in cfg["sparse_ns"].items():
            # compile (or load from numba's cache) the sparse paths first
            pairwise_kernels(X[:40].astype(dtype), None, metric, gamma=1.0)
            pairwise_kernels(X[:40].astype(dtype), X[40:70].astype(dtype), metric, gamma=1.0)
            for n in ns:
                for pair in ("K(X, X)", "K(Xs, Xt)"):
                    if pair == "K(X, X)":
                        A, B = X[:n].astype(dtype), None
                    else:
                        A, B = Xs_all[: n // 2].astype(dtype), Xt_all[: n // 2].astype(dtype)
                    sk = _SPARSE_SK[metric]
                    # median of 3 after one untimed call each (the first call of a
                    # size pays cold caches and page faults); large sizes once
                    runs, warm = (1, 0) if n > 3000 else (3, 1)
                    t_sk = median_time(lambda: sk(A, B, gamma=1.0), repeats=runs, warmup=warm)
                    gc.collect()
                    t_our = median_time(lambda: pairwise_kernels(A, B, metric, gamma=1.0),
                                        repeats=runs, warmup=warm)
                    gc.collect()
                    diff = float(np.max(np.abs(pairwise_kernels(A, B, metric, gamma=1.0)
                                               - sk(A, B, gamma=1.0))))
                    row = {
                        "metric": metric,
                        "dtype": np.dtype(dtype).name,
                        "matrix": pair,
                        "shape": [A.shape[0], (A if B is None else B).shape[0]],
                        "n_features": X.shape[1],
                        "nnz_per_row": A.nnz / A.shape[0],
                        "runs": runs,
                        "sklearn_s": t_sk,
                        "skadapt_s": t_our,
                        "ratio": t_sk / t_our,
                        "max_abs_diff": diff,
                    }
                    rows.append(row)
                    print(" | ".join(map(str, _fmt_sparse(row))), flush=True)
    return rows


def _fmt_sparse(r):
    return [
        r["metric"],
        r["dtype"],
        r["matrix"],
        f"{r['shape'][0]} x {r['shape'][1]}",
        f"{r['nnz_per_row']:.0f}",
        "median of 3" if r["runs"] == 3 else "once",
        f"{r['sklearn_s']:.3f}",
        f"{r['skadapt_s']:.3f}",
        f"{r['ratio']:.2f}",
        f"{r['max_abs_diff']:.1e}",
        "yes" if r["ratio"] >= 1.0 else "**no**",
    ]


def _sparse_markdown(sparse):
    return [
        "## Sparse rows: TF-IDF of 20 Newsgroups rec-vs-talk, gamma = 1",
        "",
        "The same CSR input to both: skadapt's `pairwise_kernels` against scikit-learn's "
        "`rbf_kernel` / `laplacian_kernel`; `K(X, X)` on the first rows, `K(Xs, Xt)` on the "
        "first source and target rows. Target: ratio >= 1.0.",
        "",
        markdown_table(
            ["metric", "dtype", "matrix", "shape", "nnz/row", "runs", "sklearn s", "skadapt s",
             "ratio", "max abs diff", "ratio >= 1"],
            [_fmt_sparse(r) for r in sparse],
        )
        if sparse
        else "Skipped: 20 Newsgroups (`20news_bydate_bow.npz`) not found in the data folder.",
    ]


def _timed(sections):
    """Run ``sections()``; its result and the machine's record (load, threads, seconds)."""
    import numba

    load_before = os.getloadavg()
    start = time.perf_counter()
    result = sections()
    record = {
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "elapsed_s": time.perf_counter() - start,
        "numba_threads": numba.get_num_threads(),
    }
    return result, record


def _machine_line(record):
    return (
        f"{os.cpu_count()} cores, numba threads {record['numba_threads']}; load average "
        f"(1 min) {record['load_average_before'][0]:.1f} at start, "
        f"{record['load_average_after'][0]:.1f} at end (other jobs share the cores: compare "
        f"the side-by-side ratios, not the seconds). Total {record['elapsed_s']:.0f} s."
    )


def run_sparse(mode="quick"):
    """Only the sparse rows (section 3), written to ``results/bench_kernels_sparse``.

    The dense sections of a full run take over half an hour on the shared
    machine; this keeps their committed results and times the sparse rows alone.
    """
    sparse, record = _timed(lambda: _sparse_rows(_MODES[mode]))
    md = [
        f"# Kernel engine vs scikit-learn on sparse rows ({mode} mode)",
        "",
        _machine_line(record),
        "",
        *_sparse_markdown(sparse),
    ]
    write_result(NAME + "_sparse", {"mode": mode, **record, "sparse_rows": sparse}, "\n".join(md))
    return sparse


def run(mode="quick"):
    """Run the kernel benchmark in ``mode`` ("quick" or "full") and write the results."""
    cfg = _MODES[mode]

    def sections():
        _warm_up()
        return _full_matrices(cfg), _reductions(cfg), _sparse_rows(cfg)

    (full, red, sparse), record = _timed(sections)
    md = [
        f"# Kernel engine vs scikit-learn ({mode} mode)",
        "",
        _machine_line(record),
        "",
        "## Full matrices K(X, X): median wall-clock seconds, ratio = sklearn / skadapt",
        "",
        "`rows timed` < n: both were timed on the same first rows, K(X[:rows], X), because the "
        f"full scikit-learn run was predicted to take more than {_BUDGET_S:.0f} s, or, at "
        f"n = 20000 and d = {_WIDE}, at most 5000 rows because the full product crashed "
        "OpenBLAS (segfault inside scikit-learn's call) in an earlier full run. "
        "n = 20000 and runs predicted over 10 s are timed once, the others as the median of 3.",
        "",
        markdown_table(
            ["metric", "dtype", "n", "d", "rows timed (runs)", "sklearn s", "skadapt s", "ratio", "target"],
            [_fmt_full(r) for r in full],
        ),
        "",
        "## Reductions without the matrix (float64), one run each",
        "",
        "scikit-learn: `pairwise_kernels` on row blocks of its `working_memory` "
        "(the rule of `pairwise_distances_chunked`), each block reduced at once. Memory is the peak extra resident "
        "set. Target: ratio >= 1.5 with <= 200 MB extra.",
        "",
        markdown_table(
            [
                "function",
                "metric",
                "n",
                "d",
                "sklearn s",
                "skadapt s",
                "ratio",
                "sklearn MB",
                "skadapt MB",
                "max rel diff",
                "target met",
            ],
            [_fmt_red(r) for r in red],
        ),
        "",
        *_sparse_markdown(sparse),
    ]
    write_result(
        NAME,
        {
            "mode": mode,
            **record,
            "full_matrices": full,
            "reductions": red,
            "sparse_rows": sparse,
        },
        "\n".join(md),
    )
    return full, red, sparse
