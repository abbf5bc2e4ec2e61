"""The kernel engine: every kernel matrix and kernel reduction of skadapt.

Dense input runs through BLAS and numba (compiled at first use, cached on
disk), sparse input through scipy; float32 stays float32.  See
:func:`pairwise_kernels` for the kernels and :func:`resolve_gamma` for the
``gamma`` heuristics.
"""

from ._nystroem import make_nystroem
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
    "make_nystroem",
    "mmd2",
    "pairwise_kernels",
    "resolve_gamma",
]
