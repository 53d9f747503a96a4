"""theon.tensor.extra_ops: Theano's theano.tensor.extra_ops, and the NumPy functions Theano
users call with it. The data-dependent ones are ops of their own (C++ in src/ops/extra/:
bincount, searchsorted, unique, nonzero, unravel_index, ravel_multi_index, choose); the rest
are compositions of Theon's ops, so that their gradients, fusion and backends come from the
parts (diff, roll, compress, fill_diagonal, to_one_hot, partition, ...)."""

import numbers
import operator

import numpy as np

from theon.tensor._alloc import arange, repeat  # noqa: F401  (repeat: re-exported)
from theon.tensor._build import Variable, as_tensor_variable, build
from theon.tensor._join import concatenate, stack
from theon.tensor._math import eq, maximum, minimum, mod, neq
from theon.tensor._numpy_funcs import *  # noqa: F401,F403
from theon.tensor._numpy_funcs import axis_index, broadcast_arrays, fail
from theon.tensor._pad import pad  # noqa: F401
from theon.tensor._einsum import einsum  # noqa: F401
from theon.tensor._reduce import cumprod, cumsum  # noqa: F401
from theon.tensor._shape import squeeze  # noqa: F401
from theon.tensor._sort import argsort, sort
from theon.tensor._subtensor import set_subtensor, take

__all__ = ["diff", "bincount", "searchsorted", "unique", "squeeze", "compress", "repeat",
           "cumsum", "cumprod", "fill_diagonal", "fill_diagonal_offset", "to_one_hot",
           "unravel_index", "ravel_multi_index", "roll", "nonzero", "flatnonzero",
           "nonzero_values", "choose", "partition", "argpartition", "pad", "einsum",
           "tri", "tril", "triu", "diagonal", "diag", "linspace", "meshgrid", "broadcast_to",
           "broadcast_arrays", "isclose", "allclose", "nan_to_num", "bartlett"]


def bartlett(M):
    """The triangular window of ``M`` points (np.bartlett), float64 as in NumPy.

    Parameters
    ----------
    M : int or integer scalar Variable
        The number of points; empty for M < 1.

    Returns
    -------
    Variable
        A float64 vector.

    Examples
    --------
    >>> theon.function([], T.extra_ops.bartlett(5))()
    array([0. , 0.5, 1. , 0.5, 0. ])
    """
    from theon.tensor._math import le, switch

    M = as_tensor_variable(M)
    if M.ndim != 0 or np.dtype(M.dtype).kind not in "iu":
        raise fail(TypeError, "bartlett", f"M must be an integer scalar, got {M.type}")
    M = build("cast", M, dtype="float64")
    n = arange(1 - M, M, 2)
    # M == 1 gives n = [0] and 0 / 0 below: the window is then [1], as in NumPy.
    scale = maximum(M - 1, 1)
    return switch(le(n, 0), 1 + n / scale, 1 - n / scale)


def _slice_along(ndim, axis, s):
    return tuple(s if d == axis else slice(None) for d in range(ndim))


def diff(x, n=1, axis=-1):
    """The n-th discrete difference along ``axis`` (np.diff).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    n : int
        How many times ``x[1:] - x[:-1]`` is taken; bool inputs give ``x[1:] != x[:-1]`` as NumPy
        does.
    axis : int
        The axis.

    Returns
    -------
    Variable
        Shorter by ``n`` along ``axis``; the gradient comes from the slices.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.extra_ops.diff(x))([1., 4., 9., 16.])
    array([3., 5., 7.])
    """
    x = as_tensor_variable(x)
    n = operator.index(n)
    if n < 0:
        raise fail(ValueError, "diff", f"order must be non-negative, got {n}")
    if x.ndim == 0:
        raise fail(ValueError, "diff", "requires an input of at least one dimension")
    axis = axis_index("diff", axis, x.ndim)
    for _ in range(n):
        hi, lo = x[_slice_along(x.ndim, axis, slice(1, None))], x[
            _slice_along(x.ndim, axis, slice(None, -1))]
        x = neq(hi, lo) if x.dtype == "bool" else hi - lo
    return x


