"""The kernel engine: every kernel matrix and kernel reduction of skadapt."""

from ._pairwise import (
    KERNEL_PARAMS,
    kernel_matvec,
    kernel_mean,
    mmd2,
    pairwise_kernels,
    resolve_gamma,
)

__all__ = [
    "KERNEL_PARAMS",
    "kernel_matvec",
    "kernel_mean",
    "mmd2",
    "pairwise_kernels",
    "resolve_gamma",
]
