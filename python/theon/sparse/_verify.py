"""verify_grad_sparse: the numeric check of gradients with sparse inputs (Theano's
theano.sparse.verify_grad_sparse), perturbing the stored values of the sparse points."""

import numpy as np
import scipy.sparse as _sp

import theon
from theon import tensor as T
from theon.sparse import basic as S


def _symbolic(value):
    if _sp.issparse(value):
        return S.matrix(value.format, dtype=value.dtype.name)
    value = np.asarray(value)
    return T.tensor(value.dtype.name, shape=(None,) * value.ndim)


def _cost(out, rng):
    """sum(out * R) for a fixed random R of out's shape (dense or sparse)."""
    if S.is_sparse_variable(out):
        out = S.dense_from_sparse(out)
    return out, lambda shape: rng.uniform(0.5, 1.5, size=shape)


def verify_grad_sparse(op, pt, structured=False, n_tests=2, rng=None, eps=None, tol=None):
    rng = rng if rng is not None else np.random.default_rng(0)
    pt = [p.tocsr() if _sp.issparse(p) and p.format not in ("csr", "csc") else p for p in pt]
    inputs = [_symbolic(p) for p in pt]
    out, weights = _cost(op(*inputs), rng)
    for _ in range(n_tests):
        shape = theon.function(inputs, out.shape)(*pt)
        w = T.constant(weights(tuple(shape)).astype(out.dtype))
        cost = (out * w).sum()
        grads = theon.grad(cost, inputs)
        f = theon.function(inputs, [cost] + grads)
        _, *analytic = f(*pt)
        single = any(p.dtype == np.float32 for p in (np.asarray(q.data if _sp.issparse(q) else q)
                                                      for q in pt))
        step = eps or (1e-3 if single else 1e-6)
        tolerance = tol or (2e-2 if single else 1e-5)
        cost_of = theon.function(inputs, cost)
        for i, p in enumerate(pt):
            g = analytic[i]
            if _sp.issparse(p):
                flat = p.data
                g_at = np.asarray(g.toarray() if _sp.issparse(g) else g)
                rows, cols = _positions(p)
                expected = g_at[rows, cols]
            else:
                flat = np.asarray(p).reshape(-1)
                expected = np.asarray(g).reshape(-1)
            numeric = np.empty(flat.size)
            for k in range(flat.size):
                def at(delta):
                    q = p.copy()
                    (q.data if _sp.issparse(q) else q.reshape(-1))[k] += delta
                    args = list(pt)
                    args[i] = q
                    return float(cost_of(*args))
                numeric[k] = (at(step) - at(-step)) / (2 * step)
            if not np.allclose(expected, numeric, rtol=tolerance, atol=tolerance):
                raise AssertionError(f"verify_grad_sparse: gradient of input {i} differs: "
                                     f"analytic {expected}, numeric {numeric}")


def _positions(m):
    """(rows, cols) of m's stored entries, in the order of m.data."""
    major = np.repeat(np.arange(len(m.indptr) - 1), np.diff(m.indptr))
    if m.format == "csr":
        return major, m.indices
    return m.indices, major
