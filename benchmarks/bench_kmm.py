"""Speed and optimality of KMM against the peers (issue 4, section 4).

Data: ``skadapt.datasets.make_domain_shift_classification`` -- two Gaussian
classes, the target translated by ``shift=1`` along the diagonal -- with
``n_source = n_target = n`` and ``d = 20``.  Every method gets the same rbf
kernel and the same ``gamma`` ("scale" heuristic resolved once on the source
and target rows), ``B = 1000`` and the paper's ``eps = (sqrt(n) - 1)/sqrt(n)``.

For each weight vector the QP objective ``1/2 b^T K b - kappa^T b`` is
evaluated here on the same ``K`` and ``kappa`` (skadapt's kernels), with the
violations of the bounds ``0 <= b <= B`` and of the band
``|sum b - n| <= n eps``.  skadapt runs in this process; the peers (adapt's
``KMM(max_size=n)``, skada's Frank-Wolfe ``KMMReweightAdapter``, libtlda's
``iwe_kernel_mean_matching``) in their own venv through ``run_peer``, on the
same arrays, in the same run.  Seconds are medians; memory is the peak extra
resident set size during the fit.

Quick mode: n = 300; full mode: n = 2000 (all peers and the cvxpy
reference).  A profile of skadapt's exact fit at that size follows: the
seconds of the kernel matrix, kappa, each kind of call of the solver (products
with K, conjugate-gradient products, Cholesky face solves, projections, gaps),
the solver's Python between them and the rest of ``fit``, each next to its
measured floor.  The large sizes (n = 5000 exact, n = 50,000 with Nystroem)
are in ``bench_kmm_large``.
"""

import subprocess
import time

import numpy as np

from benchmarks._common import markdown_table, peak_memory_mb, write_result
from benchmarks._common import run_peer as _run_peer
from skadapt import KMM
from skadapt.datasets import make_domain_shift_classification
from skadapt.kernels import kernel_mean, pairwise_kernels, resolve_gamma
from skadapt.utils import source_target_merge

