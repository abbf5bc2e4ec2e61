"""Every row of the docs page "Coming from adapt or skada" runs.

The page (docs/user_guide/coming_from_peers.rst) holds a setup code block and
a table whose "skadapt" column is one Python expression per row; this test
executes the block and evaluates every expression.
"""

import re
import textwrap
import warnings
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "coming_from_peers.rst"


def _setup_block(text):
    lines = text.splitlines()
    start = lines.index(".. code-block:: python") + 1
    block = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block))


def _rows(text):
    """The cells of the list-table's rows (header excluded)."""
    table = text[text.index(".. list-table::"):]
    rows = []
    for line in table.splitlines()[1:]:
        if line.startswith("   * - "):
            rows.append([line[7:].strip()])
        elif line.startswith("     - ") or line.rstrip() == "     -":
            rows[-1].append(line[7:].strip())
        elif line.startswith("       ") and rows:
            rows[-1][-1] += " " + line.strip()
        elif line and not line.startswith(" "):
            break
    return rows[1:]


TEXT = PAGE.read_text()
ROWS = _rows(TEXT)


def test_the_page_has_the_rows():
    assert len(ROWS) >= 20
    assert all(len(row) == 3 for row in ROWS)


@pytest.fixture(scope="module")
def namespace():
    ns = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(_setup_block(TEXT), str(PAGE), "exec"), ns)
    return ns


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The rows show the mapping on small untuned data: skadapt's own warnings about
# the outcome (concentrated KMM weights, a boosting round with no error) may fire
# there, as they would for a user; the test checks that every row runs.
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.LowEffectiveSampleSizeWarning")
@pytest.mark.filterwarnings("ignore::skadapt.exceptions.BoostingStoppedWarning")
@pytest.mark.parametrize("row", ROWS, ids=[r[0][:40] for r in ROWS])
def test_every_row_runs(row, namespace):
    match = re.fullmatch(r"``(.+)``", row[1])
    assert match, f"the skadapt cell must be one ``expression``: {row[1]!r}"
    result = eval(match.group(1), dict(namespace))
    assert result is not None
