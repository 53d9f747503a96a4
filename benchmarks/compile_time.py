"""Time to the first result of a new MLP training function (784-500-10, tanh, softmax + NLL,
gradient, SGD update of shared parameters, batch 60), each measurement in a fresh process:

1. empty kernel cache: function() + first call (the call runs on precompiled kernels while the
   generated ones compile in the background), and how long until the generated kernels are in;
2. warm cache (the same function compiled again in a new process): function() + first call, and
   whether that call already ran the generated kernels.

A step on the fused kernels is timed in the same processes as the peer figure.

    python benchmarks/compile_time.py [--repeats 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, time
t0 = time.perf_counter()
import numpy as np, theon, theon.tensor as T
t_import = time.perf_counter()
rng = np.random.default_rng(0)
X = T.matrix("X"); y = T.ivector("y")
W1 = theon.shared(rng.standard_normal((784, 500)) * 0.01, name="W1")
b1 = theon.shared(np.zeros(500), name="b1")
W2 = theon.shared(rng.standard_normal((500, 10)) * 0.01, name="W2")
b2 = theon.shared(np.zeros(10), name="b2")
h = T.tanh(T.dot(X, W1) + b1)
p = T.nnet.softmax(T.dot(h, W2) + b2)
cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
params = [W1, b1, W2, b2]
grads = theon.grad(cost, params)
t_graph = time.perf_counter()
f = theon.function([X, y], cost, updates=[(v, v - 0.1 * g) for v, g in zip(params, grads)])
t_compiled = time.perf_counter()
xb = rng.standard_normal((60, 784)); yb = rng.integers(0, 10, 60).astype("int32")
state_at_first_call = f.kernels["state"]
f(xb, yb)
t_first = time.perf_counter()
f.wait_for_kernels()
t_kernels = time.perf_counter()
steps = []
for _ in range(20):
    s = time.perf_counter(); f(xb, yb); steps.append(time.perf_counter() - s)
print(json.dumps({"function": t_compiled - t_graph, "first_result": t_first - t_graph,
                  "kernels_in": t_kernels - t_graph, "state": state_at_first_call,
                  "from_cache": f.kernels["from_cache"], "step": sorted(steps)[10]}))
"""


def run(cache):
    env = dict(os.environ, THEON_FLAGS=f"compiledir={cache}")
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env,
                       check=True)
    return json.loads(r.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    cold, warm = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(run(cache))
            warm.append(run(cache))
    med = lambda rows, k: statistics.median(r[k] for r in rows) * 1e3
    print(f"MLP 784-500-10 training function, batch 60, medians of {args.repeats} fresh processes")
    print(f"empty cache: function() {med(cold, 'function'):7.1f} ms, first result "
          f"{med(cold, 'first_result'):7.1f} ms, generated kernels in after "
          f"{med(cold, 'kernels_in'):7.1f} ms")
    print(f"warm cache:  function() {med(warm, 'function'):7.1f} ms, first result "
          f"{med(warm, 'first_result'):7.1f} ms (kernels {warm[0]['state']} at the first call, "
          f"from cache: {all(r['from_cache'] for r in warm)})")
    print(f"training step on generated kernels: {med(warm, 'step'):.2f} ms")


if __name__ == "__main__":
    main()
