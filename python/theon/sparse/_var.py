"""Variable's operators and methods for sparse operands: x * y, x + y, -x, x.T, x.dot(y) and
x @ y route to theon.sparse when an operand is a sparse variable, to theon.tensor otherwise."""

import scipy.sparse as _sp

from theon import _core
from theon.sparse import basic as S

Variable = _core.Variable


def _is_sparse(x):
    return (isinstance(x, Variable) and _core.sparse_format(x) is not None) or _sp.issparse(x)


def _binary(name, sparse_fn):
    dense = getattr(Variable, name)

    def method(a, b):
        if _is_sparse(a) or _is_sparse(b):
            return sparse_fn(a, b)
        return dense(a, b)

    setattr(Variable, name, method)


_binary("__add__", S.add)
_binary("__radd__", lambda a, b: S.add(b, a))
_binary("__sub__", S.sub)
_binary("__rsub__", lambda a, b: S.sub(b, a))
_binary("__mul__", S.mul)
_binary("__rmul__", lambda a, b: S.mul(b, a))
_binary("dot", S.dot)
_binary("__matmul__", S.dot)
_binary("__rmatmul__", lambda a, b: S.dot(b, a))


def _unary(name, sparse_fn):
    dense = getattr(Variable, name)

    def method(x):
        return sparse_fn(x) if _is_sparse(x) else dense(x)

    setattr(Variable, name, method)


_unary("__neg__", S.neg)
_unary("__abs__", S.abs_)
_dense_T = Variable.T
Variable.T = property(lambda x: S.transpose(x) if _is_sparse(x) else _dense_T.fget(x))
Variable.toarray = lambda x: S.dense_from_sparse(x)
Variable.format = property(lambda x: _core.sparse_format(x))
