"""Helpers shared by every benchmark script: data, results, timing, memory, peers.

The peers (adapt, skada, libtlda, densratio) are never imported here: they run
in their own virtual environment, in a subprocess, through :func:`run_peer`.

**Where results go.**  :func:`write_result` writes into :func:`out_dir`:
``benchmarks/out/`` by default (git-ignored), the folder given by
``python -m benchmarks --out DIR``, or the tracked reference folder
``benchmarks/results/`` only with ``--update-results``.  A run therefore
never changes a tracked file unless asked to.

**Declaring the data a script needs.**  A script that reads data files other
than the shipped Office-Caltech file declares them in a module-level
``REQUIRES``: either a tuple of file names (needed in every mode), or a dict
``{"quick": (...), "full": (...)}`` with the files of each mode, e.g.
``REQUIRES = {"quick": ("mdsd_msda5000.npz",), "full": ("mdsd_msda5000.npz",
"20news_bydate_bow.npz")}``.  The names are those of the data folder
(``../shared/data/README.md``).  Before it runs a script, ``python -m
benchmarks`` looks for each file with :func:`find_data` (``SKADAPT_DATA``,
``../shared/data`` beside the clone, skadapt's data home
``~/scikit_adapt_data``, the files shipped in the package); if one is
missing, the script is skipped with a one-line reason, unless
``--download`` was given (then the loaders may download it into the data
home, and a failed download is reported as a skip).  Inside the script, load
data through the skadapt loaders with ``**loader_options()``, which never
writes outside the data home.
"""

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
#: The tracked reference results (written only with ``--update-results``).
RESULTS = Path(__file__).resolve().parent / "results"
#: The default output folder (git-ignored).
DEFAULT_OUT = Path(__file__).resolve().parent / "out"
_SETTINGS = {"out": DEFAULT_OUT, "download": False}
PEERS_DIR = Path(__file__).resolve().parent / "peers"
PEER_PACKAGES = ["adapt", "skada", "libtlda", "densratio"]


