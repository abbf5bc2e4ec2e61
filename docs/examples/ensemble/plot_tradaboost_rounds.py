"""
======================================================
TrAdaBoost round by round on 20 Newsgroups rec vs talk
======================================================

TrAdaBoost (Dai et al., ICML 2007) fits a base learner on the labeled source
documents together with a handful of labeled target documents.  After each
round, source documents that the learner gets wrong lose weight (they look
unlike the target) and target documents it gets wrong gain weight.  The
prediction is the weighted vote of the rounds of the second half.

This example follows one fit on the "rec vs talk" task of 20 Newsgroups
(CoCC split: source newsgroups autos, motorcycles / politics.guns,
politics.misc; target newsgroups baseball, hockey / politics.mideast,
religion.misc), with 1 % of the target documents labeled and a linear SVM
base learner with balanced class weights, as in the paper.  It plots, per
round, the error on the unlabeled target documents of the model stopped at
that round (``staged_predict``), the weighted error on the labeled target
rows, and how the total weight splits between source and target rows.

With a linear SVM on text the learner soon fits every labeled target row
(``eps_t = 0``): from then on only the source rows it gets wrong lose weight,
and the target rows' share grows slowly.  This is why, on these tasks, the
gain over the SVM on all rows stays small (see the reproduction of the
paper's Table 3 in the benchmarks).
"""

# %%
# Data: TF-IDF rows of the CoCC split, 1 % of the target labeled
# --------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.svm import LinearSVC

from skadapt import TrAdaBoostClassifier
from skadapt.datasets import fetch_20newsgroups_transfer

data = fetch_20newsgroups_transfer("rec_vs_talk")
Z = TfidfTransformer().fit_transform(sp.vstack([data.X_source, data.X_target]))
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
# Baselines and TrAdaBoost
# ------------------------
# A small C makes the SVM err on some training rows, which is what moves the
# weights (with a large C every row is fitted and TrAdaBoost is just the SVM
# on all rows).
base = LinearSVC(C=0.1, class_weight="balanced", random_state=0)
target_only = LinearSVC(C=0.1, class_weight="balanced").fit(Zt[labeled], yt[labeled])
pooled = LinearSVC(C=0.1, class_weight="balanced").fit(X, y)
clf = TrAdaBoostClassifier(base, n_estimators=20, random_state=0)
clf.fit(X, y, sample_domain=sample_domain)

errors = {
    "SVM, target rows only": np.mean(target_only.predict(Zt[test]) != yt[test]),
    "SVM, source + target": np.mean(pooled.predict(Zt[test]) != yt[test]),
    "TrAdaBoost": np.mean(clf.predict(Zt[test]) != yt[test]),
}
for name, err in errors.items():
    print(f"{name:24s} error {err:.3f}")

# %%
# Error and weight mass per round
# -------------------------------
staged = np.array([np.mean(p != yt[test]) for p in clf.staged_predict(Zt[test])])
rounds = np.arange(1, staged.shape[0] + 1)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(rounds, staged, label="TrAdaBoost stopped at round t (test)")
ax1.plot(rounds, clf.estimator_errors_, label=r"$\epsilon_t$ on labeled target rows")
ax1.axhline(errors["SVM, source + target"], color="gray", ls="--", label="SVM, source + target")
ax1.axhline(errors["SVM, target rows only"], color="gray", ls=":", label="SVM, target only")
ax1.set_xlabel("round t")
ax1.set_ylabel("error")
ax1.legend(fontsize=8)
ax2.plot(rounds, clf.source_weight_mass_, marker=".", label=f"{n_s} source rows")
ax2.plot(rounds, 1 - clf.source_weight_mass_, marker=".", label=f"{labeled.shape[0]} target rows")
ax2.set_yscale("log")
ax2.set_xlabel("round t")
ax2.set_ylabel("share of the boosting weight (log scale)")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
