"""Progress lines of the ``verbose`` estimators, with the elapsed time.

One line per stage or iteration, ``[Name] message (elapsed 1.23s)``, printed
and flushed as it happens, the way scikit-learn's verbose estimators print.
"""

import time

__all__ = []


class Progress:
    """Prints ``[name] message (elapsed ...)`` when ``verbose`` is positive.

    Its truth value is ``verbose > 0``, so ``if progress:`` guards work as
    ``if verbose:`` did.  The clock starts when it is created.
    """

    def __init__(self, name, verbose):
        self.name = name
        self.verbose = int(verbose or 0)
        self.start = time.perf_counter()

    def __bool__(self):
        return self.verbose > 0

    def __call__(self, message):
        if self.verbose > 0:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.name}] {message} (elapsed {elapsed:.2f}s)", flush=True)


def progress(name, verbose):
    """``verbose`` as a :class:`Progress` (one already made is passed on unchanged)."""
    return verbose if isinstance(verbose, Progress) else Progress(name, verbose)


def short(value):
    """A number for a progress line, 4 significant digits (``None`` stays ``None``)."""
    return "None" if value is None else f"{value:.4g}"
