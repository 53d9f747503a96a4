"""The alloc family of theon.tensor (C++ in src/ops/alloc/): alloc, zeros, ones, full,
fill, zeros_like, ones_like, full_like, eye, arange, tile, repeat."""

import numbers

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import Variable, as_tensor_variable, build

__all__ = ["alloc", "zeros", "ones", "full", "fill", "second", "zeros_like", "ones_like",
           "full_like", "eye", "identity_like", "arange", "tile", "repeat"]


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _shape_entries(shape):
    """Shape inputs for Alloc: ints and integer scalar Variables, or one integer vector."""
    if isinstance(shape, Variable) or _is_int(shape):
        return [shape]
    if isinstance(shape, np.ndarray):
        shape = shape.reshape(-1).tolist()
    out = []
    for e in shape:
        if _is_int(e):
            out.append(int(e))
        elif isinstance(e, Variable):
            out.append(e)
        else:
            raise TypeError(f"shape entries must be ints or integer scalar Variables, got {e!r}")
    return out


def _dtype(dtype):
    return None if dtype is None else np.dtype(dtype).name


def alloc(value, *shape):
    """``value`` broadcast to a new array of shape ``shape``.

    Parameters
    ----------
    value : Variable, array_like or number
        Broadcast to the shape.
    *shape : int or integer scalar Variable
        The sizes (a single tuple is accepted too).

    Returns
    -------
    Variable
        Of value's dtype.

    Examples
    --------
    >>> n = T.lscalar('n')
    >>> theon.function([n], T.alloc(7., 2, n))(3)
    array([[7., 7., 7.],
           [7., 7., 7.]])
    """
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return build("alloc", value, *_shape_entries(shape))


def zeros(shape, dtype=None):
    """An array of zeros (np.zeros).

    Parameters
    ----------
    shape : int, sequence or integer vector Variable
        Ints and integer scalar Variables.
    dtype : str
        Default config.floatX.

    Returns
    -------
    Variable

    Examples
    --------
    >>> theon.function([], T.zeros((2, 3), dtype='int32'))()
    array([[0, 0, 0],
           [0, 0, 0]], dtype=int32)
    """
    return build("zeros", *_shape_entries(shape), dtype=_dtype(dtype))


def ones(shape, dtype=None):
    """An array of ones (np.ones).

    Parameters
    ----------
    shape : int, sequence or integer vector Variable
        Ints and integer scalar Variables.
    dtype : str
        Default config.floatX.

    Returns
    -------
    Variable

    Examples
    --------
    >>> theon.function([], T.ones(3))()
    array([1., 1., 1.])
    """
    return build("ones", *_shape_entries(shape), dtype=_dtype(dtype))


def full(shape, fill_value, dtype=None):
    """An array filled with ``fill_value`` (np.full).

    Parameters
    ----------
    shape : int, sequence or integer vector Variable
        Ints and integer scalar Variables.
    fill_value : Variable, array_like or number
        The value, broadcast.
    dtype : str
        Default: that of fill_value.

    Returns
    -------
    Variable

    Examples
    --------
    >>> theon.function([], T.full((2,), 5))()
    array([5, 5])
    """
    return build("full", fill_value, *_shape_entries(shape), dtype=_dtype(dtype))


def _weak(value, like):
    """A Python number as a NumPy 2 weak scalar next to ``like``; other values as is."""
    if type(value) in (bool, int, float):
        return _core.weak_constant(value, like.dtype, user_location())
    return as_tensor_variable(value)


def fill(model, value):
    """Theano's fill: ``value`` broadcast to the shape of ``model``.

    Parameters
    ----------
    model : Variable or array_like
        Gives the shape.
    value : Variable, array_like or number
        Gives the values and dtype; a Python number takes model's dtype where its kind allows.

    Returns
    -------
    Variable
        Of the broadcast shape.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.fill(x, 2))(np.zeros((1, 2)))
    array([[2., 2.]])
    """
    model = as_tensor_variable(model)
    return build("fill", model, _weak(value, model))


second = fill


