"""ifelse (lazy) against switch (elementwise, computes both branches) when one branch is
expensive and the condition picks the cheap one, and when it picks the expensive one; plus the
same choice made in NumPy by a Python `if`. Timed in one process, interleaved.

    python benchmarks/ifelse_vs_switch.py [--size N] [--repeats R]
"""

import argparse
import statistics
import time

import numpy as np

import theon
import theon.tensor as T
from theon.ifelse import ifelse


def per_call(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--number", type=int, default=10)
    args = parser.parse_args()

    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    expensive = T.tanh(T.exp(T.sin(x)) * T.cos(x))
    cheap = x + 1
    f_lazy = theon.function([c, x], ifelse(c, expensive, cheap))
    f_switch = theon.function([c, x], T.switch(c, expensive, cheap))
    for f in (f_lazy, f_switch):
        f.wait_for_kernels()
    v = np.random.default_rng(0).random(args.size)

    def numpy_if(cond):
        return np.tanh(np.exp(np.sin(v)) * np.cos(v)) if cond else v + 1

    for cond in (0, 1):
        np.testing.assert_allclose(f_lazy(cond, v), f_switch(cond, v))
        np.testing.assert_allclose(f_lazy(cond, v), numpy_if(cond))
    print(f"{args.size} float64 elements; expensive branch tanh(exp(sin(x)) * cos(x)), cheap "
          f"x + 1; median of {args.repeats} x {args.number} calls, interleaved")
    for cond, taken in ((0, "cheap"), (1, "expensive")):
        times = {"ifelse": [], "switch": [], "numpy if": []}
        for _ in range(args.repeats):
            times["ifelse"].append(per_call(lambda: f_lazy(cond, v), args.number))
            times["switch"].append(per_call(lambda: f_switch(cond, v), args.number))
            times["numpy if"].append(per_call(lambda: numpy_if(cond), args.number))
        med = {k: statistics.median(t) for k, t in times.items()}
        print(f"condition takes the {taken} branch: ifelse {med['ifelse'] * 1e3:.3f} ms, "
              f"switch {med['switch'] * 1e3:.3f} ms, NumPy if {med['numpy if'] * 1e3:.3f} ms; "
              f"ifelse / switch {med['ifelse'] / med['switch']:.3f}, "
              f"ifelse / NumPy if {med['ifelse'] / med['numpy if']:.3f}")


if __name__ == "__main__":
    main()
