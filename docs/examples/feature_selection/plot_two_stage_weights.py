"""
===========================================================
Generalisable, domain-specific and target-specific features
===========================================================

Three labeled source domains and an unlabeled target share four useful
features (0-3).  Each source also has a *decoy*: a feature that predicts the
label strongly in that source only (4, 5, 6).  Three features (7, 8, 9)
exist in the target only and predict its label.  The rest is noise.

Stage 1 of :class:`~skadapt.TwoStageFeatureSelector` fits one logistic
regression with per-domain weights :math:`w_k = w_0 + u_k` and keeps the
features whose weight is consistently large in every source; the decoys,
strong in one domain and weak in the others, are dropped.  Stage 2
self-trains on the target rows and, with ``n_target_specific=3``, adds the
features that a score test finds useful on the pseudo-labeled target rows.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from skadapt import TwoStageFeatureSelector

rng = np.random.default_rng(0)
n, n_target, d = 150, 300, 16
blocks, labels, domains = [], [], []
for k in range(3):
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, d))
    X[:, :4] += (2 * y - 1)[:, None]  # shared features
    X[:, 4 + k] += 2.5 * (2 * y - 1)  # the decoy of source k
    X[:, 7:10] = 0.0  # target features are absent from the sources
    blocks.append(X)
    labels.append(y)
    domains.append(np.full(n, k + 1))
y_target = rng.integers(0, 2, n_target)
X_target = rng.normal(size=(n_target, d))
X_target[:, :4] += (2 * y_target - 1)[:, None]
X_target[:, 7:10] += 1.5 * (2 * y_target - 1)[:, None]

X = np.vstack(blocks + [X_target])
y = np.concatenate(labels + [np.full(n_target, -1)])  # target rows unlabeled
sample_domain = np.concatenate(domains + [np.full(n_target, -1)])

# %%
# Fit: keep four generalisable features, add three target-specific ones
sel = TwoStageFeatureSelector(
    LogisticRegression(), n_generalizable=4, n_target_specific=3, k_per_round=15
)
sel.fit(X, y, sample_domain=sample_domain)
print("generalisable features:  ", sorted(sel.generalizable_.tolist()))
print("target-specific features:", sorted(sel.target_specific_.tolist()))
print("pseudo-labeled target rows:", int(np.sum(sel.pseudo_labels_ != -1)), "of", n_target)
print("target accuracy:", sel.score(X_target, y_target))

# %%
# The per-domain weights of stage 1 (``domain_weights_``): kept features are
# large in every source, decoys in one source only, target features zero
# (they never occur in a source: stage 2 found them).
fig, ax = plt.subplots(figsize=(8, 3.6))
width = 0.27
for k in range(3):
    ax.bar(np.arange(d) + (k - 1) * width, sel.domain_weights_[k], width,
           label=f"source {k + 1}")
for j in sel.generalizable_:
    ax.axvspan(j - 0.45, j + 0.45, color="tab:green", alpha=0.12, lw=0)
for j in sel.target_specific_:
    ax.axvspan(j - 0.45, j + 0.45, color="tab:purple", alpha=0.12, lw=0)
ax.axhline(0, color="k", lw=0.6)
ax.set_xticks(np.arange(d))
ax.set_xlabel("feature (green: kept by stage 1; purple: added by stage 2)")
ax.set_ylabel("weight $w_0 + u_k$")
ax.set_title("Stage 1 keeps 0-3, drops the decoys 4-6; stage 2 adds 7-9")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
