"""
======================================================
TrAdaBoost round by round on 20 Newsgroups rec vs talk
======================================================

TrAdaBoost (Dai et al., ICML 2007) fits a base learner on the labeled source
documents together with a handful of labeled target documents.  After each
round, source documents that the learner gets wrong lose weight (they look
unlike the target) and target documents it gets wrong gain weight.  The
prediction is the weighted vote of the rounds of the second half.

This example follows two fits on the "rec vs talk" task of 20 Newsgroups
(CoCC split: source newsgroups autos, motorcycles / politics.guns,
politics.misc; target newsgroups baseball, hockey / politics.mideast,
religion.misc), with 1 % of the target documents labeled:

* the paper read literally: a linear SVM, errors ``|h_t(x) - c(x)|`` with
  ``h_t`` the predicted class (0 or 1), the same initial weight on every row.
  On text the SVM fits every training row, so every error is 0 and the
  weights never move: TrAdaBoost is the SVM on all rows;
* ``error="soft"``: ``h_t`` is the learner's probability, as in the Hedge /
  AdaBoost framework the paper builds on, with a logistic model, and
  ``initial_weights="balanced"`` (source and labeled target rows start with
  the same total weight).  Rows the learner fits less confidently now have
  a small error, so the source rows it fits worst lose weight round after
  round.

It plots, per round, the error on the unlabeled target documents of the model
stopped at that round (``staged_predict``) and the share of the weight on the
source rows.  The benchmarks reproduce the paper's Table 3 with the second
setting (``benchmarks/reproduce_tradaboost.py``).

The 20 Newsgroups files come from a local copy (``SKADAPT_DATA``), skadapt's
cache or a download.  Where none of these is available (a documentation build
offline), the example runs the same code on a **generated** corpus instead,
built like the task: two classes, each with words of its own in both domains
and with two sub-topics of its own per domain, plus ambiguous words that go
with one class in the source and with the other in the target.  The first
printed line and the title of the figure say which corpus this page was built
on; the numbers of a generated corpus are not results on 20 Newsgroups.
"""

# %%
# Data: TF-IDF rows of the CoCC split, 1 % of the target labeled
# --------------------------------------------------------------
# Words found in fewer than 40 documents of the task are dropped (the word cut
# of the reproduction).
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils import Bunch

from skadapt import TrAdaBoostClassifier
from skadapt.datasets import fetch_20newsgroups_transfer


def generated_corpus(n_per_domain=1500, random_state=0):
    """Word counts of a generated stand-in for rec vs talk (see the top of the page).

    Vocabulary: 300 common words (Zipf-like frequencies), 40 words per class,
    50 words per sub-topic (two sub-topics per class and domain) and 40
    ambiguous words, drawn by the source's second class-0 sub-topic and by
    every class-1 document of the target.  About 80 words per document.
    """
    rng = np.random.default_rng(random_state)
    n_common, n_class, n_topic, n_ambiguous = 300, 40, 50, 40
    first_class, first_topic = n_common, n_common + 2 * n_class
    first_ambiguous = first_topic + 8 * n_topic
    common = 1.0 / np.arange(1, n_common + 1)
    X, y = [], []
    for domain in (0, 1):
        for label in (0, 1):
            for topic in (0, 1):
                ambiguous = (domain, label) == (1, 1) or (domain, label, topic) == (0, 0, 1)
                p = np.zeros(first_ambiguous + n_ambiguous)
                p[:n_common] = 0.5 * common / common.sum()
                p[first_class + n_class * label:][:n_class] = 0.1 / n_class
                t = first_topic + n_topic * (4 * domain + 2 * label + topic)
                p[t:t + n_topic] = (0.3 if ambiguous else 0.4) / n_topic
                if ambiguous:
                    p[first_ambiguous:] = 0.1 / n_ambiguous
                n = n_per_domain // 4
                X.append(sp.csr_matrix(rng.multinomial(rng.poisson(80, n), p)))
                y.append(np.full(n, label))
    n_s = len(X) // 2
    return Bunch(X_source=sp.vstack(X[:n_s]).tocsr(), y_source=np.concatenate(y[:n_s]),
                 X_target=sp.vstack(X[n_s:]).tocsr(), y_target=np.concatenate(y[n_s:]))


