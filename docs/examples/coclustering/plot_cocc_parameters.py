"""
=================================================================
CoCC on 20 Newsgroups: the loss, the class term and word clusters
=================================================================

CoCC (Dai et al., KDD 2007) classifies the unlabeled documents of a target
domain with the labeled documents of a source domain and no target label.  It
co-clusters the target documents and the words, and asks the word clusters
to keep what the words say about the source classes too; the classes reach
the target documents through the word clusters.  There is one document
cluster per class, started from a Naive Bayes classifier trained on the
source.

The task is "comp vs sci" of 20 Newsgroups with the CoCC split: the source
holds comp.graphics, comp.os.ms-windows.misc / sci.crypt, sci.electronics,
the target comp.sys.ibm.pc.hardware, comp.sys.mac.hardware, comp.windows.x /
sci.med, sci.space.  Raw word counts of all 52,600 words.

The plots show the objective iteration by iteration, then the target error
against the weight ``lambda_`` of the class term and against the number of
word clusters, the way the paper studies them (the paper's own curves were
not found).  ``benchmarks/reproduce_cocc.py`` runs the same sweep on the six
tasks.  To stay fast here, the sweep runs 10 iterations instead of the
default 20.

The 20 Newsgroups files come from a local copy (``SKADAPT_DATA``), skadapt's
cache or a download.  Where none of these is available (a documentation build
offline), the example runs the same code on a **generated** corpus instead:
two classes whose documents draw a few words of their class shared by both
domains, a few of their class in their own domain only, and more words of one
of two themes that have nothing to do with the class.  The first printed line
and the titles of the figures say which corpus this page was built on; the
numbers of a generated corpus are not results on 20 Newsgroups.
"""

# %%
# Data and the source-only baseline
# ---------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.naive_bayes import MultinomialNB
from sklearn.utils import Bunch

from skadapt import CoCC
from skadapt.datasets import fetch_20newsgroups_transfer


def generated_corpus(n_per_domain=800, random_state=0):
    """Word counts of a generated stand-in for comp vs sci (see the top of the page).

    Expected words per document: 70 of 500 common words (Zipf-like
    frequencies), 0.5 of the 30 words of its class in both domains, 1.5 of
    the 60 words of its class in its domain, 10 of the 60 words of its theme.
    """
    rng = np.random.default_rng(random_state)
    domain = np.repeat([0, 1], n_per_domain)  # source rows, then target rows
    label, theme = rng.integers(0, 2, (2, domain.shape[0]))
    zipf = 1.0 / np.arange(1, 501)
    rate = np.zeros((domain.shape[0], 500 + 2 * 30 + 4 * 60 + 2 * 60))
    rate[:, :500] = 70 * zipf / zipf.sum()
    rows = np.arange(domain.shape[0])[:, None]
    rate[rows, 500 + 30 * label[:, None] + np.arange(30)] = 0.5 / 30
    rate[rows, 560 + 60 * (2 * domain + label)[:, None] + np.arange(60)] = 1.5 / 60
    rate[rows, 800 + 60 * theme[:, None] + np.arange(60)] = 10 / 60
    X = sp.csr_matrix(rng.poisson(rate))
    n = n_per_domain
    return Bunch(X=X, y=np.r_[label[:n], -np.ones(n, dtype=int)], sizes=(n, n),
                 X_source=X[:n], y_source=label[:n], X_target=X[n:], y_target=label[n:])


try:
    data = fetch_20newsgroups_transfer("comp_vs_sci", split="cocc")
    corpus = "20 Newsgroups comp vs sci"
except OSError as exc:  # no local copy, no cache, no network
    print(f"20 Newsgroups is not available here ({type(exc).__name__}): the example "
          "runs on a generated corpus, and no number below is a 20 Newsgroups result")
    data = generated_corpus()
    corpus = "GENERATED corpus (20 Newsgroups not available)"
print(f"corpus: {corpus}")
X, y = data.X, data.y  # target rows are masked with y = -1
yt = data.y_target
print(f"{data.sizes[0]} source and {data.sizes[1]} target documents, {X.shape[1]} words")

nb = MultinomialNB().fit(data.X_source, data.y_source)
nb_error = np.mean(nb.predict(data.X_target) != yt)
print(f"MultinomialNB on the source only: target error {nb_error:.3f}")

# %%
# CoCC with its defaults
# ----------------------
# ``loss_curve_`` holds the objective
# ``I(D; W) - I(D^; W^) + lambda_ [I(C; W) - I(C; W^)]`` after each
# iteration: alternating exact minimisation, so it never increases.
start = time.perf_counter()
cocc = CoCC(random_state=0).fit(X, y)
seconds = time.perf_counter() - start
cocc_error = np.mean(cocc.predict(data.X_target) != yt)
print(f"CoCC: target error {cocc_error:.3f} after {cocc.n_iter_} iterations ({seconds:.1f} s)")

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(np.arange(1, cocc.n_iter_ + 1), cocc.loss_curve_, marker="o")
ax.set_xlabel("iteration")
ax.set_ylabel("objective (nats)")
ax.set_title(f"CoCC objective\n{corpus}", fontsize=9)
fig.tight_layout()

# %%
# Error against the class-term weight and the number of word clusters
# --------------------------------------------------------------------
# ``lambda_ = 0`` is plain co-clustering of the target (the source counts only
# through the Naive Bayes start); a large ``lambda_`` lets the source's
# class-word statistics dominate the word clusters.
lambdas = [0.0, 0.0625, 0.25, 1.0, 4.0]
ks = [4, 16, 64, 128, 256]
err_lambda = [
    np.mean(CoCC(lambda_=lam, max_iter=10, random_state=0).fit(X, y).document_clusters_ != yt)
    for lam in lambdas
]
err_k = [
    np.mean(CoCC(n_word_clusters=k, max_iter=10, random_state=0).fit(X, y).document_clusters_ != yt)
    for k in ks
]

fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
axes[0].plot([max(v, 2**-6) for v in lambdas], err_lambda, marker="o", label="CoCC")
axes[0].set_xscale("log", base=2)
axes[0].set_xlabel("lambda_ (leftmost point: 0)")
axes[0].set_ylabel("target error")
axes[1].plot(ks, err_k, marker="o", label="CoCC")
axes[1].set_xscale("log", base=2)
axes[1].set_xlabel("n_word_clusters")
for ax in axes:
    ax.axhline(nb_error, color="gray", ls="--", label="MultinomialNB, source only")
axes[1].legend()
fig.suptitle(f"CoCC on the {corpus} (10 iterations)")
fig.tight_layout()
plt.show()

# %%
# The target rows are in ``y`` in the order they were given, so
# ``document_clusters_`` (one cluster per target row; cluster ``c`` is class
# ``classes_[c]``) compares directly with the target labels, and ``predict``
# gives the same classes for these rows.
assert np.array_equal(cocc.predict(data.X_target), cocc.classes_[cocc.document_clusters_])
