"""Sphinx configuration of skadapt's documentation.

Build from the repository root with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Warnings are errors.  Three parts of the docs are generated at every build
into ``docs/generated/`` (git-ignored) by ``docs/_sphinxext/skadapt_docgen.py``:
the API reference lists (from the ``__all__`` of every public module), the
front-page method table (from ``skadapt.utils.discovery.all_estimators()``),
the tables of data-set loaders and generators (from
``skadapt.datasets.__all__``) and the benchmark tables (from
``benchmarks/results/*.md``).  The gallery
(sphinx-gallery) runs every ``docs/examples/<family>/plot_*.py`` of every
family folder that has a ``README.rst``.
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "generated"

# Document the working tree's skadapt, and find the local extension.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_sphinxext"))

# The gallery draws off-screen.
os.environ["MPLBACKEND"] = "Agg"
import matplotlib  # noqa: E402

matplotlib.use("Agg")

import skadapt  # noqa: E402
import skadapt_docgen  # noqa: E402

# -- Project ---------------------------------------------------------------------------

project = "skadapt"
author = "skadapt developers"
copyright = "2026, skadapt developers"
release = skadapt.__version__
version = re.sub(r"(\.dev\d*|rc\d*|a\d*|b\d*)$", "", release)

# -- General ---------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_sphinxext",
    "_templates",
    # the gallery's sources: sphinx-gallery reads them and writes auto_examples/
    "examples",
    "Thumbs.db",
    ".DS_Store",
]
# No intersphinx: the build runs offline.  References to scikit-learn or numpy
# objects render as plain text (nitpicky mode is off).
nitpicky = False
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc --------------------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# -- HTML ------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skadapt {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "benchmarks": []}

# -- sphinx-gallery --------------------------------------------------------------------


def _gallery_families():
    """The ``examples/<family>/`` folders that have a README.rst, found at build time."""
    examples = DOCS / "examples"
    if not examples.is_dir():
        return []
    return sorted(p.name for p in examples.iterdir() if (p / "README.rst").is_file())


#: Preferred order of the gallery sections; families not listed follow, sorted.
_GALLERY_ORDER = [
    "kernels",
    "datasets",
    "instance_weighting",
    "model_selection",
    "ensemble",
    "subspace",
]
GALLERY_FAMILIES = _gallery_families()
_order = [f for f in _GALLERY_ORDER if f in GALLERY_FAMILIES]
_order += [f for f in GALLERY_FAMILIES if f not in _order]

# Folders without a README.rst (a family whose example is being written) are
# left out of the gallery; sphinx-gallery skips them, and so must the walk.
_skipped = sorted(
    p.name
    for p in (DOCS / "examples").iterdir()
    if p.is_dir() and p.name != "__pycache__" and p.name not in GALLERY_FAMILIES
) if (DOCS / "examples").is_dir() else []

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": (
        r"__init__\.py"
        + "".join(f"|/{re.escape(name)}/" for name in _skipped)
    ),
    "subsection_order": [f"examples/{f}" for f in _order] + ["*"],
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    # matplotlib's state and scikit-learn's config (metadata routing ...) are
    # reset before every example
    "reset_modules": ("matplotlib", "skadapt_docgen.reset_sklearn_config"),
    "doc_module": ("skadapt",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
    "show_memory": False,
    "show_signature": False,
    "download_all_examples": False,
    # no sg_execution_times.rst in the source tree (it would be untracked)
    "write_computation_times": False,
    "min_reported_time": 1,
    "capture_repr": ("__repr__",),
    "plot_gallery": "True",
}

# -- Build-time generation -------------------------------------------------------------


def _generate_pages(app):
    """Write the generated includes and the API stub pages before the docs are read."""
    from sphinx.ext.autosummary.generate import generate_autosummary_docs

    GENERATED.mkdir(exist_ok=True)
    api_inc = GENERATED / "api_sections.inc"
    stubs = skadapt_docgen.write_api_sections(api_inc)
    skadapt_docgen.write_method_table(GENERATED / "method_table.inc")
    skadapt_docgen.write_function_table(
        GENERATED / "datasets_loaders.inc", "skadapt.datasets", prefixes=("fetch_",)
    )
    skadapt_docgen.write_function_table(
        GENERATED / "datasets_generators.inc", "skadapt.datasets", prefixes=("make_",)
    )
    skadapt_docgen.write_benchmark_results(
        GENERATED / "benchmark_results.inc", ROOT / "benchmarks" / "results"
    )
    # A stub left by an earlier build for a name that is gone would be an
    # orphan document (a warning): remove it.
    wanted = {f"{name}.rst" for name in stubs}
    for old in GENERATED.glob("skadapt.*.rst"):
        if old.name not in wanted:
            old.unlink()
    # autosummary reads its directives from the document files only; the API
    # lists live in an included file, so their stubs are generated here.
    generate_autosummary_docs(
        [str(api_inc)],
        output_dir=str(GENERATED),
        suffix=".rst",
        app=app,
        imported_members=False,
        overwrite=True,
    )


def _prune_stale_gallery(app):
    """Remove generated gallery pages whose example is gone (local rebuilds only).

    sphinx-gallery keeps ``auto_examples/`` between builds; the page of an
    example that was renamed or deleted (or of a family folder that lost its
    README.rst) would stay behind as an orphan document, a warning.  A fresh
    checkout has no ``auto_examples/`` and is not affected.
    """
    import shutil

    out = DOCS / "auto_examples"
    if not out.is_dir():
        return
    for family in out.iterdir():
        if not family.is_dir() or family.name == "images":
            continue
        if family.name not in GALLERY_FAMILIES:
            shutil.rmtree(family)
            continue
        source = DOCS / "examples" / family.name
        for page in family.glob("*.rst"):
            if page.name in ("index.rst", "sg_execution_times.rst"):
                continue
            if not (source / f"{page.stem}.py").is_file():
                for stale in family.glob(f"{page.stem}.*"):
                    stale.unlink()


_REQUEST_METHOD = re.compile(r"^set_\w+_request$")


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document skadapt's own members only.

    Members inherited from scikit-learn (``get_params``, ``set_output`` ...) or
    generated by its metadata routing (``set_fit_request`` ...) carry
    docstrings with references into scikit-learn's own docs, which cannot
    resolve here; the user guide explains them instead.
    """
    if what not in ("class", "exception") or skip:
        return skip
    if _REQUEST_METHOD.match(name):
        return True
    target = obj.fget if isinstance(obj, property) else obj
    module = getattr(target, "__module__", None)
    if module is None or not module.startswith("skadapt"):
        return True
    return None


