"""Data-parallel scaling of the MLP training step on MPI, and an alpha-beta model of ring
all-reduce for 8-64 workers built from the all-reduce times measured here.

    python benchmarks/distributed.py            # launches mpirun -np 1 and -np 2 itself

Weak scaling: every process steps on its own batch of --batch digits, so N processes do N times
the work per step; the scaling efficiency is t(plain step, 1 process) / t(data-parallel step, N
processes): the baseline is the step without collectives, whose gradient updates can fuse into
Gemm (the all-reduce between the gradient and the update prevents that). On a shared 2-core
machine the 2-process run also competes for cores, so the same 2-process job also times the
step without communication (plain gradients, interleaved with the data-parallel step): their
ratio is the cost of communication alone.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import interleaved_median_times  # noqa: E402

ALL_REDUCE_ELEMENTS = [1, 1 << 10, 1 << 14, 1 << 17, 1 << 20]
WORKERS = [8, 16, 32, 64]


def worker(batch, repeats):
    import theon
    import theon.distributed as D
    import theon.tensor as T
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "examples"))
    from mpi_mlp import build_mlp

    rank, size = D.init()
    rng = np.random.default_rng(rank)
    Xb, yb = rng.uniform(0, 1, (batch, 64)), rng.integers(0, 10, batch)
    params, X, y, loss = build_mlp(64, 64, 10)
    sgd = lambda ps, gs: [(p, p - 1e-3 * g) for p, g in zip(ps, gs)]  # noqa: E731
    dp_step = theon.function([X, y], loss, updates=D.data_parallel(loss, params, sgd))
    # bucket_bytes=1: one all-reduce per gradient (4 here) instead of one for all of them.
    per_tensor_step = theon.function([X, y], loss,
                                     updates=D.data_parallel(loss, params, sgd, bucket_bytes=1))
    local_step = theon.function([X, y], loss, updates=sgd(params, theon.grad(loss, params)))
    # The plain step and then an 8-byte all-reduce: what waiting for the slowest rank costs
    # each step, without the gradients' bytes.
    v = T.dvector("v")
    reduce_fn = theon.function([v], D.all_reduce(v))
    one_value = np.ones(1)

    def synced_step():
        local_step(Xb, yb)
        reduce_fn(one_value)

    t_dp, t_per_tensor, t_synced, t_local = interleaved_median_times(
        [lambda: dp_step(Xb, yb), lambda: per_tensor_step(Xb, yb), synced_step,
         lambda: local_step(Xb, yb)], repeats, calls=20)
    grad_bytes = sum(p.get_value().nbytes for p in params)

    # The peer: mpi4py's Allreduce on the same MPI (it finds MPI initialized by Theon).
    from mpi4py import MPI

    times, peer_times = {}, {}
    D.init(check_arguments=False)
    for n in ALL_REDUCE_ELEMENTS:
        data, out = np.ones(n), np.empty(n)
        times[n], peer_times[n] = interleaved_median_times(
            [lambda: reduce_fn(data), lambda: MPI.COMM_WORLD.Allreduce(data, out)], repeats,
            calls=max(2, 2000 // max(1, n >> 8)))

    def checked(flag):
        def run():
            D.init(check_arguments=flag)
            reduce_fn(one_value)
        return run
    t_checked, t_unchecked = interleaved_median_times([checked(True), checked(False)], repeats,
                                                      calls=200)
    if rank == 0:
        print("RESULT " + json.dumps({
            "size": size, "t_dp": t_dp, "t_per_tensor": t_per_tensor, "t_synced": t_synced,
            "t_local": t_local, "grad_bytes": grad_bytes,
            "all_reduce": {str(n): t for n, t in times.items()},
            "mpi4py": {str(n): t for n, t in peer_times.items()},
            "t_checked": t_checked, "t_unchecked": t_unchecked}), flush=True)


def launch(np_, batch, repeats):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run(["mpirun", "--oversubscribe", "--bind-to", "core", "-np", str(np_),
                          sys.executable, os.path.abspath(__file__), "--worker", "--batch",
                          str(batch), "--repeats", str(repeats)],
                         env=env, capture_output=True, text=True, timeout=1200, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][0]
    return json.loads(line[len("RESULT "):])


def fit_alpha_beta(all_reduce, size):
    """Ring all-reduce of n bytes on p ranks: 2(p-1) steps, each a latency alpha plus n/p bytes
    at beta seconds a byte. alpha from the smallest message (all latency), beta from the growth
    between the two largest (all bandwidth): a least-squares fit over sizes spanning 10^6 lets
    one noisy size set both."""
    sizes = sorted(int(k) for k in all_reduce)
    t = [all_reduce[str(n)] for n in sizes]
    steps = 2 * (size - 1)
    alpha = t[0] / steps
    beta = (t[-1] - t[-2]) / (steps / size * 8 * (sizes[-1] - sizes[-2]))
    return alpha, max(beta, 0.0)


def ring_seconds(p, nbytes, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes * beta


def report(one, two, batch):
    print(f"MLP 64-64-10 step, {batch} digits per process, float64, one thread per process\n")
    print("| processes | data-parallel step | step without communication | efficiency |")
    print("| --- | --- | --- | --- |")
    for r in (one, two):
        print(f"| {r['size']} | {r['t_dp'] * 1e6:.0f} us | {r['t_local'] * 1e6:.0f} us | "
              f"{one['t_local'] / r['t_dp']:.0%} |")
    print(f"\nCommunication alone (2-process job, interleaved): step without communication / "
          f"data-parallel step = {two['t_local'] / two['t_dp']:.0%}")
    print(f"Waiting for the slower rank (2-process job, interleaved): step + 8-byte all_reduce "
          f"= {two['t_synced'] * 1e6:.0f} us, {two['t_synced'] / two['t_local']:.2f} x the step")
    print(f"Bucketing (2-process job, interleaved): one all-reduce per gradient / one bucket "
          f"= {two['t_per_tensor'] / two['t_dp']:.2f}")
    print(f"Argument check of one collective: {two['t_checked'] * 1e6:.1f} us checked, "
          f"{two['t_unchecked'] * 1e6:.1f} us unchecked (8-byte all_reduce)\n")
    print("| all_reduce of float64, 2 processes | Theon (compiled function) | mpi4py Allreduce "
          "| Theon / mpi4py |")
    print("| --- | --- | --- | --- |")
    for k, t in two["all_reduce"].items():
        peer = two["mpi4py"][k]
        print(f"| {int(k) * 8} B | {t * 1e6:.1f} us | {peer * 1e6:.1f} us | {t / peer:.2f} |")
    alpha, beta = fit_alpha_beta(two["all_reduce"], two["size"])
    print(f"\nRing model from the 2-process times: alpha = {alpha * 1e6:.2f} us per message, "
          f"beta = {beta * 1e9:.3f} ns per byte ({1 / beta / 1e9 if beta else float('inf'):.2f}"
          f" GB/s)\n")
    compute = two["t_local"]
    nbytes = two["grad_bytes"]
    check = two["t_checked"] - two["t_unchecked"]
    print(f"Model: step = compute ({compute * 1e6:.0f} us, the 2-process step without "
          f"communication) + argument check ({check * 1e6:.1f} us x log2 p) + ring all-reduce of "
          f"{nbytes} gradient bytes, no overlap\n")
    print("| workers | all-reduce | efficiency (MLP, measured alpha/beta) | "
          "efficiency, gradients x1000 |")
    print("| --- | --- | --- | --- |")
    for p in WORKERS:
        ring = ring_seconds(p, nbytes, alpha, beta) + check * np.log2(p)
        big = ring_seconds(p, nbytes * 1000, alpha, beta) + check * np.log2(p)
        print(f"| {p} | {ring * 1e6:.0f} us | {compute / (compute + ring):.0%} | "
              f"{1000 * compute / (1000 * compute + big):.0%} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    if args.worker:
        worker(args.batch, args.repeats)
        return
    one = launch(1, args.batch, args.repeats)
    two = launch(2, args.batch, args.repeats)
    report(one, two, args.batch)


if __name__ == "__main__":
    main()
