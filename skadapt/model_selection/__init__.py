"""Domain-aware cross-validation splitters.

They read the domains from ``groups`` (metadata routing off) or from
``sample_domain`` (routing on), or else from the masked labels, and put the
unlabeled target rows where the scorers of :mod:`skadapt.metrics` need them.
"""

from ._split import DomainShuffleSplit, LeaveOneDomainOut, SourceTargetShuffleSplit
from ._split import LeaveOneTargetDomainOut, StratifiedDomainShuffleSplit, pack_domains

__all__ = ["DomainShuffleSplit", "LeaveOneDomainOut", "SourceTargetShuffleSplit"]
__all__ += ["LeaveOneTargetDomainOut", "StratifiedDomainShuffleSplit", "pack_domains"]