D, SHIFT, B = 20, 1.0, 1000.0
PEERS = ("adapt", "skada", "libtlda")
CONFIG = {
    "quick": {"exact": [(300, PEERS, True)], "repeats": 3, "timeout": 300},
    "full": {"exact": [(2000, PEERS, True)], "repeats": 3, "timeout": 420},
}
# targets of issue 4, section 4
TARGET_REL_OBJECTIVE = 1e-6
TARGET_SPEEDUP = {"skada": 10.0, "adapt": 30.0}
LOOSE_TOL = 1e-3
LOOSE_NAME = f"skadapt KMM (auto, tol={LOOSE_TOL:g})"
TARGET_5000_SECONDS = 3.0
TARGET_NYSTROEM = (60.0, 3 * 1024.0)
# written reasons, printed for a target whose verdict line says MISSED (keys
# are the verdicts' first words)
MISSED_REASONS = {
    ">= 10x faster than skada": (
        "skada's KMMReweight runs a fixed 1000 Frank-Wolfe iterations (its `tol` is not "
        "passed to the Frank-Wolfe solver, and the upper bound B is not imposed), each one "
        "matrix-vector product with K on BLAS's threads, and stops short of the optimum "
        "(its objective column, about 3e-3 relative above it). On a quiet machine those "
        "1000 products on a 2000 x 2000 matrix take well under a second (the profile "
        "table above shows the measured floor of each part of skadapt's fit). skadapt's solver "
        "runs until its certified duality gap is below 1e-7 of the objective scale (in "
        "practice ~1e-15): about 14 projected Newton iterations, each a truncated "
        "conjugate-gradient or Cholesky solve on the free variables (~1100 of 2000) plus "
        "a few products with K, and the kernel matrix and kappa. Stopped at skada's "
        "accuracy instead (the tol=1e-3 row; its ratio is the context line under the "
        "targets), skadapt is faster by more. Runs on a loaded machine give much higher "
        "ratios (skada's threaded products suffer more from contention); a quiet run is "
        "the fair one. Closing the gap at full accuracy would need float32 face products "
        "and fewer conjugate-gradient steps per Newton iteration (a preconditioner built "
        "from the previous face's Cholesky factor)."
    ),
    ">= 30x faster than adapt": (
        "adapt's KMM(max_size=n) calls cvxopt's dense interior-point QP, whose time is "
        "dominated by O(n^3) factorisations that are multithreaded; skadapt's time is "
        "dominated by matrix-vector products with K (single BLAS thread) plus the kernel "
        "matrix itself. Under the heavy load of the shared 2-core machine during the run "
        "the ratio moves a lot; see the seconds columns."
    ),
    "n=5000 exact": (
        "the fit is the 5000 x 5000 kernel matrix (200 MB, about 0.5 s) and 13 projected "
        "Newton iterations on ~2500 free variables: truncated conjugate gradients (30 "
        "products with K_FF each) in the first ones, Cholesky factorisations of K_FF in "
        "the last two, and the line-search products with K. Each product reads 50-200 MB, "
        "so the iterations are memory-bound on 2 cores. Closing the gap: float32 face "
        "products and a preconditioner built from the previous face's Cholesky factor, so "
        "that fewer conjugate-gradient steps are needed."
    ),
    "shifted d=": (
        "the fit is the Nystroem map (the 1000 x 1000 landmark eigendecomposition and the "
        "transform of 100,000 rows: two products of 50,000 x d by d x 1000 and of "
        "50,000 x 1000 by 1000 x 1000 through BLAS) and the working set: 3 to 5 rounds, "
        "each a dense QP on at most 1500 rows (K_WW = Phi_W Phi_W^T, projected Newton with "
        "Cholesky face solves) plus one product with the 50,000 x 1000 factor for the "
        "certified gap. On the shared 2-core machine BLAS's threads compete with the other "
        "jobs (the load column); single-threaded at load 12 the d = 20 solve took 1.5 s of "
        "CPU time."
    ),
    "n=50000 with n_components": (
        "the solve is a handful of projected Newton iterations whose conjugate-gradient "
        "steps each read the 50,000 x 1000 Nystroem factor of the free rows (up to 0.4 GB "
        "in float64), plus the Nystroem transform itself; on a machine with less memory "
        "bandwidth (or shared with other jobs) these memory-bound products dominate. "
        "Closing the gap: a float32 factor (half the traffic)."
    ),
}


def _data(n, seed=0):
    bunch = make_domain_shift_classification(n, n, D, shift=SHIFT, random_state=seed)
    return np.asarray(bunch.X_source), np.asarray(bunch.y_source), np.asarray(bunch.X_target)


def run_peer(script, arrays, params, timeout):
    """``_common.run_peer`` with a time limit that is reported, not raised."""
    try:
        return _run_peer(script, arrays, params, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"n/a (stopped after {timeout:.0f} s)"}


def _measure(fn, repeats):
    """Result, median seconds and peak extra MB over ``repeats`` calls."""
    times, peak, result = [], 0.0, None
    for _ in range(repeats):
        def timed():
            start = time.perf_counter()
            out = fn()
            return out, time.perf_counter() - start

        (result, seconds), mb = peak_memory_mb(timed)
        times.append(seconds)
        peak = max(peak, mb)
    return result, float(np.median(times)), peak


def _check(beta, K, kappa, n, eps):
    beta = np.asarray(beta, dtype=np.float64).ravel()
    objective = 0.5 * float(beta @ K @ beta) - float(kappa @ beta)
    bound = max(0.0, -float(beta.min()), float(beta.max()) - B)
    band = max(0.0, abs(float(beta.sum()) - n) - n * eps)
    return objective, bound, band


