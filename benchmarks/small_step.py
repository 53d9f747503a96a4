"""Small training steps in one process, interleaved: logistic regression (784 -> 10, float32,
softmax + NLL, SGD on shared parameters) at batch 1 by Theon, PyTensor (C and Numba modes),
JAX (jit) and NumPy (hand-written step), one thread. Issue 20 item 3: Theon's goal is <= 0.8x
the best peer's step time.

PYTHONPATH=.venv/lib/python3.11/site-packages taskset -c 1 \\
    /work/venv-peers/bin/python benchmarks/small_step.py [--batch 1] [--repeats 21]
"""

import argparse
import os

import harness

SYSTEMS = ["theon", "pytensor_c", "pytensor_numba", "jax", "numpy"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=21)
    p.add_argument("--calls", type=int, default=200)
    args = p.parse_args()
    os.environ.update(harness.thread_env(1))  # before any peer is imported
    harness.pin_threads(1)
    import systems
    from workloads import nn

    systems.configure(1)
    steps = {}
    for system in SYSTEMS:
        try:
            steps[system] = nn.build(system, nn.setup([784, 10], args.batch))
        except ImportError as e:
            print(f"{system}: not installed ({e})")
    times = harness.interleaved_median_times(list(steps.values()), args.repeats, args.calls)
    theon_time = times[0]
    best = min(t for s, t in zip(steps, times) if s != "theon")
    print(f"logistic regression 784->10 float32, batch {args.batch}, one thread, medians of "
          f"{args.repeats} interleaved rounds of {args.calls} steps; load average "
          f"{os.getloadavg()[0]:.2f}")
    for system, t in zip(steps, times):
        print(f"  {system:15s} {t * 1e6:8.2f} us/step  ({t / theon_time:4.2f}x Theon's)")
    print(f"  Theon / best peer: {theon_time / best:.2f}")


if __name__ == "__main__":
    main()
