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
    """'csr' or 'csc' for a sparse variable, None for anything else.

    Parameters
    ----------
    x : object
        What to ask about.

    Returns
    -------
    str or None
        

    Examples
    --------
    >>> from theon import sparse
    >>> sparse.format_of(sparse.csc_matrix('m')), sparse.format_of(T.matrix())
    ('csc', None)
    """
    return _core.sparse_format(x) if isinstance(x, Variable) else None


def is_sparse_variable(x):
    """Whether ``x`` is a sparse variable.

    Parameters
    ----------
    x : object
        What to ask about.

    Returns
    -------
    bool
        

    Examples
    --------
    >>> from theon import sparse
    >>> sparse.is_sparse_variable(sparse.csr_matrix('m')), sparse.is_sparse_variable(T.matrix())
    (True, False)
    """
    return format_of(x) is not None


def matrix(format, name=None, dtype=None, shape=None):
    """A sparse matrix input of ``format``.

    Parameters
    ----------
    format : {'csr', 'csc'}
        The storage format.
    name : str
        The input's name.
    dtype : str
        Default config.floatX.
    shape : pair of int or None
        Static sizes (None where any size is accepted).

    Returns
    -------
    Variable
        A sparse input; a function takes scipy.sparse matrices for it.

    Examples
    --------
    >>> from theon import sparse
    >>> m = sparse.matrix('csr', 'm', dtype='float64')
    >>> m.type
    csrType(float64, shape=(None, None))
    """
    from theon import config

    return _core.sparse_input(format, dtype or config.floatX, shape, name, user_location())


def csr_matrix(name=None, dtype=None, shape=None):
    """A sparse matrix input in CSR format.

    Parameters
    ----------
    name : str
        The input's name.
    dtype : str
        Default config.floatX.
    shape : pair of int or None
        Static sizes.

    Returns
    -------
    Variable
        A sparse input; a function takes scipy.sparse matrices for it.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> f = theon.function([x], theon.sparse.sp_sum(x))
    >>> f(sp.csr_matrix(np.eye(3)))
    array(3.)
    """
    return matrix("csr", name, dtype, shape)


def csc_matrix(name=None, dtype=None, shape=None):
    """A sparse matrix input in CSC format.

    Parameters
    ----------
    name : str
        The input's name.
    dtype : str
        Default config.floatX.
    shape : pair of int or None
        Static sizes.

    Returns
    -------
    Variable
        A sparse input; a function takes scipy.sparse matrices for it.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csc_matrix('x', dtype='float64')
    >>> f = theon.function([x], theon.sparse.dense_from_sparse(x))
    >>> f(sp.csc_matrix(np.eye(2)))
    array([[1., 0.],
           [0., 1.]])
    """
    return matrix("csc", name, dtype, shape)


def as_sparse_variable(x, name=None):
    """A sparse variable for ``x``.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        A matrix is held by the graph as a shared value that no update changes (Theon has no sparse
        constants).
    name : str
        The name of that shared variable.

    Returns
    -------
    Variable
        A sparse variable.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> s = theon.sparse.as_sparse_variable(sp.csr_matrix(np.eye(2)))
    >>> theon.function([], theon.sparse.sp_sum(s))()
    array(2.)
    """
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
    """A sparse variable for sparse ``x``, else a dense one.

    Parameters
    ----------
    x : Variable, scipy.sparse matrix or array_like
        The value.
    name : str
        The name of a sparse shared variable made for it.

    Returns
    -------
    Variable
        

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> theon.sparse.as_sparse_or_tensor_variable(np.ones(2)).type
    TensorType(float64, shape=(2,))
    """
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
    """The dense matrix of ``x``.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.

    Returns
    -------
    Variable
        A dense matrix; its gradient is structured (only x's stored positions).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> theon.function([x], theon.sparse.dense_from_sparse(x))(sp.csr_matrix([[0., 2.]]))
    array([[0., 2.]])
    """
    return build("sparse.dense_from_sparse", as_sparse_variable(x))


def csr_from_dense(x):
    """The CSR matrix of the dense matrix ``x``.

    Parameters
    ----------
    x : matrix Variable or array_like
        The dense matrix.

    Returns
    -------
    Variable
        A sparse CSR matrix (zeros are not stored).

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], theon.sparse.csr_from_dense(x))([[0., 2.]]).nnz
    1
    """
    return build("sparse.csr_from_dense", as_tensor_variable(x))


def csc_from_dense(x):
    """The CSC matrix of the dense matrix ``x``.

    Parameters
    ----------
    x : matrix Variable or array_like
        The dense matrix.

    Returns
    -------
    Variable
        A sparse CSC matrix (zeros are not stored).

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], theon.sparse.csc_from_dense(x))([[0., 2.]]).format
    'csc'
    """
    return build("sparse.csc_from_dense", as_tensor_variable(x))


