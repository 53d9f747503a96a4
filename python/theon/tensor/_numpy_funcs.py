"""NumPy functions composed from Theon's ops (so gradients, fusion and every backend come from
the parts): tri/tril/triu, diagonal/diag, linspace, meshgrid, broadcast_to/broadcast_arrays,
isclose/allclose and nan_to_num. Each keeps NumPy's values exactly, NaN, infinities and -0.0
included: masks select with switch rather than multiply."""

import numbers
import operator

import numpy as np

from theon._location import user_location
from theon.tensor._alloc import alloc, arange, zeros
from theon.tensor._build import Variable, as_tensor_variable, build, build_elemwise
from theon.tensor._math import (abs as _abs, and_, eq, ge, isfinite, isinf, isnan, le, maximum,
                                minimum, or_, switch)
from theon.tensor._reduce import all as _all, any as _any
from theon.tensor._shape import dimshuffle
from theon.tensor._subtensor import set_subtensor

__all__ = ["tri", "tril", "triu", "diagonal", "diag", "linspace", "meshgrid", "broadcast_to",
           "broadcast_arrays", "isclose", "allclose", "nan_to_num"]


def fail(cls, who, message):
    """An exception of type ``cls`` naming the function and the user's line."""
    return cls(f"{who}: {message}, at {user_location()}")


def axis_index(who, axis, ndim):
    """``axis`` (an int, negative counting from the end) as 0..ndim-1, or an AxisError-like
    ValueError naming the function and the user's line."""
    try:
        axis = operator.index(axis)
    except TypeError:
        raise fail(TypeError, who, f"axis must be an int, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise fail(ValueError, who, f"axis {axis} is out of bounds for an array of dimension "
                   f"{ndim}")
    return axis % ndim


def _float_dtype(dtype):
    return dtype if np.dtype(dtype).kind == "f" else "float64"


# ---------------------------------------------------------------------------- triangles
def tri(N, M=None, k=0, dtype=None):
    """An N x M array with ones at and below the k-th diagonal (np.tri).

    Parameters
    ----------
    N, M : int or integer scalar Variable
        The rows and columns (M defaults to N).
    k : int or integer scalar Variable
        The diagonal: > 0 above the main one.
    dtype : str
        Default config.floatX.

    Returns
    -------
    Variable
        A matrix.

    Examples
    --------
    >>> theon.function([], T.tri(2, 3))()
    array([[1., 0., 0.],
           [1., 1., 0.]])
    """
    from theon import config

    M = N if M is None else M
    rows = dimshuffle(arange(N), 0, "x")
    cols = dimshuffle(arange(M), "x", 0)
    return build("cast", ge(rows + k, cols), dtype=np.dtype(dtype or config.floatX).name)


def _triangle(who, m, k, lower):
    m = as_tensor_variable(m)
    if m.ndim < 2:
        raise fail(ValueError, who, f"expected an array of at least 2 dimensions, got {m.type}")
    rows = dimshuffle(arange(m.shape[-2]), 0, "x")
    cols = dimshuffle(arange(m.shape[-1]), "x", 0)
    keep = ge(rows + k, cols) if lower else le(rows + k, cols)
    return build_elemwise("switch", keep, m, False if m.dtype == "bool" else 0)


def tril(m, k=0):
    """``m`` with the elements above the k-th diagonal zeroed (np.tril; the last two axes).

    Parameters
    ----------
    m : Variable or array_like
        At least 2-d.
    k : int
        The diagonal.

    Returns
    -------
    Variable
        Of m's shape.

    Examples
    --------
    >>> m = T.dmatrix('m')
    >>> theon.function([m], T.tril(m))([[1., 2.], [3., 4.]])
    array([[1., 0.],
           [3., 4.]])
    """
    return _triangle("tril", m, k, True)


def triu(m, k=0):
    """``m`` with the elements below the k-th diagonal zeroed (np.triu; the last two axes).

    Parameters
    ----------
    m : Variable or array_like
        At least 2-d.
    k : int
        The diagonal.

    Returns
    -------
    Variable
        Of m's shape.

    Examples
    --------
    >>> m = T.dmatrix('m')
    >>> theon.function([m], T.triu(m))([[1., 2.], [3., 4.]])
    array([[1., 2.],
           [0., 4.]])
    """
    return _triangle("triu", m, k, False)


