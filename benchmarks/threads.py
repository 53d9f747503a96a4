"""Theon with 1 and 2 threads (config.num_threads), each in a process of its own pinned to that
many CPUs: MLP SGD steps (benchmarks/workloads/mlp.py) and fused elementwise expressions at 10^7
float64 elements. No OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set: OpenBLAS's thread count is
Theon's to set (issue 20, item 5).

python benchmarks/threads.py [--threads 1 2] [--repeats 15]

Prints the median of each workload per thread count and the speed-up over the first count.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

ELEMWISE = {
    "2a+3b": lambda m, a, b: 2 * a + 3 * b,
    "a*tanh(log1p(exp(b)))": lambda m, a, b: a * m.tanh(m.log1p(m.exp(b))),
}


def worker(threads, repeats):
    harness.pin_threads(threads)
    import systems
    from workloads import mlp, nn

    systems.configure(threads)
    theon, T = systems.theon()  # sets config.num_threads and compile_wait
    fns = {}
    rng = np.random.default_rng(0)
    a, b = rng.random(10**7), rng.random(10**7)
    for name, expr in ELEMWISE.items():
        x, y = T.vector("a"), T.vector("b")
        f = theon.function([x, y], expr(T, x, y))
        np.testing.assert_allclose(f(a, b), expr(np, a, b), rtol=1e-12)
        fns[f"{name} n=1e7 float64"] = lambda f=f: f(a, b)
    for sizes, batch in mlp.NETS:
        step = nn.build("theon", nn.setup(sizes, batch, reference=False))
        fns[f"MLP {'-'.join(map(str, sizes))} batch {batch}"] = step
    times = harness.interleaved_median_times(list(fns.values()), repeats)
    print(json.dumps({"blas_threads": theon._core.blas_threads(),
                      "times": dict(zip(fns, times))}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--worker", type=int, default=None)
    args = p.parse_args()
    if args.worker is not None:
        worker(args.worker, args.repeats)
        return
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")}
    results = {}
    for n in args.threads:
        out = subprocess.run([sys.executable, __file__, "--worker", str(n), "--repeats",
                              str(args.repeats)], env=env, check=True, capture_output=True,
                             text=True).stdout
        results[n] = json.loads(out.strip().splitlines()[-1])
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {args.repeats}; "
          + ", ".join(f"{n} thread(s): OpenBLAS {r['blas_threads']}" for n, r in results.items()))
    first = args.threads[0]
    for name in results[first]["times"]:
        cells = "   ".join(f"{n}: {r['times'][name] * 1e3:8.2f} ms "
                           f"({results[first]['times'][name] / r['times'][name]:4.2f}x)"
                           for n, r in results.items())
        print(f"{name:32s} {cells}")


if __name__ == "__main__":
    main()
