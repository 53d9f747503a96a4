"""Fusion without limits (issue 20, items 1-2), against the peers in one process.

    PYTHONPATH=.venv/lib/python3.11/site-packages OPENBLAS_NUM_THREADS=1 taskset -c 1 \\
        /work/venv-peers/bin/python benchmarks/fusion_large.py [--repeats 15] [--only eos rows]

For each case, every available system (Theon, NumPy, JAX, PyTensor C and Numba) is built from
the workload module, its result checked against NumPy's, and timed interleaved with the
others (harness.interleaved_median_times: medians, load falls on all alike). Prints seconds per
call, and Theon's time over the best peer's (below 1: Theon leads). Workloads: the
equation-of-state expression at 10^4..4*10^6 elements (benchmarks/workloads/eos.py, with its
Fused-node count and compile time), logsumexp / softmax / max along rows of (4096, 1000)
(workloads/rows.py), softmax + cross-entropy forward + backward at (512, 1000)
(workloads/softmax_xent.py) and a 3-d diffusion step of slices and set_subtensor
(workloads/stencil.py). One thread: the caps of harness.thread_env are set here before
any peer is imported.
"""

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

os.environ.update(harness.thread_env(1))

import numpy as np  # noqa: E402

import systems  # noqa: E402
from workloads import eos, rows, softmax_xent, stencil  # noqa: E402

SYSTEMS = ["theon", "numpy", "jax", "pytensor_c", "pytensor_numba"]


def eos_compile_report():
    """Fused nodes and seconds to compile the equation of state with an empty kernel cache."""
    th, T = systems.theon()
    with th.config.change_flags(compiledir=tempfile.mkdtemp(prefix="theon-eos-")):
        t0 = time.perf_counter()
        f = eos.theon_function(th, T)
        seconds = time.perf_counter() - t0
    lines = [n for n in f.debugprint(print_type=False).splitlines() if "Fused{" in n]
    nodes = {line.split("[id ")[1] for line in lines}
    steps = lines[0].split("out=")[0].count("=")
    return len(nodes), steps, seconds


def run_case(module, case, repeats, system_names=SYSTEMS):
    data = module.setup(case)
    fns, names = [], []
    for system in system_names:
        if harness.availability(system):
            continue
        try:
            fn = module.build(system, case, data)
        except systems.NotApplicable:
            continue
        problem = harness.check(fn(), data["expected"], *data["tol"])
        if problem:
            print(f"  {system}: wrong result ({problem}), left out")
            continue
        fns.append(fn)
        names.append(system)
    times = harness.interleaved_median_times(fns, repeats)
    by_name = dict(zip(names, times))
    peers = [t for n, t in by_name.items() if n != "theon"]
    ratio = by_name["theon"] / min(peers) if peers and "theon" in by_name else float("nan")
    cells = "  ".join(f"{n} {t * 1e3:9.3f} ms" for n, t in by_name.items())
    print(f"{module.NAME:12s} {case['id']:16s} theon/best {ratio:5.2f}   {cells}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--only", nargs="*", default=["eos", "rows", "softmax_xent", "stencil"])
    p.add_argument("--systems", nargs="+", choices=SYSTEMS, default=SYSTEMS,
                   help="the systems timed (theon always); fewer take turns in a warmer cache")
    args = p.parse_args()
    if "theon" not in args.systems:
        args.systems = ["theon"] + args.systems
    harness.pin_threads(1)
    systems.configure(1)
    if "eos" in args.only:
        nodes, steps, seconds = eos_compile_report()
        print(f"eos: {nodes} Fused node(s), {steps} steps, function() with kernel compile "
              f"{seconds:.2f} s (empty cache)")
    plan = {"eos": (eos, eos.cases(False)), "rows": (rows, rows.cases(False)),
            "stencil": (stencil, stencil.cases(False)),
            "softmax_xent": (softmax_xent,
                             [c for c in softmax_xent.cases(False) if c["id"] == "512x1000"])}
    for name in args.only:
        module, cases = plan[name]
        for case in cases:
            run_case(module, case, args.repeats, args.systems)


if __name__ == "__main__":
    main()
