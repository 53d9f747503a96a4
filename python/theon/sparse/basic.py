"""Sparse matrices, as Theano's theano.sparse.basic: CSR/CSC variables whose values are
scipy.sparse matrices, and the ops on them. The ops are C++ (src/ops/sparse/); this module
names them as Theano does."""

import numpy as np
import scipy.sparse as _sp

from theon import _core
from theon._location import user_location
from theon.tensor._build import as_tensor_variable, build

Variable = _core.Variable

__all__ = [
    "csr_matrix", "csc_matrix", "matrix", "as_sparse_variable", "as_sparse_or_tensor_variable",
    "is_sparse_variable", "format_of", "dense_from_sparse", "csr_from_dense", "csc_from_dense",
    "transpose", "structured_dot", "dot", "true_dot", "sampling_dot", "mul", "add", "sub",
    "sp_sum", "hstack", "vstack", "col_scale", "row_scale", "sp_ones_like", "verify_grad_sparse",
]


def format_of(x):
    """'csr' or 'csc' for a sparse variable, None for anything else."""
    return _core.sparse_format(x) if isinstance(x, Variable) else None


def is_sparse_variable(x):
    return format_of(x) is not None


def matrix(format, name=None, dtype=None, shape=None):
    """A sparse matrix input of `format` ('csr' or 'csc'); dtype defaults to config.floatX."""
    from theon import config

    return _core.sparse_input(format, dtype or config.floatX, shape, name, user_location())


def csr_matrix(name=None, dtype=None, shape=None):
    return matrix("csr", name, dtype, shape)


def csc_matrix(name=None, dtype=None, shape=None):
    return matrix("csc", name, dtype, shape)


def as_sparse_variable(x, name=None):
    """A sparse variable for `x`: a sparse variable itself, or a scipy.sparse matrix, held by
    the graph as a shared value that no update changes (Theon has no sparse constants)."""
    if is_sparse_variable(x):
        return x
    if isinstance(x, Variable):
        raise TypeError(f"as_sparse_variable: {x._label()} is a dense {x.type}; use "
                        f"csr_from_dense or csc_from_dense")
    if _sp.issparse(x):
        if x.format not in ("csr", "csc"):
            x = x.tocsr()
        return _core.shared(x, name, False, None, user_location())
    raise TypeError(f"as_sparse_variable: expected a sparse variable or a scipy.sparse matrix, "
                    f"got {type(x).__name__}")


def as_sparse_or_tensor_variable(x, name=None):
    if is_sparse_variable(x) or _sp.issparse(x):
        return as_sparse_variable(x, name)
    return as_tensor_variable(x)


def _operand(x):
    return as_sparse_variable(x) if _sp.issparse(x) else (
        x if isinstance(x, Variable) else as_tensor_variable(x))


def _operands(x, y):
    """Both operands as variables; a Python number takes the other operand's dtype where its
    kind allows (NumPy 2's weak scalars), so that x * 2.0 keeps a float32 x float32."""
    def one(a, other):
        if isinstance(a, (bool, int, float)) and not isinstance(other, (bool, int, float)):
            return _core.weak_constant(a, _operand(other).dtype, user_location())
        return _operand(a)
    return one(x, y), one(y, x)


def dense_from_sparse(x):
    """The dense matrix of x. Its gradient is structured (only x's stored positions)."""
    return build("sparse.dense_from_sparse", as_sparse_variable(x))


def csr_from_dense(x):
    return build("sparse.csr_from_dense", as_tensor_variable(x))


def csc_from_dense(x):
    return build("sparse.csc_from_dense", as_tensor_variable(x))


def transpose(x):
    """x.T: a csr matrix's transpose is csc and the reverse (no copy)."""
    return build("sparse.transpose", as_sparse_variable(x))


def structured_dot(x, y):
    """sparse @ dense or dense @ sparse; the gradient with respect to the sparse operand has
    its stored positions only."""
    return build("sparse.structured_dot", _operand(x), _operand(y))