try:
    data = fetch_20newsgroups_transfer("rec_vs_talk")
    corpus = "20 Newsgroups rec vs talk"
except OSError as exc:  # no local copy, no cache, no network
    print(f"20 Newsgroups is not available here ({type(exc).__name__}): the example "
          "runs on a generated corpus, and no number below is a 20 Newsgroups result")
    data = generated_corpus()
    corpus = "GENERATED corpus (20 Newsgroups not available)"
print(f"corpus: {corpus}")
counts = sp.vstack([data.X_source, data.X_target]).tocsr()
frequent = np.flatnonzero(np.asarray((counts > 0).sum(axis=0)).ravel() >= 40)
Z = TfidfTransformer().fit_transform(counts[:, frequent])
n_s = data.X_source.shape[0]
Zs, Zt = Z[:n_s], Z[n_s:]
yt = data.y_target

rng = np.random.RandomState(0)
labeled = np.sort(rng.choice(yt.shape[0], int(np.ceil(0.01 * yt.shape[0])), replace=False))
test = np.setdiff1d(np.arange(yt.shape[0]), labeled)
X = sp.vstack([Zs, Zt[labeled]]).tocsr()
y = np.r_[data.y_source, yt[labeled]]
sample_domain = np.r_[np.ones(n_s, dtype=int), -np.ones(labeled.shape[0], dtype=int)]
print(f"{n_s} source documents, {labeled.shape[0]} labeled target documents, "
      f"{test.shape[0]} test documents, {X.shape[1]} features")

# %%
# Baselines and the two TrAdaBoost fits
# -------------------------------------
svm = LinearSVC(C=1.0, class_weight="balanced", random_state=0)
logistic = LogisticRegression(C=100.0, class_weight="balanced", solver="liblinear", dual=True)
target_only = LinearSVC(C=1.0, class_weight="balanced").fit(Zt[labeled], yt[labeled])
pooled = LinearSVC(C=1.0, class_weight="balanced").fit(X, y)
literal = TrAdaBoostClassifier(svm, n_estimators=30, random_state=0)
literal.fit(X, y, sample_domain=sample_domain)
soft = TrAdaBoostClassifier(
    logistic, n_estimators=30, error="soft", initial_weights="balanced", random_state=0
)
soft.fit(X, y, sample_domain=sample_domain)

errors = {
    "SVM, target rows only": np.mean(target_only.predict(Zt[test]) != yt[test]),
    "SVM, source + target": np.mean(pooled.predict(Zt[test]) != yt[test]),
    "TrAdaBoost, hard errors": np.mean(literal.predict(Zt[test]) != yt[test]),
    "TrAdaBoost, soft errors": np.mean(soft.predict(Zt[test]) != yt[test]),
}
for name, err in errors.items():
    print(f"{name:24s} error {err:.3f}")

# %%
# Error and source weight share per round
# ---------------------------------------
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for name, clf in (("hard errors, SVM", literal), ("soft errors, logistic", soft)):
    staged = [np.mean(p != yt[test]) for p in clf.staged_predict(Zt[test])]
    rounds = np.arange(1, len(staged) + 1)
    ax1.plot(rounds, staged, label=f"TrAdaBoost, {name}")
    ax2.plot(rounds, clf.source_weight_mass_, marker=".", label=name)
ax1.axhline(errors["SVM, source + target"], color="gray", ls="--", label="SVM, source + target")
ax1.axhline(errors["SVM, target rows only"], color="gray", ls=":", label="SVM, target only")
ax1.set_xlabel("round t")
ax1.set_ylabel("error on the unlabeled target documents")
ax1.legend(fontsize=8)
ax2.set_xlabel("round t")
ax2.set_ylabel(f"share of the weight on the {n_s} source rows")
ax2.legend(fontsize=8)
fig.suptitle(f"TrAdaBoost round by round on the {corpus}")
fig.tight_layout()
plt.show()
