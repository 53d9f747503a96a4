"""Matrix products in compiled theon functions against the same OpenBLAS called directly.

1. dot(X, Y) of n x n matrices (float64 and float32) in a FAST_RUN function, against
   cblas_?gemm of the scipy-openblas32 library that theon links, called through ctypes on the
   same arrays: once writing into a preallocated result, once into a fresh np.empty (theon
   returns a fresh array per call, so that peer pays the same allocation).
2. GEMM with bias, dot(X, W) + b with (m, k, n) = (1760, 128, 1760): X (1760, 128),
   W (128, 1760), b (1760,), FAST_RUN with and without the BLAS update rewrite
   (blas_update): Gemm accumulating into the broadcast bias, against Dot followed by an
   elementwise add.

Every figure is the median of --repeats timings of --calls calls each, the peers interleaved
in the same run; ratios are printed against the peer.

    python benchmarks/dot_vs_blas.py [--n 1024] [--repeats 7] [--calls 5]
"""

import argparse
import ctypes
import os

import numpy as np
import scipy_openblas32

import harness
import theon
import theon.tensor as T
from theon.compile import Mode

ROW_MAJOR, NO_TRANS = 101, 111


def load_cblas():
    lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(), "libscipy_openblas.so"))
    fns = {}
    for dtype, name, real in (("float64", "scipy_cblas_dgemm", ctypes.c_double),
                              ("float32", "scipy_cblas_sgemm", ctypes.c_float)):
        fn = getattr(lib, name)
        i, p = ctypes.c_int, ctypes.c_void_p
        fn.argtypes = [i, i, i, i, i, i, real, p, i, p, i, real, p, i]
        fn.restype = None
        fns[dtype] = fn
    return fns


def gemm_direct(fn, a, b, c):
    m, k = a.shape
    n = b.shape[1]
    fn(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1.0, a.ctypes.data, k, b.ctypes.data, n, 0.0,
       c.ctypes.data, n)
    return c


def bench_dot(cblas, n, dtype, repeats, calls):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    X, Y = T.matrices("X", "Y", dtype=dtype)
    f = theon.function([X, Y], T.dot(X, Y))
    c = np.empty((n, n), dtype=dtype)
    fn = cblas[dtype]
    np.testing.assert_allclose(f(a, b), gemm_direct(fn, a, b, c), rtol=1e-3, atol=1e-3)
    t_theon, t_pre, t_fresh = harness.interleaved_median_times(
        [lambda: f(a, b), lambda: gemm_direct(fn, a, b, c),
         lambda: gemm_direct(fn, a, b, np.empty((n, n), dtype=dtype))], repeats, calls)
    gflop = 2.0 * n ** 3 / 1e9
    print(f"dot {n}x{n} {dtype}: theon {t_theon * 1e3:.2f} ms ({gflop / t_theon:.1f} GFLOP/s), "
          f"direct cblas into preallocated C {t_pre * 1e3:.2f} ms, into np.empty "
          f"{t_fresh * 1e3:.2f} ms; direct/theon = {t_pre / t_theon:.3f} (preallocated), "
          f"{t_fresh / t_theon:.3f} (fresh)")


def bench_bias(dtype, repeats, calls):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1760, 128)).astype(dtype)
    w = rng.standard_normal((128, 1760)).astype(dtype)
    bv = rng.standard_normal(1760).astype(dtype)
    X, W = T.matrices("X", "W", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    out = T.dot(X, W) + b
    with_gemm = theon.function([X, W, b], out, mode=Mode("FAST_RUN"))
    without = theon.function([X, W, b], out, mode=Mode("FAST_RUN", excluding=("blas_update",)))
    np.testing.assert_allclose(with_gemm(x, w, bv), without(x, w, bv), rtol=1e-3, atol=1e-3)
    t_with, t_without = harness.interleaved_median_times(
        [lambda: with_gemm(x, w, bv), lambda: without(x, w, bv)], repeats, calls)
    print(f"dot(X, W) + b, X (1760, 128), W (128, 1760) {dtype}: Gemm {t_with * 1e3:.3f} ms, "
          f"Dot + add {t_without * 1e3:.3f} ms; speedup {t_without / t_with:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    cblas = load_cblas()
    for dtype in ("float64", "float32"):
        bench_dot(cblas, args.n, dtype, args.repeats, args.calls)
    for dtype in ("float64", "float32"):
        bench_bias(dtype, args.repeats, args.calls * 4)


if __name__ == "__main__":
    main()
