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
    """An int64 vector Variable from an int, a sequence mixing ints and integer scalar
    Variables, an integer vector Variable or an array."""
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
    """x.shape as a symbolic int64 vector."""
    return build("shape", x)


def shape_i(x, i):
    """x.shape[i] as a symbolic int64 scalar."""
    return build("shape_i", x, i=int(i))


def size(x):
    """The number of elements of x, a symbolic int64 scalar."""
    return build("size", x)


def make_vector(*elements, dtype=None):
    """Stacks scalar variables (or numbers) into a vector."""
    return build("make_vector", *elements, dtype=dtype)


def reshape(x, newshape, ndim=None):
    """x with shape ``newshape`` (an int, a tuple of ints and integer scalar Variables, or an
    integer vector Variable; one entry may be -1). ``ndim`` is needed only when newshape is a
    vector of unknown length."""
    x = as_tensor_variable(x)
    return build("reshape", x, shape_vector(newshape), ndim=ndim)


def flatten(x, ndim=1, outdim=None):
    """Theano's flatten: keeps the first ndim-1 dimensions, folds the rest into the last."""
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
    """Theano's dimshuffle: ``pattern`` lists input dimensions and 'x' for new broadcastable
    ones (as arguments or one list); dimensions left out must have static size 1."""
    return build("dimshuffle", x, pattern=_pattern(pattern))


def _axes(axis):
    if axis is None:
        return None
    if _is_int(axis):
        return [int(axis)]
    return [int(a) for a in axis]


def transpose(x, axes=None):
    """NumPy's transpose: reverses the dimensions, or permutes them by ``axes`` (a view)."""
    return build("transpose", x, axes=_axes(axes))


def swapaxes(x, axis1, axis2):
    """x with the dimensions `axis1` and `axis2` exchanged (a view), as np.swapaxes."""
    return build("swapaxes", x, axis1=int(axis1), axis2=int(axis2))


def squeeze(x, axis=None):
    """Drops dimensions of size 1: with axis=None those of static size 1 (Theano's rule); with
    explicit axes also those of unknown size, checked to be 1 at run time."""
    return build("squeeze", x, axis=_axes(axis))


def expand_dims(x, axis):
    """NumPy's expand_dims: new dimensions of size 1 at ``axis`` (an int or a tuple)."""
    return build("expand_dims", x, axis=_axes(axis))


def specify_shape(x, shape):
    """x, with its static shape set from ``shape`` (None or -1 entries leave a dimension
    unknown), checked at run time."""
    if isinstance(shape, (list, tuple)):
        shape = [-1 if s is None else s for s in shape]
    return build("specify_shape", x, shape_vector(shape))