# ---------------------------------------------------------------------------- diagonals
def _diagonal_length(n1, n2, offset):
    """min(n1 - max(-offset, 0), n2 - max(offset, 0)), at least 0, for int or symbolic
    sizes and a static offset."""
    a = n1 - max(-offset, 0)
    b = n2 - max(offset, 0)
    if isinstance(a, numbers.Integral) and isinstance(b, numbers.Integral):
        return max(min(a, b), 0)
    return maximum(minimum(a, b), 0)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """A diagonal of ``a`` (np.diagonal), as the last axis of the result.

    Parameters
    ----------
    a : Variable or array_like
        At least 2-d.
    offset : int
        > 0 above the main diagonal.
    axis1, axis2 : int
        The axes of the diagonal.

    Returns
    -------
    Variable
        A copy rather than NumPy's read-only view.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.diagonal(a, 1))([[1., 2., 3.], [4., 5., 6.]])
    array([2., 6.])
    """
    a = as_tensor_variable(a)
    if a.ndim < 2:
        raise fail(ValueError, "diagonal", f"expected an array of at least 2 dimensions, got "
                   f"{a.type}")
    offset = operator.index(offset)
    axis1 = axis_index("diagonal", axis1, a.ndim)
    axis2 = axis_index("diagonal", axis2, a.ndim)
    if axis1 == axis2:
        raise fail(ValueError, "diagonal", "axis1 and axis2 cannot be the same")
    rest = [d for d in range(a.ndim) if d not in (axis1, axis2)]
    moved = dimshuffle(a, *(rest + [axis1, axis2]))
    sizes = [s if s is not None else a.shape[d]
             for d, s in zip((axis1, axis2), (a.static_shape[axis1], a.static_shape[axis2]))]
    i = arange(_diagonal_length(sizes[0], sizes[1], offset))
    key = (slice(None),) * len(rest) + (i + max(-offset, 0), i + max(offset, 0))
    return moved[key]


