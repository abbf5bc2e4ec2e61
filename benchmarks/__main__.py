"""Run skadapt's benchmarks.

Usage::

    python -m benchmarks --quick            # the main job: every reproduce_* script, quick mode
    python -m benchmarks --full NAME ...    # named scripts in full mode
    python -m benchmarks --list             # what there is
    python -m benchmarks --setup-peers      # build the peers' virtual environment

``--quick`` and ``--full`` choose the mode; without names, every
``reproduce_*`` script runs (the ``bench_*`` speed scripts run when named or
with ``--all``).  Results go to ``benchmarks/out/`` (git-ignored), or to
``--out DIR``; the tracked reference results in ``benchmarks/results/`` are
rewritten only with ``--update-results``.  A script whose data files (its
``REQUIRES``, see ``benchmarks/_common.py``) are not found locally is skipped
with a one-line reason; ``--download`` lets the loaders download them into
skadapt's data home instead.  The run ends with a summary of what ran, what
was skipped and why; it exits 1 only if a script failed.
"""

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path

from benchmarks import _common
from skadapt.datasets import get_data_home


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
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--out", type=Path, help="results folder (default: benchmarks/out/)")
    out.add_argument(
        "--update-results",
        action="store_true",
        help="write into the tracked reference folder benchmarks/results/",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="let the loaders download missing data files into skadapt's data home",
    )
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
    if args.update_results:
        _common.set_output(_common.RESULTS)
    elif args.out is not None:
        _common.set_output(args.out)
    _common.set_download(args.download)
    print(f"results go to {_common.out_dir()}", flush=True)
    ran, skipped, failures = [], [], []
    for name in selected:
        module = importlib.import_module(f"benchmarks.{name}")
        missing = _common.missing_data(module, mode)
        if missing and not args.download:
            reason = (
                f"needs {', '.join(missing)}: not in {_common.data_dir()} (SKADAPT_DATA, else "
                f"../shared/data), {get_data_home()} (the data home) or the package; set "
                "SKADAPT_DATA to a folder holding them, or pass --download"
            )
            skipped.append((name, reason))
            print(f"-- {name} ({mode}) skipped: {reason}", flush=True)
            continue
        print(f"== {name} ({mode}) ==", flush=True)
        start = time.perf_counter()
        try:
            module.run(mode)
        except OSError as exc:
            if not missing:
                failures.append(name)
                _report_failure(name, exc)
            else:  # --download was given and a download failed (no network?)
                reason = f"--download failed: {str(exc).splitlines()[0][:300]}"
                skipped.append((name, reason))
                print(f"-- {name} ({mode}) skipped: {reason}", flush=True)
        except Exception as exc:  # report every script, then fail at the end
            failures.append(name)
            _report_failure(name, exc)
        else:
            ran.append(name)
        print(f"== {name} done in {time.perf_counter() - start:.1f} s ==", flush=True)
    print(f"\nsummary ({mode}): ran {len(ran)}, skipped {len(skipped)}, failed {len(failures)}")
    for name in ran:
        print(f"  ran      {name}")
    for name, reason in skipped:
        print(f"  skipped  {name}: {reason}")
    for name in failures:
        print(f"  FAILED   {name}")
    if failures:
        return 1
    return 0


def _report_failure(name, exc):
    import traceback

    print(f"!! {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())
