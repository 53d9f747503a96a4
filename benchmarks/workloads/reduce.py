"""Workload 3: sum, max and logsumexp over a 256^3 array along each axis and over all axes,
float64 and float32. Theon has no logsumexp of its own: its rows build it from max, exp, sum and
log the way a user would (the stable form)."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "reduce"
TITLE = "Reductions over 256^3"
NOTE = "time per call"

AXES = [0, 1, 2, None]


def cases(smoke):
    n = 16 if smoke else 256
    out = []
    for dtype in ("float32",) if smoke else ("float64", "float32"):
        for op in ("sum", "max", "logsumexp"):
            for axis in (AXES[1:] if smoke else AXES):
                label = "all" if axis is None else f"axis {axis}"
                out.append({"id": f"{op} {label} {dtype[5:]}b", "op": op, "axis": axis,
                            "n": n, "dtype": dtype})
    return out


def _np_logsumexp(x, axis):
    m = x.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return out.reshape(()) if axis is None else out.squeeze(axis)


def setup(case):
    n, dtype = case["n"], case["dtype"]
    x = np.random.default_rng(0).standard_normal((n, n, n)).astype(dtype)
    expected = {"sum": lambda: x.sum(axis=case["axis"]),
                "max": lambda: x.max(axis=case["axis"]),
                "logsumexp": lambda: _np_logsumexp(x, case["axis"])}[case["op"]]()
    # Summation order differs between systems (pairwise, blocked, sequential): float32 sums of
    # up to 16.7 M terms agree to a few units in the 5th digit.
    tol = (2e-4, 1e-2) if dtype == "float32" else (1e-9, 1e-8)
    return {"x": x, "expected": expected, "tol": tol, "dtype_of": dtype}


def _theon_logsumexp(T, x, axis):
    m = T.max(x, axis=axis, keepdims=True)
    out = m + T.log(T.sum(T.exp(x - m), axis=axis, keepdims=True))
    return out.reshape(()) if axis is None else T.squeeze(out, axis)


def build(system, case, data):
    x, op, axis = data["x"], case["op"], case["axis"]
    dtype = case["dtype"]
    if system == "numpy":
        return {"sum": lambda: x.sum(axis=axis), "max": lambda: x.max(axis=axis),
                "logsumexp": lambda: _np_logsumexp(x, axis)}[op]
    if system == "theon":
        th, T = systems.theon()
        v = T.tensor3("x", dtype=dtype)
        out = {"sum": lambda: T.sum(v, axis=axis), "max": lambda: T.max(v, axis=axis),
               "logsumexp": lambda: _theon_logsumexp(T, v, axis)}[op]()
        f = th.function([v], out)
        return lambda: f(x)
    if system in ("pytensor_c", "pytensor_numba"):
        pytensor, pt, mode = systems.pytensor(system.split("_")[1])
        v = pt.tensor3("x", dtype=dtype)
        out = {"sum": pt.sum, "max": pt.max, "logsumexp": pt.logsumexp}[op](v, axis=axis)
        f = pytensor.function([v], out, mode=mode)
        return lambda: f(x)
    if system == "jax":
        jax, jnp = systems.jax()
        fn = {"sum": jnp.sum, "max": jnp.max, "logsumexp": jax.nn.logsumexp}[op]
        f = systems.jax_block(jax.jit(lambda v: fn(v, axis=axis)))
        d = jax.device_put(x)
        return lambda: f(d)
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        dims = tuple(range(3)) if axis is None else axis
        fn = {"sum": lambda v: torch.sum(v, dim=dims),
              "max": lambda v: torch.amax(v, dim=dims),
              "logsumexp": lambda v: torch.logsumexp(v, dim=dims)}[op]
        if system == "torch_compile":
            fn = torch.compile(fn, dynamic=False)
        t = torch.from_numpy(x)
        return lambda: fn(t)
    raise NotApplicable