def _exact_block(n, peers, with_cvxpy, repeats, timeout, payload):
    Xs, ys, Xt = _data(n)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    gamma = float(resolve_gamma(np.r_[Xs, Xt], "scale"))
    eps = (np.sqrt(n) - 1) / np.sqrt(n)
    K = pairwise_kernels(Xs, metric="rbf", gamma=gamma)
    kappa = n * kernel_mean(Xs, Xt, metric="rbf", gamma=gamma)
    runs = {}
    # warm-up on a small problem (imports, first calls of the kernels)
    KMM(gamma=gamma).fit(np.r_[Xs[:50], Xt[:50]], np.r_[ys[:50], -np.ones(50, dtype=int)])
    model, seconds, mb = _measure(lambda: KMM(gamma=gamma, B=B).fit(X, y), repeats)
    runs["skadapt KMM (auto)"] = {
        "weights": model.weights_[:n], "seconds": seconds, "peak_mb": mb,
        "n_iter": model.n_iter_, "certified_gap": model.duality_gap_,
    }
    # the same solver stopped at a loose certified gap: the time to reach an
    # objective as good as a peer that stops short of the optimum
    model, seconds, mb = _measure(lambda: KMM(gamma=gamma, B=B, tol=LOOSE_TOL).fit(X, y), repeats)
    runs[LOOSE_NAME] = {
        "weights": model.weights_[:n], "seconds": seconds, "peak_mb": mb,
        "n_iter": model.n_iter_, "certified_gap": model.duality_gap_,
    }
    if with_cvxpy:
        model, seconds, mb = _measure(lambda: KMM(gamma=gamma, B=B, solver="cvxpy").fit(X, y), 1)
        runs["skadapt KMM (cvxpy, CLARABEL)"] = {
            "weights": model.weights_[:n], "seconds": seconds, "peak_mb": mb,
            "n_iter": model.n_iter_,
        }
    for peer in peers:
        out = run_peer("kmm_and_density_ratio_speed", {"Xs": Xs, "Xt": Xt},
                       {"method": "KMM", "peer": peer, "gamma": gamma, "B": B, "eps": eps,
                        "seed": 0, "repeats": repeats}, timeout)
        runs[f"{peer}"] = out
    ours = runs["skadapt KMM (auto)"]
    ref_name = "skadapt KMM (cvxpy, CLARABEL)" if with_cvxpy else "skadapt KMM (auto)"
    f_ref = _check(runs[ref_name]["weights"], K, kappa, n, eps)[0]
    rows, table = [], {}
    for name, out in runs.items():
        if "error" in out:
            rows.append([name, out["error"], "", "", "", "", "", ""])
            table[name] = {"error": out["error"]}
            continue
        f, bound, band = _check(out["weights"], K, kappa, n, eps)
        rel = (f - f_ref) / abs(f_ref)
        ratio = out["seconds"] / ours["seconds"]
        table[name] = {"seconds": out["seconds"], "peak_mb": out["peak_mb"], "objective": f,
                       "rel_to_ref": rel, "bound_violation": bound, "band_violation": band,
                       "time_over_skadapt": ratio}
        rows.append([name, f"{out['seconds']:.3f}", f"{ratio:.1f}x", f"{out['peak_mb']:.0f}",
                     f"{f:.10g}", f"{rel:+.2e}", f"{bound:.1e}", f"{band:.1e}"])
    payload[f"n={n}"] = {"gamma": gamma, "eps": eps, "reference": ref_name, "runs": table,
                         "skadapt_n_iter": ours["n_iter"],
                         "skadapt_certified_gap": ours["certified_gap"]}
    header = ["method", "seconds", "time / skadapt", "peak MB", "QP objective",
              f"rel. to {'cvxpy' if with_cvxpy else 'skadapt'}", "bound viol.", "band viol."]
    rel_gap = ours["certified_gap"] / abs(_check(ours["weights"], K, kappa, n, eps)[0])
    text = (f"### n_source = n_target = {n}, d = {D}, gamma = {gamma:.5g}\n\n"
            + markdown_table(header, rows)
            + f"\n\nskadapt auto: {ours['n_iter']} iterations, certified duality gap "
            f"{ours['certified_gap']:.3e} ({rel_gap:.1e} of |objective|).\n")
    return text, table


