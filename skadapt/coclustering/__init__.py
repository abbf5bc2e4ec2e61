"""Co-clustering based classification of out-of-domain documents.

* :class:`CoCC` -- Dai, Xue, Yang & Yu (KDD 2007): information-theoretic
  co-clustering of the target documents and the words, with a term that
  keeps the words' information about the source classes.
"""

from ._cocc import CoCC

__all__ = ["CoCC"]
