"""
=====================================================
A parameter search on a dask cluster, and a dask fit
=====================================================

A ``GridSearchCV`` over adaptation parameters is a set of independent fits:
joblib's ``"dask"`` backend sends them to the workers of a dask cluster, and
the search gives the same ``cv_results_`` as on one machine.  Here the
cluster is a :class:`distributed.LocalCluster` in this process (two workers,
one thread each) so that the example runs in a few seconds; on a real
cluster, connect the client to its scheduler instead
(``Client("tcp://scheduler:8786")``) and nothing else changes.

The second part fits :class:`~skadapt.ULSIF` on a dask array: its statistics
are sums over rows, computed block by block on the workers, and its
``density_ratio`` of new rows is a lazy dask array.  See :ref:`scaling_out`.

This example needs the optional ``dask`` extra (``pip install
"skadapt[dask]"``).
"""

# %%
# The search of the user guide, on the cluster
# --------------------------------------------
import time

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skadapt

rng = np.random.RandomState(0)
Xs = rng.normal(0.0, 1.0, size=(100, 4))
ys = (Xs[:, 0] + Xs[:, 1] > 0).astype(int)
Xt = rng.normal(0.0, 1.0, size=(60, 4)) + [1.0, 0.0, 0.0, 0.0]
X, y, sample_domain = skadapt.utils.source_target_merge(Xs, ys, Xt)

pipe = make_pipeline(StandardScaler(), skadapt.KMM(LogisticRegression(), gamma=1.0))
search = GridSearchCV(
    pipe,
    {"kmm__gamma": [0.1, 1.0, 10.0], "kmm__estimator__C": [0.1, 1.0]},
    cv=skadapt.model_selection.SourceTargetShuffleSplit(n_splits=2, random_state=0),
    scoring=skadapt.metrics.ImportanceWeightedScorer(),
)

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                       dashboard_address=":0")
client = Client(cluster)

start = time.perf_counter()
with joblib.parallel_backend("dask"):
    on_cluster = GridSearchCV(**search.get_params(deep=False)).set_params(n_jobs=-1)
    on_cluster.fit(X, y, groups=sample_domain)
print(f"on the cluster: {time.perf_counter() - start:.1f} s")

local = GridSearchCV(**search.get_params(deep=False)).fit(X, y, groups=sample_domain)
same = np.allclose(local.cv_results_["mean_test_score"], on_cluster.cv_results_["mean_test_score"])
print("same cv_results_ as the local search:", same)
print("best parameters:", on_cluster.best_params_)

# %%
# A fit on a dask array
# ---------------------
# 50,000 rows, generated block by block on the workers (never gathered in
# this process); the first 25,000 are the source, the others the target
# (``y = -1``).  uLSIF's ``H`` and ``h`` are sums over the row blocks; one
# ``gamma`` and one ``lambdas`` value are given, since the leave-one-out
# search pairs single rows and does not run on dask arrays.
n = 50_000
generator = da.random.default_rng(0)
X_big = da.concatenate([
    generator.normal(0.0, 1.0, size=(n // 2, 2), chunks=(10_000, 2)),
    generator.normal(0.7, 0.8, size=(n // 2, 2), chunks=(10_000, 2)),
])
y_big = np.r_[np.zeros(n // 2, dtype=int), -np.ones(n // 2, dtype=int)]
ulsif = skadapt.ULSIF(gamma=0.5, lambdas=0.1, random_state=0).fit(X_big, y_big)

grid = np.linspace(-2.5, 3.0, 111)
rows = da.from_array(np.c_[grid, np.full_like(grid, 0.35)], chunks=(50, 2))
ratio = ulsif.density_ratio(rows)  # lazy: computed when asked for
print(type(ratio).__name__, ratio.chunks)

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(grid, ratio.compute(), label="uLSIF on a dask array")
ax.set_xlabel("x0 (x1 = 0.35)")
ax.set_ylabel("p_target / p_source")
ax.legend()
fig.tight_layout()

client.close()
cluster.close()
