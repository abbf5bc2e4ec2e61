"""
=====================================================
How TrAdaBoost's source weights decay, round by round
=====================================================

TrAdaBoost (Dai et al., ICML 2007) multiplies the weight of every source row
that a round gets wrong by ``beta < 1``: source rows that disagree with the
target concept fade out, rows that agree keep their weight.  With
``store_weights=True`` the estimator keeps the distribution over the training
rows of every round in ``sample_weight_history_`` (adapt's TrAdaBoost keeps
it as ``sample_weights_src_`` / ``sample_weights_tgt_``), which this example
plots.

The synthetic problem has two kinds of source rows: 150 follow the target's
labelling rule (``x0 + x1 > 0``) and 60, drawn from the same region, the
opposite rule (a source domain mixed with a misleading one).  Twenty target
rows are labeled; the base learner is a logistic regression.
"""

# %%
# Data and fit
# ------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from skadapt import TrAdaBoostClassifier

rng = np.random.RandomState(0)
X_agree = rng.normal(0.0, 1.0, size=(150, 2))
y_agree = (X_agree[:, 0] + X_agree[:, 1] > 0).astype(int)
X_flip = rng.normal(0.0, 1.0, size=(60, 2))
y_flip = (X_flip[:, 0] + X_flip[:, 1] <= 0).astype(int)     # the opposite rule
X_target = rng.normal(0.5, 1.0, size=(20, 2))
y_target = (X_target[:, 0] + X_target[:, 1] > 0).astype(int)

X = np.vstack([X_agree, X_flip, X_target])
y = np.r_[y_agree, y_flip, y_target]
sample_domain = np.r_[np.ones(210, int), -np.ones(20, int)]

clf = TrAdaBoostClassifier(
    LogisticRegression(), n_estimators=30, store_weights=True, random_state=0
).fit(X, y, sample_domain=sample_domain)
history = clf.sample_weight_history_             # (n_rounds, n_rows), rows sum to 1
print(history.shape)

# %%
# The total weight of each group of rows per round
# ------------------------------------------------
# Every round misclassifies the rows that follow the opposite rule, so their
# weight is multiplied by ``beta`` again and again: their share falls
# geometrically (a straight line on the log scale), while the source rows that agree with
# the target (and the labeled target rows) take over the whole weight.
rounds = np.arange(1, history.shape[0] + 1)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(rounds, history[:, :150].sum(axis=1), label="source, same rule as target")
ax.plot(rounds, history[:, 150:210].sum(axis=1), label="source, opposite rule")
ax.plot(rounds, history[:, 210:].sum(axis=1), label="labeled target")
ax.set_yscale("log")
ax.set_xlabel("round")
ax.set_ylabel("share of the total weight")
ax.legend()
fig.tight_layout()
plt.show()
