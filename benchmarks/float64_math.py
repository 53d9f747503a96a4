"""float64 (or --dtype float32) chains of transcendental functions (tanh, exp, log) at 10^5 and 10^6 elements against
JAX (jit) when installed and NumPy, timed interleaved in one process, one thread unless --threads.

PYTHONPATH=.venv/lib/python3.11/site-packages OPENBLAS_NUM_THREADS=1 taskset -c 1 \
    /work/venv-peers/bin/python benchmarks/float64_math.py [--sizes 100000 1000000] [--repeats 31]

--cxxflags compiles Theon's kernels with other flags as a second Theon column (e.g. to compare
"-O3 -march=native" with an explicit vector width); --vector-math sleef adds a column with
that library (config.vector_math). Prints medians and each time over Theon's.
"""

import argparse
import os

import numpy as np

import harness
import theon
import theon.tensor as T

# name: the expression written once for NumPy's and JAX's modules and for theon.tensor.
CHAINS = {
    "tanh(x)": lambda m, x: m.tanh(x),
    "exp(x)": lambda m, x: m.exp(x),
    "log(x)": lambda m, x: m.log(x),
    "tanh(exp(-x)*log(x))": lambda m, x: m.tanh(m.exp(-x) * m.log(x)),
}


def jax_modules():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax, jnp


def theon_function(chain, dtype, **flags):
    with theon.config.change_flags(**flags):
        x = T.vector("x", dtype=dtype)
        return theon.function([x], chain(T, x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--repeats", type=int, default=31)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cxxflags", default=None)
    p.add_argument("--vector-math", default=None)
    p.add_argument("--dtype", default="float64")
    args = p.parse_args()
    os.environ.update(harness.thread_env(args.threads))  # before JAX is imported
    theon.config.num_threads = args.threads
    theon.config.compile_wait = True
    harness.pin_threads(args.threads)
    jax_mods = jax_modules()
    rng = np.random.default_rng(0)
    print(f"one process, {args.threads} thread(s), medians of {args.repeats} interleaved rounds; "
          f"load average {os.getloadavg()[0]:.2f}")
    rtol = 1e-13 if args.dtype == "float64" else 1e-5
    for n in args.sizes:
        a = rng.uniform(0.01, 4.0, n).astype(args.dtype)  # inside every function's domain
        for name, chain in CHAINS.items():
            expected = chain(np, a)
            fns = {}
            f = theon_function(chain, args.dtype)
            np.testing.assert_allclose(f(a), expected, rtol=rtol)
            fns["theon"] = lambda f=f: f(a)
            variants = {}
            if args.cxxflags is not None:
                variants["theon " + args.cxxflags] = {"cxxflags": args.cxxflags}
            if args.vector_math is not None:
                variants["theon " + args.vector_math] = {"vector_math": args.vector_math}
            for label, flags in variants.items():
                g = theon_function(chain, args.dtype, **flags)
                np.testing.assert_allclose(g(a), expected, rtol=rtol)
                fns[label] = lambda g=g: g(a)
            fns["numpy"] = lambda chain=chain: chain(np, a)
            if jax_mods is not None:
                jax, jnp = jax_mods
                jf = jax.jit(lambda v, chain=chain: chain(jnp, v))
                aj = jax.device_put(a)
                np.testing.assert_allclose(np.asarray(jf(aj)), expected, rtol=rtol)
                fns["jax"] = lambda jf=jf, aj=aj: jf(aj).block_until_ready()
            times = harness.interleaved_median_times(list(fns.values()), args.repeats)
            base = times[0]
            cells = "   ".join(f"{k} {t * 1e3:7.3f} ms ({t / base:4.2f}x)"
                               for k, t in zip(fns, times))
            print(f"n={n:>9,} {name:22s} {cells}")


if __name__ == "__main__":
    main()
