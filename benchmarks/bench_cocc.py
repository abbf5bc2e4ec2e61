"""Speed and memory of CoCC: scaling in documents and words, and one 20NG task.

1. Synthetic count matrices (``_synthetic``): documents of 150 word
   occurrences drawn from a Zipf law over the vocabulary, two classes whose
   word laws differ on a random fifth of the words, half the documents
   source (labeled), half target.  Fit time (median of ``repeats`` fits, a
   fixed 10 iterations: ``tol=0`` and a count of iterations reported), the
   time per iteration without the start (``(t(10) - t(1)) / 9``) and the
   peak extra resident memory of the fit (measured in a fresh process, the
   data already built), against

   * the number of documents (50,000 words): nnz grows with the documents;
   * the number of words (8,000 documents): nnz stays the same, the word
     step's dense part ``n_words x k x n_classes`` grows.

   The plot ``results/bench_cocc_scaling.png`` shows the time per
   iteration against nnz with its least-squares line ``a + b nnz``.
2. One 20 Newsgroups task (rec vs talk, CoCC split: 7,232 documents, 52,600
   words, 1.19 M non-zeros) with the defaults (20 iterations): median fit
   time of 3 fits; the issue's target is under 2 s on a 2-core machine.

No peer implements CoCC, so there is no side-by-side ratio.  The machine (2
cores) is shared by several jobs and often oversubscribed, so both the
wall-clock time and the CPU time of this process are written, with the load
(``os.getloadavg``) next to every row; CoCC's loops are serial, so its CPU
time is what a fit takes on an idle core (scikit-learn's k-means of the
start may use a second thread; its CPU time is counted too).  numba's compilation is
cached on disk and warmed up before timing.
"""

import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp

from benchmarks._common import (
    ROOT,
    loader_options,
    markdown_table,
    out_dir,
    peak_memory_mb,
    write_result,
)
from skadapt import CoCC
from skadapt.datasets import fetch_20newsgroups_transfer

#: Data files this benchmark reads (from ``SKADAPT_DATA`` / ``../shared/data``).
REQUIRES = ["20news_bydate_bow.npz"]

DOC_LENGTH = 150
N_ITER = 10
TARGET_SECONDS = 2.0
SIZES = {
    "quick": {"docs": [2000, 4000, 8000], "words": [12_500, 50_000], "repeats": 1},
    "full": {
        "docs": [2000, 4000, 8000, 16_000, 32_000, 64_000],
        "words": [12_500, 25_000, 50_000, 100_000, 200_000],
        "repeats": 3,
    },
}


