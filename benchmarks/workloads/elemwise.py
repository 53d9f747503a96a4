"""Workload 2: fused elementwise expressions at 10^3 ... 10^7 elements, float64 and float32, and
one broadcast case. Each row also reads as a share of the copy bandwidth measured in the same
run (bytes read and written by the expression over the time, against np.copyto's)."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "elemwise"
TITLE = "Fused elementwise"
NOTE = ("time per call; '%bw' is Theon's bytes moved (inputs + output) per second over the "
        "same run's np.copyto bandwidth")

# name -> (inputs, function of (namespace, softplus, *inputs), numexpr string)
EXPRS = {
    "a+1": ("a", lambda m, sp, a: a + 1, "a+1"),
    "2a+3b": ("ab", lambda m, sp, a, b: 2 * a + 3 * b, "2*a+3*b"),
    "a^2+b^2+2ab": ("ab", lambda m, sp, a, b: a**2 + b**2 + 2 * a * b, "a**2+b**2+2*a*b"),
    "2a+b^10": ("ab", lambda m, sp, a, b: 2 * a + b**10, "2*a+b**10"),
    "x*tanh(softplus(x))": ("a", lambda m, sp, a: a * m.tanh(sp(a)), "a*tanh(log1p(exp(a)))"),
}
BROADCAST = ("xy", lambda m, sp, x, y: m.exp(2 * x * y + y), "exp(2*x*y+y)")


def cases(smoke):
    sizes = [1000] if smoke else [10**3, 10**4, 10**5, 10**6, 10**7]
    out = []
    for dtype in ("float32",) if smoke else ("float64", "float32"):
        for name in EXPRS:
            for n in sizes:
                out.append({"id": f"{name} {dtype[5:]}b n={n:.0e}", "expr": name, "n": n,
                            "dtype": dtype})
        shape = (20, 50) if smoke else (200, 500)
        out.append({"id": f"exp(2xy+y) {dtype[5:]}b x{shape[0]}x{shape[1]} y{shape[1]}",
                    "expr": "broadcast", "shape": shape, "dtype": dtype})
    return out


def _spec(case):
    return BROADCAST if case["expr"] == "broadcast" else EXPRS[case["expr"]]


def _np_softplus(x):
    return np.logaddexp(0, x)


def setup(case):
    rng = np.random.default_rng(0)
    dtype = case["dtype"]
    names, fn, _ = _spec(case)
    if case["expr"] == "broadcast":
        rows, cols = case["shape"]
        inputs = {"x": rng.random((rows, cols)).astype(dtype), "y": rng.random(cols).astype(dtype)}
    else:
        inputs = {k: rng.random(case["n"]).astype(dtype) for k in names}
    expected = fn(np, _np_softplus, *[inputs[k] for k in names])
    tol = (1e-5, 1e-6) if dtype == "float32" else (1e-10, 1e-12)
    nbytes = sum(v.nbytes for v in inputs.values()) + expected.nbytes
    return {"inputs": inputs, "names": names, "expected": expected, "tol": tol,
            "dtype_of": dtype, "record": {"bytes": nbytes}}


def build(system, case, data):
    names, fn, ne_expr = _spec(case)
    args = [data["inputs"][k] for k in names]
    dtype = case["dtype"]
    if system == "numpy":
        return lambda: fn(np, _np_softplus, *args)
    if system == "numexpr":
        ne = systems.numexpr()
        local = dict(zip(names, args))
        return lambda: ne.evaluate(ne_expr, local_dict=local)
    if system == "theon":
        th, T = systems.theon()
        sym = [T.tensor(name=k, dtype=dtype, shape=(None,) * a.ndim) for k, a in zip(names, args)]
        f = th.function(sym, fn(T, T.nnet.softplus, *sym))
        return lambda: f(*args)
    if system in ("pytensor_c", "pytensor_numba"):
        pytensor, pt, mode = systems.pytensor(system.split("_")[1])
        sym = [pt.tensor(name=k, dtype=dtype, shape=(None,) * a.ndim) for k, a in zip(names, args)]
        f = pytensor.function(sym, fn(pt, pt.softplus, *sym), mode=mode)
        return lambda: f(*args)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(lambda *xs: fn(jnp, jax.nn.softplus, *xs)))
        dev = [jax.device_put(a) for a in args]
        return lambda: f(*dev)
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        sp = torch.nn.functional.softplus
        g = lambda *xs: fn(torch, sp, *xs)  # noqa: E731
        if system == "torch_compile":
            g = torch.compile(g, dynamic=False)
        ts = [torch.from_numpy(a) for a in args]
        return lambda: g(*ts)
    raise NotApplicable


def copy_bandwidth(smoke, repeats):
    """Bytes per second (read + write) of np.copyto over 10^7 float64 values, far out of cache."""
    import harness
    n = 10**5 if smoke else 10**7
    src = np.random.default_rng(0).random(n)
    dst = np.empty_like(src)
    seconds, _ = harness.median_time(lambda: np.copyto(dst, src), repeats, 0.05 if smoke else 0.2)
    return 2 * src.nbytes / seconds


def _bandwidth_share(row, report):
    theon = row["results"].get("theon", {})
    if theon.get("status") != "ok" or not report.get("copy_bandwidth"):
        return "-"
    return f"{100 * theon['bytes'] / theon['seconds'] / report['copy_bandwidth']:.0f}%"


EXTRA_COLUMN = ("Theon %bw", _bandwidth_share)
