"""Finding, downloading and checking the data files of skadapt's loaders.

Every data file a loader reads is described by a :class:`_DataFile`: its name
(a path relative to a data folder), the sha256 of the file as distributed
(``SHA256SUMS`` of the skadapt data folder) and the sha256 of its *content*
(the decompressed bytes of a ``.gz``, the arrays of an ``.npz``, see
:func:`_content_digest`), plus, when the file can be rebuilt from public
originals, their URLs and the conversion.

A file is looked up, in this order, in

1. the folder named by the ``SKADAPT_DATA`` environment variable (local copies,
   read only),
2. the cache folder ``data_home`` (default ``~/scikit_adapt_data``, see
   :func:`get_data_home`),
3. the package itself, for the one file that ships with skadapt
   (``office_caltech10_surf.npz``),

and the first copy found is checked: its sha256, or else its content digest,
must match, otherwise an :class:`OSError` says which file is corrupted.  When
no copy exists and ``download_if_missing`` is true, the originals are
downloaded into ``data_home/originals`` (each checked against its sha256 when
one is known), converted, the result checked against the content digest, and
stored in ``data_home``.  Files with no public original in a usable format
raise an :class:`OSError` that says where to put a copy.
"""

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from ..utils import source_target_merge

__all__ = ["get_data_home"]

_DEFAULT_DATA_HOME = "~/scikit_adapt_data"
_ENV_SHARED = "SKADAPT_DATA"
_PACKAGE_DATA = Path(__file__).resolve().parent / "data"
_CHUNK = 1 << 20

#: Docstring pieces of the loaders (see :func:`skadapt.utils._docstrings.fill_doc`).
_LOADER_DOCS = {
    "data_home": """
        data_home : str or path-like, default=None
            Cache folder, searched after ``SKADAPT_DATA`` (see :func:`get_data_home`).
        """,
    "data_file": """
        data_file : str
            Where the data came from and how its checksum was checked.
        DESCR : str
            Description of the data set.
        """,
}


@dataclass(frozen=True)
class _Original:
    """A public original file: mirrors of one URL, and its sha256 when known."""

    filename: str
    urls: tuple
    sha256: str = None


@dataclass(frozen=True)
class _DataFile:
    """One data file read by a loader (see the module docstring)."""

    name: str
    sha256: str
    content_sha256: str
    originals: tuple = ()
    build: object = None  # build({filename: Path}, out_path, data_home=...) -> None
    shipped: bool = False
    how_to_get: str = ""
    extra: dict = field(default_factory=dict)