def dot(x, y):
    """x @ y with at least one sparse operand: dense with one, sparse (true_dot) with two."""
    x, y = _operand(x), _operand(y)
    if not (is_sparse_variable(x) or is_sparse_variable(y)):
        raise TypeError("theon.sparse.dot: one operand must be sparse")
    return build("sparse.dot", x, y)


def true_dot(x, y):
    """sparse @ sparse -> sparse (in x's format)."""
    return build("sparse.true_dot", as_sparse_variable(x), as_sparse_variable(y))


def sampling_dot(x, y, p):
    """(x @ y.T) * p at p's stored positions: sparse like p."""
    return build("sparse.sampling_dot", as_tensor_variable(x), as_tensor_variable(y),
                 as_sparse_variable(p))


def mul(x, y):
    """sparse * (scalar or dense) keeps x's positions (structured); sparse * sparse keeps the
    common positions."""
    return build("sparse.mul", *_operands(x, y))


def add(x, y):
    """sparse + sparse -> sparse; sparse + dense -> dense."""
    return build("sparse.add", *_operands(x, y))


def sub(x, y):
    x, y = _operands(x, y)
    return add(x, neg(y) if is_sparse_variable(y) else -y)


def sp_sum(x, axis=None, sparse_grad=False):
    """The sum of x's entries (axis None, 0 or 1), dense. sparse_grad: the gradient only at
    x's stored positions."""
    return build("sparse.sp_sum", as_sparse_variable(x), axis=axis, sparse_grad=bool(sparse_grad))


def _stack(name, blocks, format, dtype):
    blocks = [as_sparse_variable(b) for b in blocks]
    out = build(name, *blocks, format=format)
    if dtype is not None and out.dtype != dtype:
        raise TypeError(f"{name}: the stacked matrices have dtype {out.dtype}, not {dtype}")
    return out


def hstack(blocks, format=None, dtype=None):
    return _stack("sparse.hstack", blocks, format or "csc", dtype)


def vstack(blocks, format=None, dtype=None):
    return _stack("sparse.vstack", blocks, format or "csr", dtype)


def col_scale(x, s):
    """x with column j scaled by s[j] (s a vector)."""
    return mul(x, as_tensor_variable(s).dimshuffle("x", 0))


def row_scale(x, s):
    """x with row i scaled by s[i] (s a vector)."""
    return mul(x, as_tensor_variable(s).dimshuffle(0, "x"))


def sp_ones_like(x):
    """Ones at x's stored positions."""
    import theon.tensor as T

    return build("sparse.sample_dense", as_sparse_variable(x), T.ones((1, 1), dtype=x.dtype))


def _structured(fn):
    def f(x):
        return build("sparse.structured_unary", as_sparse_variable(x), fn=fn)

    f.__name__ = f.__qualname__ = fn
    f.__doc__ = f"{fn} of the stored values of a sparse matrix (its positions are kept)."
    return f


# Theano's names: abs_ (not shadowing abs), structured_exp/log/sigmoid (whose dense
# counterparts would not keep the positions: exp(0) is 1).
_PYTHON_NAMES = {"abs": "abs_", "exp": "structured_exp", "log": "structured_log",
                 "sigmoid": "structured_sigmoid"}
for _fn in _core.structured_unary_names():
    _name = _PYTHON_NAMES.get(_fn, _fn)
    globals()[_name] = _structured(_fn)
    __all__.append(_name)


def verify_grad_sparse(op, pt, structured=False, n_tests=2, rng=None, eps=None, tol=None):
    """Theano's verify_grad_sparse: checks op's gradient numerically where some of the points
    `pt` are scipy.sparse matrices, by perturbing their stored values. Returns nothing; raises
    AssertionError when an analytic and a numeric gradient differ."""
    from theon.sparse._verify import verify_grad_sparse as check

    check(op, pt, structured=structured, n_tests=n_tests, rng=rng, eps=eps, tol=tol)