def bincount(x, weights=None, minlength=None, assert_nonneg=False):
    """The number of times each value of ``x`` occurs (np.bincount).

    Parameters
    ----------
    x : integer vector Variable
        Non-negative values.
    weights : vector Variable
        Sum these at each value instead of counting (float64).
    minlength : int
        The least number of entries.
    assert_nonneg : bool
        Theano's flag; negative values always raise.

    Returns
    -------
    Variable
        An int64 vector of counts, or a float64 vector of sums.

    Examples
    --------
    >>> x = T.lvector('x')
    >>> theon.function([x], T.extra_ops.bincount(x))([0, 1, 1, 3])
    array([1, 2, 0, 1])
    """
    minlength = 0 if minlength is None else operator.index(minlength)
    inputs = [x] if weights is None else [x, weights]
    return build("bincount", *inputs, minlength=minlength)


def searchsorted(x, v, side="left", sorter=None):
    """Where the values ``v`` go in the sorted vector ``x`` to keep it sorted (np.searchsorted).

    Parameters
    ----------
    x : vector Variable
        Sorted ascending (or sorted by ``sorter``).
    v : Variable
        The values to insert.
    side : {'left', 'right'}
        Which of equal positions.
    sorter : int vector Variable
        The argsort of x.

    Returns
    -------
    Variable
        int64 indices, of the shape of ``v``.

    Examples
    --------
    >>> x, v = T.dvectors('x', 'v')
    >>> theon.function([x, v], T.extra_ops.searchsorted(x, v))([1., 2., 3.], [0.5, 2., 9.])
    array([0, 1, 3])
    """
    x = as_tensor_variable(x)
    if sorter is not None:
        x = take(x, sorter)
    return build("searchsorted", x, v, side=side)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted distinct values of ``ar`` (np.unique).

    Parameters
    ----------
    ar : Variable
        The input; NaNs are collapsed into one, last.
    return_index : bool
        Also the index of the first occurrence of each.
    return_inverse : bool
        Also the indices that rebuild ar (of ar's shape for axis=None).
    return_counts : bool
        Also the count of each.
    axis : int
        The distinct subarrays along it instead.

    Returns
    -------
    Variable or list of Variable
        The values, then what was asked for, in NumPy's order.

    Examples
    --------
    >>> x = T.lvector('x')
    >>> theon.function([x], T.extra_ops.unique(x, return_counts=True))([3, 1, 3, 2])
    [array([1, 2, 3]), array([1, 1, 2])]
    """
    params = dict(return_index=bool(return_index), return_inverse=bool(return_inverse),
                  return_counts=bool(return_counts))
    if axis is not None:
        params["axis"] = operator.index(axis)
    out = build("unique", ar, **params)
    return tuple(out) if isinstance(out, list) else out


def compress(condition, x, axis=None):
    """The slices of ``x`` along ``axis`` where ``condition`` is true (np.compress).

    Parameters
    ----------
    condition : 1-d Variable or array_like
        A condition shorter than the axis selects among its first entries.
    x : Variable or array_like
        The input.
    axis : int
        The axis; None: the flattened x.

    Returns
    -------
    Variable
        ``x`` with the selected slices.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.extra_ops.compress([True, False, True], x))([1., 2., 3.])
    array([1., 3.])
    """
    x = as_tensor_variable(x)
    condition = as_tensor_variable(condition)
    if condition.ndim != 1:
        raise fail(ValueError, "compress", f"condition must be a 1-d array, got "
                   f"{condition.type}")
    indices = build("nonzero", condition)  # one output: the indices along its only axis
    if axis is None:
        return take(x, indices)
    return take(x, indices, axis=axis_index("compress", axis, x.ndim))


def _diagonal_index(a, who):
    a = as_tensor_variable(a)
    if a.ndim < 2:
        raise fail(ValueError, who, f"expected an array of at least 2 dimensions, got {a.type}")
    return a


def fill_diagonal(a, val):
    """A copy of ``a`` with ``val`` on its diagonal (np.fill_diagonal without wrap).

    Parameters
    ----------
    a : Variable
        At least 2-d; more than 2 dimensions must have equal sizes.
    val : scalar Variable or number
        Cast to a's dtype.

    Returns
    -------
    Variable
        Of the shape of ``a``. Gradients flow to a (zero on the diagonal) and to val (the sum of
        the diagonal's gradient).

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.extra_ops.fill_diagonal(a, 5.))(np.zeros((2, 3)))
    array([[5., 0., 0.],
           [0., 5., 0.]])
    """
    a = _diagonal_index(a, "fill_diagonal")
    val = as_tensor_variable(val)
    if val.ndim != 0:
        raise fail(TypeError, "fill_diagonal", f"val must be a scalar, got {val.type}")
    sizes = [s for s in a.static_shape if s is not None]
    if a.ndim > 2 and len(set(sizes)) > 1:
        raise fail(ValueError, "fill_diagonal", f"all dimensions of the input must be of "
                   f"equal length, got {a.type}")
    n = a.shape[0] if a.ndim > 2 else minimum(a.shape[0], a.shape[1])
    i = arange(n)
    return set_subtensor(a[(i,) * a.ndim], build("cast", val, dtype=a.dtype))


def fill_diagonal_offset(a, val, offset):
    """A copy of the matrix ``a`` with ``val`` on the diagonal ``offset``.

    Theano's fill_diagonal_offset.

    Parameters
    ----------
    a : matrix Variable
        The matrix.
    val : scalar Variable or number
        The value.
    offset : int or integer scalar Variable
        > 0 above the main diagonal, < 0 below.

    Returns
    -------
    Variable
        Of the shape of ``a``.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.extra_ops.fill_diagonal_offset(a, 1., 1))(np.zeros((2, 3)))
    array([[0., 1., 0.],
           [0., 0., 1.]])
    """
    a = _diagonal_index(a, "fill_diagonal_offset")
    if a.ndim != 2:
        raise fail(ValueError, "fill_diagonal_offset", f"expected a matrix, got {a.type}")
    val = as_tensor_variable(val)
    if val.ndim != 0:
        raise fail(TypeError, "fill_diagonal_offset", f"val must be a scalar, got {val.type}")
    offset = as_tensor_variable(offset)
    if offset.ndim != 0 or np.dtype(offset.dtype).kind not in "iu":
        raise fail(TypeError, "fill_diagonal_offset", f"offset must be an integer scalar, "
                   f"got {offset.type}")
    offset = build("cast", offset, dtype="int64")
    first_row, first_col = maximum(-offset, 0), maximum(offset, 0)
    n = maximum(minimum(a.shape[0] - first_row, a.shape[1] - first_col), 0)
    i = arange(n)
    return set_subtensor(a[i + first_row, i + first_col], build("cast", val, dtype=a.dtype))


def to_one_hot(y, nb_class, dtype=None):
    """The one-hot matrix of the integer labels ``y``.

    Parameters
    ----------
    y : integer vector Variable
        The labels.
    nb_class : int
        The number of columns.
    dtype : str
        Default config.floatX.

    Returns
    -------
    Variable
        A matrix with a one at ``(i, y[i])`` and zeros elsewhere.

    Examples
    --------
    >>> y = T.lvector('y')
    >>> theon.function([y], T.extra_ops.to_one_hot(y, 3))([2, 0])
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    from theon import config

    y = as_tensor_variable(y)
    if y.ndim != 1 or np.dtype(y.dtype).kind not in "iu":
        raise fail(TypeError, "to_one_hot", f"y must be a vector of integers, got {y.type}")
    hot = eq(arange(nb_class).dimshuffle("x", 0), y.dimshuffle(0, "x"))
    return build("cast", hot, dtype=np.dtype(dtype or config.floatX).name)


