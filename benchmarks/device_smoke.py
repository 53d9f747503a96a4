"""Smoke check of the device layer: a fused elementwise expression compiled for an OpenCL device
(config.device, transfers in and out on every call) against the same function on the CPU, in
one interleaved run. On PoCL (an OpenCL implementation running on the CPU's cores) this is a
check that the device path works end to end and what its overhead is, NOT a speed figure.

python benchmarks/device_smoke.py [--device opencl0:0] [--n 1000000] [--repeats 15]
"""

import argparse

import numpy as np

import theon
import theon.tensor as T
from harness import interleaved_median_times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="opencl0:0")
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args()
    print(f"device {args.device}: {theon._core.device_name(args.device)}")
    theon.config.compile_wait = True
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(args.n).astype(np.float32) for _ in range(3))
    x, y, z = T.fvector("x"), T.fvector("y"), T.fvector("z")
    expr = T.exp(-x**2) * T.sin(y) + z / 2
    f_cpu = theon.function([x, y, z], expr)
    with theon.config.change_flags(device=args.device):
        f_dev = theon.function([x, y, z], expr)
    want = np.exp(-a**2) * np.sin(b) + c / 2
    for f in (f_cpu, f_dev):
        np.testing.assert_allclose(f(a, b, c), want, rtol=1e-5, atol=1e-6)
    small = [v[:10] for v in (a, b, c)]
    t_cpu, t_dev, t_dev_tiny = interleaved_median_times(
        [lambda: f_cpu(a, b, c), lambda: f_dev(a, b, c), lambda: f_dev(*small)], args.repeats)
    print(f"exp(-x**2) * sin(y) + z / 2, n={args.n} float32")
    print(f"  Theon CPU:              {1e3 * t_cpu:8.3f} ms")
    print(f"  Theon {args.device} (transfers in and out): {1e3 * t_dev:8.3f} ms "
          f"({t_dev / t_cpu:.2f}x the CPU's time)")
    print(f"  Theon {args.device}, n=10 (call overhead): {1e6 * t_dev_tiny:8.1f} us")


if __name__ == "__main__":
    main()