def get_data_home(data_home=None):
    """Return the folder where skadapt caches downloaded data sets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder.  ``None`` means ``~/scikit_adapt_data``.  ``~`` is
        expanded.  The folder is not created here; the loaders create it when
        they download.

    Returns
    -------
    data_home : pathlib.Path
        The cache folder.

    Notes
    -----
    Local copies that must not be written to (a shared, read-only data folder)
    are better given through the ``SKADAPT_DATA`` environment variable, which
    every loader searches before ``data_home``.

    Examples
    --------
    >>> from skadapt.datasets import get_data_home
    >>> get_data_home("/tmp/my_data").as_posix()
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = _DEFAULT_DATA_HOME
    return Path(os.path.expanduser(os.fspath(data_home)))


def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _arrays_digest(arrays):
    """sha256 over the named arrays (name, dtype, shape and bytes, sorted by name)."""
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(key.encode("utf-8") + b"\0")
        h.update(a.dtype.str.encode("ascii") + b"\0")
        h.update(repr(a.shape).encode("ascii") + b"\0")
        h.update(a.tobytes())
    return h.hexdigest()


def _content_digest(path):
    """sha256 of what a file holds, independent of how it was compressed.

    ``.gz``: the decompressed bytes.  ``.npz``: :func:`_arrays_digest` of its
    arrays.  Anything else: the file's bytes.
    """
    path = Path(path)
    if path.name.endswith(".gz"):
        h = hashlib.sha256()
        with gzip.open(path, "rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
        return h.hexdigest()
    if path.name.endswith(".npz"):
        with np.load(path, allow_pickle=False) as d:
            return _arrays_digest({k: d[k] for k in d.files})
    return _sha256_file(path)


_VERIFIED = {}


def _verify(path, spec):
    """Check ``path`` against ``spec``; return 'sha256 ok' or 'content sha256 ok'.

    Raises
    ------
    OSError
        If neither the file's sha256 nor its content digest match.
    """
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, spec.name)
    if key in _VERIFIED:
        return _VERIFIED[key]
    digest = _sha256_file(path)
    if digest == spec.sha256:
        status = "sha256 ok"
    else:
        try:
            content = _content_digest(path)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            content = f"unreadable ({type(exc).__name__})"
        if content != spec.content_sha256:
            raise OSError(
                f"skadapt.datasets: checksum mismatch for {path}: its sha256 is {digest}, "
                f"expected {spec.sha256} (or content sha256 {spec.content_sha256}, got "
                f"{content}). The file is corrupted or is not the expected version of "
                f"{spec.name!r}; delete it and fetch it again."
            )
        status = "content sha256 ok"
    _VERIFIED[key] = status
    return status


def _download(original, folder):
    """Download ``original`` into ``folder`` (trying each mirror); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / original.filename
    if dest.exists() and (original.sha256 is None or _sha256_file(dest) == original.sha256):
        return dest
    errors = []
    for url in original.urls:
        tmp = dest.with_name(dest.name + ".part")
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(tmp, "wb") as out:
                shutil.copyfileobj(response, out, _CHUNK)
        except OSError as exc:  # URLError, HTTPError and socket errors are OSErrors
            tmp.unlink(missing_ok=True)
            errors.append(f"{url}: {exc}")
            continue
        if original.sha256 is not None:
            digest = _sha256_file(tmp)
            if digest != original.sha256:
                tmp.unlink(missing_ok=True)
                errors.append(
                    f"{url}: checksum mismatch (sha256 {digest}, expected {original.sha256})"
                )
                continue
        os.replace(tmp, dest)
        return dest
    raise OSError(f"skadapt.datasets: could not download {original.filename}: " + "; ".join(errors))


def _not_found_message(spec, places):
    lines = [
        f"skadapt.datasets: data file {spec.name!r} not found (looked in: "
        + ", ".join(str(p) for p in places)
        + ")."
    ]
    lines.append(
        f"Set the {_ENV_SHARED} environment variable (or pass data_home=) to a folder "
        f"that holds {spec.name!r} with sha256 {spec.sha256}."
    )
    if spec.how_to_get:
        lines.append(spec.how_to_get)
    return " ".join(lines)


