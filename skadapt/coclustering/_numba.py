"""Jitted inner loops of CoCC (sparse aggregates, the two assignment steps).

Every function is compiled lazily at its first call and cached on disk
(``cache=True``).  All loops are serial and sum in a fixed order, so results
do not depend on the thread count (a ``prange`` version of the word and
document steps was tried: on a shared 2-core machine under load its
parallel regions waited for descheduled threads and a 20NG fit took 2.5x
longer than the serial one); each is one pass over the non-zeros of
the count matrix or over a dense ``(rows, clusters, classes)`` block, which
is what makes an iteration ``O(nnz + (n_docs + n_words) * k * n_classes)``.

Logarithms of zero probabilities are never taken: a table entry that is zero
is stored as ``-inf`` by the caller and the loops test ``isfinite`` before
they multiply, so ``0 * log 0`` never turns into ``NaN``.
"""

import numpy as np
from numba import njit

__all__ = [
    "rows_by_word_cluster",
    "words_by_doc_cluster",
    "doc_scores",
    "word_step",
    "group_sum",
]


@njit(cache=True)
def rows_by_word_cluster(indptr, indices, data, word_clusters, n_word_clusters):
    """``A[d, c] = sum of row d's counts over the words of word cluster c``.

    Words whose cluster is ``-1`` (never seen in fit) are left out.
    """
    n_rows = indptr.shape[0] - 1
    out = np.zeros((n_rows, n_word_clusters))
    for d in range(n_rows):
        for j in range(indptr[d], indptr[d + 1]):
            c = word_clusters[indices[j]]
            if c >= 0:
                out[d, c] += data[j]
    return out


@njit(cache=True)
def words_by_doc_cluster(indptr, indices, data, doc_clusters, n_words, n_doc_clusters):
    """``B[w, c] = sum of word w's counts over the documents of cluster c``."""
    out = np.zeros((n_words, n_doc_clusters))
    for d in range(indptr.shape[0] - 1):
        c = doc_clusters[d]
        for j in range(indptr[d], indptr[d + 1]):
            out[indices[j], c] += data[j]
    return out


@njit(cache=True)
def doc_scores(A, log_table):
    """Scores of every document against every document cluster.

    ``A`` holds the documents' counts per word cluster (``n_docs x k``),
    ``log_table[c, j] = log f(word cluster j | document cluster c)`` with
    ``-inf`` for a zero.  Returns ``score[d, c] = sum_j f(j | d) log_table[c, j]``
    over the word clusters where ``log_table`` is finite, and
    ``impossible[d, c]``, the share of the document's mass that falls on word
    clusters the document cluster never holds (where the exact score is
    ``-inf``).  A row without mass gets zeros in both.
    """
    n_docs, k = A.shape
    n_clusters = log_table.shape[0]
    score = np.zeros((n_docs, n_clusters))
    impossible = np.zeros((n_docs, n_clusters))
    nz = np.empty(k, dtype=np.int64)
    for d in range(n_docs):
        total = 0.0
        n_nz = 0
        for j in range(k):
            if A[d, j] > 0.0:
                total += A[d, j]
                nz[n_nz] = j
                n_nz += 1
        if total <= 0.0:
            continue
        for c in range(n_clusters):
            s = 0.0
            m = 0.0
            for i in range(n_nz):
                j = nz[i]
                t = log_table[c, j]
                if t > -np.inf:
                    s += A[d, j] * t
                else:
                    m += A[d, j]
            score[d, c] = s / total
            impossible[d, c] = m / total
    return score, impossible


@njit(cache=True)
def group_sum(labels, values, n_groups):
    """``out[g] = sum of the rows of values whose label is g`` (label -1 skipped)."""
    out = np.zeros((n_groups, values.shape[1]))
    for i in range(labels.shape[0]):
        g = labels[i]
        if g >= 0:
            for c in range(values.shape[1]):
                out[g, c] += values[i, c]
    return out


@njit(cache=True, inline="always")
def _scaled_nonzeros(M, w, scale, idx, val):
    """Store the non-zeros of row ``w`` of ``M`` times ``scale``; return count and sum."""
    n = 0
    total = 0.0
    if scale > 0.0:
        for c in range(M.shape[1]):
            if M[w, c] > 0.0:
                idx[n] = c
                val[n] = scale * M[w, c]
                total += val[n]
                n += 1
    return n, total


@njit(cache=True)
def word_step(B, G, current, log_f, log_g, f_scale, g_scale, rtol):
    """One word step: the best word cluster of every word given the tables.

    ``B[w, c]`` are the word's target counts per document cluster and
    ``G[w, c]`` its source counts per class; ``log_f[c, j] = log f(c | j)``
    and ``log_g[c, j] = log g(c | j)`` for word cluster ``j`` (``-inf`` for
    zero or undefined; C-contiguous rows).  The word's score in cluster ``j`` is
    ``f_scale * sum_c B[w, c] log_f[c, j] + g_scale * sum_c G[w, c] log_g[c, j]``
    (``f_scale = 1 / total target count``, ``g_scale = lambda / total source
    count``), the part of the loss that depends on ``j`` with its sign
    flipped; only the non-zero counts enter, so a zero probability where the
    word has counts gives ``-inf`` (never ``0 * -inf``), and all logarithms
    are <= 0, so no ``NaN`` can arise.  A word moves only when another
    cluster beats its current one by more than ``rtol`` (relative), so that
    rounding cannot make it cycle.  Words of cluster ``-1`` (no count
    anywhere) stay there.

    Returns the new clusters, the best score and the word's score against
    its own distribution (the best any cluster could give), whose difference
    is the word's share of the loss.
    """
    n_words = B.shape[0]
    k = log_f.shape[1]
    n_b = B.shape[1]
    n_g = G.shape[1]
    new = current.copy()
    best_score = np.zeros(n_words)
    self_score = np.zeros(n_words)
    b_idx = np.empty(n_b, dtype=np.int64)
    b_val = np.empty(n_b)
    g_idx = np.empty(n_g, dtype=np.int64)
    g_val = np.empty(n_g)
    scores = np.empty(k)
    for w in range(n_words):
        cur = current[w]
        if cur < 0:
            continue
        # the word's non-zero counts, pre-scaled
        nb, fw = _scaled_nonzeros(B, w, f_scale, b_idx, b_val)
        ng, gw = _scaled_nonzeros(G, w, g_scale, g_idx, g_val)
        own = 0.0
        for i in range(nb):
            own += b_val[i] * np.log(b_val[i] / fw)
        for i in range(ng):
            own += g_val[i] * np.log(g_val[i] / gw)
        self_score[w] = own
        # scores of every cluster at once: one contiguous pass over the k
        # clusters per non-zero count (vectorised; -inf stays -inf, never NaN)
        scores[:] = 0.0
        for i in range(nb):
            v = b_val[i]
            row = log_f[b_idx[i]]
            for j in range(k):
                scores[j] += v * row[j]
        for i in range(ng):
            v = g_val[i]
            row = log_g[g_idx[i]]
            for j in range(k):
                scores[j] += v * row[j]
        s_cur = scores[cur]
        arg = 0
        best = scores[0]
        for j in range(1, k):
            if scores[j] > best:
                best = scores[j]
                arg = j
        # keep the current cluster unless another one is clearly better
        if arg != cur and best - s_cur <= rtol * (abs(s_cur) + 1e-300):
            arg = cur
            best = s_cur
        new[w] = arg
        best_score[w] = best
    return new, best_score, self_score