def transpose(x):
    """The transpose of ``x`` (``x.T``): a CSR matrix's is CSC and the reverse, without copy.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.

    Returns
    -------
    Variable
        A sparse matrix.

    Examples
    --------
    >>> x = theon.sparse.csr_matrix('x')
    >>> theon.sparse.format_of(theon.sparse.transpose(x))
    'csc'
    """
    return build("sparse.transpose", as_sparse_variable(x))


def structured_dot(x, y):
    """``x @ y``, one operand sparse and the other dense.

    Parameters
    ----------
    x, y : Variable or matrix
        One sparse, one dense.

    Returns
    -------
    Variable
        Dense; the gradient with respect to the sparse operand has its stored positions only.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = theon.sparse.csr_matrix('x', dtype='float64'), T.dmatrix('y')
    >>> f = theon.function([x, y], theon.sparse.structured_dot(x, y))
    >>> f(sp.csr_matrix([[1., 0.], [0., 2.]]), np.ones((2, 1)))
    array([[1.],
           [2.]])
    """
    return build("sparse.structured_dot", _operand(x), _operand(y))


def dot(x, y):
    """``x @ y`` with at least one sparse operand.

    Parameters
    ----------
    x, y : Variable or matrix
        At least one sparse.

    Returns
    -------
    Variable
        Dense with one sparse operand; sparse (true_dot) with two.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = theon.sparse.csr_matrix('x', dtype='float64'), T.dvector('y')
    >>> theon.function([x, y], theon.sparse.dot(x, y))(sp.csr_matrix(np.eye(2) * 3), [1., 2.])
    array([3., 6.])
    """
    x, y = _operand(x), _operand(y)
    if not (is_sparse_variable(x) or is_sparse_variable(y)):
        raise TypeError("theon.sparse.dot: one operand must be sparse")
    return build("sparse.dot", x, y)


def true_dot(x, y):
    """``x @ y`` of two sparse matrices, sparse (in x's format).

    Parameters
    ----------
    x, y : sparse Variable or scipy.sparse matrix
        The operands.

    Returns
    -------
    Variable
        A sparse matrix.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = theon.sparse.csr_matrix('x', 'float64'), theon.sparse.csr_matrix('y', 'float64')
    >>> f = theon.function([x, y], theon.sparse.true_dot(x, y))
    >>> f(sp.csr_matrix(np.eye(2)), sp.csr_matrix([[0., 1.], [1., 0.]])).toarray()
    array([[0., 1.],
           [1., 0.]])
    """
    return build("sparse.true_dot", as_sparse_variable(x), as_sparse_variable(y))


def sampling_dot(x, y, p):
    """``(x @ y.T) * p`` computed at p's stored positions only.

    Parameters
    ----------
    x, y : matrix Variable
        Dense matrices of as many columns.
    p : sparse Variable or scipy.sparse matrix
        Where to compute, and the factors.

    Returns
    -------
    Variable
        Sparse like ``p``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = T.dmatrices('x', 'y')
    >>> p = theon.sparse.csr_matrix('p', dtype='float64')
    >>> f = theon.function([x, y, p], theon.sparse.sampling_dot(x, y, p))
    >>> f(np.ones((2, 3)), np.ones((2, 3)), sp.csr_matrix([[1., 0.], [0., 2.]])).toarray()
    array([[3., 0.],
           [0., 6.]])
    """
    return build("sparse.sampling_dot", as_tensor_variable(x), as_tensor_variable(y),
                 as_sparse_variable(p))


def mul(x, y):
    """The elementwise product with a sparse operand.

    Parameters
    ----------
    x, y : Variable, scipy.sparse matrix, array_like or number
        At least one sparse.

    Returns
    -------
    Variable
        sparse * (scalar or dense) keeps the sparse operand's positions (structured); sparse *
        sparse keeps the common positions.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> theon.function([x], theon.sparse.mul(x, 10.0))(sp.csr_matrix([[1., 0.]])).toarray()
    array([[10.,  0.]])
    """
    return build("sparse.mul", *_operands(x, y))


def add(x, y):
    """The sum of a sparse matrix and a sparse or dense one.

    Parameters
    ----------
    x, y : Variable, scipy.sparse matrix or array_like
        At least one sparse.

    Returns
    -------
    Variable
        sparse + sparse is sparse; sparse + dense is dense.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = theon.sparse.csr_matrix('x', dtype='float64'), T.dmatrix('y')
    >>> theon.function([x, y], theon.sparse.add(x, y))(sp.csr_matrix([[1., 0.]]), [[1., 1.]])
    array([[2., 1.]])
    """
    return build("sparse.add", *_operands(x, y))