def _nystroem_block(n, m, payload):
    Xs, ys, Xt = _data(n)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    gamma = float(resolve_gamma(np.r_[Xs, Xt], "scale"))
    model, seconds, mb = _measure(
        lambda: KMM(gamma=gamma, B=B, n_components=m, random_state=0).fit(X, y), 1
    )
    w = model.weights_[:n]
    eps = model.eps_
    bound = max(0.0, -float(w.min()), float(w.max()) - B)
    band = max(0.0, abs(float(w.sum()) - n) - n * eps)
    payload[f"nystroem n={n}"] = {"n_components": m, "gamma": gamma, "seconds": seconds,
                                  "peak_mb": mb, "objective": model.objective_,
                                  "n_iter": model.n_iter_, "certified_gap": model.duality_gap_,
                                  "bound_violation": bound, "band_violation": band}
    rows = [["skadapt KMM (auto, Nystroem)", f"{seconds:.2f}", f"{mb:.0f}",
             f"{model.objective_:.10g}", f"{model.duality_gap_:.2e}", f"{model.n_iter_}",
             f"{bound:.1e}", f"{band:.1e}"]]
    header = ["method", "seconds", "peak MB", "QP objective (Nystroem K)", "certified gap",
              "iterations", "bound viol.", "band viol."]
    text = (f"### n_source = n_target = {n}, d = {D}, n_components = {m}\n\n"
            + markdown_table(header, rows) + "\n")
    return text, seconds, mb


def _reasons(verdicts):
    """The written reasons of the missed targets among ``verdicts``."""
    missed = [key for key in MISSED_REASONS
              if any(line.startswith(f"- {key}") and "MISSED" in line for line in verdicts)]
    if not missed:
        return ""
    return "## Why a target is missed\n\n" + "\n".join(
        f"- {key}: {MISSED_REASONS[key]}" for key in missed) + "\n"


def add_reasons(name="bench_kmm"):
    """Append the reasons for the missed targets to an existing result file.

    For a result written before the reasons were added to this script: the
    verdicts are read from ``results/<name>.json`` (measured), the text from
    :data:`MISSED_REASONS`.
    """
    import json

    from benchmarks._common import RESULTS

    verdicts = json.loads((RESULTS / f"{name}.json").read_text())["verdicts"]
    md = RESULTS / f"{name}.md"
    text = md.read_text()
    extra = _reasons(verdicts)
    if extra and "## Why a target is missed" not in text:
        head, sep, tail = text.partition("Timing note:")
        md.write_text(head + extra + "\n" + sep + tail)


def run(mode):
    cfg = CONFIG[mode]
    payload = {"mode": mode, "data": f"make_domain_shift_classification(n, n, {D}, shift={SHIFT})",
               "B": B}
    parts = [f"# KMM: speed and optimality ({mode} mode)\n",
             "Same data, rbf kernel, gamma, B and eps for every method; objective, bound and "
             "band violations evaluated on the same K and kappa. Peers run in their own "
             "venv in the same run. libtlda's KMM uses exp(-||x-y||/(2 s^2)) (distance, not "
             "squared), no upper bound and the opposite sign of kappa, so it solves a "
             "different problem; it is listed for its time only.\n"]
    tables = {}
    for n, peers, with_cvxpy in cfg["exact"]:
        print(f"[bench_kmm] n={n}", flush=True)
        text, table = _exact_block(n, peers, with_cvxpy, cfg["repeats"], cfg["timeout"], payload)
        parts.append(text)
        tables[n] = table
    n0 = cfg["exact"][0][0]
    print(f"[bench_kmm] profile n={n0}", flush=True)
    parts.append(_profile_block(n0, tables[n0], cfg["repeats"], payload))
    verdicts = _verdicts(tables[n0], n0)
    parts.append("## Targets\n\n" + "\n".join(verdicts) + "\n")
    parts.append(_reasons(verdicts))
    parts.append(
        "Timing note: the machine has 2 cores shared with other jobs; ratios are measured "
        "side by side in the same run.\n"
    )
    payload["verdicts"] = verdicts
    write_result("bench_kmm_quick" if mode == "quick" else "bench_kmm", payload,
                 "\n".join(parts))