def diag(v, k=0):
    """A diagonal of a matrix, or a matrix with ``v`` on a diagonal (np.diag).

    Parameters
    ----------
    v : Variable or array_like
        A matrix or a vector.
    k : int
        The diagonal.

    Returns
    -------
    Variable
        A vector for a matrix; a square matrix (zeros elsewhere) for a vector.

    Examples
    --------
    >>> v = T.dvector('v')
    >>> theon.function([v], T.diag(v))([1., 2.])
    array([[1., 0.],
           [0., 2.]])
    """
    v = as_tensor_variable(v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise fail(ValueError, "diag", f"expected a vector or a matrix, got {v.type}")
    n = v.shape[0] + abs(k)
    i = arange(v.shape[0])
    out = zeros((n, n), dtype=v.dtype)
    return set_subtensor(out[i + max(-k, 0), i + max(k, 0)], v)


# ---------------------------------------------------------------------------- grids
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (np.linspace).

    Parameters
    ----------
    start, stop : number, array_like or Variable
        Arrays add dimensions after the new axis.
    num : int
        How many values.
    endpoint : bool
        Include stop.
    retstep : bool
        Also return the step.
    dtype : str
        With an integer dtype the values are floored.
    axis : int
        Where the new axis goes.

    Returns
    -------
    Variable or tuple
        The values (computed as NumPy computes them, so they agree to the last bit), and the step
        with retstep.

    Examples
    --------
    >>> theon.function([], T.linspace(0., 1., 5))()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    num = operator.index(num)
    if num < 0:
        raise fail(ValueError, "linspace", f"num must be non-negative, got {num}")
    strong = [np.dtype(as_tensor_variable(v).dtype) for v in (start, stop)
              if type(v) not in (bool, int, float)]
    dt = _float_dtype(np.result_type(*strong).name) if strong else "float64"
    start, stop = as_tensor_variable(start), as_tensor_variable(stop)
    start, stop = build("cast", start, dtype=dt), build("cast", stop, dtype=dt)
    div = num - 1 if endpoint else num
    delta = stop - start
    nd = max(start.ndim, stop.ndim)
    y = dimshuffle(arange(0, num, dtype=dt), *([0] + ["x"] * nd))
    if div > 0:
        step = delta / div
        y = switch(_any(eq(step, 0)), y / div * delta, y * step)
    else:
        step = as_tensor_variable(np.array(np.nan, dtype=dt))
        y = y * delta
    y = y + start
    if endpoint and num > 1:
        y = set_subtensor(y[-1], stop)
    if axis != 0:
        axis = axis_index("linspace", axis, y.ndim)
        order = list(range(1, y.ndim))
        order.insert(axis, 0)
        y = dimshuffle(y, *order)
    if dtype is not None:
        target = np.dtype(dtype)
        if target.kind in "iu":
            y = build("floor", y)
        y = build("cast", y, dtype=target.name)
    return (y, step) if retstep else y


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from 1-d coordinate vectors (np.meshgrid).

    Parameters
    ----------
    *xi : vector Variable or array_like
        The coordinates.
    copy : bool
        Accepted for NumPy's signature.
    sparse : bool
        Keep size-1 dimensions instead of copies.
    indexing : {'xy', 'ij'}
        'xy' (Cartesian) swaps the first two output axes, 'ij' does not.

    Returns
    -------
    list of Variable
        One array per input.

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> theon.function([x, y], T.meshgrid(x, y))([1., 2., 3.], [4., 5.])
    [array([[1., 2., 3.],
           [1., 2., 3.]]), array([[4., 4., 4.],
           [5., 5., 5.]])]
    """
    if indexing not in ("xy", "ij"):
        raise fail(ValueError, "meshgrid", f"indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [as_tensor_variable(x) for x in xi]
    xs = [x if x.ndim == 1 else x.flatten() for x in xs]
    nd = len(xs)
    out = []
    for i, x in enumerate(xs):
        axis = i
        if indexing == "xy" and nd > 1 and i < 2:
            axis = 1 - i
        out.append(dimshuffle(x, *[0 if d == axis else "x" for d in range(nd)]))
    if indexing == "xy" and nd > 1:
        sizes = [xs[1].shape[0], xs[0].shape[0]] + [x.shape[0] for x in xs[2:]]
    else:
        sizes = [x.shape[0] for x in xs]
    if not sparse:
        out = [alloc(o, *sizes) for o in out]
    return out


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (np.broadcast_to).

    It is repeated along its size-1 (or missing leading) dimensions.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    shape : sequence of int or integer scalar Variable
        The target shape.

    Returns
    -------
    Variable
        A copy rather than NumPy's read-only view.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.broadcast_to(x, (2, 3)))([1., 2., 3.])
    array([[1., 2., 3.],
           [1., 2., 3.]])
    """
    x = as_tensor_variable(x)
    if isinstance(shape, Variable) and shape.ndim == 1:
        n = shape.static_shape[0]
        if n is None:
            raise fail(ValueError, "broadcast_to", "the length of a shape vector must be "
                       "known when the graph is built")
        shape = [shape[i] for i in range(n)]
    shape = [shape] if isinstance(shape, (numbers.Integral, Variable)) else list(shape)
    if len(shape) < x.ndim:
        raise fail(ValueError, "broadcast_to", f"cannot broadcast {x.type} to a shape of "
                   f"{len(shape)} dimensions")
    return alloc(x, *shape)


def broadcast_arrays(*args):
    """The arguments broadcast against each other (np.broadcast_arrays).

    Parameters
    ----------
    *args : Variable or array_like
        The arrays.

    Returns
    -------
    list of Variable
        Copies, of the broadcast shape.

    Examples
    --------
    >>> x, y = T.dcol('x'), T.dvector('y')
    >>> f = theon.function([x, y], T.broadcast_arrays(x, y))
    >>> [a.shape for a in f([[1.], [2.]], [1., 2., 3.])]
    [(2, 3), (2, 3)]
    """
    xs = [as_tensor_variable(a) for a in args]
    if len(xs) < 2:
        return xs
    nd = max(x.ndim for x in xs)
    # The broadcast shape is read from the shape of an elementwise sum; only its shape is
    # computed (the shape rewrites never compute the sum itself).
    model = xs[0]
    for x in xs[1:]:
        model = build_elemwise("add", build("cast", model, dtype="bool"),
                               build("cast", x, dtype="bool"))
    return [alloc(x, *[model.shape[d] for d in range(nd)]) for x in xs]


# ---------------------------------------------------------------------------- comparisons
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where ``a`` and ``b`` are equal within a tolerance (np.isclose).

    Parameters
    ----------
    a, b : Variable or array_like
        Compared in float, as NumPy does.
    rtol, atol : float
        ``abs(a - b) <= atol + rtol * abs(b)`` where b is finite, else a == b (equal infinities are
        close).
    equal_nan : bool
        NaNs are close to each other.

    Returns
    -------
    Variable
        bool, of the broadcast shape.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.isclose(a, [1., 2., np.nan]))([1. + 1e-9, 2.1, np.nan])
    array([ True, False, False])
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if np.dtype(b.dtype).kind != "f":
        b = build("cast", b, dtype=np.result_type(np.dtype(b.dtype), 1.0).name)
    close = and_(le(_abs(a - b), atol + rtol * _abs(b)), isfinite(b))
    out = or_(close, eq(a, b))
    if equal_nan:
        out = or_(out, and_(isnan(a), isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of ``a`` is close to ``b`` (np.allclose).

    Parameters
    ----------
    a, b : Variable or array_like
        The arrays.
    rtol, atol : float
        As for isclose.
    equal_nan : bool
        NaNs are close to each other.

    Returns
    -------
    Variable
        A 0-d bool.

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.allclose(a, [1., 2.]))([1., 2. + 1e-9])
    array(True)
    """
    return _all(isclose(a, b, rtol, atol, equal_nan))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``x`` with NaN and infinities replaced by numbers (np.nan_to_num).

    Parameters
    ----------
    x : Variable or array_like
        Integer and bool inputs are returned unchanged.
    copy : bool
        Accepted for NumPy's signature.
    nan : float
        Replaces NaN.
    posinf, neginf : float
        Replace +inf and -inf (default: the largest and most negative finite values of x's dtype).

    Returns
    -------
    Variable
        Of x's shape and dtype.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.nan_to_num(x, posinf=9.))([np.nan, np.inf, 1.])
    array([0., 9., 1.])
    """
    x = as_tensor_variable(x)
    if np.dtype(x.dtype).kind != "f":
        return x
    info = np.finfo(x.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    fill = [np.asarray(v, dtype=x.dtype) for v in (nan, posinf, neginf)]
    out = switch(isnan(x), fill[0], x)
    out = switch(and_(isinf(x), x > 0), fill[1], out)
    return switch(and_(isinf(x), x < 0), fill[2], out)