def _fetch_file(spec, data_home=None, download_if_missing=True):
    """Path to a checked local copy of ``spec``, downloading it if allowed.

    Returns
    -------
    path : pathlib.Path
    status : str
        Where the file came from and how it was checked, for reports.
    """
    places = []
    shared = os.environ.get(_ENV_SHARED)
    if shared:
        places.append(("SKADAPT_DATA", Path(shared)))
    home = get_data_home(data_home)
    places.append(("data_home", home))
    if spec.shipped:
        places.append(("shipped", _PACKAGE_DATA))
    for origin, folder in places:
        path = folder / spec.name
        if path.is_file():
            return path, f"{_verify(path, spec)} ({origin})"
    searched = [folder for _, folder in places]
    if not download_if_missing:
        raise OSError(_not_found_message(spec, searched) + " (download_if_missing=False)")
    if spec.build is None:
        raise OSError(_not_found_message(spec, searched))
    originals = {o.filename: _download(o, home / "originals") for o in spec.originals}
    out = home / spec.name
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".part" + Path(spec.name).suffix)
    os.close(fd)
    tmp = Path(tmp)
    where = f"(the downloaded originals are in {home / 'originals'}; delete them to download again)"
    try:
        try:
            spec.build(originals, tmp, data_home=data_home)
        except OSError:
            raise
        except Exception as exc:  # a truncated or unexpected original
            raise OSError(
                f"skadapt.datasets: converting the originals of {spec.name!r} failed "
                f"({type(exc).__name__}: {exc}) {where}."
            ) from exc
        content = _content_digest(tmp)
        if content != spec.content_sha256:
            raise OSError(
                f"skadapt.datasets: the conversion of the originals of {spec.name!r} gave "
                f"content sha256 {content}, expected {spec.content_sha256}: the originals "
                f"differ from the version skadapt was checked against {where}. "
                + _not_found_message(spec, searched)
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out, f"{_verify(out, spec)} (downloaded)"


def _save_npz(path, arrays):
    """Write an uncompressed npz to ``path`` exactly (no ``.npz`` appended)."""
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _load_npz(path):
    with np.load(path, allow_pickle=False) as d:
        return {k: d[k] for k in d.files}


def _csr_from(d, dtype=np.float64):
    """The CSR matrix stored as ``data, indices, indptr, shape`` in ``d``."""
    X = sp.csr_matrix(
        (d["data"], d["indices"], d["indptr"]), shape=tuple(int(s) for s in d["shape"])
    )
    return X.astype(dtype)


def _csr_arrays(X, vocab):
    """The npz arrays of a CSR count matrix (uint16 counts) and its vocabulary."""
    if X.nnz and (X.data.min() < 0 or X.data.max() > np.iinfo(np.uint16).max):
        raise OSError("skadapt.datasets: a count does not fit in uint16")
    return {
        "data": X.data.astype(np.uint16),
        "indices": X.indices.astype(np.int32),
        "indptr": X.indptr.astype(np.int64),
        "shape": np.array(X.shape, dtype=np.int64),
        "vocab_utf8": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
    }


def _vocabulary(d):
    return np.array(d["vocab_utf8"].tobytes().decode("utf-8").split("\n"), dtype=object)


def _load_descr(name):
    return resources.files("skadapt.datasets").joinpath("descr", name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Preprocessing shared by the loaders of feature-vector data sets


def _row_normalize(X, norm, loader):
    X = np.asarray(X, dtype=np.float64)
    if norm == "l1":
        s = np.abs(X).sum(axis=1, keepdims=True)
    else:
        s = np.sqrt((X * X).sum(axis=1, keepdims=True))
    if np.any(s == 0):
        raise ValueError(
            f"{loader}: {int(np.sum(s == 0))} row(s) are all zeros and cannot be "
            f"{norm}-normalised; use preprocessing=None."
        )
    return X / s


def _zscore(X):
    """Centre each column and divide by its (population) std; constant columns are only centred."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - mean) / std


_PREPROCESSINGS = ("jda", "l1", "l2", "zscore", None)


def _preprocess(X, how, loader):
    """Preprocess the rows of ONE domain (z-scoring is per domain)."""
    if how is None:
        return np.asarray(X, dtype=np.float64)
    if how == "l1":
        return _row_normalize(X, "l1", loader)
    if how == "l2":
        return _row_normalize(X, "l2", loader)
    if how == "zscore":
        return _zscore(X)
    if how == "jda":
        return _zscore(_row_normalize(X, "l1", loader))
    raise AssertionError(how)


def _check_choice(value, options, loader, argument):
    if value not in options:
        raise ValueError(f"{loader}: `{argument}` must be one of {list(options)}, got {value!r}.")
    return value


def _domain_name(value, domains, aliases, loader, argument):
    """The full domain name of ``value`` (case-insensitive; ``aliases`` maps short names)."""
    if isinstance(value, str):
        key = value.lower()
        key = aliases.get(key, key)
        if key in domains:
            return key
    short = ", ".join(repr(a.upper()) for a in aliases if len(a) == 1)
    raise ValueError(
        f"{loader}: `{argument}` must be one of {list(domains)} (or {short}), got {value!r}."
    )


def _domain_bunch(X_source, y_source, X_target, y_target, **extra):
    """The Bunch every loader returns: merged X, masked y, sample_domain, and the parts.

    ``sizes`` is ``(n_source, n_target)``, the numbers of source and target rows.
    """
    X, y, sample_domain = source_target_merge(X_source, y_source, X_target)
    extra.setdefault("sizes", (X_source.shape[0], X_target.shape[0]))
    return Bunch(
        X=X,
        y=y,
        sample_domain=sample_domain,
        X_source=X_source,
        y_source=np.asarray(y_source),
        X_target=X_target,
        y_target=np.asarray(y_target),
        **extra,
    )
