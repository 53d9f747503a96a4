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
    """np.bartlett: the triangular window of M points (M an int or an integer scalar
    variable; empty for M < 1), float64 as in NumPy."""
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
    """The n-th discrete difference along ``axis`` (np.diff): x[1:] - x[:-1], n times; bool
    inputs give x[1:] != x[:-1] as NumPy does. The gradient comes from the slices."""
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
    """np.bincount: the number of times each value of the non-negative integer vector x
    occurs (int64), or the sum of the weights at each value (float64); at least minlength
    entries. Negative values raise whatever assert_nonneg says (Theano's flag)."""
    minlength = 0 if minlength is None else operator.index(minlength)
    inputs = [x] if weights is None else [x, weights]
    return build("bincount", *inputs, minlength=minlength)


def searchsorted(x, v, side="left", sorter=None):
    """np.searchsorted: the indices where the values v would be inserted into the sorted
    vector x (x[sorter] when sorter, the argsort of x, is given) to keep it sorted."""
    x = as_tensor_variable(x)
    if sorter is not None:
        x = take(x, sorter)
    return build("searchsorted", x, v, side=side)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """np.unique: the sorted distinct values of ar (NaNs collapsed into one, last), or with
    ``axis`` the distinct subarrays along it; and, as asked, the index of the first occurrence
    of each, the inverse (ar's shape for axis=None) and the counts, in NumPy's order."""
    params = dict(return_index=bool(return_index), return_inverse=bool(return_inverse),
                  return_counts=bool(return_counts))
    if axis is not None:
        params["axis"] = operator.index(axis)
    out = build("unique", ar, **params)
    return tuple(out) if isinstance(out, list) else out


def compress(condition, x, axis=None):
    """np.compress: the slices of x along ``axis`` (the flattened x for None) where the 1-d
    condition is true; a condition shorter than the axis selects among its first entries."""
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
    """np.fill_diagonal without wrap: a copy of a with val (a scalar, cast to a's dtype) at
    a[i, i, ..., i]; arrays of more than 2 dimensions must have equal sizes. Gradients flow to
    a (zero on the diagonal) and to val (the sum of the diagonal's gradient)."""
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
    """Theano's fill_diagonal_offset: a copy of the matrix a with the scalar val on the
    diagonal ``offset`` (an int or an integer scalar variable; > 0 above the main diagonal)."""
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
    """A matrix with a one at (i, y[i]) for the integer vector y and zeros elsewhere, of
    nb_class columns; dtype defaults to config.floatX."""
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
    """np.unravel_index: the tuple of index arrays into an array of shape ``dims`` (ints, or
    an integer vector of static length) addressed by the flat ``indices``; an index outside
    the array raises ValueError naming unravel_index and the line that built it."""
    out = build("unravel_index", indices, _dims_vector(dims, "unravel_index"), order=order)
    return tuple(out) if isinstance(out, list) else (out,)


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """np.ravel_multi_index: the flat indices into an array of shape ``dims`` of the tuple of
    (broadcast) index arrays; out-of-range indices raise, wrap or clip as ``mode`` (one name or
    one per dimension) says."""
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
    """np.roll: x with its elements shifted by ``shift`` (an int, an integer scalar variable,
    or a tuple with one per axis) along ``axis``, wrapping around; the flattened x for None."""
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
    """np.nonzero: a tuple with one int64 vector per dimension of a, the indices of the
    nonzero elements in C order; Theano's return_matrix=True stacks them into one matrix."""
    out = build("nonzero", a)
    out = tuple(out) if isinstance(out, list) else (out,)
    return stack(list(out)) if return_matrix else out


def flatnonzero(a):
    """np.flatnonzero: the indices of the nonzero elements of the flattened a."""
    return build("nonzero", as_tensor_variable(a).flatten())


def nonzero_values(a):
    """The nonzero elements of a, flattened (a[a != 0] in C order)."""
    flat = as_tensor_variable(a).flatten()
    return take(flat, build("nonzero", flat))


def choose(a, choices, out=None, mode="raise"):
    """np.choose: out[i] = choices[a[i]][i], a and the choices broadcast against each other.
    ``choices`` is a list of arrays or one array whose first axis lists them. With mode
    'raise' an index outside the choices raises ValueError naming choose and the user's
    line; 'wrap' and 'clip' bring it back in range. The gradient flows to the choices."""
    if out is not None:
        raise fail(ValueError, "choose", "out= is not supported (results are new arrays)")
    if isinstance(choices, (list, tuple)):
        if not choices:
            raise fail(ValueError, "choose", "there are no choices")
        choices = stack(broadcast_arrays(*choices))
    return build("choose", a, choices, mode=mode)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """np.partition's contract (the k-th element in its sorted place, smaller ones before it,
    larger after) met by a full sort: np.sort's result is one of the arrays np.partition may
    return. kth is checked against the axis as NumPy does."""
    return _partitioned(sort, "partition", a, kth, axis, order)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """np.argpartition's contract met by a stable argsort (see partition)."""
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


