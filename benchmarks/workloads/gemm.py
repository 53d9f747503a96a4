"""Workload 4: matrix product with a bias, out = A @ B + bias, at the DeepBench-style (M, N, K)
shapes (1760, 128, 1760), (2048, 2048, 2048) and (35, 8457, 2048); A is M x K, B is K x N, bias
has N values. "BLAS direct" fills the output with the bias and calls ?gemm with beta = 1 through
scipy.linalg.blas, the floor every system's matrix product sits on."""

import numpy as np

from systems import NotApplicable
import systems

NAME = "gemm"
TITLE = "Matrix product with bias (M, N, K)"
NOTE = "time per call; the GFLOP/s of each cell is 2MNK over it"

SHAPES = [(1760, 128, 1760), (2048, 2048, 2048), (35, 8457, 2048)]


def cases(smoke):
    shapes = [(35, 84, 20)] if smoke else SHAPES
    return [{"id": f"{m}x{n}x{k} {dtype[5:]}b", "mnk": (m, n, k), "dtype": dtype,
             "min_time": 0.5}
            for dtype in ("float32", "float64") for (m, n, k) in shapes]


def setup(case):
    m, n, k = case["mnk"]
    dtype = case["dtype"]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    bias = rng.standard_normal(n).astype(dtype)
    expected = a.astype(np.float64) @ b.astype(np.float64) + bias
    # K terms of unit variance: float32 accumulates an error of order sqrt(K) * 1e-7 * |terms|.
    tol = (1e-3, 1e-2) if dtype == "float32" else (1e-9, 1e-9)
    return {"a": a, "b": b, "bias": bias, "expected": expected, "tol": tol, "dtype_of": dtype}


def build(system, case, data):
    a, b, bias = data["a"], data["b"], data["bias"]
    dtype = case["dtype"]
    if system == "numpy":
        return lambda: a @ b + bias
    if system == "blas":
        blas = systems.blas()
        gemm = blas.sgemm if dtype == "float32" else blas.dgemm
        out = np.empty((a.shape[0], b.shape[1]), dtype)

        def call():
            # Row-major C = A B is column-major C^T = B^T A^T: the transposed views are
            # Fortran-ordered, so scipy passes them to BLAS without copying.
            out[...] = bias
            return gemm(1.0, b.T, a.T, 1.0, out.T, overwrite_c=True).T
        return call
    if system == "theon":
        th, T = systems.theon()
        A, B, c = T.matrix("A", dtype=dtype), T.matrix("B", dtype=dtype), T.vector("c", dtype=dtype)
        f = th.function([A, B, c], T.dot(A, B) + c)
        return lambda: f(a, b, bias)
    if system in ("pytensor_c", "pytensor_numba"):
        pytensor, pt, mode = systems.pytensor(system.split("_")[1])
        A, B, c = pt.matrix("A", dtype=dtype), pt.matrix("B", dtype=dtype), pt.vector("c", dtype=dtype)
        f = pytensor.function([A, B, c], pt.dot(A, B) + c, mode=mode)
        return lambda: f(a, b, bias)
    if system == "jax":
        jax, jnp = systems.jax()
        f = systems.jax_block(jax.jit(lambda x, y, z: x @ y + z))
        da, db, dc = (jax.device_put(v) for v in (a, b, bias))
        return lambda: f(da, db, dc)
    if system in ("torch", "torch_compile"):
        torch = systems.torch()
        ta, tb, tc = (torch.from_numpy(v) for v in (a, b, bias))
        if system == "torch":
            return lambda: torch.addmm(tc, ta, tb)
        g = torch.compile(lambda x, y, z: x @ y + z, dynamic=False)
        return lambda: g(ta, tb, tc)
    raise NotApplicable
