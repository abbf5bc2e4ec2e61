"""Private scikit-learn names are imported in ``skadapt.utils._sklearn_compat`` only."""

import ast
from pathlib import Path

import pytest

import skadapt
from skadapt.utils import _sklearn_compat

PACKAGE = Path(skadapt.__file__).parent
COMPAT = PACKAGE / "utils" / "_sklearn_compat.py"


def _private_sklearn_imports(path):
    """(line, text) of every import of a private scikit-learn name in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "sklearn":
                continue
            private_module = any(part.startswith("_") for part in parts)
            private_names = [a.name for a in node.names if a.name.startswith("_")]
            if private_module or private_names:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if p != COMPAT),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_private_sklearn_names_only_in_compat(path):
    assert _private_sklearn_imports(path) == []


def test_compat_module_is_seen_by_the_check():
    # The check above would pass vacuously if it could not see a private import.
    assert _private_sklearn_imports(COMPAT)


def test_compat_exports_resolve():
    for name in _sklearn_compat.__all__:
        assert getattr(_sklearn_compat, name) is not None
