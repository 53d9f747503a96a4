"""The shape family of theon.tensor (C++ in src/ops/shape.cpp): shape, shape_i, reshape,
flatten, dimshuffle, transpose, swapaxes, squeeze, expand_dims, specify_shape."""

import numbers

import numpy as np

from theon.tensor._build import Variable, as_tensor_variable, build, constant

__all__ = ["shape", "shape_i", "size", "make_vector", "reshape", "flatten", "dimshuffle",
           "transpose", "swapaxes", "squeeze", "expand_dims", "specify_shape", "shape_vector"]


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def shape_vector(shape):
    """A shape as an int64 vector Variable.

    Parameters
    ----------
    shape : int, sequence, integer vector Variable or array
        Ints and integer scalar Variables may be mixed.

    Returns
    -------
    Variable
        An int64 vector.

    Examples
    --------
    >>> n = T.lscalar('n')
    >>> theon.function([n], T.shape_vector((2, n)))(5)
    array([2, 5])
    """
    if isinstance(shape, Variable):
        return build("make_vector", shape, dtype="int64") if shape.ndim == 0 else shape
    if _is_int(shape):
        shape = (shape,)
    if isinstance(shape, np.ndarray):
        if shape.ndim > 1:
            raise ValueError(f"a shape must be 1-d, got an array of shape {shape.shape}")
        shape = shape.reshape(-1).tolist()
    try:
        items = list(shape)
    except TypeError:
        raise TypeError(f"a shape must be an int, a sequence or a Variable, got "
                        f"{type(shape).__name__}") from None
    for e in items:
        if not (_is_int(e) or isinstance(e, Variable)):
            raise TypeError(f"shape entries must be ints or integer scalar Variables, got {e!r}")
    if not any(isinstance(e, Variable) for e in items):
        return constant(np.array([int(e) for e in items], dtype=np.int64))
    return build("make_vector", *[e if isinstance(e, Variable) else int(e) for e in items],
                 dtype="int64")


def shape(x):
    """``x.shape`` as a symbolic int64 vector.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        An int64 vector of length x.ndim.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.shape(x))(np.zeros((2, 3)))
    array([2, 3])
    """
    return build("shape", x)


def shape_i(x, i):
    """``x.shape[i]`` as a symbolic int64 scalar.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    i : int
        The dimension.

    Returns
    -------
    Variable
        An int64 scalar.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.shape_i(x, 1))(np.zeros((2, 3)))
    array(3)
    """
    return build("shape_i", x, i=int(i))


def size(x):
    """The number of elements of ``x``, a symbolic int64 scalar.

    Parameters
    ----------
    x : Variable or array_like
        The input.

    Returns
    -------
    Variable
        An int64 scalar.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.size(x))(np.zeros((2, 3)))
    array(6)
    """
    return build("size", x)


def make_vector(*elements, dtype=None):
    """Stacks scalar variables (or numbers) into a vector.

    Parameters
    ----------
    *elements : scalar Variable or number
        The entries.
    dtype : str
        The vector's dtype (default: the entries' promoted).

    Returns
    -------
    Variable
        A vector of len(elements) entries.

    Examples
    --------
    >>> a, b = T.lscalars('a', 'b')
    >>> theon.function([a, b], T.make_vector(a, b, 7))(1, 2)
    array([1, 2, 7])
    """
    return build("make_vector", *elements, dtype=dtype)


def reshape(x, newshape, ndim=None):
    """``x`` with the shape ``newshape`` (np.reshape).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    newshape : int, tuple or integer vector Variable
        Ints and integer scalar Variables; one entry may be -1.
    ndim : int
        Needed only when newshape is a vector of unknown length.

    Returns
    -------
    Variable
        The same elements in C order.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.reshape(x, (2, -1)))(np.arange(6.))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    x = as_tensor_variable(x)
    return build("reshape", x, shape_vector(newshape), ndim=ndim)


def flatten(x, ndim=1, outdim=None):
    """Theano's flatten: keeps the first ``ndim - 1`` dimensions and folds the rest into the last.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    ndim : int
        The result's number of dimensions.
    outdim : int
        Theano's old name of ndim.

    Returns
    -------
    Variable
        Of ``ndim`` dimensions.

    Examples
    --------
    >>> x = T.dtensor3('x')
    >>> theon.function([x], T.flatten(x, 2))(np.zeros((2, 3, 4))).shape
    (2, 12)
    """
    if outdim is not None:
        ndim = outdim
    return build("flatten", x, ndim=int(ndim))


def _pattern(pattern):
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = pattern[0]
    out = []
    for p in pattern:
        if p == "x":
            out.append(-1)
        elif _is_int(p) and p >= 0:
            out.append(int(p))
        else:
            raise ValueError(f"DimShuffle: pattern entries must be non-negative ints or 'x', "
                             f"got {p!r}")
    return out


def dimshuffle(x, *pattern):
    """Theano's dimshuffle: reorders dimensions and inserts broadcastable ones.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    *pattern : int or 'x'
        Input dimensions in their new order and 'x' for new ones of size 1 (as arguments or one
        list); dimensions left out must have static size 1.

    Returns
    -------
    Variable
        A view of x.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> T.dimshuffle(x, 1, 'x', 0).type
    TensorType(float64, shape=(None, 1, None))
    """
    return build("dimshuffle", x, pattern=_pattern(pattern))


def _axes(axis):
    if axis is None:
        return None
    if _is_int(axis):
        return [int(axis)]
    return [int(a) for a in axis]


def transpose(x, axes=None):
    """NumPy's transpose: reverses the dimensions, or permutes them by ``axes``.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axes : sequence of int
        The new order (default: reversed).

    Returns
    -------
    Variable
        A view of x.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.transpose(x))([[1., 2.]])
    array([[1.],
           [2.]])
    """
    return build("transpose", x, axes=_axes(axes))


def swapaxes(x, axis1, axis2):
    """``x`` with the dimensions ``axis1`` and ``axis2`` exchanged (np.swapaxes).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis1, axis2 : int
        The two dimensions.

    Returns
    -------
    Variable
        A view of x.

    Examples
    --------
    >>> x = T.dtensor3('x')
    >>> theon.function([x], T.swapaxes(x, 0, 2))(np.zeros((1, 2, 3))).shape
    (3, 2, 1)
    """
    return build("swapaxes", x, axis1=int(axis1), axis2=int(axis2))


def squeeze(x, axis=None):
    """Drops dimensions of size 1.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or tuple of int
        None: those of static size 1 (Theano's rule); explicit axes: also those of unknown size,
        checked to be 1 at run time.

    Returns
    -------
    Variable
        A view of x.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.squeeze(x, axis=0))([[1., 2.]])
    array([1., 2.])
    """
    return build("squeeze", x, axis=_axes(axis))


def expand_dims(x, axis):
    """NumPy's expand_dims: new dimensions of size 1 at ``axis``.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : int or tuple of int
        Their positions in the result.

    Returns
    -------
    Variable
        A view of x.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> T.expand_dims(x, 0).type
    TensorType(float64, shape=(1, None))
    """
    return build("expand_dims", x, axis=_axes(axis))


def specify_shape(x, shape):
    """``x`` with its static shape set from ``shape``, checked at run time.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    shape : sequence or integer vector Variable
        None or -1 entries leave a dimension unknown.

    Returns
    -------
    Variable
        x with the static shape; a function raises when the value's shape differs.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> T.specify_shape(x, (2, None)).type
    TensorType(float64, shape=(2, None))
    """
    if isinstance(shape, (list, tuple)):
        shape = [-1 if s is None else s for s in shape]
    return build("specify_shape", x, shape_vector(shape))
