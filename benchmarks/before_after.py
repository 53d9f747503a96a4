"""Two builds of Theon compared on call overhead, a fused elementwise expression and an MLP
training step. Each build runs in its own worker process (they cannot share one), and each
worker times Theon against NumPy doing the same work in the same process, interleaved; the
figure compared across builds is that ratio, so machine noise that hits both cancels. Workers
of the two builds alternate for several rounds; the medians are reported.

    python benchmarks/before_after.py --before /path/to/old/build/python \\
        --after /path/to/new/build/python [--rounds 5]

A path is a directory put first on PYTHONPATH (a build's `python` folder); "installed" means the
package installed in the interpreter running this script.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def _median_seconds(fn, number, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def _interleaved(theon_fn, numpy_fn, number, repeats):
    """Median seconds per call of each, measured alternately."""
    t, n = [], []
    for _ in range(repeats):
        t.append(_median_seconds(theon_fn, number, 1))
        n.append(_median_seconds(numpy_fn, number, 1))
    return statistics.median(t), statistics.median(n)


def call_overhead(theon, T):
    x = T.vector("x")
    f = theon.function([x], T.exp(x))
    f.wait_for_kernels()
    v = np.random.default_rng(0).random(10)
    np.testing.assert_allclose(f(v), np.exp(v))
    return _interleaved(lambda: f(v), lambda: np.exp(v), 20000, 9)


def fused_elementwise(theon, T):
    n = 1_000_000
    rng = np.random.default_rng(0)
    xv, yv, zv = (rng.standard_normal(n) for _ in range(3))
    x, y, z = T.vectors("x", "y", "z") if hasattr(T, "vectors") else (
        T.vector("x"), T.vector("y"), T.vector("z"))
    f = theon.function([x, y, z], T.exp(-x ** 2) * T.sin(y) + z / 2)
    f.wait_for_kernels()

    def reference():
        return np.exp(-xv ** 2) * np.sin(yv) + zv / 2

    np.testing.assert_allclose(f(xv, yv, zv), reference(), rtol=1e-9)
    return _interleaved(lambda: f(xv, yv, zv), reference, 20, 9)


def mlp_step(theon, T):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
    from workloads import nn

    data = nn.setup([784, 500, 10], 60)
    step = nn.build("theon", data)
    reference = nn.build("numpy", data)
    return _interleaved(step, reference, 30, 9)


WORKLOADS = {"call overhead (exp of 10 values)": call_overhead,
             "fused exp(-x**2)*sin(y)+z/2, 10^6 float64": fused_elementwise,
             "MLP 784-500-10 SGD step, batch 60, float32": mlp_step}


def worker():
    import theon
    import theon.tensor as T

    theon.config.num_threads = 1
    out = {}
    for name, fn in WORKLOADS.items():
        theon_s, numpy_s = fn(theon, T)
        out[name] = {"theon_s": theon_s, "numpy_s": numpy_s, "ratio": theon_s / numpy_s}
    print(json.dumps(out))


def run_worker(path):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if path != "installed":
        env["PYTHONPATH"] = path + os.pathsep + env.get("PYTHONPATH", "")
    cmd = ["taskset", "-c", "0", sys.executable, os.path.abspath(__file__), "--worker"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--before")
    p.add_argument("--after")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--worker", action="store_true")
    args = p.parse_args()
    if args.worker:
        worker()
        return
    runs = {"before": [], "after": []}
    for r in range(args.rounds):
        for label in ("before", "after"):
            runs[label].append(run_worker(getattr(args, label)))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"| workload | before: Theon / NumPy | after: Theon / NumPy | after / before |")
    print("|---|---|---|---|")
    for name in WORKLOADS:
        b = statistics.median(run[name]["ratio"] for run in runs["before"])
        a = statistics.median(run[name]["ratio"] for run in runs["after"])
        print(f"| {name} | {b:.3f} | {a:.3f} | {a / b:.3f} |")


if __name__ == "__main__":
    main()
