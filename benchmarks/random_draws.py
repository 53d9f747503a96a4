"""Drawing 10^7 random numbers: Theon's RandomStreams (uniform and normal, float32 and float64)
against NumPy's Generator (PCG64) on the same sizes, timed interleaved in one run, one thread.
Theon draws each element from its own Philox counter (the same numbers on any thread count);
NumPy's Generator draws from one sequential stream.

python benchmarks/random_draws.py [--n 10000000] [--repeats 9]

Prints each median and Theon's time over NumPy's for the same draw.
"""

import argparse

import numpy as np

import harness
import theon
from theon.tensor.shared_randomstreams import RandomStreams


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    theon.config.num_threads = 1
    n = args.n
    srng = RandomStreams(1)
    gen = np.random.default_rng(1)
    cases = {}
    for dtype in ("float32", "float64"):
        cases[f"uniform {dtype}"] = (theon.function([], srng.uniform(size=(n,), dtype=dtype)),
                                     lambda dt=dtype: gen.random(n, dtype=dt))
        cases[f"normal {dtype}"] = (theon.function([], srng.normal(size=(n,), dtype=dtype)),
                                    lambda dt=dtype: gen.standard_normal(n, dtype=dt))
    fns = [f for pair in cases.values() for f in pair]
    medians = harness.interleaved_median_times(fns, args.repeats)
    print(f"random draws, n = {n:,}, one thread, median of {args.repeats}, interleaved")
    for k, name in enumerate(cases):
        theon_t, numpy_t = medians[2 * k], medians[2 * k + 1]
        print(f"  {name:16s} theon {theon_t * 1e3:8.2f} ms   numpy {numpy_t * 1e3:8.2f} ms   "
              f"theon / numpy {theon_t / numpy_t:5.2f}")


if __name__ == "__main__":
    main()
