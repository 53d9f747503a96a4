"""How compile time (rewriting + linking) grows with graph size: a deep chain of elementwise
ops and dots, and its gradient, compiled in FAST_RUN at several sizes. Prints seconds and
microseconds per node; linear growth shows as a flat per-node figure.

    python benchmarks/rewrite_scaling.py [--sizes 1000 2000 5000 10000] [--no-grad] [--mode M]
"""

import argparse
import sys
import time

import numpy as np

import theon
import theon.tensor as T


def chain(n_nodes, with_grad):
    x = T.vector("x")
    W = theon.shared(np.eye(4) * 0.5, "W")
    h = x
    built = 0
    while built < n_nodes:
        h = T.tanh(h.dot(W)) * 0.9 + h * 0.1
        built += 5  # dot, tanh, two muls, add
    cost = h.sum()
    outputs = [cost, theon.grad(cost, W)] if with_grad else [cost]
    return x, outputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--no-grad", action="store_true")
    parser.add_argument("--mode", default="FAST_RUN", help="FAST_RUN or FAST_COMPILE")
    args = parser.parse_args()
    sys.setrecursionlimit(100000)
    print(f"{'nodes':>8} {'graph nodes':>12} {'compile s':>10} {'us/node':>8}")
    for n in args.sizes:
        x, outputs = chain(n, not args.no_grad)
        t0 = time.perf_counter()
        f = theon.function([x], outputs, mode=args.mode)
        elapsed = time.perf_counter() - t0
        size = len(theon.printing.debugprint(f, file="str").splitlines())
        f(np.ones(4))
        print(f"{n:8d} {size:12d} {elapsed:10.3f} {1e6 * elapsed / max(size, 1):8.1f}")


if __name__ == "__main__":
    main()
