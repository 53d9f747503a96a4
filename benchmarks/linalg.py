"""Linear algebra in compiled theon functions against SciPy on the same arrays.

cholesky (lower), solve (general, one right-hand side and n of them) and svd (full matrices)
of an n x n float64 matrix (positive definite for cholesky), each a FAST_RUN function of one op
against scipy.linalg called with the same options (check_finite=False, as theon checks no
values). Both use OpenBLAS (theon the scipy-openblas32 wheel it links, SciPy the copy it
bundles) with the same thread count. Every figure is the median of --repeats timings of
--calls calls each, theon and SciPy interleaved; the ratio is theon's time over SciPy's.

    python benchmarks/linalg.py [--n 1000] [--repeats 7] [--calls 3]
"""

import argparse

import numpy as np
import scipy.linalg as sl

import harness
import theon
import theon.tensor as T
from theon.tensor import nlinalg, slinalg


def cases(n, rng):
    x = rng.normal(size=(n, n))
    a_spd = x @ x.T / n + np.eye(n)
    a = rng.normal(size=(n, n)) + n ** 0.5 * np.eye(n)
    b1, bn = rng.normal(size=n), rng.normal(size=(n, n))
    A, B, b = T.matrix("A"), T.matrix("B"), T.vector("b")
    chol = theon.function([A], slinalg.cholesky(A))
    solve1 = theon.function([A, b], slinalg.solve(A, b))
    solven = theon.function([A, B], slinalg.solve(A, B))
    svd = theon.function([A], list(nlinalg.svd(A)))
    return [
        ("cholesky", lambda: chol(a_spd),
         lambda: sl.cholesky(a_spd, lower=True, check_finite=False)),
        ("solve, 1 rhs", lambda: solve1(a, b1), lambda: sl.solve(a, b1, check_finite=False)),
        (f"solve, {n} rhs", lambda: solven(a, bn), lambda: sl.solve(a, bn, check_finite=False)),
        ("svd", lambda: svd(a), lambda: sl.svd(a, check_finite=False, lapack_driver="gesdd")),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"n = {args.n}, float64; median of {args.repeats} x {args.calls} calls")
    print(f"{'op':<16}{'theon ms':>10}{'SciPy ms':>10}{'ratio':>8}")
    for name, ours, theirs in cases(args.n, rng):
        got, want = ours(), theirs()
        for g, w in zip(got if isinstance(got, list) else [got],
                        want if isinstance(want, tuple) else [want]):
            if name == "svd":
                g, w = np.abs(g), np.abs(w)  # singular vectors are defined up to sign
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-8)
        t_ours, t_theirs = harness.interleaved_median_times([ours, theirs], args.repeats,
                                                            args.calls)
        print(f"{name:<16}{t_ours * 1e3:>10.2f}{t_theirs * 1e3:>10.2f}{t_ours / t_theirs:>8.2f}")


if __name__ == "__main__":
    main()
