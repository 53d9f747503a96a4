"""Workload: an equation-of-state style expression from ocean modelling, float64. Density and
thermal expansion from salinity and temperature on a (rows, 1000) grid and pressure as a
(rows, 1) column broadcast along each row: a polynomial of 56 monomials in reduced salinity,
temperature and pressure, its temperature derivative over the same monomials, and two outputs
(the second uses the first). About 350 elementwise operations, three inputs, two outputs: the
shape of code that fusion must turn into one loop. The coefficients are made up (smooth, of
decreasing size); the structure, not the physics, is what is measured."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "eos"
TITLE = "Equation of state, ~350 elementwise ops (float64)"
NOTE = "time per call (density and thermal expansion)"

COLS = 1000
DEGREE = 5  # monomials s^i t^j z^k with i + j + k <= DEGREE


def coefficient(i, j, k):
    if i == j == k == 0:
        return 1.0
    return (-1.0) ** (i + j) * (1.0 + 0.37 * i + 0.11 * j + 0.05 * k) / (1.0 + i + j + k) ** 3


def density_and_expansion(m, sa, ct, p):
    """(density, thermal expansion) with the array namespace ``m`` (numpy, jax.numpy or a
    tensor module): every system builds the same graph."""
    s = m.sqrt(sa * (1.0 / 40.0) + 0.5)
    t = ct * 0.025
    z = p * 1e-4
    powers = {}
    for name, base in (("s", s), ("t", t), ("z", z)):
        powers[name] = [None, base]
        for _ in range(2, DEGREE + 1):
            powers[name].append(powers[name][-1] * base)

    def monomial(i, j, k):
        factors = [powers["s"][i], powers["t"][j], powers["z"][k]]
        factors = [f for f in factors if f is not None]
        out = factors[0] if factors else None
        for f in factors[1:]:
            out = out * f
        return out

    v = None
    dv_dt = None
    for i in range(DEGREE + 1):
        for j in range(DEGREE + 1 - i):
            for k in range(DEGREE + 1 - i - j):
                c = coefficient(i, j, k)
                mono = monomial(i, j, k)
                term = c if mono is None else mono * c
                v = term if v is None else v + term
                if j >= 1:
                    lower = monomial(i, j - 1, k)
                    d = j * c * 0.025
                    dterm = d if lower is None else lower * d
                    dv_dt = dterm if dv_dt is None else dv_dt + dterm
    rho = 1000.0 / v
    alpha = -dv_dt * rho * 1e-3
    return rho, alpha


def cases(smoke):
    sizes = [2 * COLS] if smoke else [10**4, 10**5, 10**6, 4 * 10**6]
    return [{"id": f"n={n:.0e}", "n": n} for n in sizes]


def inputs(n, seed=0):
    rng = np.random.default_rng(seed)
    rows = n // COLS
    sa = rng.uniform(30.0, 40.0, (rows, COLS))
    ct = rng.uniform(-2.0, 30.0, (rows, COLS))
    p = np.linspace(0.0, 6000.0, rows).reshape(rows, 1)
    return sa, ct, p


def setup(case):
    sa, ct, p = inputs(case["n"])
    return {"args": (sa, ct, p), "expected": list(density_and_expansion(np, sa, ct, p)),
            "tol": (1e-10, 1e-12), "dtype_of": "float64"}


def theon_function(th, T):
    sa, ct = T.matrix("sa"), T.matrix("ct")
    p = T.tensor("float64", shape=(None, 1), name="p")
    return th.function([sa, ct, p], list(density_and_expansion(T, sa, ct, p)))


def build(system, case, data):
    args = data["args"]
    if system == "numpy":
        return lambda: density_and_expansion(np, *args)
    if system == "theon":
        th, T = systems.theon()
        f = theon_function(th, T)
        return lambda: f(*args)
    if system.startswith("pytensor"):
        pytensor, T, mode = systems.pytensor(system.split("_")[1])
        sa, ct = T.matrix("sa", dtype="float64"), T.matrix("ct", dtype="float64")
        p = T.tensor("p", dtype="float64", shape=(None, 1))
        f = pytensor.function([sa, ct, p], list(density_and_expansion(T, sa, ct, p)), mode=mode)
        return lambda: f(*args)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(lambda *a: density_and_expansion(jnp, *a)))
        dargs = [jax.device_put(a) for a in args]
        return lambda: f(*dargs)
    raise NotApplicable