def data_dir():
    """The shared data folder: ``SKADAPT_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("SKADAPT_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def set_output(folder):
    """Make :func:`write_result` write into ``folder`` (see the module docstring)."""
    _SETTINGS["out"] = Path(folder).resolve()


def out_dir():
    """The folder results are written to (created on demand)."""
    folder = _SETTINGS["out"]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def set_download(allowed):
    """Allow (True) or forbid (False, the default) the loaders to download."""
    _SETTINGS["download"] = bool(allowed)


def loader_options():
    """Keyword arguments for skadapt's loaders in a benchmark.

    Local copies are found through ``SKADAPT_DATA`` (set to ``../shared/data``
    when that folder exists and the variable is not set); the data home is
    skadapt's default; downloads only with ``--download``.  Nothing is
    written outside the data home.
    """
    folder = data_dir()
    if "SKADAPT_DATA" not in os.environ and folder.is_dir():
        os.environ["SKADAPT_DATA"] = str(folder)
    return {"download_if_missing": _SETTINGS["download"]}


def find_data(name):
    """Path of the data file ``name`` if a local copy exists, else None.

    Looked for in ``SKADAPT_DATA`` / ``../shared/data`` (:func:`data_dir`),
    skadapt's data home and the files shipped inside the package.
    """
    from skadapt.datasets import get_data_home
    from skadapt.datasets._base import _PACKAGE_DATA

    for folder in (data_dir(), get_data_home(), _PACKAGE_DATA):
        if (folder / name).is_file():
            return folder / name
    return None


def required_data(module, mode):
    """The data files a benchmark module declares in ``REQUIRES`` for ``mode``."""
    requires = getattr(module, "REQUIRES", ())
    if isinstance(requires, dict):
        requires = requires.get(mode, ())
    return tuple(requires)


def missing_data(module, mode):
    """The declared data files of ``module`` with no local copy."""
    return [name for name in required_data(module, mode) if find_data(name) is None]


def checksum_status(name):
    """Check ``data_dir()/name`` against ``SHA256SUMS``: 'ok', 'MISMATCH' or 'unlisted'."""
    folder = data_dir()
    sums = {}
    sums_file = folder / "SHA256SUMS"
    if sums_file.exists():
        for line in sums_file.read_text().splitlines():
            if line.strip():
                digest, fname = line.split(maxsplit=1)
                sums[fname.strip()] = digest
    if name not in sums:
        return "unlisted"
    h = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return "ok" if h == sums[name] else "MISMATCH"


def versions():
    """Versions of Python, skadapt and its dependencies, for the result files."""
    import numba
    import scipy
    import sklearn

    import skadapt

    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "skadapt": skadapt.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
    }


def write_result(name, payload, markdown):
    """Write ``<out>/<name>.json`` (payload + versions) and ``<out>/<name>.md``.

    ``<out>`` is :func:`out_dir`: ``benchmarks/out/`` unless ``--out`` or
    ``--update-results`` says otherwise.
    """
    folder = out_dir()
    payload = dict(payload)
    payload.setdefault("versions", versions())
    payload.setdefault("written", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    (folder / f"{name}.json").write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")
    (folder / f"{name}.md").write_text(markdown.rstrip() + "\n")
    print(markdown)
    print(f"(written to {folder / name}.md and .json)")


def _jsonable(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def markdown_table(header, rows):
    """A markdown table from a header list and rows of already formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def median_time(fn, repeats=5, warmup=1):
    """Median wall-clock seconds of ``fn()`` over ``repeats`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def single_blas_thread():
    """One BLAS thread here and in the peers' processes (restored afterwards)."""
    keys = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    old = {key: os.environ.get(key) for key in keys}
    os.environ.update({key: "1" for key in keys})
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_memory_mb(fn, interval=0.002):
    """Run ``fn()`` and return ``(result, peak extra resident memory in MB)``.

    A thread samples the process's resident set size every ``interval``
    seconds, which sees every allocator (numpy, numba, BLAS), unlike
    ``tracemalloc``.
    """
    baseline = _rss_bytes()
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        result = fn()
    finally:
        done.set()
        thread.join()
    peak[0] = max(peak[0], _rss_bytes())
    return result, (peak[0] - baseline) / 2**20


def peers_python():
    """The interpreter of the peers' venv (``SKADAPT_PEERS_PYTHON`` or benchmarks/.peers-venv)."""
    env = os.environ.get("SKADAPT_PEERS_PYTHON")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / ".peers-venv" / "bin" / "python"


def setup_peers():
    """Create the peers' virtual environment and install them from PyPI."""
    venv = peers_python().parent.parent
    if not peers_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(peers_python()), "-m", "pip", "install", "-q", "scikit-learn", *PEER_PACKAGES],
        check=True,
    )


def run_peer(script, arrays, params=None, timeout=3600):
    """Run ``benchmarks/peers/<script>.py`` in the peers' venv on ``arrays``.

    The arrays are written to a temporary ``.npz``; the peer script is called
    as ``python <script>.py <in.npz> <params.json> <out.json>`` and writes a
    JSON object.  Returns that object, or ``{"error": "n/a (reason)"}`` when
    the peers' venv is missing or the peer fails.
    """
    python = peers_python()
    if not python.exists():
        return {"error": "n/a (peers venv missing: run python -m benchmarks --setup-peers)"}
    with tempfile.TemporaryDirectory() as tmp:
        inp, par, out = Path(tmp, "in.npz"), Path(tmp, "params.json"), Path(tmp, "out.json")
        np.savez(inp, **arrays)
        par.write_text(json.dumps(params or {}))
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
        proc = subprocess.run(
            [str(python), str(PEERS_DIR / f"{script}.py"), str(inp), str(par), str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"error": f"n/a ({script} failed: {tail[0][:200]})"}
        return json.loads(out.read_text())
