"""Load-to-first-result of a saved training function: an MLP's SGD step (784-256-10, tanh,
softmax cross-entropy, batch 64, three shared parameters updated) is compiled and pickled once;
then each fresh process imports the library, and the time from the start of ``pickle.load`` to
the first call's result is measured, for Theon with a warm kernel cache (the saved kernels are in
it) and with an empty one (kernels compile in the background, the first call runs on the
precompiled kernels), and for PyTensor (its pickled function) and JAX (``jax.export``: the
serialized StableHLO, deserialized and compiled) when installed. Rounds are interleaved over
the systems; medians are printed.

    python benchmarks/pickle_load.py [--rounds R]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

SIZES = dict(n_in=784, n_hidden=256, n_out=10, batch=64)

BUILD_THEON = """
import pickle, numpy as np, theon, theon.tensor as T
rng = np.random.default_rng(0)
x, y = T.matrix("x"), T.ivector("y")
W1 = theon.shared(rng.standard_normal(({n_in}, {n_hidden})) * 0.01, "W1")
b1 = theon.shared(np.zeros({n_hidden}), "b1")
W2 = theon.shared(rng.standard_normal(({n_hidden}, {n_out})) * 0.01, "W2")
p = T.nnet.softmax(T.tanh(x.dot(W1) + b1).dot(W2))
cost = T.nnet.categorical_crossentropy(p, y).mean()
params = [W1, b1, W2]
f = theon.function([x, y], cost, updates=[(w, w - 0.1 * g)
                                          for w, g in zip(params, theon.grad(cost, params))])
assert f.wait_for_kernels(), f.kernels["error"]
with open({path!r}, "wb") as fh:
    pickle.dump(f, fh)
"""

BUILD_PYTENSOR = """
import pickle, numpy as np, pytensor, pytensor.tensor as T
rng = np.random.default_rng(0)
x, y = T.matrix("x", dtype="float64"), T.ivector("y")
W1 = pytensor.shared(rng.standard_normal(({n_in}, {n_hidden})) * 0.01, "W1")
b1 = pytensor.shared(np.zeros({n_hidden}), "b1")
W2 = pytensor.shared(rng.standard_normal(({n_hidden}, {n_out})) * 0.01, "W2")
p = T.special.softmax(T.tanh(x.dot(W1) + b1).dot(W2), axis=-1)
cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
params = [W1, b1, W2]
f = pytensor.function([x, y], cost, updates=[(w, w - 0.1 * g)
                                             for w, g in zip(params, pytensor.grad(cost, params))])
with open({path!r}, "wb") as fh:
    pickle.dump(f, fh)
"""

BUILD_JAX = """
import numpy as np, jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
def step(params, x, y):
    def cost(params):
        W1, b1, W2 = params
        logp = jax.nn.log_softmax(jnp.tanh(x @ W1 + b1) @ W2)
        return -jnp.mean(logp[jnp.arange(y.shape[0]), y])
    c, g = jax.value_and_grad(cost)(params)
    return c, [w - 0.1 * gw for w, gw in zip(params, g)]
rng = np.random.default_rng(0)
params = [rng.standard_normal(({n_in}, {n_hidden})) * 0.01, np.zeros({n_hidden}),
          rng.standard_normal(({n_hidden}, {n_out})) * 0.01]
x = np.zeros(({batch}, {n_in})); y = np.zeros({batch}, dtype=np.int32)
exp = jax.export.export(jax.jit(step))(params, x, y)
with open({path!r}, "wb") as fh:
    fh.write(exp.serialize())
"""

# Each prints the seconds from the start of loading to the first result, imports excluded.
LOAD = {
    "theon": """
import pickle, time, numpy as np, theon
x = np.random.default_rng(1).standard_normal(({batch}, {n_in})); y = np.zeros({batch}, "int32")
t0 = time.perf_counter()
with open({path!r}, "rb") as fh:
    f = pickle.load(fh)
f(x, y)
t = time.perf_counter() - t0
print(t, f.kernels["state"], f.kernels["from_cache"])
""",
    "pytensor": """
import pickle, time, numpy as np, pytensor
x = np.random.default_rng(1).standard_normal(({batch}, {n_in})); y = np.zeros({batch}, "int32")
t0 = time.perf_counter()
with open({path!r}, "rb") as fh:
    f = pickle.load(fh)
f(x, y)
print(time.perf_counter() - t0)
""",
    "jax": """
import time, numpy as np, jax
jax.config.update("jax_enable_x64", True)
rng = np.random.default_rng(1)
params = [rng.standard_normal(({n_in}, {n_hidden})) * 0.01, np.zeros({n_hidden}),
          rng.standard_normal(({n_hidden}, {n_out})) * 0.01]
x = rng.standard_normal(({batch}, {n_in})); y = np.zeros({batch}, "int32")
t0 = time.perf_counter()
with open({path!r}, "rb") as fh:
    exp = jax.export.deserialize(bytearray(fh.read()))
jax.block_until_ready(exp.call(params, x, y))
print(time.perf_counter() - t0)
""",
}

BUILD = {"theon": BUILD_THEON, "pytensor": BUILD_PYTENSOR, "jax": BUILD_JAX}


def run(code, env):
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, env=env, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
    return r.stdout


def installed(module):
    return subprocess.run([sys.executable, "-c", f"import {module}"],
                          capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pickle_load_")
    warm_cache = os.path.join(tmp, "cache")
    base = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

    def theon_env(cache, wait):
        flags = f"compiledir={cache},compile_wait={wait}"
        return dict(base, THEON_FLAGS=flags)

    cases = {}  # label -> (load code, environment before each run)
    path = os.path.join(tmp, "theon.pkl")
    run(BUILD_THEON.format(path=path, **SIZES), theon_env(warm_cache, True))
    code = LOAD["theon"].format(path=path, **SIZES)
    cases["Theon, warm kernel cache"] = (code, lambda: theon_env(warm_cache, False))
    empties = iter(range(10**6))
    cases["Theon, empty kernel cache"] = (
        code, lambda: theon_env(os.path.join(tmp, f"empty{next(empties)}"), False))
    for peer in ("pytensor", "jax"):
        if not installed(peer):
            print(f"{peer}: not installed")
            continue
        path = os.path.join(tmp, f"{peer}.bin")
        try:
            run(BUILD[peer].format(path=path, **SIZES), base)
        except RuntimeError as e:
            print(f"{peer}: could not build ({e})")
            continue
        cases[{"pytensor": "PyTensor (C backend, pickle)", "jax": "JAX (jax.export)"}[peer]] = (
            LOAD[peer].format(path=path, **SIZES), lambda: base)
    times = {label: [] for label in cases}
    kernels = {}  # Theon's kernel state when the first result came, per case
    for _ in range(args.rounds):
        for label, (code, env) in cases.items():
            fields = run(code, env()).split()
            times[label].append(float(fields[0]))
            if len(fields) > 1:
                kernels.setdefault(label, set()).add(" ".join(fields[1:]))
    theon_warm = statistics.median(times["Theon, warm kernel cache"])
    print(json.dumps({"sizes": SIZES, "rounds": args.rounds,
                      "theon kernels at the first result (state, from cache)":
                      {k: sorted(v) for k, v in kernels.items()}}))
    print("| system | load to first result (ms, median) | min | / Theon warm |")
    print("| --- | --- | --- | --- |")
    for label, ts in times.items():
        med = statistics.median(ts)
        print(f"| {label} | {med * 1e3:.1f} | {min(ts) * 1e3:.1f} | {med / theon_warm:.2f} |")


if __name__ == "__main__":
    main()
