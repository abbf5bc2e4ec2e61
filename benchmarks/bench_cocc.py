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

   The plot ``results/bench_cocc_scaling.png`` shows time per iteration
   against nnz with a line of slope 1 (linear growth).
2. One 20 Newsgroups task (rec vs talk, CoCC split: 7,232 documents, 52,600
   words, 1.19 M non-zeros) with the defaults (20 iterations): median fit
   time of 3 fits; the issue's target is under 2 s on a 2-core machine.

No peer implements CoCC, so there is no side-by-side ratio; the machine load
(``os.getloadavg``) is written next to every timing.  numba's compilation is
cached on disk and warmed up before timing.
"""

import os
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

from benchmarks._common import (
    RESULTS,
    ROOT,
    data_dir,
    markdown_table,
    median_time,
    peak_memory_mb,
    write_result,
)
from skadapt import CoCC
from skadapt.datasets import fetch_20newsgroups_transfer

#: Data files this benchmark reads (from ``SKADAPT_DATA`` / ``../shared/data``).
DATA_FILES = ["20news_bydate_bow.npz"]

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
    """:func:`_fit_peak_mb` in a new interpreter: the allocator has not kept pages of
    earlier fits, so the resident-set growth is the fit's own."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_cocc", "--peak", str(n_docs), str(n_words)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _measure(X, y, repeats, peak_mb=None, **params):
    """Fit time, and time per iteration without the start (k-means, NB).

    The time per iteration is ``(t(max_iter) - t(1)) / (n_iter - 1)``: the
    start costs the same in both fits.
    """
    def fit(**extra):
        return CoCC(random_state=0, **{**params, **extra}).fit(X, y)

    model = fit()
    seconds = median_time(fit, repeats=repeats, warmup=0)
    one = median_time(lambda: fit(max_iter=1), repeats=repeats, warmup=0)
    per_iter = (seconds - one) / max(model.n_iter_ - 1, 1)
    return {"seconds": seconds, "first_iteration_seconds": one, "peak_mb": peak_mb,
            "n_iter": model.n_iter_, "per_iter": per_iter, "nnz": int(X.nnz)}


def _plot(doc_rows, word_rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    nnz = np.array([r["nnz"] for r in doc_rows], dtype=float)
    per = np.array([r["per_iter"] for r in doc_rows])
    axes[0].loglog(nnz, per, "o-", label="CoCC, 50,000 words")
    axes[0].loglog(nnz, per[-1] * nnz / nnz[-1], "k:", label="slope 1 (linear in nnz)")
    axes[0].set_xlabel("non-zeros of X (documents x 150 words)")
    axes[0].set_ylabel("seconds per iteration")
    axes[0].legend(fontsize=8)
    words = np.array([r["n_words"] for r in word_rows], dtype=float)
    per_w = np.array([r["per_iter"] for r in word_rows])
    axes[1].loglog(words, per_w, "o-", label="CoCC, 8,000 documents")
    axes[1].loglog(words, per_w[-1] * words / words[-1], "k:", label="slope 1")
    axes[1].set_xlabel("number of words (nnz fixed)")
    axes[1].legend(fontsize=8)
    fig.suptitle(f"CoCC fit time per iteration (k = 128, {N_ITER} iterations)")
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

    os.environ.setdefault("SKADAPT_DATA", str(data_dir()))
    data = fetch_20newsgroups_transfer("rec_vs_talk", split="cocc")
    ng = _measure(data.X, data.y, 3, _fit_peak_mb(data.X, data.y)[1])
    ng["load"] = os.getloadavg()
    print("20ng", ng, flush=True)

    png = RESULTS / ("bench_cocc_scaling.png" if mode == "full" else "bench_cocc_quick_scaling.png")
    RESULTS.mkdir(exist_ok=True)
    _plot(doc_rows, word_rows, png)
    # growth exponent of time per iteration against nnz (least squares on logs)
    slope = float(np.polyfit(np.log([r["nnz"] for r in doc_rows]),
                             np.log([r["per_iter"] for r in doc_rows]), 1)[0])

    def cells(r):
        return [f"{r['n_docs']:,}", f"{r['n_words']:,}", f"{r['nnz']:,}", str(r["n_iter"]),
                f"{r['seconds']:.2f}", f"{1000 * r['per_iter']:.1f}", f"{r['peak_mb']:.0f}", f"{r['nnz'] * 12 / 2**20:.0f}",
                f"{r['load']:.1f}"]

    header = ["documents", "words", "nnz", "iterations", "fit s", "ms / iteration",
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
        f"Growth exponent of the time per iteration in nnz (least squares on logs): **{slope:.2f}** "
        "(1 = linear).",
        "",
        "## Against the number of words (8,000 documents)",
        "",
        markdown_table(header, [cells(r) for r in word_rows]),
        "",
        f"Figure: `benchmarks/results/{png.name}` (time per iteration against nnz and words).",
        "",
        "## One 20 Newsgroups task",
        "",
        f"rec vs talk (CoCC split), {data.X.shape[0]:,} documents x {data.X.shape[1]:,} words, "
        f"{data.X.nnz:,} non-zeros, defaults (20 iterations): median fit **{ng['seconds']:.2f} s** "
        f"over 3 fits ({ng['n_iter']} iterations, {1000 * ng['per_iter']:.0f} ms each), peak "
        f"extra memory {ng['peak_mb']:.0f} MB. Target under {TARGET_SECONDS:g} s on 2 cores: "
        f"{'met' if ng['seconds'] < TARGET_SECONDS else 'MISSED'}. Load average "
        f"(1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.",
    ]
    payload = {"mode": mode, "doc_scaling": doc_rows, "word_scaling": word_rows,
               "nnz_exponent": slope, "twenty_newsgroups": ng, "data": DATA_FILES}
    write_result("bench_cocc" if mode == "full" else "bench_cocc_quick", payload, "\n".join(md))
    return payload


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--peak":
        X, y = _synthetic(int(sys.argv[2]), int(sys.argv[3]))
        print(_fit_peak_mb(X, y, max_iter=N_ITER, tol=0.0)[1])
    else:
        run(sys.argv[1] if len(sys.argv) > 1 else "quick")
