"""Run skadapt's benchmarks.

Usage::

    python -m benchmarks --quick            # the main job: every reproduce_* script, quick mode
    python -m benchmarks --full NAME ...    # named scripts in full mode
    python -m benchmarks --list             # what there is
    python -m benchmarks --setup-peers      # build the peers' virtual environment

``--quick`` and ``--full`` choose the mode; without names, every
``reproduce_*`` script runs (the ``bench_*`` speed scripts run when named or
with ``--all``).  Results go to ``benchmarks/results/``.
"""

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path

from benchmarks import _common


def _scripts():
    here = Path(__file__).resolve().parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith(("reproduce_", "bench_"))
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode")
    mode.add_argument("--full", action="store_const", const="full", dest="mode")
    parser.add_argument("--all", action="store_true", help="run the bench_* scripts too")
    parser.add_argument("--list", action="store_true", help="list the scripts and stop")
    parser.add_argument("--setup-peers", action="store_true", help="create the peers' venv")
    parser.add_argument("names", nargs="*", help="scripts to run (default: every reproduce_*)")
    args = parser.parse_args(argv)
    scripts = _scripts()
    if args.list:
        print("\n".join(scripts))
        return 0
    if args.setup_peers:
        _common.setup_peers()
        return 0
    mode = args.mode or "quick"
    if args.names:
        unknown = sorted(set(args.names) - set(scripts))
        if unknown:
            parser.error(f"unknown script(s) {unknown}; see --list")
        selected = args.names
    else:
        selected = [s for s in scripts if args.all or s.startswith("reproduce_")]
    failures = []
    for name in selected:
        print(f"== {name} ({mode}) ==", flush=True)
        start = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.{name}").run(mode)
        except Exception as exc:  # report every script, then fail at the end
            failures.append(name)
            print(f"!! {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            import traceback

            traceback.print_exc()
        print(f"== {name} done in {time.perf_counter() - start:.1f} s ==", flush=True)
    if failures:
        print(f"failed: {failures}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
