"""
===========================================================================
Tuning KMM on raw text with GridSearchCV and importance-weighted validation
===========================================================================

A domain-adaptation pipeline can start from raw strings: a
:class:`~sklearn.feature_extraction.text.TfidfVectorizer` turns the reviews
into vectors and :class:`~skadapt.KMM` weights the source reviews so that
they look like the target ones before a classifier is fitted on them.  Its
parameters are tuned by a plain :class:`~sklearn.model_selection.GridSearchCV`
with :class:`~skadapt.metrics.ImportanceWeightedScorer`, which needs no
target label: it weights the held-out source reviews by a density ratio
``p_target(x) / p_source(x)`` fitted on the *features the pipeline's last
step sees* (the TF-IDF vectors, taken from ``pipeline[:-1].transform``), not
on the raw strings.  For sparse features its default ratio model uses the
cosine kernel.

The corpus is generated here, so that the example runs anywhere in a second:
short "reviews" of books (most source rows) and of kitchen tools (all target
rows).  Generic sentiment words ("great", "poor") are shared, but each domain
also has its own ("gripping"/"dull" for books, "sturdy"/"flimsy" for kitchen
tools); a few source reviews are about kitchen tools, and KMM can give them
more weight.  The target labels are used only to draw the reference bars.
"""

# %%
# A small synthetic review corpus
# -------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skadapt

rng = np.random.RandomState(0)
WORDS = {
    "books": {
        "topic": ["novel", "plot", "author", "chapter", "story", "pages"],
        1: ["gripping", "moving", "witty"],
        0: ["dull", "predictable", "tedious"],
    },
    "kitchen": {
        "topic": ["blender", "knife", "pan", "handle", "lid", "oven"],
        1: ["sturdy", "sharp", "reliable"],
        0: ["flimsy", "leaky", "rusty"],
    },
}
GENERIC = {1: ["great", "good", "recommend"], 0: ["poor", "bad", "disappointing"]}
FILLER = ["the", "this", "it", "was", "and", "really", "very", "bought", "my"]


def review(domain, label):
    """Filler, topic words, one domain sentiment word and a generic one (right 60 % of the time)."""
    generic = label if rng.rand() < 0.6 else 1 - label
    words = (
        rng.choice(FILLER, 5).tolist()
        + rng.choice(WORDS[domain]["topic"], 3).tolist()
        + rng.choice(WORDS[domain][label], 1).tolist()
        + rng.choice(GENERIC[generic], 1).tolist()
    )
    return " ".join(rng.permutation(words))


def corpus(n, kitchen_share):
    domains = np.where(rng.rand(n) < kitchen_share, "kitchen", "books")
    labels = rng.randint(0, 2, size=n)
    return [review(d, c) for d, c in zip(domains, labels)], labels


texts_s, ys = corpus(300, kitchen_share=0.15)  # source: mostly books
texts_t, yt = corpus(200, kitchen_share=1.0)  # target: kitchen tools
print(texts_s[0])
print(texts_t[0])

# One list of strings, source then target; the target labels are masked (-1).
X, y, sample_domain = skadapt.utils.source_target_merge(
    np.array(texts_s, dtype=object)[:, None], ys, np.array(texts_t, dtype=object)[:, None]
)
texts = X[:, 0].tolist()

# %%
# The search
# ----------
# The pipeline takes the raw strings; KMM matches the kernel means with the
# cosine kernel, which takes the sparse TF-IDF vectors as they are.  The grid
# tunes KMM's bound ``B`` on each weight (``B=1`` holds every weight at one:
# no adaptation) and the classifier's ``C``;
# :class:`~skadapt.model_selection.SourceTargetShuffleSplit` holds out source
# rows and puts the unlabeled target rows in every validation fold, where the
# scorer fits its density ratio.  ``error_score="raise"``: a candidate that
# cannot be scored stops the search instead of becoming a NaN.
pipe = make_pipeline(
    TfidfVectorizer(),
    skadapt.KMM(LogisticRegression(), kernel="cosine"),
)
grid = {"kmm__B": [1.0, 3.0, 10.0], "kmm__estimator__C": [0.1, 10.0]}
search = GridSearchCV(
    pipe,
    grid,
    cv=skadapt.model_selection.SourceTargetShuffleSplit(n_splits=3, random_state=0),
    scoring=skadapt.metrics.ImportanceWeightedScorer(),
    error_score="raise",
).fit(texts, y, groups=sample_domain)
print("best parameters:", search.best_params_)
print("IWCV scores:", np.round(search.cv_results_["mean_test_score"], 3))

# %%
# What each candidate really scores on the target
# -----------------------------------------------
# Each candidate refitted on all rows and scored on the target labels (which
# the search never read), next to its IWCV score and to the plain
# no-adaptation baseline.  Every IWCV score is a finite number computed on
# the TF-IDF vectors.  It is an estimate made from a few held-out source rows,
# so it can misrank some candidates (the ones whose weights rest on few rows
# most of all); compare the two bars of each candidate.
candidates = search.cv_results_["params"]
target_accuracy = [
    pipe.set_params(**params).fit(texts, y).score(texts_t, yt) for params in candidates
]
baseline = make_pipeline(TfidfVectorizer(), skadapt.LabeledOnly(LogisticRegression()))
baseline_accuracy = baseline.fit(texts, y).score(texts_t, yt)
print("target accuracy:", np.round(target_accuracy, 3))
print(f"no adaptation: {baseline_accuracy:.3f}; chosen by IWCV: "
      f"{target_accuracy[search.best_index_]:.3f}")

labels = [f"B={p['kmm__B']:g}\nC={p['kmm__estimator__C']:g}" for p in candidates]
positions = np.arange(len(candidates))
fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.bar(positions - 0.2, search.cv_results_["mean_test_score"], 0.4, label="IWCV score (no target label)")
ax.bar(positions + 0.2, target_accuracy, 0.4, label="target accuracy (reference)")
ax.axhline(baseline_accuracy, color="k", ls="--", lw=1, label="no adaptation")
ax.annotate("chosen", (search.best_index_ - 0.2, search.cv_results_["mean_test_score"][search.best_index_]),
            xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
ax.set_xticks(positions, labels, fontsize=8)
ax.set_ylim(0.4, 1.0)
ax.set_ylabel("accuracy")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
plt.show()
