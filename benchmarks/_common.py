"""Helpers shared by every benchmark script: data, results, timing, memory, peers.

The peers (adapt, skada, libtlda, densratio) are never imported here: they run
in their own virtual environment, in a subprocess, through :func:`run_peer`.
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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PEERS_DIR = Path(__file__).resolve().parent / "peers"
PEER_PACKAGES = ["adapt", "skada", "libtlda", "densratio"]


def data_dir():
    """The shared data folder: ``SKADAPT_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("SKADAPT_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


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
    """Write ``results/<name>.json`` (payload + versions) and ``results/<name>.md``."""
    RESULTS.mkdir(exist_ok=True)
    payload = dict(payload)
    payload.setdefault("versions", versions())
    payload.setdefault("written", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown.rstrip() + "\n")
    print(markdown)


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
