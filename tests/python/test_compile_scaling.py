"""Compile time grows linearly with the graph: the per-node compile time of a deep chain (the
one of benchmarks/rewrite_scaling.py, with its gradient, FAST_RUN) at sixteen times the size
stays within a generous factor of the small chain's, measured in the same run. A rewrite or
graph operation that costs the size of the graph per application makes the ratio grow with the
size (12.3 between these two sizes before the fixes, 1.8 after, where the larger graph no
longer fits the caches, 1.2-1.6 once the walks stopped allocating per node); a ratio, not an
absolute time, so that a loaded machine slows both sizes alike."""

import time

import numpy as np

import theon
import theon.tensor as T

SMALL, LARGE = 400, 6400  # chain nodes
MAX_RATIO = 3.0


def chain(n_nodes):
    x = T.vector("x")
    W = theon.shared(np.eye(4) * 0.5, "W")
    h = x
    for _ in range(n_nodes // 5):  # dot, tanh, two muls, add
        h = T.tanh(h.dot(W)) * 0.9 + h * 0.1
    cost = h.sum()
    return x, [cost, theon.grad(cost, W)]


def compile_seconds_per_node(n_nodes, repeats):
    x, outputs = chain(n_nodes)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f = theon.function([x], outputs, mode="FAST_RUN")
        best = min(best, time.perf_counter() - t0)
    assert np.isfinite(f(np.ones(4))[0])
    return best / n_nodes


def test_compile_time_per_node_does_not_grow_with_the_graph():
    compile_seconds_per_node(SMALL, 1)  # warm: kernels generated once, cached after
    small = compile_seconds_per_node(SMALL, 5)
    large = compile_seconds_per_node(LARGE, 3)
    ratio = large / small
    assert ratio < MAX_RATIO, (
        f"compile time per chain node: {1e6 * small:.1f} us at {SMALL} nodes, "
        f"{1e6 * large:.1f} us at {LARGE} (ratio {ratio:.2f}, limit {MAX_RATIO})")