def _synthetic(n_docs, n_words, seed=0):
    """``(X, y)``: CSR counts, labels with the target half masked (-1)."""
    rng = np.random.default_rng(seed)
    base = 1.0 / np.arange(1, n_words + 1) ** 1.1
    rng.shuffle(base)
    shifted = base.copy()
    moved = rng.choice(n_words, n_words // 5, replace=False)
    shifted[moved] = rng.permutation(shifted[moved])
    laws = [base / base.sum(), shifted / shifted.sum()]
    labels = rng.integers(0, 2, n_docs)
    cols = np.empty(n_docs * DOC_LENGTH, dtype=np.int64)
    for c in (0, 1):
        rows = np.flatnonzero(labels == c)
        draws = rng.choice(n_words, size=(rows.size, DOC_LENGTH), p=laws[c])
        for i, r in enumerate(rows):
            cols[r * DOC_LENGTH:(r + 1) * DOC_LENGTH] = draws[i]
    indptr = np.arange(0, n_docs * DOC_LENGTH + 1, DOC_LENGTH)
    X = sp.csr_matrix((np.ones(cols.size), cols, indptr), shape=(n_docs, n_words))
    X.sum_duplicates()
    y = labels.copy()
    y[n_docs // 2:] = -1
    return X, y


def _fit_peak_mb(X, y, **params):
    """Peak extra resident memory of one fit (after a warm-up fit of a tiny problem)."""
    CoCC(max_iter=1).fit(*_synthetic(200, 500))
    return peak_memory_mb(lambda: CoCC(random_state=0, **params).fit(X, y))


def _peak_in_fresh_process(n_docs, n_words):
    # n_docs="20ng": the rec vs talk task of section 2
    """:func:`_fit_peak_mb` in a new interpreter: the allocator has not kept pages of
    earlier fits, so the resident-set growth is the fit's own."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_cocc", "--peak", str(n_docs), str(n_words)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _median_times(fn, repeats):
    """Median wall-clock and CPU seconds (this process, all threads) of ``fn()``."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.median(cpu))


def _measure(X, y, repeats, peak_mb=None, **params):
    """Fit time, and time per iteration without the start (k-means, NB).

    The time per iteration is ``(t(max_iter) - t(1)) / (n_iter - 1)``: the
    start costs the same in both fits.  Wall-clock and CPU time are both
    kept: on a shared, oversubscribed machine the CPU time of the (serial)
    fit is what it costs on an idle core, the wall time what it took here.
    """
    def fit(**extra):
        return CoCC(random_state=0, **{**params, **extra}).fit(X, y)

    model = fit()
    wall, cpu = _median_times(fit, repeats)
    wall_one, cpu_one = _median_times(lambda: fit(max_iter=1), repeats)
    steps = max(model.n_iter_ - 1, 1)
    return {"seconds": wall, "cpu_seconds": cpu, "peak_mb": peak_mb, "n_iter": model.n_iter_,
            "per_iter": (wall - wall_one) / steps, "cpu_per_iter": (cpu - cpu_one) / steps,
            "cpu_start": cpu_one - (cpu - cpu_one) / steps, "nnz": int(X.nnz)}


def _affine(x, t):
    """Least-squares ``t = a + b x``; returns a, b and the largest relative residual."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    b, a = np.polyfit(x, t, 1)
    return float(a), float(b), float(np.max(np.abs(a + b * x - t) / t))


def _plot(doc_rows, word_rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, rows, key, label, xlabel in (
        (axes[0], doc_rows, "nnz", "50,000 words", "non-zeros of X (documents x ~95)"),
        (axes[1], word_rows, "n_words", "8,000 documents", "number of words (nnz about fixed)"),
    ):
        x = np.array([r[key] for r in rows], dtype=float)
        cpu = 1000 * np.array([r["cpu_per_iter"] for r in rows])
        wall = 1000 * np.array([r["per_iter"] for r in rows])
        a, b, _ = _affine(x, cpu)
        ax.plot(x, cpu, "o-", label=f"CPU time, {label}")
        ax.plot(x, wall, "s--", alpha=0.5, label="wall time (machine under load)")
        ax.plot(x, a + b * x, "k:", label="least-squares line a + b x")
        ax.set_xlabel(xlabel)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("ms per iteration")
    fig.suptitle(f"CoCC time per iteration (k = 128, {N_ITER} iterations, start excluded)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(mode="quick"):
    if mode not in SIZES:
        raise ValueError(f"bench_cocc.run: mode must be 'quick' or 'full', got {mode!r}")
    sizes = SIZES[mode]
    repeats = sizes["repeats"]
    # warm the numba cache (compiles on the first run of a fresh checkout)
    CoCC(max_iter=1).fit(*_synthetic(200, 500))

    doc_rows = []
    for n_docs in sizes["docs"]:
        X, y = _synthetic(n_docs, 50_000)
        peak = _peak_in_fresh_process(n_docs, 50_000)
        r = _measure(X, y, repeats, peak, max_iter=N_ITER, tol=0.0)
        r.update(n_docs=n_docs, n_words=50_000, load=os.getloadavg()[0])
        doc_rows.append(r)
        print("docs", r, flush=True)
    word_rows = []
    for n_words in sizes["words"]:
        X, y = _synthetic(8000, n_words)
        peak = _peak_in_fresh_process(8000, n_words)
        r = _measure(X, y, repeats, peak, max_iter=N_ITER, tol=0.0)
        r.update(n_docs=8000, n_words=n_words, load=os.getloadavg()[0])
        word_rows.append(r)
        print("words", r, flush=True)

    data = fetch_20newsgroups_transfer("rec_vs_talk", split="cocc", **loader_options())
    ng = _measure(data.X, data.y, 3, _peak_in_fresh_process("20ng", 0))
    ng["load"] = os.getloadavg()
    print("20ng", ng, flush=True)

    png = out_dir() / ("bench_cocc_scaling.png" if mode == "full" else "bench_cocc_quick_scaling.png")
    _plot(doc_rows, word_rows, png)
    # growth exponent of time per iteration against nnz (least squares on logs)
    a_doc, b_doc, res_doc = _affine([r["nnz"] for r in doc_rows],
                                    [r["cpu_per_iter"] for r in doc_rows])
    a_word, b_word, res_word = _affine([r["n_words"] for r in word_rows],
                                       [r["cpu_per_iter"] for r in word_rows])

    def cells(r):
        return [f"{r['n_docs']:,}", f"{r['n_words']:,}", f"{r['nnz']:,}", str(r["n_iter"]),
                f"{r['seconds']:.2f}", f"{r['cpu_seconds']:.2f}", f"{1000 * r['per_iter']:.1f}",
                f"{1000 * r['cpu_per_iter']:.1f}", f"{r['peak_mb']:.0f}",
                f"{r['nnz'] * 12 / 2**20:.0f}", f"{r['load']:.1f}"]

    header = ["documents", "words", "nnz", "iterations", "fit s (wall)", "fit s (CPU)",
              "ms / iteration (wall)", "ms / iteration (CPU)",
              "peak extra MB", "MB of X's CSR (for scale)", "load (1 min)"]
    load = ng["load"]
    md = [
        f"# CoCC: speed and memory ({mode} mode)",
        "",
        f"Synthetic Zipf documents of {DOC_LENGTH} word occurrences, two classes, half source "
        f"half target, `CoCC(n_word_clusters=128, lambda_=0.25, max_iter={N_ITER}, tol=0)`; "
        f"median of {repeats} fit(s); peak extra resident memory of one fit. Machine: "
        f"{os.cpu_count()} cores shared with other jobs; the 1-minute load average is given per "
        "row.",
        "",
        "## Against the number of documents (50,000 words)",
        "",
        markdown_table(header, [cells(r) for r in doc_rows]),
        "",
        f"CPU time per iteration against nnz, least squares: **{1000 * a_doc:.1f} ms + "
        f"{1e9 * b_doc:.1f} ms per million non-zeros**, largest relative residual "
        f"{100 * res_doc:.0f} % (linear growth in nnz; the constant is the word step's dense "
        "part, 50,000 words x 128 clusters x 4).",
        "",
        "## Against the number of words (8,000 documents)",
        "",
        markdown_table(header, [cells(r) for r in word_rows]),
        "",
        f"CPU time per iteration against the number of words: {1000 * a_word:.1f} ms + "
        f"{1e6 * b_word:.2f} ms per thousand words, largest relative residual "
        f"{100 * res_word:.0f} %.",
        "",
        f"Figure: `benchmarks/results/{png.name}` (time per iteration against nnz and words).",
        "",
        "## One 20 Newsgroups task",
        "",
        f"rec vs talk (CoCC split), {data.X.shape[0]:,} documents x {data.X.shape[1]:,} words, "
        f"{data.X.nnz:,} non-zeros, defaults (20 iterations), median of 3 fits: "
        f"**{ng['cpu_seconds']:.2f} s of CPU time** (the fit is serial; this is what it takes "
        "on an idle core), "
        f"{ng['seconds']:.2f} s wall-clock here under load "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) on {os.cpu_count()} cores; "
        f"{ng['n_iter']} iterations of {1000 * ng['cpu_per_iter']:.0f} ms CPU each after a start "
        f"(NB, k-means) of {ng['cpu_start']:.2f} s; peak extra memory {ng['peak_mb']:.0f} MB "
        f"(fresh process). Target under {TARGET_SECONDS:g} s on a 2-core machine: "
        f"{'met' if ng['cpu_seconds'] < TARGET_SECONDS else 'MISSED'} in CPU time, "
        f"{'met' if ng['seconds'] < TARGET_SECONDS else 'missed'} in wall-clock time at this load.",
    ]
    payload = {"mode": mode, "doc_scaling": doc_rows, "word_scaling": word_rows,
               "cpu_per_iter_vs_nnz": {"a": a_doc, "b": b_doc, "max_rel_residual": res_doc},
               "cpu_per_iter_vs_words": {"a": a_word, "b": b_word, "max_rel_residual": res_word},
               "twenty_newsgroups": ng, "data": REQUIRES}
    write_result("bench_cocc" if mode == "full" else "bench_cocc_quick", payload, "\n".join(md))
    return payload


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--peak" and sys.argv[2] == "20ng":
        ng_data = fetch_20newsgroups_transfer("rec_vs_talk", split="cocc", **loader_options())
        print(_fit_peak_mb(ng_data.X, ng_data.y)[1])
    elif len(sys.argv) == 4 and sys.argv[1] == "--peak":
        X, y = _synthetic(int(sys.argv[2]), int(sys.argv[3]))
        print(_fit_peak_mb(X, y, max_iter=N_ITER, tol=0.0)[1])
    else:
        run(sys.argv[1] if len(sys.argv) > 1 else "quick")
