"""Fused elementwise and reduction kernels against NumPy and a same-size copy, in one run.

python benchmarks/fused_elementwise.py [--n 10000000] [--repeats 9]

Prints medians: the fused expression exp(-x**2) * sin(y) + z / 2 (Theon, NumPy), a copy of the
same number of bytes the expression moves (the memory-bandwidth yardstick: into a preallocated
array, and into a fresh one as a function's result is), and reductions of a 256**3 array along
each axis (Theon, NumPy).
"""

import argparse
import statistics
import time

import numpy as np

import theon
import theon.tensor as T


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    theon.config.compile_wait = True
    rng = np.random.default_rng(0)
    n = args.n
    a, b, c = (rng.standard_normal(n) for _ in range(3))
    x, y, z = T.vector("x"), T.vector("y"), T.vector("z")
    f = theon.function([x, y, z], T.exp(-x**2) * T.sin(y) + z / 2)
    assert f.kernels["state"] == "installed", f.kernels
    np.testing.assert_allclose(f(a, b, c), np.exp(-a**2) * np.sin(b) + c / 2, rtol=1e-9,
                               atol=1e-15)
    out = np.empty(n)
    # The expression reads 3 arrays and writes 1: copy 2 arrays' worth (read + write of 2n).
    src = np.concatenate([a, b])
    dst = np.empty_like(src)
    t_theon = median_time(lambda: f(a, b, c), args.repeats)
    t_numpy = median_time(lambda: np.exp(-a**2) * np.sin(b) + c / 2, args.repeats)
    t_copy = median_time(lambda: np.copyto(dst, src), args.repeats)
    # A function returns a fresh array, whose pages are faulted in as it is written: the same
    # copy into a fresh array is the yardstick that includes that cost.
    t_copy_fresh = median_time(lambda: np.copy(src), args.repeats)
    print(f"threads: {theon.config.num_threads or 'all'}; n = {n:,} float64")
    print(f"fused exp(-x**2)*sin(y)+z/2  theon {t_theon * 1e3:8.2f} ms   numpy {t_numpy * 1e3:8.2f} ms"
          f"   numpy/theon {t_numpy / t_theon:5.2f}x")
    print(f"copy of the same bytes       {t_copy * 1e3:8.2f} ms   theon reaches "
          f"{100 * t_copy / t_theon:5.1f}% of copy bandwidth")
    print(f"same copy into a fresh array {t_copy_fresh * 1e3:8.2f} ms   theon reaches "
          f"{100 * t_copy_fresh / t_theon:5.1f}% of that")
    del out

    cube = rng.standard_normal((256, 256, 256))
    x3 = T.tensor3("x3")
    for axis in [0, 1, 2, None]:
        for name in ["sum", "max"]:
            g = theon.function([x3], getattr(T, name)(x3, axis=axis))
            np.testing.assert_allclose(g(cube), getattr(np, name)(cube, axis=axis), rtol=1e-9)
            tt = median_time(lambda: g(cube), args.repeats)
            tn = median_time(lambda: getattr(np, name)(cube, axis=axis), args.repeats)
            print(f"{name:3s} 256^3 axis={axis!s:4s}            theon {tt * 1e3:8.2f} ms   numpy "
                  f"{tn * 1e3:8.2f} ms   numpy/theon {tn / tt:5.2f}x")


if __name__ == "__main__":
    main()
