"""Per-step overhead of scan: a scalar recurrence x_t = a * x_{t-1} + 1 over --steps steps
(10^5 by default), in Theon, PyTensor (its scan, default C backend) and JAX (lax.scan under
jit), measured in the same run, interleaved. Prints microseconds per step and ratios. Peers
that are not installed are listed as such.

    python benchmarks/scan_overhead.py [--steps N] [--repeats R]
"""

import argparse
import time

import numpy as np


def theon_fn(steps):
    import theon
    import theon.tensor as T

    theon.config.compile_wait = True  # the body's generated kernel too, before the first call
    a = T.dscalar("a")
    x0 = T.dscalar("x0")
    out, _ = theon.scan(lambda x, a_: a_ * x + 1.0, outputs_info=x0, non_sequences=a,
                        n_steps=steps)
    f = theon.function([a, x0], out[-1])
    f.wait_for_kernels()
    return lambda a_, x_: f(a_, x_)


def pytensor_fn(steps):
    import pytensor
    import pytensor.tensor as pt

    a = pt.dscalar("a")
    x0 = pt.dscalar("x0")
    out, _ = pytensor.scan(lambda x, a_: a_ * x + 1.0, outputs_info=x0, non_sequences=a,
                           n_steps=steps)
    f = pytensor.function([a, x0], out[-1])
    return lambda a_, x_: f(a_, x_)


def jax_fn(steps):
    import jax

    jax.config.update("jax_enable_x64", True)

    @jax.jit
    def run(a, x0):
        def body(x, _):
            y = a * x + 1.0
            return y, y

        last, _ = jax.lax.scan(body, x0, None, length=steps)
        return last

    return lambda a_, x_: run(a_, x_).block_until_ready()


def reference(a, x0, steps):
    x = x0
    for _ in range(steps):
        x = a * x + 1.0
    return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    a, x0 = 0.999, 0.5
    want = reference(a, x0, args.steps)
    systems = {}
    for name, make in (("theon", theon_fn), ("pytensor", pytensor_fn), ("jax", jax_fn)):
        try:
            fn = make(args.steps)
        except ImportError as e:
            print(f"{name}: not installed ({e})")
            continue
        got = float(np.asarray(fn(a, x0)))
        if not np.isclose(got, want, rtol=1e-9):
            raise SystemExit(f"{name}: wrong result {got}, expected {want}")
        systems[name] = fn
    times = {name: [] for name in systems}
    for _ in range(args.repeats):
        for name, fn in systems.items():  # interleaved, so that drifts hit every system
            t0 = time.perf_counter()
            fn(a, x0)
            times[name].append(time.perf_counter() - t0)
    per_step = {n: float(np.median(t)) / args.steps * 1e6 for n, t in times.items()}
    print(f"scalar recurrence, {args.steps} steps, median of {args.repeats}:")
    for name, us in per_step.items():
        ratio = "" if name == "theon" else f"  (theon / {name}: {per_step['theon'] / us:.1f})"
        print(f"  {name:9s} {us:.4f} us/step{ratio}")


if __name__ == "__main__":
    main()