def _verdicts(t0, n0):
    """Verdicts on the n = 2000 targets from one size's table."""
    verdicts = []
    cvx = t0.get("skadapt KMM (cvxpy, CLARABEL)", {})
    ours = t0["skadapt KMM (auto)"]
    if "rel_to_ref" in ours and cvx:
        ok = ours["rel_to_ref"] <= TARGET_REL_OBJECTIVE
        verdicts.append(f"- objective within {TARGET_REL_OBJECTIVE:g} rel. of cvxpy at n={n0}: "
                        f"{'met' if ok else 'MISSED'} (auto - cvxpy = {ours['rel_to_ref']:+.2e} "
                        "relative; negative means skadapt's objective is lower)")
    for peer, target in TARGET_SPEEDUP.items():
        run_ = t0.get(peer, {})
        if "time_over_skadapt" in run_:
            ok = run_["time_over_skadapt"] >= target
            verdicts.append(f"- >= {target:g}x faster than {peer} at n={n0}: "
                            f"{'met' if ok else 'MISSED'} ({run_['time_over_skadapt']:.1f}x)")
        elif run_:
            verdicts.append(f"- >= {target:g}x faster than {peer} at n={n0}: not measured "
                            f"({run_.get('error')})")
    loose, skada = t0.get(LOOSE_NAME, {}), t0.get("skada", {})
    if "seconds" in loose and "seconds" in skada:
        better = loose["objective"] <= skada["objective"]
        verdicts.append(
            f"- (context) at skada's accuracy: skadapt with tol={LOOSE_TOL:g} reaches "
            f"{'a lower' if better else 'a HIGHER'} objective than skada "
            f"({loose['rel_to_ref']:+.2e} against {skada['rel_to_ref']:+.2e} relative) and is "
            f"{skada['seconds'] / loose['seconds']:.1f}x faster"
        )
    return verdicts


# --------------------------------------------------------------- profile (issue 17)


class _Timer:
    """Seconds and calls per named part, filled by :func:`_timed`."""

    def __init__(self):
        self.seconds, self.calls = {}, {}

    def add(self, name, seconds):
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1


