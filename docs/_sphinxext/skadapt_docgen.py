"""Pages of skadapt's documentation generated at build time (imported by ``conf.py``).

Three pieces of the docs must follow the code and the benchmark results as
they change, so they are written into ``docs/generated/`` (git-ignored) at
every build and pulled into the hand-written pages with ``.. include::``:

* ``api_sections.inc`` -- the API reference lists, built from ``skadapt.__all__``
  and the ``__all__`` of every public module (:func:`write_api_sections`);
* ``method_table.inc`` -- the table of methods on the front page, built from
  :func:`skadapt.utils.discovery.all_estimators` and the list of planned methods
  (:data:`PLANNED_METHODS`): a method is "available" only when its class
  exists (:func:`write_method_table`);
* ``benchmark_results.inc`` -- the markdown tables that the benchmark scripts
  wrote to ``benchmarks/results/*.md``, converted to reStructuredText
  (:func:`write_benchmark_results`; myst-parser is not a dependency).

The ``.inc`` suffix keeps Sphinx from reading these files as documents of
their own.  Every writer tolerates what is not there yet (an empty ``__all__``,
no results folder) and says so on the page instead of failing.
"""

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

# --------------------------------------------------------------------------------------
# Planned methods: the front-page table.  Status comes from the code, never from here.
# --------------------------------------------------------------------------------------

#: (class name, kind, what it is, reference) of every method skadapt plans to offer.
#: A row says "available" only if ``all_estimators()`` finds a class of that name.
PLANNED_METHODS = [
    ("LabeledOnly", "glue", "No adaptation: fits the estimator on the labeled rows only", ""),
    ("KMM", "weighter", "Kernel Mean Matching", "Huang et al., NIPS 2006"),
    ("KLIEP", "weighter", "Kullback-Leibler Importance Estimation Procedure",
     "Sugiyama et al., NIPS 2007"),
    ("ULSIF", "weighter", "Unconstrained Least-Squares Importance Fitting",
     "Kanamori et al., JMLR 2009"),
    ("RuLSIF", "weighter", "Relative uLSIF", "Yamada et al., NIPS 2011"),
    ("TrAdaBoostClassifier", "DA estimator", "TrAdaBoost (and its dynamic variant)",
     "Dai et al., ICML 2007; Al-Stouhi & Reddy, ECML 2011"),
    ("TrAdaBoostR2", "DA estimator", "TrAdaBoost.R2 for regression",
     "Pardoe & Stone, ICML 2010"),
    ("TwoStageTrAdaBoostR2", "DA estimator", "Two-stage TrAdaBoost.R2",
     "Pardoe & Stone, ICML 2010"),
    ("TCA", "adapter", "Transfer Component Analysis", "Pan et al., IEEE TNN 2011"),
    ("SSTCA", "adapter", "Semi-supervised Transfer Component Analysis",
     "Pan et al., IEEE TNN 2011"),
    ("SCL", "adapter", "Structural Correspondence Learning", "Blitzer et al., EMNLP 2006"),
    ("CoCC", "DA estimator", "Co-clustering based classification", "Dai et al., KDD 2007"),
]

_KIND_BASES = [
    ("BaseWeighter", "weighter"),
    ("BaseAdapter", "adapter"),
    ("BaseDAEstimator", "DA estimator"),
]


# --------------------------------------------------------------------------------------
# Small reStructuredText helpers
# --------------------------------------------------------------------------------------


def _underline(title, char):
    return f"{title}\n{char * len(title)}\n"