_SHAPE = re.compile(r"shape \(([^()]*)\)")
_BARE_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w])")


def _quote_shape_attributes(app, what, name, obj, options, lines):
    """Quote fitted attributes in shapes: ``(n_features_in_,)``, not a link.

    scikit-learn's idiom ``ndarray of shape (n_features_in_,)`` is, in
    reStructuredText, a reference to a target named ``n_features_in`` (the
    trailing underscore), which does not exist.  Docstrings written that way
    are rendered with the attribute as a literal instead.
    """
    for k, line in enumerate(lines):
        if line.lstrip().startswith((">>>", "...")):
            continue
        lines[k] = _SHAPE.sub(
            lambda m: "shape (" + _BARE_TRAILING_UNDERSCORE.sub(r"``\1``", m.group(1)) + ")",
            line,
        )


_FIELD_SECTIONS = {
    "Parameters",
    "Other Parameters",
    "Returns",
    "Yields",
    "Receives",
    "Attributes",
}
_NESTED_FIELD = re.compile(r"^    [A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*(\s+:\s+\S.*)?$")
_SUBSTITUTION = re.compile(r"(?<![\w|`\\])\|(?=[^\s|])([^|`\n]*?[^\s|\\])\|(?![\w|])")


def _indent(line):
    return len(line) - len(line.lstrip()) if line.strip() else None


def _tolerate_docstring_markup(app, what, name, obj, options, lines):
    """Render two docstring habits that reStructuredText rejects as intended.

    Runs before numpydoc, on the raw numpydoc docstring (dedented by autodoc):

    * a nested field without a description inside a parameter-like section,
      as in the fields of a returned ``Bunch``::

          data : Bunch
              X : ndarray
                  The rows.
              task : str          <- no description: rst reads it as a paragraph
              DESCR : str            glued to its neighbours (an error)

      gets an empty description, so it renders as the field it is;
    * ``|T_d|`` (a set size in prose) is a substitution reference in rst (an
      error when undefined); it is escaped to print as written.

    Lines of doctest examples are never touched.
    """
    section = None
    k = 0
    while k < len(lines):
        line = lines[k]
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        if _indent(line) == 0 and re.fullmatch(r"-{3,}", nxt.strip()) and _indent(nxt) == 0:
            section = line.strip()
            k += 2
            continue
        if section in _FIELD_SECTIONS and _NESTED_FIELD.match(line):
            prev = lines[k - 1] if k > 0 else ""
            in_nested_list = _indent(prev) == 8 or (
                _NESTED_FIELD.match(prev) is not None
            ) or (_indent(prev) == 0 and _NESTED_FIELD.match(nxt) is not None)
            next_indent = _indent(nxt)
            if in_nested_list and (next_indent is None or next_indent <= 4):
                lines.insert(k + 1, "        \\ ")
                k += 2
                continue
        if section != "Examples" and not line.lstrip().startswith((">>>", "...")):
            lines[k] = _SUBSTITUTION.sub(r"\\|\1\\|", line)
        k += 1


def setup(app):
    # before sphinx-gallery writes the gallery (priority 500)
    app.connect("builder-inited", _prune_stale_gallery, priority=400)
    app.connect("autodoc-process-docstring", _tolerate_docstring_markup, priority=300)
    app.connect("autodoc-process-docstring", _quote_shape_attributes, priority=400)
    app.connect("builder-inited", _generate_pages)
    app.connect("autodoc-skip-member", _skip_foreign_members)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
