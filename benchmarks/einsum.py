"""theon's einsum (lowered at build time to products with a greedy contraction order) against
NumPy's einsum on the same arrays, in the same run, interleaved:

1. a chain 'ij,jk,kl->il' of (n, r) (r, n) (n, r) matrices of static shapes (the order is
   chosen from them), where contracting the first pair first builds an n x n intermediate
   and the greedy order does not, against
   np.einsum(optimize='greedy') and np.einsum(optimize=False);
2. a batched product 'bij,bjk->bik' (b, 64, 64) x (b, 64, 64) against np.einsum(optimize=True)
   and np.matmul.

Every figure is the median of --repeats timings of --calls calls each; ratios are NumPy / theon
(above 1: theon is faster).

    python benchmarks/einsum.py [--n 1000] [--r 8] [--batch 64] [--repeats 7] [--calls 5]
"""

import argparse

import numpy as np

import harness
import theon
import theon.tensor as T


def bench_chain(n, r, repeats, calls):
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(n, r)), rng.normal(size=(r, n)), rng.normal(size=(n, r))
    # The contraction order is chosen when the graph is built, from the static shapes.
    A = T.tensor("float64", shape=(n, r), name="A")
    B = T.tensor("float64", shape=(r, n), name="B")
    C = T.tensor("float64", shape=(n, r), name="C")
    f = theon.function([A, B, C], T.einsum("ij,jk,kl->il", A, B, C))
    np.testing.assert_allclose(f(a, b, c), np.einsum("ij,jk,kl->il", a, b, c, optimize=True),
                               rtol=1e-9)
    t_theon, t_greedy, t_plain = harness.interleaved_median_times(
        [lambda: f(a, b, c), lambda: np.einsum("ij,jk,kl->il", a, b, c, optimize="greedy"),
         lambda: np.einsum("ij,jk,kl->il", a, b, c, optimize=False)], repeats, calls)
    print(f"einsum ij,jk,kl->il n={n} r={r} float64: theon {t_theon * 1e3:.3f} ms, "
          f"np.einsum(optimize='greedy') {t_greedy * 1e3:.3f} ms "
          f"(ratio {t_greedy / t_theon:.2f}), np.einsum(optimize=False) "
          f"{t_plain * 1e3:.3f} ms (ratio {t_plain / t_theon:.2f})")


def bench_batched(batch, repeats, calls):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(batch, 64, 64)), rng.normal(size=(batch, 64, 64))
    A, B = T.tensor3("A"), T.tensor3("B")
    f = theon.function([A, B], T.einsum("bij,bjk->bik", A, B))
    np.testing.assert_allclose(f(a, b), a @ b, rtol=1e-9)
    t_theon, t_einsum, t_matmul = harness.interleaved_median_times(
        [lambda: f(a, b), lambda: np.einsum("bij,bjk->bik", a, b, optimize=True),
         lambda: np.matmul(a, b)], repeats, calls)
    print(f"einsum bij,bjk->bik ({batch}, 64, 64) float64: theon {t_theon * 1e3:.3f} ms, "
          f"np.einsum(optimize=True) {t_einsum * 1e3:.3f} ms (ratio {t_einsum / t_theon:.2f}), "
          f"np.matmul {t_matmul * 1e3:.3f} ms (ratio {t_matmul / t_theon:.2f})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    bench_chain(args.n, args.r, args.repeats, args.calls)
    bench_batched(args.batch, args.repeats, args.calls)


if __name__ == "__main__":
    main()