def sub(x, y):
    """The difference of a sparse matrix and a sparse or dense one.

    Parameters
    ----------
    x, y : Variable, scipy.sparse matrix or array_like
        At least one sparse.

    Returns
    -------
    Variable
        sparse - sparse is sparse; with a dense operand, dense.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, y = theon.sparse.csr_matrix('x', dtype='float64'), T.dmatrix('y')
    >>> theon.function([x, y], theon.sparse.sub(x, y))(sp.csr_matrix([[1., 0.]]), [[1., 1.]])
    array([[ 0., -1.]])
    """
    x, y = _operands(x, y)
    return add(x, neg(y) if is_sparse_variable(y) else -y)


def sp_sum(x, axis=None, sparse_grad=False):
    """The sum of the entries of ``x``, dense.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.
    axis : {None, 0, 1}
        Sum all, or along that axis.
    sparse_grad : bool
        The gradient only at x's stored positions.

    Returns
    -------
    Variable
        A scalar, or a vector for an axis.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> theon.function([x], theon.sparse.sp_sum(x, axis=0))(sp.csr_matrix([[1., 0.], [2., 3.]]))
    array([3., 3.])
    """
    return build("sparse.sp_sum", as_sparse_variable(x), axis=axis, sparse_grad=bool(sparse_grad))


def _stack(name, blocks, format, dtype):
    blocks = [as_sparse_variable(b) for b in blocks]
    out = build(name, *blocks, format=format)
    if dtype is not None and out.dtype != dtype:
        raise TypeError(f"{name}: the stacked matrices have dtype {out.dtype}, not {dtype}")
    return out


def hstack(blocks, format=None, dtype=None):
    """Sparse matrices side by side.

    Parameters
    ----------
    blocks : list of sparse Variable or scipy.sparse matrix
        Of as many rows.
    format : {'csr', 'csc'}
        The result's format (default 'csc').
    dtype : str
        Checked against the result's dtype.

    Returns
    -------
    Variable
        A sparse matrix.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a, b = theon.sparse.csr_matrix('a', 'float64'), theon.sparse.csr_matrix('b', 'float64')
    >>> f = theon.function([a, b], theon.sparse.hstack([a, b]))
    >>> f(sp.csr_matrix([[1.]]), sp.csr_matrix([[2.]])).toarray()
    array([[1., 2.]])
    """
    return _stack("sparse.hstack", blocks, format or "csc", dtype)


def vstack(blocks, format=None, dtype=None):
    """Sparse matrices one above the other.

    Parameters
    ----------
    blocks : list of sparse Variable or scipy.sparse matrix
        Of as many columns.
    format : {'csr', 'csc'}
        The result's format (default 'csr').
    dtype : str
        Checked against the result's dtype.

    Returns
    -------
    Variable
        A sparse matrix.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> a, b = theon.sparse.csr_matrix('a', 'float64'), theon.sparse.csr_matrix('b', 'float64')
    >>> f = theon.function([a, b], theon.sparse.vstack([a, b]))
    >>> f(sp.csr_matrix([[1.]]), sp.csr_matrix([[2.]])).toarray()
    array([[1.],
           [2.]])
    """
    return _stack("sparse.vstack", blocks, format or "csr", dtype)


def col_scale(x, s):
    """``x`` with column j scaled by ``s[j]``.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.
    s : vector Variable or array_like
        One factor per column.

    Returns
    -------
    Variable
        Sparse, with x's positions.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, s = theon.sparse.csr_matrix('x', dtype='float64'), T.dvector('s')
    >>> f = theon.function([x, s], theon.sparse.col_scale(x, s))
    >>> f(sp.csr_matrix(np.ones((2, 2))), [1., 10.]).toarray()
    array([[ 1., 10.],
           [ 1., 10.]])
    """
    return mul(x, as_tensor_variable(s).dimshuffle("x", 0))


def row_scale(x, s):
    """``x`` with row i scaled by ``s[i]``.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.
    s : vector Variable or array_like
        One factor per row.

    Returns
    -------
    Variable
        Sparse, with x's positions.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x, s = theon.sparse.csr_matrix('x', dtype='float64'), T.dvector('s')
    >>> f = theon.function([x, s], theon.sparse.row_scale(x, s))
    >>> f(sp.csr_matrix(np.ones((2, 2))), [1., 10.]).toarray()
    array([[ 1.,  1.],
           [10., 10.]])
    """
    return mul(x, as_tensor_variable(s).dimshuffle(0, "x"))


def sp_ones_like(x):
    """Ones at the stored positions of ``x``.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The sparse operand.

    Returns
    -------
    Variable
        Sparse, with x's positions.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> theon.function([x], theon.sparse.sp_ones_like(x))(sp.csr_matrix([[5., 0.]])).toarray()
    array([[1., 0.]])
    """
    import theon.tensor as T

    return build("sparse.sample_dense", as_sparse_variable(x), T.ones((1, 1), dtype=x.dtype))


