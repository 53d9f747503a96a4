"""Variable's operators and methods for sparse operands: x * y, x + y, -x, x.T, x.dot(y) and
x @ y route to theon.sparse when an operand is a sparse variable, to theon.tensor otherwise."""

import functools

import scipy.sparse as _sp

from theon import _core
from theon.sparse import basic as S

Variable = _core.Variable


def _is_sparse(x):
    return (isinstance(x, Variable) and _core.sparse_format(x) is not None) or _sp.issparse(x)


def _binary(name, sparse_fn):
    dense = getattr(Variable, name)

    @functools.wraps(dense)
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

    @functools.wraps(dense)
    def method(x):
        return sparse_fn(x) if _is_sparse(x) else dense(x)

    setattr(Variable, name, method)


_unary("__neg__", S.neg)
_unary("__abs__", S.abs_)
_dense_T = Variable.T


def _transposed(x):
    """The transpose, with the dimensions reversed; a CSR matrix's is CSC and the reverse."""
    return S.transpose(x) if _is_sparse(x) else _dense_T.fget(x)


def _toarray(x):
    """The dense matrix of a sparse variable (theon.sparse.dense_from_sparse).

    Returns
    -------
    Variable
        A dense matrix.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> theon.function([x], x.toarray())(sp.csr_matrix([[0., 2.]]))
    array([[0., 2.]])
    """
    return S.dense_from_sparse(x)


def _format(x):
    """The storage format of a sparse variable ('csr' or 'csc'); None for a dense one."""
    return _core.sparse_format(x)


_toarray.__name__ = _toarray.__qualname__ = "toarray"
Variable.T = property(_transposed)
Variable.toarray = _toarray
Variable.format = property(_format)
