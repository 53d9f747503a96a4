"""Workload 8: time to the first result, in a fresh process, with an empty compile cache and
with a warm one, for the logistic-regression step (workload 5, batch 60), the two MLP steps of
workload 6, and a chain of 2,000 elementwise ops and dots with its gradient.

The clock starts after the system is imported and the NumPy inputs exist, and stops when the
first result is back: building the graph, differentiating, rewriting, compiling and one call.
"Empty" points each system's on-disk cache at a new directory; "warm" runs the same thing once
in one process to fill the cache, then times fresh processes that reuse it. Each probe is a
process of its own, so the in-memory caches never help. Repeats are capped at 3 (a PyTensor C
compile with an empty cache takes tens of seconds), and a probe over a minute (torch.compile of
the chain) is measured once; the JSON records how many repeats each cell had. A probe with no
result after 5 minutes is stopped and its cell says so."""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import harness
from systems import NotApplicable
import systems
from workloads import nn

NAME = "compile"
TITLE = "Compile time: time to first result in a fresh process"
NOTE = "seconds from graph building to the first result; import time excluded"
MAX_REPEATS = 3
SLOW_PROBE = 60  # seconds; one probe this slow is measured once, not MAX_REPEATS times
PROBE_TIMEOUT = 300  # seconds; a probe still compiling then is reported as such


def cases(smoke):
    if smoke:
        graphs = [("logreg batch 8", {"sizes": [784, 10], "batch": 8}),
                  ("chain 50 nodes + grad", {"chain": 50})]
    else:
        graphs = [("logreg batch 60", {"sizes": [784, 10], "batch": 60}),
                  ("mlp 784-500-10 batch 60", {"sizes": [784, 500, 10], "batch": 60}),
                  ("mlp 784-1000-1000-1000-10 batch 256",
                   {"sizes": [784, 1000, 1000, 1000, 10], "batch": 256}),
                  ("chain 2000 nodes + grad", {"chain": 2000})]
    return [dict(spec, id=f"{name}, {cache} cache", cache=cache)
            for name, spec in graphs for cache in ("empty", "warm")]


# -- the chain: h = tanh(h . W) * 0.9 + h * 0.1, five ops a link, and d(sum h)/dW -------------

def _chain_setup(n_nodes):
    x = np.linspace(-1, 1, 4)
    w = np.eye(4) * 0.5 + 0.01
    links = n_nodes // 5
    hs, ts = [x], []
    for _ in range(links):
        t = np.tanh(hs[-1] @ w)
        ts.append(t)
        hs.append(t * 0.9 + hs[-1] * 0.1)
    dh = np.ones(4)
    gw = np.zeros_like(w)
    for i in reversed(range(links)):
        dz = dh * 0.9 * (1 - ts[i] ** 2)
        gw += np.outer(hs[i], dz)
        dh = dh * 0.1 + w @ dz
    return {"x": x, "w": w, "links": links, "expected": [hs[-1].sum(), gw],
            "tol": (1e-9, 1e-12)}


def _chain_build(system, data):
    x, w0, links = data["x"], data["w"], data["links"]
    if system == "theon" or system.startswith("pytensor"):
        if system == "theon":
            th, T = systems.theon()
            shared, grad, function, kwargs = th.shared, th.grad, th.function, {}
        else:
            pytensor, T, mode = systems.pytensor(system.split("_")[1])
            shared, grad, function = pytensor.shared, pytensor.grad, pytensor.function
            kwargs = {"mode": mode}
        v = T.vector("x", dtype="float64")
        W = shared(w0.copy(), "W")
        h = v
        for _ in range(links):
            h = T.tanh(T.dot(h, W)) * 0.9 + h * 0.1
        cost = h.sum()
        f = function([v], [cost, grad(cost, W)], **kwargs)
        return lambda: f(x)
    if system == "jax":
        jax, jnp = systems.jax()

        def cost(W, v):
            h = v
            for _ in range(links):
                h = jnp.tanh(h @ W) * 0.9 + h * 0.1
            return h.sum()
        f = jax.jit(jax.value_and_grad(cost))
        return lambda: jax.block_until_ready(f(w0, x))
    if system == "torch_compile":
        torch = systems.torch()
        W = torch.from_numpy(w0.copy()).requires_grad_()

        def cost(v):
            h = v
            for _ in range(links):
                h = torch.tanh(h @ W) * 0.9 + h * 0.1
            return h.sum()
        compiled = torch.compile(cost, dynamic=False)

        def run():
            value = compiled(torch.from_numpy(x))
            value.backward()
            return value.detach(), W.grad
        return run
    raise NotApplicable


