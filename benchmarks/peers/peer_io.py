"""Shared I/O of the peer scripts (named peer_io, as _io is a built-in module) (run inside the peers' venv, never by skadapt).

A peer script reads ``argv[1]`` (npz of arrays) and ``argv[2]`` (JSON params),
and writes ``argv[3]`` (JSON result) through :func:`save`.
"""

import json
import os
import sys
import threading
import time

import numpy as np


def load():
    arrays = dict(np.load(sys.argv[1], allow_pickle=False))
    with open(sys.argv[2]) as f:
        params = json.load(f)
    return arrays, params


def save(result):
    with open(sys.argv[3], "w") as f:
        json.dump(result, f, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(fn, repeats=1):
    """Median seconds and peak extra RSS (MB) of ``fn()``; returns (result, seconds, mb)."""
    base, peak, done = _rss(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    times, result = [], None
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    finally:
        done.set()
        thread.join()
    return result, float(np.median(times)), (max(peak[0], _rss()) - base) / 2**20
