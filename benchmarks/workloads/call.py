"""Workload 1: call overhead, exp of 10 float64 values, 10^5 calls a repeat; µs per call."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "call"
TITLE = "Call overhead: exp of 10 float64 values"
NOTE = "time per call, 10^5 calls a repeat (10^3 in smoke mode)"


def cases(smoke):
    return [{"id": "exp(x), x of 10 float64", "number": 1000 if smoke else 100_000}]


def setup(case):
    x = np.random.default_rng(0).random(10)
    return {"x": x, "expected": np.exp(x), "tol": (1e-12, 0)}


def build(system, case, data):
    x = data["x"]
    if system == "numpy":
        return lambda: np.exp(x)
    if system == "numexpr":
        ne = systems.numexpr()
        return lambda: ne.evaluate("exp(x)", local_dict={"x": x})
    if system == "theon":
        th, T = systems.theon()
        v = T.vector("x")
        f = th.function([v], T.exp(v))
        return lambda: f(x)
    if system in ("pytensor_c", "pytensor_numba"):
        pytensor, pt, mode = systems.pytensor(system.split("_")[1])
        v = pt.vector("x")
        f = pytensor.function([v], pt.exp(v), mode=mode)
        return lambda: f(x)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(jnp.exp))
        d = jax.device_put(x)
        return lambda: f(d)
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        t = torch.from_numpy(x)
        g = torch.compile(torch.exp) if system == "torch_compile" else torch.exp
        return lambda: g(t)
    raise NotApplicable
