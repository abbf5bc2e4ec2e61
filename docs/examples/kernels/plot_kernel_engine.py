"""
======================================================
The kernel engine: matrices, reductions and their cost
======================================================

:mod:`skadapt.kernels` computes the kernel matrices every method of skadapt
needs (rbf, laplacian, linear, polynomial, cosine) with BLAS and numba, and
the reductions kernel mean matching and MMD need -- ``K @ v``, the row means
of ``K``, MMD² -- tile by tile, without ever holding ``K``.

This example checks the results against scikit-learn, shows how the
median-heuristic ``gamma`` and the MMD² react to a shift between two
samples, and times both libraries side by side on a small problem (the
real benchmark is ``python -m benchmarks --full bench_kernels``).
"""

# %%
# Same numbers as scikit-learn
# ----------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics.pairwise import pairwise_kernels as sk_pairwise_kernels

from skadapt.kernels import kernel_mean, mmd2, pairwise_kernels, resolve_gamma

rng = np.random.default_rng(0)
X = rng.normal(size=(400, 5))
Y = rng.normal(size=(300, 5)) + 0.5

for metric in ["rbf", "laplacian", "linear", "polynomial", "cosine"]:
    ours = pairwise_kernels(X, Y, metric)
    ref = sk_pairwise_kernels(X, Y, metric=metric)
    print(f"{metric:>10}: max |skadapt - sklearn| = {np.abs(ours - ref).max():.1e}")

# %%
# The reductions equal the full-matrix results, without the matrix
gamma = resolve_gamma(X, "median")
K = pairwise_kernels(X, Y, gamma=gamma)
print("kernel_mean error:", np.abs(kernel_mean(X, Y, gamma=gamma) - K.mean(axis=1)).max())

# %%
# MMD² grows with the shift between two samples
# ---------------------------------------------
shifts = np.linspace(0, 2, 9)
values = [mmd2(X, rng.normal(size=(300, 5)) + s, gamma=gamma, unbiased=True) for s in shifts]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.plot(shifts, values, "o-")
ax1.axhline(0, color="grey", lw=0.5)
ax1.set_xlabel("mean shift of the second sample")
ax1.set_ylabel("unbiased MMD²")
ax1.set_title(f"rbf kernel, median-heuristic gamma = {gamma:.3f}")

# %%
# Time, side by side
# ------------------
# The first call of each path compiles it (or loads numba's disk cache), so
# it is made before timing.  On a busy or small machine the numbers move;
# the ratio is what to read.


def best_of(fn, repeats=2):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


sizes = [400, 800, 1600]
results = {}
for dtype in [np.float64, np.float32]:
    for metric in ["rbf", "laplacian"]:
        ratios = []
        for n in sizes:
            Z = rng.normal(size=(n, 20)).astype(dtype)
            pairwise_kernels(Z[:50], None, metric)  # compile / load once
            t_sk = best_of(lambda: sk_pairwise_kernels(Z, metric=metric, gamma=0.05))
            t_our = best_of(lambda: pairwise_kernels(Z, None, metric, gamma=0.05))
            ratios.append(t_sk / t_our)
        results[f"{metric}, {np.dtype(dtype).name}"] = ratios

for label, ratios in results.items():
    ax2.plot(sizes, ratios, "o-", label=label)
ax2.axhline(1, color="grey", lw=0.5)
ax2.set_xlabel("n (K is n x n, d = 20)")
ax2.set_ylabel("time sklearn / time skadapt")
ax2.set_title("speed-up over scikit-learn")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
