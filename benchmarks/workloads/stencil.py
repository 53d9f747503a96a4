"""Workload: one explicit step of 3-d diffusion on a (nz, ny, nx) float64 grid, written the way
ocean and climate codes write it: fluxes as differences of shifted slices (u[:, :, 1:] -
u[:, :, :-1]) scaled by a diffusivity, each written into a slice of a zeros array (Theano's
set_subtensor, JAX's .at[].set, NumPy's slice assignment), then their divergence written into
the interior of another zeros array and added to u. Ten slice reads, four slice writes and a
dozen arithmetic operations per step: what fusion must see through to avoid a pass per slice."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "stencil"
TITLE = "3-d diffusion step with slices and set_subtensor (float64)"
NOTE = "time per call"

INTERIOR = (slice(1, -1), slice(1, -1), slice(1, -1))


def diffusion_step(m, put, u, k):
    """u + dt * div(k grad u) with the array namespace ``m`` and ``put(base, index, value)``,
    which returns base with base[index] = value."""
    zeros = m.zeros_like(u)
    fx = put(zeros, (slice(None), slice(None), slice(None, -1)),
             (u[:, :, 1:] - u[:, :, :-1]) * (0.5 * (k[:, :, 1:] + k[:, :, :-1])))
    fy = put(zeros, (slice(None), slice(None, -1), slice(None)),
             (u[:, 1:, :] - u[:, :-1, :]) * (0.5 * (k[:, 1:, :] + k[:, :-1, :])))
    fz = put(zeros, (slice(None, -1), slice(None), slice(None)),
             (u[1:, :, :] - u[:-1, :, :]) * (0.5 * (k[1:, :, :] + k[:-1, :, :])))
    div = (fx[1:-1, 1:-1, 1:-1] - fx[1:-1, 1:-1, :-2]) + (fy[1:-1, 1:-1, 1:-1] -
                                                          fy[1:-1, :-2, 1:-1]) + (
        fz[1:-1, 1:-1, 1:-1] - fz[:-2, 1:-1, 1:-1])
    return u + 0.1 * put(zeros, INTERIOR, div)


def numpy_put(base, index, value):
    out = base.copy()
    out[index] = value
    return out


def cases(smoke):
    shapes = [(8, 16, 16)] if smoke else [(32, 64, 64), (64, 128, 128)]
    return [{"id": "x".join(map(str, s)), "shape": s} for s in shapes]


def setup(case):
    rng = np.random.default_rng(0)
    u = rng.standard_normal(case["shape"])
    k = rng.uniform(0.5, 1.5, case["shape"])
    return {"args": (u, k), "expected": diffusion_step(np, numpy_put, u, k),
            "tol": (1e-12, 1e-14)}


def build(system, case, data):
    u, k = data["args"]
    if system == "numpy":
        return lambda: diffusion_step(np, numpy_put, u, k)
    if system == "theon":
        th, T = systems.theon()
        vu, vk = T.tensor3("u"), T.tensor3("k")
        out = diffusion_step(T, lambda b, i, v: T.set_subtensor(b[i], v), vu, vk)
        f = th.function([vu, vk], out)
        return lambda: f(u, k)
    if system.startswith("pytensor"):
        pytensor, T, mode = systems.pytensor(system.split("_")[1])
        vu, vk = T.tensor3("u"), T.tensor3("k")
        out = diffusion_step(T, lambda b, i, v: T.set_subtensor(b[i], v), vu, vk)
        f = pytensor.function([vu, vk], out, mode=mode)
        return lambda: f(u, k)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(
            lambda a, b: diffusion_step(jnp, lambda x, i, v: x.at[i].set(v), a, b)))
        du, dk = jax.device_put(u), jax.device_put(k)
        return lambda: f(du, dk)
    raise NotApplicable
