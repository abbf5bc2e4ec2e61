"""Shared pieces of docstrings, written once and filled into each docstring.

Parameters and methods that several estimators share (``sample_domain``, the
``fit`` of every weighter, the kernel parameters…) are described once, in a
dictionary of pieces, and each docstring names the piece it wants on a line
of its own::

    Parameters
    ----------
    %(sample_domain)s

:func:`fill_doc` replaces that line with the piece, indented like the
placeholder, when the class or function is defined.  The help text, the
rendered API page and numpydoc's checks all see the filled docstring.
"""

import re
import textwrap

__all__ = ["DOMAIN_DOCS", "fill_doc"]

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$", re.MULTILINE)


def fill_doc(pieces):
    """Decorator filling ``%(name)s`` lines of a docstring from ``pieces``.

    Parameters
    ----------
    pieces : mapping of str to str
        The shared pieces.  Each piece is dedented, then indented like the
        placeholder line it replaces.

    Returns
    -------
    decorator : callable
        Takes a class or function, fills its ``__doc__`` and returns it.

    Raises
    ------
    KeyError
        When a placeholder names no piece (at import time, so a typo never
        reaches a user as a literal ``%(name)s``).

    Examples
    --------
    >>> from skadapt.utils._docstrings import fill_doc
    >>> pieces = {"alpha": "alpha : float\\n    The step."}
    >>> @fill_doc(pieces)
    ... def f(alpha):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     %(alpha)s
    ...     '''
    >>> print(f.__doc__.splitlines()[-2].strip())
    The step.
    """

    def fill(match):
        name = match.group("name")
        if name not in pieces:
            raise KeyError(
                f"fill_doc: the docstring names the piece %({name})s, which is not one of "
                f"{sorted(pieces)}."
            )
        piece = textwrap.dedent(pieces[name]).strip("\n")
        return textwrap.indent(piece, match.group("indent"), lambda line: line.strip() != "")

    def decorate(obj):
        if obj.__doc__:  # None under python -OO: nothing to fill
            obj.__doc__ = _PLACEHOLDER.sub(fill, obj.__doc__)
        return obj

    return decorate


#: The parameters of the domain convention, shared by the ``fit`` of the
#: estimators and the ``split`` of the splitters.
DOMAIN_DOCS = {
    "X_fit": """
        X : array-like of shape (n_samples, n_features)
            Source and target rows.
    """,
    "y_fit": """
        y : array-like of shape (n_samples,), default=None
            Labels; unlabeled (target) rows are masked with ``-1`` or ``NaN``.
    """,
    "sample_domain_fit": """
        sample_domain : array-like of shape (n_samples,), default=None
            Domain of each row (``> 0`` source, ``< 0`` target).
    """,
    "sample_domain_routed": """
        sample_domain : array-like of shape (n_samples,), default=None
            The same, as routed by scikit-learn's metadata routing.
    """,
}
