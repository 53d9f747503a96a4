"""The training step of examples/sparse_logreg.py against SciPy's sparse dot plus NumPy doing
the same work, in one process, interleaved.

    python benchmarks/sparse_dot.py [--rows 100000] [--cols 10000] [--density 0.001]
                                    [--rounds 7] [--calls 10] [--threads 0]

One step on a float32 CSR matrix X (rows x cols, `density` stored): z = X @ w + b,
loss = mean(softplus(z) - y z), g = sigmoid(z) - y, w -= lr X.T @ g / n, b -= lr mean(g).
Theon runs it as one compiled function with shared w, b (theon.grad builds the gradient);
the peer is SciPy (X @ w, X.T @ g) and NumPy for the rest, with its own w, b arrays. Each
round times `calls` steps of each, alternating; the medians per step and their ratio are
printed, after a check that both give the same loss and weights. --threads sets Theon's
config.num_threads (0: every core; SciPy's sparse products use one thread).
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))

import theon  # noqa: E402
from sparse_logreg import build_model, make_data  # noqa: E402


def numpy_step(X, XT, y, state, lr):
    w, b = state
    z = X @ w + b
    loss = np.mean(np.logaddexp(0, z) - y * z)
    g = (1 / (1 + np.exp(-z)) - y) / np.float32(len(y))
    state[0] = w - lr * (XT @ g)
    state[1] = b - lr * np.sum(g)
    return loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=10_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    theon.config.num_threads = args.threads
    lr = np.float32(0.5)
    X, y = make_data(args.rows, args.cols, args.density)
    XT = X.T  # CSC view of the same arrays, as SciPy users write X.T @ g
    train, _ = build_model(args.cols, lr)
    state = [np.zeros(args.cols, np.float32), np.float32(0.0)]
    for _ in range(3):
        a, b = float(train(X, y)), float(numpy_step(X, XT, y, state, lr))
        assert abs(a - b) <= 1e-4 * max(1.0, abs(b)), (a, b)
    theon_times, peer_times = [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _ in range(args.calls):
            train(X, y)
        t1 = time.perf_counter()
        for _ in range(args.calls):
            numpy_step(X, XT, y, state, lr)
        t2 = time.perf_counter()
        theon_times.append((t1 - t0) / args.calls)
        peer_times.append((t2 - t1) / args.calls)
    t, p = statistics.median(theon_times), statistics.median(peer_times)
    print(f"logistic regression step, X {args.rows} x {args.cols} csr float32, {X.nnz} stored, "
          f"num_threads={args.threads} (cores: {os.cpu_count()})")
    print(f"Theon {t * 1e3:.2f} ms, SciPy+NumPy {p * 1e3:.2f} ms, ratio {t / p:.2f}x")


if __name__ == "__main__":
    main()