def _write_if_changed(path, text):
    """Write ``text`` to ``path`` unless it already holds it (keeps Sphinx's cache warm)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _summary(obj):
    """First sentence of a docstring, as plain escaped text for a table cell."""
    doc = inspect.getdoc(obj) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    return _escape_rst(first)


def _escape_rst(text):
    """Escape the characters that start inline markup in reStructuredText."""
    return re.sub(r"([\\*`_|])", r"\\\1", text)


def _list_table(header, rows, *, title=None, widths=None):
    """A ``list-table`` directive from already converted (inline rst) cells."""
    lines = [".. list-table::" + (f" {title}" if title else ""), "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    lines.append("")
    for row in [header, *rows]:
        for j, cell in enumerate(row):
            cell = str(cell).strip() or "\\ "
            lines.append(("   * - " if j == 0 else "     - ") + cell)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# API reference
# --------------------------------------------------------------------------------------


def _public_modules(package):
    """``package`` and every public (no ``_`` in the path) submodule, importable."""
    modules = [package]
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts) or "tests" in parts:
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def api_entries(package_name="skadapt"):
    """Map each public module to the names it documents.

    Every name of every ``__all__`` is documented once, under the most
    specific public package that exports it (``KMM`` is exported by ``skadapt``
    and ``skadapt.instance_weighting`` and is documented under the latter), or
    under a plain module when no package exports it (``all_estimators`` of
    ``skadapt.utils.discovery``; ``LabeledOnly`` is exported by ``skadapt`` and
    by the module ``skadapt.base`` and is documented as ``skadapt.LabeledOnly``).
    Submodules themselves and ``__version__`` are not API entries.

    Returns
    -------
    entries : dict of str to list of (name, kind)
        Module name to ``(name, "class" | "function" | "data")`` in ``__all__``
        order; every public module appears, possibly with an empty list.
    where : dict of int to str
        ``id(obj)`` to the full documented name, to link to it.
    """
    package = importlib.import_module(package_name)
    modules = _public_modules(package)
    owner = {}  # id(obj) -> (depth, module name, name)
    objects = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            if name.startswith("__") or not hasattr(module, name):
                continue
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            # packages first (deepest wins), plain modules only as a fallback:
            # LabeledOnly is skadapt.LabeledOnly, not skadapt.base.LabeledOnly
            is_package = hasattr(module, "__path__")
            depth = (is_package, module.__name__.count("."))
            key = id(obj)
            objects[key] = obj
            if key not in owner or depth > owner[key][0]:
                owner[key] = (depth, module.__name__, name)
    entries = {m.__name__: [] for m in modules}
    where = {}
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if obj is None or id(obj) not in owner:
                continue
            _, mod_name, owned_name = owner[id(obj)]
            if mod_name != module.__name__ or owned_name != name:
                continue
            if inspect.isclass(obj):
                kind = "class"
            elif callable(obj):
                kind = "function"
            else:
                kind = "data"
            entries[mod_name].append((name, kind))
            where[id(obj)] = f"{mod_name}.{name}"
    return entries, where


#: Section order of the API reference; modules not listed come after, sorted.
API_ORDER = [
    "skadapt",
    "skadapt.instance_weighting",
    "skadapt.ensemble",
    "skadapt.subspace",
    "skadapt.feature_selection",
    "skadapt.coclustering",
    "skadapt.model_selection",
    "skadapt.metrics",
    "skadapt.kernels",
    "skadapt.datasets",
    "skadapt.utils",
    "skadapt.utils.discovery",
    "skadapt.exceptions",
    "skadapt.base",
]

_KIND_TITLES = [("class", "Classes"), ("function", "Functions"), ("data", "Constants")]


def write_api_sections(path, package_name="skadapt"):
    """Write the API reference lists; return the full names that need a stub page."""
    entries, _ = api_entries(package_name)
    order = [m for m in API_ORDER if m in entries]
    order += sorted(m for m in entries if m not in order)
    out = []
    stubs = []
    for mod_name in order:
        names = entries[mod_name]
        out.append(_underline(f":mod:`{mod_name}`", "-"))
        out.append(f".. automodule:: {mod_name}\n   :no-members:\n   :no-inherited-members:\n")
        if not names:
            out.append("No public names yet: this part of skadapt is still being built.\n")
            continue
        out.append(f".. currentmodule:: {mod_name}\n")
        for kind, title in _KIND_TITLES:
            group = [n for n, k in names if k == kind]
            if not group:
                continue
            out.append(f".. rubric:: {title}\n")
            out.append(".. autosummary::\n   :toctree: generated/\n   :nosignatures:\n")
            out.extend(f"   {n}" for n in group)
            out.append("")
            stubs.extend(f"{mod_name}.{n}" for n in group)
    _write_if_changed(path, "\n".join(out) + "\n")
    return stubs


def write_function_table(path, module_name, prefixes=("",), package_name="skadapt"):
    """A table of the public functions of ``module_name`` whose name starts with a prefix.

    Each row links to the function's API page and gives the first sentence of
    its docstring, so that a user-guide page lists what exists, no more.
    """
    module = importlib.import_module(module_name)
    _, where = api_entries(package_name)
    rows = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name, None)
        if obj is None or not callable(obj) or not name.startswith(tuple(prefixes)):
            continue
        target = where.get(id(obj), f"{module_name}.{name}")
        rows.append([f":func:`~{target}`", _summary(obj)])
    if rows:
        text = _list_table(["Function", "What it returns"], rows, widths=[35, 65])
    else:
        text = f"No public functions in ``{module_name}`` yet.\n"
    _write_if_changed(path, text)


# --------------------------------------------------------------------------------------
# Method table
# --------------------------------------------------------------------------------------


def _kind_of(cls):
    import skadapt.base as base

    for base_name, kind in _KIND_BASES:
        base_cls = getattr(base, base_name, None)
        if base_cls is not None and issubclass(cls, base_cls):
            return kind
    return "glue" if cls.__name__ == "LabeledOnly" else "estimator"


def write_method_table(path, package_name="skadapt"):
    """Write the front-page table of methods: available ones link to their API page."""
    from skadapt.utils.discovery import all_estimators

    found = dict(all_estimators())
    _, where = api_entries(package_name)

    def name_cell(name, cls):
        if cls is not None and id(cls) in where:
            return f":class:`~{where[id(cls)]}`"
        return f"``{name}``"

    rows = []
    for name, kind, what, ref in PLANNED_METHODS:
        cls = found.get(name)
        status = "available" if cls is not None else "coming"
        rows.append([name_cell(name, cls), kind, _escape_rst(what), _escape_rst(ref), status])
    planned = {row[0] for row in PLANNED_METHODS}
    for name, cls in found.items():
        if name not in planned:
            rows.append([name_cell(name, cls), _kind_of(cls), _summary(cls), "", "available"])
    text = _list_table(
        ["Method", "Kind", "What it is", "Reference", "Status"], rows, widths=[18, 12, 36, 26, 8]
    )
    n_available = sum(row[-1] == "available" for row in rows)
    text += (
        f"\n{n_available} of {len(rows)} methods are available in this build "
        f"(found by :func:`skadapt.utils.discovery.all_estimators` when the docs were "
        f"built); \"coming\" marks a planned method that does not exist yet.\n"
    )
    _write_if_changed(path, text)


# --------------------------------------------------------------------------------------
# Benchmark results: markdown -> reStructuredText
# --------------------------------------------------------------------------------------

_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def md_inline(text):
    """Convert one line of markdown inline markup to reStructuredText.

    Code spans become literals, ``**bold**`` stays strong emphasis,
    ``[text](url)`` becomes an anonymous link; everything else is escaped so
    that a stray ``*`` or ``_`` cannot break the build.  Markup that touches
    other characters is separated from them by escaped spaces, as
    reStructuredText requires.
    """
    segments = []  # (is_markup, text)
    for k, part in enumerate(re.split(r"(`[^`]+`)", text)):
        if k % 2 == 1:  # a code span
            code = part[1:-1].strip()
            if code:
                segments.append((True, f"``{code}``"))
            continue
        pos = 0
        for m in _MD_LINK.finditer(part):
            segments += _md_emphasis(part[pos : m.start()])
            label = re.sub(r"[<>`]", "", m.group(1))
            segments.append((True, f"`{_escape_rst(label)} <{m.group(2)}>`__"))
            pos = m.end()
        segments += _md_emphasis(part[pos:])
    out = ""
    for k, (markup, seg) in enumerate(segments):
        if markup:
            if out and not out[-1].isspace():
                out += "\\ "
            out += seg
            nxt = segments[k + 1][1] if k + 1 < len(segments) else ""
            if nxt and not nxt[0].isspace():
                out += "\\ "
        else:
            out += seg
    return out


def _md_emphasis(text):
    """``**strong**`` and ``*emphasis*`` as markup segments, the rest escaped."""
    segments = []
    for k, tok in enumerate(re.split(r"(\*\*[^*]+\*\*|\*[^*\s](?:[^*]*[^*\s])?\*)", text)):
        if k % 2 == 1:
            stars = "**" if tok.startswith("**") else "*"
            inner = tok[len(stars) : -len(stars)].strip()
            if inner:
                segments.append((True, f"{stars}{_escape_rst(inner)}{stars}"))
        elif tok:
            segments.append((False, _escape_rst(tok)))
    return segments


def _split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [c.strip().replace("\\|", "|") for c in cells]


def md_to_rst(markdown):
    """Convert a benchmark's markdown (headings, paragraphs, lists, tables) to rst.

    Headings become rubrics (their level cannot clash with the including
    page), tables become ``list-table`` directives, fenced code becomes a
    literal block, other lines are converted with :func:`md_inline`.
    """
    lines = markdown.splitlines()
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            out += ["", "::", ""] + ["   " + b for b in block] + [""]
            continue
        if (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and _TABLE_SEP.match(lines[i + 1])
        ):
            header = _split_row(stripped)
            i += 2
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            width = len(header)
            rows = [(r + [""] * width)[:width] for r in rows]
            out += [
                "",
                _list_table(
                    [md_inline(c) for c in header], [[md_inline(c) for c in r] for r in rows]
                ),
            ]
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped)
        if re.fullmatch(r"([-=_*~+#^.:'\"`])\1{2,}", stripped.replace(" ", "")):
            out.append("")  # a markdown rule (or what rst would read as a title line)
        elif m:
            out += ["", f".. rubric:: {md_inline(m.group(2))}", ""]
        elif re.match(r"^[-*+]\s+", stripped):
            if out and out[-1].strip() and not re.match(r"^[-*]\s", out[-1]):
                out.append("")
            out.append("- " + md_inline(re.sub(r"^[-*+]\s+", "", stripped)))
        elif not stripped:
            out.append("")
        else:
            if out and re.match(r"^- ", out[-1]):
                out.append("")
            out.append(md_inline(stripped))
        i += 1
    return "\n".join(out).strip() + "\n"


def _provenance(json_path):
    """One line saying when and with what a result file was written, from its JSON."""
    try:
        payload = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(payload, dict):
        return ""
    parts = []
    if payload.get("written"):
        parts.append(f"written {payload['written']}")
    versions = payload.get("versions")
    if isinstance(versions, dict) and versions:
        parts.append(", ".join(f"{k} {v}" for k, v in versions.items()))
    return _escape_rst("; ".join(parts))


def write_benchmark_results(path, results_dir):
    """Write every ``results_dir/*.md`` as rst, reproductions first; tolerate none."""
    results_dir = Path(results_dir)
    files = sorted(results_dir.glob("*.md")) if results_dir.is_dir() else []
    files.sort(key=lambda p: (not p.stem.startswith("reproduce_"), p.stem))
    if not files:
        text = (
            "No result files in ``benchmarks/results/`` when these pages were built. "
            "Run ``python -m benchmarks --quick`` and rebuild the docs to see them here.\n"
        )
        _write_if_changed(path, text)
        return []
    out = []
    for md in files:
        text = md.read_text(encoding="utf-8")
        # the file's first heading, if it opens the file, is the section title
        lines = text.lstrip().splitlines()
        first = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", lines[0]) if lines else None
        if first and first.group(1):
            title = md_inline(first.group(1))
            text = "\n".join(lines[1:])
        else:
            title = _escape_rst(md.stem)
        out.append(f".. _bench-{md.stem.replace('_', '-')}:\n")
        out.append(_underline(title, "~"))
        prov = _provenance(md.with_suffix(".json"))
        source = f"``benchmarks/results/{md.name}``"
        out.append(f"*From* {source}" + (f" *({prov})*" if prov else "") + ".\n")
        out.append(md_to_rst(text))
    _write_if_changed(path, "\n".join(out))
    return [md.stem for md in files]


# --------------------------------------------------------------------------------------
# Gallery
# --------------------------------------------------------------------------------------

def _sklearn_config():
    import sklearn

    return dict(sklearn.get_config())


# scikit-learn's configuration when the docs build starts (its defaults)
_SKLEARN_DEFAULTS = _sklearn_config()


def reset_sklearn_config(gallery_conf, fname, when=None):
    """sphinx-gallery ``reset_modules`` hook: scikit-learn's config back to its defaults.

    An example may switch metadata routing on with ``sklearn.set_config``;
    this keeps that from leaking into the examples that run after it.
    """
    import sklearn

    sklearn.set_config(**_SKLEARN_DEFAULTS)
