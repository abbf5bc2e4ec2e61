"""
=========================================================
Importance weights on the 1-D covariate-shift toy problem
=========================================================

The toy of Shimodaira (2000), used by Huang et al. (2006) for kernel mean
matching and by Sugiyama et al. (2008) for KLIEP: source inputs come from
:math:`\\mathcal{N}(0.5, 0.5^2)`, target inputs from :math:`\\mathcal{N}(0, 0.3^2)`,
and the output is :math:`y = -x + x^3 + \\varepsilon` in both domains.

A straight line fitted by least squares on the source follows the right-hand
part of the cubic, where most source rows are.  Weighting the source rows by
the importance :math:`p_t(x) / p_s(x)` moves the fit to where the target rows
are.  The top panel compares the weights of :class:`~skadapt.KMM`,
:class:`~skadapt.KLIEP` and :class:`~skadapt.ULSIF` with the true ratio; the
bottom panel the lines fitted with them.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from skadapt import KLIEP, KMM, ULSIF
from skadapt.datasets import make_covariate_shift

data = make_covariate_shift(n_source=150, n_target=100, random_state=0)
X, y = data.X, data.y  # target outputs are masked with NaN
n_s = data.X_source.shape[0]

# %%
# Fit the weighters, each with a least-squares line on the weighted source
models = {
    "KMM": KMM(LinearRegression(), gamma=1.0, B=1000.0),
    "KLIEP": KLIEP(LinearRegression(), random_state=0),
    "uLSIF": ULSIF(LinearRegression(), random_state=0),
}
for model in models.values():
    model.fit(X, y)
plain = LinearRegression().fit(data.X_source, data.y_source)

# %%
# Weights, and the lines they give
xs = data.X_source[:, 0]
order = np.argsort(xs)
grid = np.linspace(-1.2, 2.0, 200)[:, None]
colors = {"KMM": "tab:red", "KLIEP": "tab:green", "uLSIF": "tab:purple"}

fig, (ax_w, ax_f) = plt.subplots(2, 1, figsize=(7, 8), sharex=True)
true = data.true_weights
ax_w.plot(xs[order], true[order] / true.mean(), "k-", lw=2, label="true ratio (mean 1)")
for name, model in models.items():
    w = model.weights_[:n_s]
    ax_w.plot(xs[order], w[order] / w.mean(), "o", ms=3, color=colors[name],
              label=f"{name} (mean 1)")
ax_w.set_ylabel("weight of a source row")
ax_w.legend()
ax_w.set_title("Importance weights of the source rows")

ax_f.scatter(data.X_source[:, 0], data.y_source, s=8, c="tab:blue", alpha=0.5, label="source")
ax_f.scatter(data.X_target[:, 0], data.y_target, s=8, c="tab:orange", alpha=0.7, label="target")
ax_f.plot(grid[:, 0], -grid[:, 0] + grid[:, 0] ** 3, "k:", label="true function")
ax_f.plot(grid[:, 0], plain.predict(grid), "b--", label="unweighted least squares")
for name, model in models.items():
    ax_f.plot(grid[:, 0], model.predict(grid), color=colors[name], label=f"weighted by {name}")
ax_f.set_ylim(-1.5, 2.5)
ax_f.set_xlabel("x")
ax_f.set_ylabel("y")
ax_f.legend(fontsize=8)
ax_f.set_title("Least-squares lines fitted on the (weighted) source")
fig.tight_layout()

# %%
# Test error on the target rows
for name, model in [("unweighted", plain), *models.items()]:
    mse = np.mean((model.predict(data.X_target) - data.y_target) ** 2)
    print(f"{name:>10}: target mean squared error {mse:.4f}")

plt.show()
