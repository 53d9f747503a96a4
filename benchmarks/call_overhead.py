"""Call overhead of a tiny compiled function (exp of 10 float64 values) against a bare np.exp
on the same array, measured in the same run. Prints microseconds per call and the ratio.

    python benchmarks/call_overhead.py [--calls N]
"""

import argparse
import timeit

import numpy as np

import theon
import theon.tensor as T


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    x = T.vector("x")
    f = theon.function([x], T.exp(x))
    f.wait_for_kernels()  # time the generated kernel, not the precompiled one it starts on
    v = np.random.default_rng(0).random(10)
    np.testing.assert_allclose(f(v), np.exp(v))

    def best(fn):
        times = timeit.repeat(fn, number=args.calls, repeat=args.repeats)
        return sorted(times)[len(times) // 2] / args.calls * 1e6

    theon_us = best(lambda: f(v))
    numpy_us = best(lambda: np.exp(v))
    print(f"theon function call: {theon_us:.3f} us (median of {args.repeats} x {args.calls})")
    print(f"np.exp on the same values: {numpy_us:.3f} us")
    print(f"ratio theon / numpy: {theon_us / numpy_us:.2f}")


if __name__ == "__main__":
    main()
