"""Workload: reductions along the rows of a (4096, 1000) matrix where a row's result is
broadcast back over the row: logsumexp and softmax (the row max is a column subtracted from
every element, the loop that issue 20 found on the scalar path), and the plain row max; float32
and float64. Every system builds them from max, exp, sum and log the stable way."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "rows"
TITLE = "Row reductions with a broadcast column, (4096, 1000)"
NOTE = "time per call"


def cases(smoke):
    shape = (64, 100) if smoke else (4096, 1000)
    dtypes = ("float32",) if smoke else ("float32", "float64")
    return [{"id": f"{op} {dtype[5:]}b", "op": op, "dtype": dtype, "shape": shape}
            for op in ("logsumexp", "softmax", "max") for dtype in dtypes]


def compute(m, op, x):
    """The row result with the array namespace ``m`` (numpy, jax.numpy or a tensor module)."""
    big = m.max(x, axis=1, keepdims=True)
    if op == "max":
        return m.max(x, axis=1)
    e = m.exp(x - big)
    s = m.sum(e, axis=1, keepdims=True)
    if op == "softmax":
        return e / s
    return (big + m.log(s))[:, 0]


def setup(case):
    x = np.random.default_rng(0).standard_normal(case["shape"]).astype(case["dtype"])
    tol = (1e-5, 1e-6) if case["dtype"] == "float32" else (1e-12, 1e-14)
    return {"x": x, "expected": compute(np, case["op"], x), "tol": tol,
            "dtype_of": case["dtype"]}


def build(system, case, data):
    x, op = data["x"], case["op"]
    if system == "numpy":
        return lambda: compute(np, op, x)
    if system == "theon":
        th, T = systems.theon()
        v = T.matrix("x", dtype=case["dtype"])
        f = th.function([v], compute(T, op, v))
        return lambda: f(x)
    if system.startswith("pytensor"):
        pytensor, T, mode = systems.pytensor(system.split("_")[1])
        v = T.matrix("x", dtype=case["dtype"])
        f = pytensor.function([v], compute(T, op, v), mode=mode)
        return lambda: f(x)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(lambda v: compute(jnp, op, v)))
        d = jax.device_put(x)
        return lambda: f(d)
    raise NotApplicable