def _timed(timer, name, fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timer.add(name, time.perf_counter() - start)

    return wrapper


def _instrumented_solve(K, kappa, lo, hi):
    """One exact solve with the time of its linear algebra per kind of call."""
    from skadapt.instance_weighting import _box_solver
    from skadapt.instance_weighting._kmm_qp import DenseQuadratic

    timer = _Timer()
    Q = DenseQuadratic(K)
    Q.matvec = _timed(timer, "products with K", Q.matvec)
    Q.solve_face = _timed(timer, "Cholesky face solves", Q.solve_face)
    face_operator = Q.face_operator

    def operator(F):
        start = time.perf_counter()
        op = face_operator(F)  # extracting K_FF is part of the CG cost
        timer.add("CG: K_FF extraction", time.perf_counter() - start)
        return _timed(timer, "CG: products with K_FF", op)

    Q.face_operator = operator
    saved = {name: getattr(_box_solver, name) for name in ("project_box_band", "duality_gap")}
    labels = {"project_box_band": "exact projections", "duality_gap": "duality gaps (sorts)"}
    try:
        for name, fn in saved.items():
            setattr(_box_solver, name, _timed(timer, labels[name], fn))
        start = time.perf_counter()
        _, info = _box_solver.solve_box_band_qp(Q, kappa, B, lo, hi, tol=1e-7)
        total = time.perf_counter() - start
    finally:
        for name, fn in saved.items():
            setattr(_box_solver, name, fn)
    return timer, total, info


def _profile_block(n, exact_table, repeats, payload):
    """Where the time of the exact fit goes at size n, and the floor of each part."""
    Xs, ys, Xt = _data(n)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    gamma = float(resolve_gamma(np.r_[Xs, Xt], "scale"))
    eps = (np.sqrt(n) - 1) / np.sqrt(n)
    lo, hi = n * (1 - eps), n * (1 + eps)

    def median(fn):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - start)
        return out, float(np.median(times))

    _, fit = median(lambda: KMM(gamma=gamma, B=B).fit(X, y))
    K, t_kernel = median(lambda: pairwise_kernels(Xs, metric="rbf", gamma=gamma))
    kappa, t_kappa = median(lambda: n * kernel_mean(Xs, Xt, metric="rbf", gamma=gamma))

    def best(fn, runs=9):
        # a floor: the fastest of several runs (BLAS threads waking up on a
        # loaded machine make single runs of these short calls noisy)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    t_gemm_k = best(lambda: Xs @ Xs.T)
    t_gemm_kappa = best(lambda: Xs @ Xt.T)
    t_exp = best(lambda: np.exp(-K))
    v = np.ones(n)
    t_matvec = best(lambda: K @ v)
    runs = [_instrumented_solve(K, kappa, lo, hi) for _ in range(repeats)]
    timer, t_solver, info = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
    linalg = sum(timer.seconds.values())
    rows = [
        ["kernel matrix K (rbf, n x n)", f"{t_kernel:.4f}", "1",
         f"{t_gemm_k:.4f} (BLAS X X^T; numpy's exp of K alone: {t_exp:.4f})"],
        ["kappa (kernel mean over the target)", f"{t_kappa:.4f}", "1",
         f"{t_gemm_kappa:.4f} (BLAS X X'^T)"],
    ]
    for name in ("products with K", "CG: K_FF extraction", "CG: products with K_FF",
                 "Cholesky face solves", "exact projections", "duality gaps (sorts)"):
        if name in timer.seconds:
            floor = (f"{timer.calls[name] * t_matvec:.4f} ({timer.calls[name]} x one K @ v, "
                     f"{t_matvec * 1e3:.2f} ms)") if name == "products with K" else ""
            rows.append([f"solver: {name}", f"{timer.seconds[name]:.4f}",
                         f"{timer.calls[name]}", floor])
    rows.append(["solver: Python between the calls", f"{t_solver - linalg:.4f}",
                 f"{info['n_iter']} iterations", ""])
    rest = fit - t_kernel - t_kappa - t_solver
    rows.append(["fit: validation, gamma, weights, ESS (the rest of fit)", f"{rest:.4f}", "1", ""])
    rows.append(["whole KMM.fit", f"{fit:.4f}", "", ""])
    skada = exact_table.get("skada", {})
    floor = t_kernel + t_kappa
    payload[f"profile n={n}"] = {
        "fit": fit, "kernel": t_kernel, "kappa": t_kappa, "solver": t_solver,
        "solver_parts": {k: {"seconds": timer.seconds[k], "calls": timer.calls[k]}
                         for k in timer.seconds},
        "solver_python": t_solver - linalg, "rest_of_fit": rest, "n_iter": info["n_iter"],
        "gemm_K": t_gemm_k, "gemm_kappa": t_gemm_kappa, "exp": t_exp, "matvec": t_matvec,
        "skada_seconds": skada.get("seconds"),
    }
    text = (f"### Where the time of the exact fit goes (n = {n})\n\n"
            + markdown_table(["part", "seconds (median)", "calls", "measured floor"], rows)
            + "\n\nThe solver parts are timed inside one solve (the median of "
            f"{repeats}) by wrapping each kind of call; 'Python between the calls' is the "
            "solve's time minus those; 'the rest of fit' is the whole fit minus the kernel, "
            "kappa and the solve (each a median of separate runs, so it carries their "
            "noise). Floors (the fastest of 9 runs): the BLAS product X X^T that any rbf "
            "kernel matrix needs (skadapt's engine fuses the exponential into its tiles), and "
            "for the products with K their number times one product.\n")
    if "seconds" in skada:
        goal = skada["seconds"] / 10.0
        text += (f"\n10x skada needs a whole fit in {goal:.4f} s; the kernel matrix and kappa "
                 f"alone take {floor:.4f} s ({skada['seconds'] / floor:.1f}x below skada's "
                 f"{skada['seconds']:.3f} s, which computes the same two matrices; their BLAS "
                 f"floor is {t_gemm_k + t_gemm_kappa:.4f} s), the solver's products with K "
                 f"{timer.seconds.get('products with K', 0.0):.4f} s and its face solves "
                 f"(CG and Cholesky) "
                 f"{sum(timer.seconds.get(k, 0.0) for k in timer.seconds if 'CG' in k or 'Cholesky' in k):.4f} s.\n")
        payload[f"profile n={n}"]["ten_x_budget"] = goal
    return text
