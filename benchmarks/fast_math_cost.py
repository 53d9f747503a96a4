"""What the IEEE-exact default rewrites cost on the training steps: each step (the logistic
regression and MLP workloads of benchmarks/workloads/nn.py, and the sigmoid + binary
cross-entropy logistic regression of the README, float64) compiled twice in one process, with
the default FAST_RUN and with FAST_RUN including fast_math, and timed alternately; the ratio of
median step times and the node counts of the two compiled graphs are reported.

    python benchmarks/fast_math_cost.py [--rounds 15] [--smoke]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import theon  # noqa: E402
import theon.tensor as T  # noqa: E402
from theon.tensor.nnet import sigmoid  # noqa: E402
from workloads import nn  # noqa: E402

MODES = {"default": theon.Mode("FAST_RUN"),
         "fast_math": theon.Mode("FAST_RUN").including("fast_math")}


def count_nodes(f):
    seen, stack = set(), [v.owner for v in f.graph_outputs if v.owner is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(v.owner for v in node.inputs if v.owner is not None)
    return len(seen)


def nn_step(sizes, batch, mode):
    data = nn.setup(sizes, batch, reference=False)
    n_layers = len(sizes) - 1
    X, Y = T.matrix("X", dtype=nn.DTYPE), T.vector("y", dtype="int64")
    params = [theon.shared(p.copy()) for p in data["params"]]
    h = X
    for i in range(n_layers):
        z = T.dot(h, params[2 * i]) + params[2 * i + 1]
        h = T.tanh(z) if i < n_layers - 1 else z
    nll = -T.nnet.log_softmax(h, axis=-1)[T.arange(Y.shape[0]), Y].mean()
    grads = theon.grad(nll, params)
    lr = np.float32(nn.LR)
    f = theon.function([X, Y], nll, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                       mode=mode)
    return f, (data["x"], data["y"])


def binary_logreg_step(n, features, mode):
    rng = np.random.default_rng(0)
    X, y = T.matrix("X"), T.vector("y")
    w, b = theon.shared(rng.standard_normal(features) * 0.01), theon.shared(0.0)
    p = sigmoid(T.dot(X, w) + b)
    cost = -(y * T.log(p) + (1 - y) * T.log(1 - p)).mean() + 0.01 * (w ** 2).sum()
    gw, gb = theon.grad(cost, [w, b])
    f = theon.function([X, y], cost, updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)], mode=mode)
    return f, (rng.standard_normal((n, features)), (rng.random(n) > 0.5).astype("float64"))


def median_step(f, args, number):
    start = time.perf_counter()
    for _ in range(number):
        f(*args)
    return (time.perf_counter() - start) / number


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args(argv)
    cases = [("logreg 784-10 batch 60", lambda m: nn_step([784, 10], 60, m)),
             ("logreg 784-10 batch 512", lambda m: nn_step([784, 10], 512, m)),
             ("mlp 784-500-10 batch 60", lambda m: nn_step([784, 500, 10], 60, m)),
             ("mlp 784-1000x3-10 batch 256",
              lambda m: nn_step([784, 1000, 1000, 1000, 10], 256, m)),
             ("README logreg sigmoid+bce 1000x100 float64",
              lambda m: binary_logreg_step(1000, 100, m))]
    if args.smoke:
        cases = cases[:1]
    print(f"{'step':45s} {'default':>10s} {'fast_math':>10s} {'ratio':>6s}  nodes")
    for name, make in cases:
        built = {k: make(m) for k, m in MODES.items()}
        for f, a in built.values():
            f.wait_for_kernels()
            f(*a)
        first = median_step(*built["default"], 1)
        number = max(1, int(0.05 / max(first, 1e-6)))
        times = {k: [] for k in MODES}
        for _ in range(args.rounds):
            for k, (f, a) in built.items():
                times[k].append(median_step(f, a, number))
        t = {k: statistics.median(v) for k, v in times.items()}
        nodes = "/".join(str(count_nodes(built[k][0])) for k in MODES)
        print(f"{name:45s} {t['default'] * 1e3:8.3f}ms {t['fast_math'] * 1e3:8.3f}ms "
              f"{t['default'] / t['fast_math']:6.3f}  {nodes}", flush=True)


if __name__ == "__main__":
    main()
