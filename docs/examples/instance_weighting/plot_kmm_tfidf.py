"""
=====================================================
Weighting TF-IDF rows with KMM in a text pipeline
=====================================================

Kernel mean matching works on text as it is: the sparse TF-IDF rows of a
:class:`~sklearn.feature_extraction.text.TfidfVectorizer` go straight into
:class:`~skadapt.KMM` with its default Gaussian (rbf) kernel -- the rows are
never densified (a real vocabulary has tens of thousands of words), only the
kernel matrix of the source rows is dense.

The corpus is generated here (a few hundred short documents, so that the
example needs no download): posts on two topics, *sport* (label 1) and
*finance* (label 0), written in two registers, a *forum* register and a
*newswire* one, each with its own marker words.  Some words mean different
things in the two registers ("bank", "pitch", "rally", ... point to finance
in the newswire but to sport on the forum).  The labeled source holds mostly
forum posts, the unlabeled target mostly newswire: a classifier fitted on the
plain source learns the forum meaning of the ambiguous words.  KMM gives the
few newswire-like source posts large weights, and the weighted classifier
follows the target's meaning.
"""

# %%
# A synthetic corpus with a shift of register
# -------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skadapt import KMM
from skadapt.utils import source_target_merge

rng = np.random.default_rng(0)
common = "the a of to and in is it that for on with as was at by this".split()
register = {
    "forum": "lol imho btw guys thread post reply thanks anyone folks".split(),
    "newswire": "reuters reported according officials statement said quarter percent".split(),
}
topic = {  # words that mean the same in both registers
    1: "team season coach goal league player".split(),
    0: "market shares investors stock profit earnings".split(),
}
# ambiguous words: sport on the forum, finance on the newswire
ambiguous = "bank pitch rally score record drive".split()


def document(label, reg):
    words = list(rng.choice(common, 12))
    words += list(rng.choice(register[reg], 4))
    words += list(rng.choice(topic[label], 2))
    # the ambiguous words go with sport on the forum and with finance on the newswire
    if (label == 1) == (reg == "forum"):
        words += list(rng.choice(ambiguous, 4))
    return " ".join(rng.permutation(words))


def corpus(n, share_newswire):
    regs = np.where(rng.random(n) < share_newswire, "newswire", "forum")
    labels = rng.integers(0, 2, n)
    return [document(lab, reg) for lab, reg in zip(labels, regs)], labels, regs


docs_s, y_s, reg_s = corpus(300, share_newswire=0.15)
docs_t, y_t, reg_t = corpus(200, share_newswire=0.9)
print(docs_s[0])

# %%
# The same pipeline, with and without KMM
# ---------------------------------------
# ``source_target_merge`` stacks the documents and marks the target rows with
# ``y = -1``; the vectorizer is fitted on all of them (no label needed), and
# the sparse TF-IDF rows are passed on to KMM, which weights the source rows
# and fits the logistic regression with ``sample_weight``.
X, y, sample_domain = source_target_merge(np.array(docs_s), y_s, np.array(docs_t))
weighted = make_pipeline(TfidfVectorizer(), KMM(LogisticRegression()))
weighted.fit(X, y)
plain = make_pipeline(TfidfVectorizer(), LogisticRegression())
plain.fit(docs_s, y_s)

kmm = weighted[-1]
weights = kmm.weights_[sample_domain > 0]
accuracy = {
    "source only": np.mean(plain.predict(docs_t) == y_t),
    "KMM-weighted": np.mean(weighted.predict(docs_t) == y_t),
}
print(f"TF-IDF: {weighted[0].transform(docs_t).shape[1]} features, sparse; "
      f"KMM gamma_ = {kmm.gamma_:.3g}")
for name, acc in accuracy.items():
    print(f"target accuracy, {name}: {acc:.3f}")
for reg in ("forum", "newswire"):
    print(f"mean KMM weight of the {reg} source posts: {weights[reg_s == reg].mean():.2f}")

# %%
# Where the weight goes
# ---------------------
# The newswire posts of the source, rare there but the bulk of the target,
# carry most of the weight.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
for reg, color in (("forum", "tab:blue"), ("newswire", "tab:orange")):
    ax0.hist(weights[reg_s == reg], bins=30, alpha=0.7, color=color,
             label=f"{reg} ({np.sum(reg_s == reg)} source posts)")
ax0.set_xlabel("KMM weight")
ax0.set_ylabel("source posts")
ax0.legend(fontsize=8)
ax1.bar(list(accuracy), list(accuracy.values()), color=["tab:gray", "tab:green"])
ax1.set_ylim(0, 1)
ax1.set_ylabel("accuracy on the target")
for i, acc in enumerate(accuracy.values()):
    ax1.text(i, acc + 0.02, f"{acc:.2f}", ha="center")
fig.suptitle("KMM on sparse TF-IDF rows (default rbf kernel)")
fig.tight_layout()
plt.show()
