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
"""

# %%
# Data and the source-only baseline
# ---------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.naive_bayes import MultinomialNB

from skadapt import CoCC
from skadapt.datasets import fetch_20newsgroups_transfer

data = fetch_20newsgroups_transfer("comp_vs_sci", split="cocc")
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
ax.set_title("CoCC objective, comp vs sci")
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
fig.suptitle("CoCC on comp vs sci (10 iterations)")
fig.tight_layout()
plt.show()

# %%
# The target rows are in ``y`` in the order they were given, so
# ``document_clusters_`` (one cluster per target row; cluster ``c`` is class
# ``classes_[c]``) compares directly with the target labels, and ``predict``
# gives the same classes for these rows.
assert np.array_equal(cocc.predict(data.X_target), cocc.classes_[cocc.document_clusters_])