def zeros_like(x, dtype=None):
    """An array of zeros of the shape of ``x`` (np.zeros_like).

    Parameters
    ----------
    x : Variable or array_like
        The model.
    dtype : str
        Default: x's dtype.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.zeros_like(x))([5., 6.])
    array([0., 0.])
    """
    return build("zeros_like", x, dtype=_dtype(dtype))


def ones_like(x, dtype=None):
    """An array of ones of the shape of ``x`` (np.ones_like).

    Parameters
    ----------
    x : Variable or array_like
        The model.
    dtype : str
        Default: x's dtype.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.ones_like(x, dtype='int64'))([5., 6.])
    array([1, 1])
    """
    return build("ones_like", x, dtype=_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    """An array of the shape of ``x`` filled with ``fill_value`` (np.full_like).

    Parameters
    ----------
    x : Variable or array_like
        The model.
    fill_value : Variable, array_like or number
        The value.
    dtype : str
        Default: x's dtype.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.full_like(x, 3))([5., 6.])
    array([3., 3.])
    """
    return build("full_like", x, fill_value, dtype=_dtype(dtype))


def eye(n, m=None, k=0, dtype=None):
    """An ``n`` x ``m`` matrix with ones on the diagonal ``k`` (np.eye).

    Parameters
    ----------
    n, m : int or integer scalar Variable
        The number of rows and columns (m defaults to n).
    k : int
        The diagonal: > 0 above the main one.
    dtype : str
        Default config.floatX.

    Returns
    -------
    Variable
        A matrix.

    Examples
    --------
    >>> theon.function([], T.eye(2, 3, k=1))()
    array([[0., 1., 0.],
           [0., 0., 1.]])
    """
    return build("eye", n, n if m is None else m, k, dtype=_dtype(dtype))


def identity_like(x, dtype=None):
    """The identity matrix of the shape of the matrix ``x`` (Theano's identity_like).

    Parameters
    ----------
    x : matrix Variable
        Gives the shape.
    dtype : str
        Default: x's dtype.

    Returns
    -------
    Variable
        Ones on the diagonal.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.identity_like(x))(np.zeros((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    x = as_tensor_variable(x)
    return eye(build("shape_i", x, i=0), build("shape_i", x, i=1), 0,
               dtype=dtype or x.dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (np.arange).

    Parameters
    ----------
    start, stop, step : number or scalar Variable
        As np.arange; with stop None, the range is [0, start).
    dtype : str
        None: int64 when every argument is an integer, float64 otherwise (NumPy 2's rule).

    Returns
    -------
    Variable
        A vector.

    Examples
    --------
    >>> n = T.lscalar('n')
    >>> theon.function([n], T.arange(1, n, 2))(7)
    array([1, 3, 5])
    """
    if stop is None:
        start, stop = 0, start
    return build("arange", start, stop, step, dtype=_dtype(dtype))


def tile(x, reps):
    """``x`` repeated ``reps`` times along each axis (np.tile).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    reps : int or sequence of int
        The repetitions.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.tile(x, 2))([1., 2.])
    array([1., 2., 1., 2.])
    """
    if _is_int(reps):
        reps = (reps,)
    reps = list(reps)
    if any(isinstance(r, Variable) for r in reps):
        raise NotImplementedError("tile: symbolic repetitions are not supported; pass ints")
    return build("tile", x, reps=[int(r) for r in reps])


def repeat(x, repeats, axis=None):
    """Each element of ``x`` repeated (np.repeat).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    repeats : int or integer vector (Variable allowed)
        One count, or one per element along the axis.
    axis : int or None
        None: the flattened x.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.repeat(x, [1, 3]))([1., 2.])
    array([1., 2., 2., 2.])
    """
    if not isinstance(repeats, Variable):
        repeats = np.asarray(repeats)
        if repeats.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must be integers, got dtype {repeats.dtype}")
        repeats = repeats.astype(np.int64)
        if repeats.ndim > 1:
            raise ValueError(f"repeat: repeats must be an int or a 1-d sequence, got shape "
                             f"{repeats.shape}")
    return build("repeat", x, repeats, axis=None if axis is None else int(axis))