# The example of each structured function: the two stored values of a diagonal 2 x 2 matrix
# and the stored values NumPy (SciPy for sigmoid) computes from them.
_STRUCTURED_EXAMPLES = {
    "neg": (0.25, -0.5, "array([-0.25,  0.5 ])"),
    "abs": (0.25, -0.5, "array([0.25, 0.5 ])"),
    "sqrt": (0.25, 0.5, "array([0.5       , 0.70710678])"),
    "sqr": (0.25, -0.5, "array([0.0625, 0.25  ])"),
    "sin": (0.25, -0.5, "array([ 0.24740396, -0.47942554])"),
    "tan": (0.25, -0.5, "array([ 0.25534192, -0.54630249])"),
    "arcsin": (0.25, 0.5, "array([0.25268026, 0.52359878])"),
    "arctan": (0.25, -0.5, "array([ 0.24497866, -0.46364761])"),
    "sinh": (0.25, -0.5, "array([ 0.25261232, -0.52109531])"),
    "arcsinh": (0.25, -0.5, "array([ 0.24746646, -0.48121183])"),
    "tanh": (0.25, -0.5, "array([ 0.24491866, -0.46211716])"),
    "arctanh": (0.25, 0.5, "array([0.25541281, 0.54930614])"),
    "expm1": (0.25, -0.5, "array([ 0.28402542, -0.39346934])"),
    "log1p": (0.25, 0.5, "array([0.22314355, 0.40546511])"),
    "sgn": (0.25, -0.5, "array([ 1., -1.])"),
    "ceil": (0.25, -0.5, "array([ 1., -0.])"),
    "floor": (0.25, -0.5, "array([ 0., -1.])"),
    "trunc": (0.25, -0.5, "array([ 0., -0.])"),
    "rint": (0.25, -0.5, "array([ 0., -0.])"),
    "deg2rad": (0.25, -0.5, "array([ 0.00436332, -0.00872665])"),
    "rad2deg": (0.25, -0.5, "array([ 14.32394488, -28.64788976])"),
    "exp": (0.25, -0.5, "array([1.28402542, 0.60653066])"),
    "log": (0.25, 0.5, "array([-1.38629436, -0.69314718])"),
    "sigmoid": (0.25, -0.5, "array([0.5621765 , 0.37754067])"),
}


def _structured(fn, name):
    def f(x):
        return build("sparse.structured_unary", as_sparse_variable(x), fn=fn)

    first, second, expected = _STRUCTURED_EXAMPLES[fn]
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"""``{fn}`` of the stored values of a sparse matrix; its positions are kept.

    Parameters
    ----------
    x : sparse Variable or scipy.sparse matrix
        The input.

    Returns
    -------
    Variable
        Sparse, in x's format, with x's positions (a value that becomes 0 stays stored).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = theon.sparse.csr_matrix('x', dtype='float64')
    >>> f = theon.function([x], theon.sparse.{name}(x))
    >>> out = f(sp.csr_matrix(np.diag([{first}, {second}])))
    >>> out.indices, out.data
    (array([0, 1], dtype=int32), {expected})
    """
    return f


# Theano's names: abs_ (not shadowing abs), structured_exp/log/sigmoid (whose dense
# counterparts would not keep the positions: exp(0) is 1).
_PYTHON_NAMES = {"abs": "abs_", "exp": "structured_exp", "log": "structured_log",
                 "sigmoid": "structured_sigmoid"}
for _fn in _core.structured_unary_names():
    _name = _PYTHON_NAMES.get(_fn, _fn)
    globals()[_name] = _structured(_fn, _name)
    __all__.append(_name)


def verify_grad_sparse(op, pt, structured=False, n_tests=2, rng=None, eps=None, tol=None):
    """Checks the gradient of ``op`` numerically where some of the points are sparse.

    Parameters
    ----------
    op : callable
        Takes one variable per point and returns a variable.
    pt : list
        scipy.sparse matrices and arrays; the stored values of the sparse ones are perturbed.
    structured : bool
        Compare at the stored positions only.
    n_tests : int
        How many random projections are checked.
    rng : numpy.random.Generator
        Seeds them.
    eps, tol : float
        The step and the tolerance (default: by dtype).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> theon.sparse.verify_grad_sparse(lambda x: theon.sparse.sp_sum(x * 2.0, sparse_grad=True),
    ...                                 [sp.csr_matrix([[1., 0.], [0., 3.]])], structured=True)
    """
    from theon.sparse._verify import verify_grad_sparse as check

    check(op, pt, structured=structured, n_tests=n_tests, rng=rng, eps=eps, tol=tol)