def _dims_vector(dims, who):
    if isinstance(dims, Variable):
        if dims.ndim != 1:
            raise fail(TypeError, who, f"dims must be a vector, got {dims.type}")
        return dims
    if isinstance(dims, numbers.Integral):
        dims = (dims,)
    dims = list(dims)
    if any(isinstance(d, Variable) for d in dims):
        return build("make_vector", *dims, dtype="int64")
    return as_tensor_variable(np.asarray(dims, dtype=np.int64).reshape(-1))


def unravel_index(indices, dims, order="C"):
    """The index arrays of the flat ``indices`` into an array of shape ``dims`` (np.unravel_index).

    Parameters
    ----------
    indices : integer Variable or array_like
        Flat indices; one outside the array raises ValueError naming unravel_index and the line
        that built it.
    dims : sequence of int or integer vector Variable
        The shape (a vector of static length).
    order : {'C', 'F'}
        Row- or column-major.

    Returns
    -------
    tuple of Variable
        One index array per dimension.

    Examples
    --------
    >>> i = T.lvector('i')
    >>> theon.function([i], list(T.extra_ops.unravel_index(i, (2, 3))))([1, 5])
    [array([0, 1]), array([1, 2])]
    """
    out = build("unravel_index", indices, _dims_vector(dims, "unravel_index"), order=order)
    return tuple(out) if isinstance(out, list) else (out,)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat indices from a tuple of index arrays (np.ravel_multi_index).

    Parameters
    ----------
    multi_index : tuple of integer Variable
        One index array per dimension, broadcast together.
    dims : sequence of int or integer vector Variable
        The shape.
    mode : str or sequence of str
        'raise', 'wrap' or 'clip' for out-of-range indices, one name or one per dimension.
    order : {'C', 'F'}
        Row- or column-major.

    Returns
    -------
    Variable
        int64 flat indices.

    Examples
    --------
    >>> i, j = T.lvectors('i', 'j')
    >>> theon.function([i, j], T.extra_ops.ravel_multi_index((i, j), (2, 3)))([0, 1], [1, 2])
    array([1, 5])
    """
    if isinstance(multi_index, Variable):
        n = multi_index.static_shape[0] if multi_index.ndim else None
        if n is None:
            raise fail(ValueError, "ravel_multi_index", "multi_index must be a tuple of index "
                       "arrays, or a stacked array of static first dimension")
        multi_index = [multi_index[k] for k in range(n)]
    if not isinstance(mode, str):
        mode = ",".join(mode)
    return build("ravel_multi_index", *multi_index, _dims_vector(dims, "ravel_multi_index"),
                 mode=mode, order=order)


def _roll_axis(x, shift, axis):
    n = x.shape[axis]
    # The split point n - shift mod n (0 for an empty axis, where mod would divide by 0).
    cut = n - mod(shift, maximum(n, 1))
    return concatenate([x[_slice_along(x.ndim, axis, slice(cut, None))],
                        x[_slice_along(x.ndim, axis, slice(None, cut))]], axis=axis)


def roll(x, shift, axis=None):
    """``x`` with its elements shifted along ``axis``, wrapping around (np.roll).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    shift : int, integer scalar Variable or tuple
        One per axis for a tuple of axes.
    axis : int, tuple of int or None
        None: the flattened x.

    Returns
    -------
    Variable
        Of the shape of ``x``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.extra_ops.roll(x, 1))([1., 2., 3.])
    array([3., 1., 2.])
    """
    x = as_tensor_variable(x)
    if axis is None:
        if isinstance(shift, (tuple, list)):
            raise fail(ValueError, "roll", "a tuple of shifts needs a tuple of axes")
        return _roll_axis(x.flatten(), shift, 0).reshape(x.shape)
    axes = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    shifts = list(shift) if isinstance(shift, (tuple, list)) else [shift] * len(axes)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(axes) == 1 and len(shifts) > 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise fail(ValueError, "roll", f"{len(shifts)} shifts for {len(axes)} axes")
    for s, a in zip(shifts, axes):
        x = _roll_axis(x, s, axis_index("roll", a, x.ndim))
    return x


def nonzero(a, return_matrix=False):
    """The indices of the nonzero elements of ``a`` (np.nonzero), in C order.

    Parameters
    ----------
    a : Variable
        The input.
    return_matrix : bool
        Theano's flag: stack them into one matrix.

    Returns
    -------
    tuple of Variable or Variable
        One int64 vector per dimension of a, or their matrix.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], list(T.extra_ops.nonzero(a)))([[0., 1.], [2., 0.]])
    [array([0, 1]), array([1, 0])]
    """
    out = build("nonzero", a)
    out = tuple(out) if isinstance(out, list) else (out,)
    return stack(list(out)) if return_matrix else out


def flatnonzero(a):
    """The indices of the nonzero elements of the flattened ``a`` (np.flatnonzero).

    Parameters
    ----------
    a : Variable
        The input.

    Returns
    -------
    Variable
        An int64 vector.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.extra_ops.flatnonzero(a))([[0., 1.], [2., 0.]])
    array([1, 2])
    """
    return build("nonzero", as_tensor_variable(a).flatten())


def nonzero_values(a):
    """The nonzero elements of ``a``, flattened (``a[a != 0]`` in C order).

    Parameters
    ----------
    a : Variable
        The input.

    Returns
    -------
    Variable
        A vector of a's dtype.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.extra_ops.nonzero_values(a))([[0., 1.], [2., 0.]])
    array([1., 2.])
    """
    flat = as_tensor_variable(a).flatten()
    return take(flat, build("nonzero", flat))


def choose(a, choices, out=None, mode="raise"):
    """``out[i] = choices[a[i]][i]`` (np.choose), ``a`` and the choices broadcast together.

    Parameters
    ----------
    a : integer Variable
        Which choice for each element.
    choices : list of Variable or Variable
        The arrays, or one array whose first axis lists them.
    out : None
        Not supported (results are new arrays).
    mode : {'raise', 'wrap', 'clip'}
        An index outside the choices raises ValueError naming choose and the line, or is brought
        back in range.

    Returns
    -------
    Variable
        The gradient flows to the choices.

    Examples
    --------
    >>> a = T.lvector('a')
    >>> theon.function([a], T.extra_ops.choose(a, [[1., 2., 3.], [10., 20., 30.]]))([1, 0, 1])
    array([10.,  2., 30.])
    """
    if out is not None:
        raise fail(ValueError, "choose", "out= is not supported (results are new arrays)")
    if isinstance(choices, (list, tuple)):
        if not choices:
            raise fail(ValueError, "choose", "there are no choices")
        choices = stack(broadcast_arrays(*choices))
    return build("choose", a, choices, mode=mode)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """``a`` with its k-th element in its sorted place, smaller ones before it (np.partition).

    Parameters
    ----------
    a : Variable
        The input.
    kth : int or sequence of int
        Checked against the axis as NumPy does.
    axis : int
        The axis.
    kind, order
        Accepted for NumPy's signature.

    Returns
    -------
    Variable
        Of the shape of ``a``: a full sort, one of the arrays np.partition may return.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.extra_ops.partition(a, 1))([3., 1., 2.])
    array([1., 2., 3.])
    """
    return _partitioned(sort, "partition", a, kth, axis, order)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """The indices that partition ``a`` (np.argpartition), from a stable argsort.

    Parameters
    ----------
    a : Variable
        The input.
    kth : int or sequence of int
        Checked against the axis as NumPy does.
    axis : int
        The axis.
    kind, order
        Accepted for NumPy's signature.

    Returns
    -------
    Variable
        int64 indices, of the shape of ``a``.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.extra_ops.argpartition(a, 1))([3., 1., 2.])
    array([1, 2, 0])
    """
    return _partitioned(argsort, "argpartition", a, kth, axis, order)


def _partitioned(fn, who, a, kth, axis, order):
    a = as_tensor_variable(a)
    if order is not None:
        raise fail(NotImplementedError, who, "the 'order' argument (structured arrays) is not "
                   "supported")
    if axis is not None:
        axis = axis_index(who, axis, a.ndim)
        n = a.static_shape[axis]
    else:
        n = None if any(s is None for s in a.static_shape) else int(np.prod(a.static_shape))
    for k in np.atleast_1d(kth):
        k = operator.index(k)
        if n is not None and not -n <= k < n:
            raise fail(ValueError, who, f"kth(={k}) out of bounds ({n})")
    return fn(a, axis=axis)


