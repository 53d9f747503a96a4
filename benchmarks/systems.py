"""Imports and one-time settings of each system, done in the worker after the thread cap is in
place. Workload modules call these instead of importing peers themselves, so that a workload
module imports with NumPy alone."""

import functools

THREADS = 1  # set by the worker from --threads before any peer is imported


def configure(threads):
    global THREADS
    THREADS = threads


class NotApplicable(Exception):
    """A system has no implementation of a workload (numexpr has no matrix product): the cell
    reads "n/a", which is not a failure."""


@functools.lru_cache(None)
def theon():
    import theon as th
    import theon.tensor as T
    th.config.num_threads = THREADS
    # Steady-state timings are of the generated kernels, as peers' are of their jitted code
    # (the compile workload turns this off: there the first result may come earlier).
    th.config.compile_wait = True
    return th, T


@functools.lru_cache(None)
def pytensor(backend):
    """(pytensor, pytensor.tensor, mode) for backend "c" or "numba"."""
    import pytensor as pt_mod
    import pytensor.tensor as pt
    mode = pt_mod.compile.mode.get_mode("FAST_RUN" if backend == "c" else "NUMBA")
    if backend == "c":
        # FAST_RUN links with the C VM when a compiler is there; asking for it explicitly makes a
        # missing compiler an error instead of a silent fallback to Python.
        mode = pt_mod.compile.mode.Mode(linker="cvm", optimizer="fast_run")
    return pt_mod, pt, mode


@functools.lru_cache(None)
def jax():
    import jax as jax_mod
    jax_mod.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    return jax_mod, jnp


@functools.lru_cache(None)
def torch():
    import torch as torch_mod
    torch_mod.set_num_threads(THREADS)
    try:
        torch_mod.set_num_interop_threads(1)
    except RuntimeError:  # only allowed before the first parallel work
        pass
    return torch_mod


@functools.lru_cache(None)
def numexpr():
    import numexpr as ne
    ne.set_num_threads(THREADS)
    return ne


@functools.lru_cache(None)
def blas():
    import scipy.linalg.blas as b
    return b


def jax_block(fn):
    """``fn`` made synchronous: JAX dispatches asynchronously, so an untimed wait would measure
    only the dispatch."""
    jax_mod, _ = jax()

    def call(*args):
        return jax_mod.block_until_ready(fn(*args))
    return call


def load(system):
    """Imports ``system`` now, so that what is measured after this excludes the import."""
    if system == "theon":
        theon()
    elif system.startswith("pytensor"):
        pytensor(system.split("_")[1])
    elif system == "jax":
        jax()
    elif system in ("torch", "torch_compile"):
        torch()
    elif system == "numexpr":
        numexpr()
    elif system == "blas":
        blas()