def _setup(case):
    return _chain_setup(case["chain"]) if "chain" in case else nn.setup(case["sizes"], case["batch"])


# Nothing is compiled in these: there is no time to first result to compare.
NOT_COMPILED = ("numpy", "numexpr", "blas", "torch")


def _build(system, case, data):
    if system in NOT_COMPILED:
        raise NotApplicable
    return _chain_build(system, data) if "chain" in case else nn.build(system, data)


# -- the probe: one fresh process, one graph ----------------------------------------------------

def _cache_env(system, cache_dir):
    """Environment pointing ``system``'s on-disk compile cache at ``cache_dir``."""
    if system.startswith("pytensor"):
        return {"PYTENSOR_FLAGS": f"compiledir={cache_dir}",
                "NUMBA_CACHE_DIR": os.path.join(cache_dir, "numba")}
    if system == "jax":
        return {"JAX_COMPILATION_CACHE_DIR": cache_dir,
                "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
                "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1"}
    if system == "torch_compile":
        return {"TORCHINDUCTOR_CACHE_DIR": cache_dir,
                "TRITON_CACHE_DIR": os.path.join(cache_dir, "triton")}
    return {"THEON_BENCH_COMPILEDIR": cache_dir}


def _theon_cache(cache_dir):
    """Points Theon's compile cache at ``cache_dir`` where Theon has one (a ``compiledir``
    flag); returns a note for the table where it has not."""
    th, _ = systems.theon()
    th.config.compile_wait = False  # the first result runs on precompiled kernels meanwhile
    if "compiledir" in dir(th.config):
        th.config.compiledir = cache_dir
        return None
    return "Theon has no compile cache yet (no compiledir flag): 'warm' is a fresh process too"


def probe(system, case_id, smoke):
    """Body of a probe process: one case, timed from graph building to first result."""
    sys.setrecursionlimit(100000)
    case = next(c for c in cases(smoke) if c["id"] == case_id)
    systems.load(system)
    note = _theon_cache(os.environ["THEON_BENCH_COMPILEDIR"]) if system == "theon" else None
    data = _setup(case)
    t0 = time.perf_counter()
    fn = _build(system, case, data)
    got = fn()
    seconds = time.perf_counter() - t0
    if hasattr(fn, "state"):
        got = [got] + list(fn.state())
    mismatch = harness.check(got, data["expected"], *data["tol"])
    record = {"seconds": seconds, "status": "ok" if mismatch is None else "mismatch"}
    if mismatch or note:
        record["note"] = mismatch or note
    return record


def _run_probe(system, case, cache_dir, args):
    env = dict(os.environ)
    env.update(_cache_env(system, cache_dir))
    cmd = [args.python, os.path.join(os.path.dirname(harness.__file__), "run.py"),
           "--worker", NAME, "--system", system, "--probe", case["id"],
           "--threads", str(args.threads)]
    if args.smoke:
        cmd.append("--smoke")
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"no first result within {PROBE_TIMEOUT} s") from None
    rows = [json.loads(line.split(" ", 1)[1]) for line in proc.stdout.splitlines()
            if line.startswith("@@row ")]
    if proc.returncode != 0 or not rows:
        err = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise RuntimeError(f"probe exited {proc.returncode}: {err[-1] if err else 'no output'}")
    return rows[0]


def measure(system, case, args):
    if system in NOT_COMPILED:
        raise NotApplicable
    repeats = 1 if args.smoke else min(args.repeats, MAX_REPEATS)
    records = []
    with tempfile.TemporaryDirectory(prefix="theon-bench-cache-") as root:
        if case["cache"] == "warm":
            _run_probe(system, case, root, args)
        for i in range(repeats):
            cache = root if case["cache"] == "warm" else os.path.join(root, f"empty{i}")
            rec = _run_probe(system, case, cache, args)
            if rec["status"] != "ok":
                return rec
            records.append(rec)
            if rec["seconds"] > SLOW_PROBE:
                break
    seconds = sorted(r["seconds"] for r in records)[len(records) // 2]
    out = {"status": "ok", "seconds": seconds, "repeats": repeats}
    if records[0].get("note"):
        out["note"] = records[0]["note"]
    return out
