"""
=====================================================================
Choosing KMM's kernel width by importance-weighted cross-validation
=====================================================================

Under covariate shift the accuracy on held-out *source* rows is a poor guide
for choosing an adaptation parameter: it rewards the model that fits the
source best, which is the model that ignores the target.  Importance-weighted
cross-validation (IWCV, Sugiyama et al., JMLR 2007) weights each held-out
source row by an estimate of the density ratio ``p_target(x) / p_source(x)``,
so that its score estimates the accuracy on the target -- with no target
label.

Here KMM's ``gamma`` is searched in a plain scikit-learn ``GridSearchCV``,
once with :class:`~skadapt.metrics.ImportanceWeightedScorer` and once with
plain source accuracy, over folds made by
:class:`~skadapt.model_selection.SourceTargetShuffleSplit` (held-out source
rows, plus the unlabeled target rows the scorer needs for its ratio).  The
target labels are used only to draw the third curve.

The last section runs every unsupervised scorer of :mod:`skadapt.metrics` on
the same task in one multi-metric search and compares the width each would
choose.
"""

# %%
# A shifted problem
# -----------------
# Six standard-normal features; the label is ``x1 > 0`` where ``x0 < 0.5``
# and ``x1 <= 0`` beyond.  Most source rows have ``x0 < 0.5``, the target rows
# ``x0 ~ N(1.2, 0.5)``: a linear model fitted on the whole source follows the
# majority part and is wrong on most target rows.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skadapt

rng = np.random.RandomState(0)
n_features = 6


def label(X):
    # x1 > 0 where x0 < 0.5, and the other way round beyond
    return ((X[:, 1] > 0) == (X[:, 0] < 0.5)).astype(int)


def target_rows(n):
    Xt = rng.normal(0.0, 1.0, size=(n, n_features))
    Xt[:, 0] = rng.normal(1.2, 0.5, size=n)
    return Xt


Xs = rng.normal(0.0, 1.0, size=(200, n_features))
Xt = target_rows(150)
ys, yt = label(Xs), label(Xt)
X, y, sample_domain = skadapt.utils.source_target_merge(Xs, ys, Xt)

# %%
# Two searches over ``gamma``
# ---------------------------
# The same pipeline and grid; only the validation differs.
gammas = [0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression()))
grid = {"kmm__gamma": gammas}

iwcv = GridSearchCV(
    pipe,
    grid,
    cv=skadapt.model_selection.SourceTargetShuffleSplit(n_splits=3, random_state=0),
    scoring=skadapt.metrics.ImportanceWeightedScorer(),
).fit(X, y, groups=sample_domain)

plain = GridSearchCV(
    pipe,
    grid,
    cv=skadapt.model_selection.SourceTargetShuffleSplit(
        n_splits=3, random_state=0, target_in_test=False
    ),
    scoring="accuracy",
).fit(X, y, groups=sample_domain)

# Only for the plot: the true accuracy on the target of each gamma.
target_accuracy = [
    np.mean(pipe.set_params(kmm__gamma=g).fit(X, y).predict(Xt) == yt) for g in gammas
]
print("IWCV chooses gamma =", iwcv.best_params_["kmm__gamma"])
print("source accuracy chooses gamma =", plain.best_params_["kmm__gamma"])

# %%
# What each criterion sees
# ------------------------
# With a very narrow kernel (large ``gamma`` after standardisation, in six
# dimensions) KMM sees no overlap between the domains and returns nearly
# uniform weights: the unweighted model, which source accuracy prefers.  IWCV
# follows the target accuracy instead.
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogx(gammas, iwcv.cv_results_["mean_test_score"], "o-", label="IWCV score (no target label)")
ax.semilogx(gammas, plain.cv_results_["mean_test_score"], "s-", label="accuracy on held-out source")
ax.semilogx(gammas, target_accuracy, "k^--", label="accuracy on the target (hidden)")
for search, color in ((iwcv, "tab:blue"), (plain, "tab:orange")):
    ax.axvline(search.best_params_["kmm__gamma"], color=color, alpha=0.4, lw=3)
ax.set_xlabel("KMM gamma")
ax.set_ylabel("score")
ax.legend(fontsize=8)
ax.set_title("Choosing KMM's width: IWCV vs source accuracy")
fig.tight_layout()
plt.show()

# %%
# Every scorer on the same task
# -----------------------------
# One multi-metric ``GridSearchCV`` (``refit=False``: only the scores matter)
# computes the other scores on the same folds as the IWCV search above (same
# splitter, same seed): reverse validation, the prediction entropy, the soft neighborhood density
# (Saito et al., 2021), deep embedded validation (You et al., 2019; on the
# standardised input here, the features KMM's classifier sees); the plain
# source accuracy of the second search is added.  None of them reads a target
# label.
scorers = {
    "reverse validation": skadapt.metrics.ReverseValidationScorer(),
    "prediction entropy": skadapt.metrics.PredictionEntropyScorer(),
    "soft neighborhood density": skadapt.metrics.SoftNeighborhoodDensity(),
    "deep embedded validation": skadapt.metrics.DeepEmbeddedValidation(random_state=0),
}
everything = GridSearchCV(
    pipe,
    grid,
    cv=skadapt.model_selection.SourceTargetShuffleSplit(n_splits=3, random_state=0),
    scoring=scorers,
    refit=False,
).fit(X, y, groups=sample_domain)

curves = {"IWCV": iwcv.cv_results_["mean_test_score"]}
curves.update({name: everything.cv_results_[f"mean_test_{name}"] for name in scorers})
curves["source accuracy"] = plain.cv_results_["mean_test_score"]

# %%
# Which width each scorer picks, and what it is worth on the target.  The
# Spearman correlation tells how well a scorer ranks the six widths by their
# (hidden) target accuracy.  Each criterion rests on an assumption (covariate
# shift for IWCV and DEV, a target that clusters by class for the entropy and
# SND, a concept that transfers both ways for reverse validation), and no
# scorer is right on every task: on a real problem, compare several, and keep
# a few labeled target rows (:class:`~skadapt.metrics.TargetAccuracyScorer`)
# when you can.
from scipy.stats import spearmanr

print(f"{'scorer':28s} {'chosen gamma':>12s} {'target acc.':>11s} {'Spearman':>9s}")
for name, curve in curves.items():
    best = int(np.argmax(curve))
    rho = spearmanr(curve, target_accuracy)[0]
    print(f"{name:28s} {gammas[best]:12g} {target_accuracy[best]:11.3f} {rho:9.2f}")
print(f"{'best possible':28s} {gammas[int(np.argmax(target_accuracy))]:12g} "
      f"{max(target_accuracy):11.3f}")

# %%
# The scores have different units, so each curve is rescaled to [0, 1] for
# the plot (the target accuracy too).
fig, ax = plt.subplots(figsize=(6.5, 4))


def rescale(values):
    values = np.asarray(values, dtype=float)
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)


for name, curve in curves.items():
    ax.semilogx(gammas, rescale(curve), "o-", label=name, alpha=0.8)
ax.semilogx(gammas, rescale(target_accuracy), "k^--", lw=2, label="target accuracy (hidden)")
ax.set_xlabel("KMM gamma")
ax.set_ylabel("score, rescaled to [0, 1]")
ax.legend(fontsize=7)
ax.set_title("Every scorer on the same search")
fig.tight_layout()
plt.show()
