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
    """``value`` broadcast to a new array of shape ``shape`` (ints or integer scalar
    Variables; a single tuple is accepted too)."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return build("alloc", value, *_shape_entries(shape))


def zeros(shape, dtype=None):
    """An array of zeros; dtype defaults to config.floatX."""
    return build("zeros", *_shape_entries(shape), dtype=_dtype(dtype))


def ones(shape, dtype=None):
    """An array of ones; dtype defaults to config.floatX."""
    return build("ones", *_shape_entries(shape), dtype=_dtype(dtype))


def full(shape, fill_value, dtype=None):
    """NumPy's full: dtype defaults to that of fill_value."""
    return build("full", fill_value, *_shape_entries(shape), dtype=_dtype(dtype))


def _weak(value, like):
    """A Python number as a NumPy 2 weak scalar next to ``like``; other values as is."""
    if type(value) in (bool, int, float):
        return _core.weak_constant(value, like.dtype, user_location())
    return as_tensor_variable(value)


def fill(model, value):
    """Theano's fill: ``value`` broadcast to the shape of ``model`` (with value's dtype; a
    Python number takes model's dtype where its kind allows)."""
    model = as_tensor_variable(model)
    return build("fill", model, _weak(value, model))


second = fill


def zeros_like(x, dtype=None):
    """An array of zeros of the shape of x (and its dtype unless `dtype`), as np.zeros_like."""
    return build("zeros_like", x, dtype=_dtype(dtype))


def ones_like(x, dtype=None):
    """An array of ones of the shape of x (and its dtype unless `dtype`), as np.ones_like."""
    return build("ones_like", x, dtype=_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    """An array of the shape of x filled with `fill_value` (x's dtype unless `dtype`), as np.full_like."""
    return build("full_like", x, fill_value, dtype=_dtype(dtype))


def eye(n, m=None, k=0, dtype=None):
    """An n x m matrix with ones on diagonal k; dtype defaults to config.floatX."""
    return build("eye", n, n if m is None else m, k, dtype=_dtype(dtype))


def identity_like(x, dtype=None):
    """The identity matrix of the shape of the matrix x (ones on the diagonal), Theano's identity_like."""
    x = as_tensor_variable(x)
    return eye(build("shape_i", x, i=0), build("shape_i", x, i=1), 0,
               dtype=dtype or x.dtype)


def arange(start, stop=None, step=1, dtype=None):
    """NumPy's arange (arguments may be symbolic scalars). dtype None: int64 when every
    argument is an integer, float64 otherwise (NumPy 2's rule)."""
    if stop is None:
        start, stop = 0, start
    return build("arange", start, stop, step, dtype=_dtype(dtype))


def tile(x, reps):
    """NumPy's tile with integer repetitions."""
    if _is_int(reps):
        reps = (reps,)
    reps = list(reps)
    if any(isinstance(r, Variable) for r in reps):
        raise NotImplementedError("tile: symbolic repetitions are not supported; pass ints")
    return build("tile", x, reps=[int(r) for r in reps])


def repeat(x, repeats, axis=None):
    """NumPy's repeat: repeats is an int or an integer vector (a Variable allowed)."""
    if not isinstance(repeats, Variable):
        repeats = np.asarray(repeats)
        if repeats.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must be integers, got dtype {repeats.dtype}")
        repeats = repeats.astype(np.int64)
        if repeats.ndim > 1:
            raise ValueError(f"repeat: repeats must be an int or a 1-d sequence, got shape "
                             f"{repeats.shape}")
    return build("repeat", x, repeats, axis=None if axis is None else int(axis))
