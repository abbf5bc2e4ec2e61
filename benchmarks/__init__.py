"""skadapt's benchmarks: one script per question, run by ``python -m benchmarks``.

* ``reproduce_*.py`` reproduce a paper's published table on real data;
* ``bench_*.py`` measure speed and memory against scikit-learn and the peers.

Each module defines ``run(mode)`` with ``mode`` in ``{"quick", "full"}`` and
writes ``benchmarks/results/<name>.json`` and ``<name>.md`` through
:func:`benchmarks._common.write_result`.
"""
