"""The docstring-filling helper: indentation, unknown pieces, empty docstrings."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skadapt.utils._docstrings import fill_doc

PIECES = {"x": "x : int\n    The first.\n\n    Second paragraph.", "y": "y : str"}


def test_fills_with_the_placeholder_indentation():
    @fill_doc(PIECES)
    class A:
        """Title.

        Parameters
        ----------
        %(x)s
        %(y)s
        """

    assert A.__doc__ == (
        "Title.\n\n        Parameters\n        ----------\n"
        "        x : int\n            The first.\n\n            Second paragraph.\n"
        "        y : str\n        "
    )


def test_unknown_piece_is_an_error_naming_it():
    with pytest.raises(KeyError, match=r"%\(z\)s"):

        @fill_doc(PIECES)
        def f():
            """Uses %(z)s.

            %(z)s
            """


def test_no_docstring_is_left_alone():
    def f():
        pass

    assert fill_doc(PIECES)(f).__doc__ is None


@given(st.text(alphabet=st.characters(blacklist_characters="%"), max_size=200))
def test_text_without_placeholders_is_unchanged(text):
    def f():
        pass

    f.__doc__ = text
    assert fill_doc(PIECES)(f).__doc__ == text


def test_inline_percent_text_is_not_a_placeholder():
    def f():
        """Keeps 10 % and %(x)s inside a sentence."""

    assert fill_doc(PIECES)(f).__doc__ == "Keeps 10 % and %(x)s inside a sentence."
