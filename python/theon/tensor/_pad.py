"""np.pad as a composition: 'constant' writes x into a new array of the fill value
(set_subtensor), the other modes gather along each axis with an index vector computed from the
axis length (edge: clipped, wrap: modulo, reflect and symmetric: folded modulo their period),
so gradients come from the indexing ops. Pad widths are ints known when the graph is built."""


import numpy as np

from theon.tensor._alloc import alloc, arange
from theon.tensor._build import as_tensor_variable, build
from theon.tensor._math import clip, ge, maximum, mod, switch
from theon.tensor._numpy_funcs import fail
from theon.tensor._subtensor import set_subtensor, take

__all__ = ["pad"]

MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _widths(pad_width, ndim):
    """((before, after), ...) for every axis, from NumPy's int / (b, a) / ((b, a), ...)."""
    try:
        w = np.asarray(pad_width)
        if w.dtype.kind not in "iu":
            raise TypeError
        w = np.broadcast_to(w, (ndim, 2)) if w.ndim < 2 else w
    except (TypeError, ValueError):
        raise fail(ValueError, "pad", f"pad_width must be ints, (before, after) or one pair "
                   f"per axis ({ndim}), got {pad_width!r}") from None
    if w.shape != (ndim, 2):
        raise fail(ValueError, "pad", f"pad_width must be one (before, after) pair per axis "
                   f"({ndim}), got {pad_width!r}")
    if (w < 0).any():
        raise fail(ValueError, "pad", f"pad widths must be non-negative, got {pad_width!r}")
    return [(int(b), int(a)) for b, a in w]


def _source_index(mode, i, n):
    """For the positions i (relative to the first element of the axis, so negative before it),
    the element of an axis of length n that each padded position copies."""
    if mode == "edge":
        return clip(i, 0, n - 1)
    if mode == "wrap":
        return mod(i, n)
    if mode == "reflect":
        # Period 2n - 2 (the edges are not repeated); an axis of one element repeats it.
        period = maximum(2 * n - 2, 1)
        j = mod(i, period)
        return switch(ge(j, n), period - j, j)
    period = 2 * n  # symmetric: the edges are repeated
    j = mod(i, period)
    return switch(ge(j, n), period - 1 - j, j)


def pad(array, pad_width, mode="constant", constant_values=0, **kwargs):
    """np.pad for the modes 'constant' (constant_values: a scalar, applied on every side),
    'edge', 'reflect', 'symmetric' and 'wrap' (reflect_type 'even', NumPy's default)."""
    x = as_tensor_variable(array)
    if mode not in MODES:
        raise fail(NotImplementedError if isinstance(mode, str) else ValueError, "pad",
                   f"mode {mode!r} is not supported (one of {', '.join(MODES)})")
    extra = set(kwargs) - ({"reflect_type"} if mode in ("reflect", "symmetric") else set())
    if extra:
        raise fail(TypeError, "pad", f"unexpected keyword arguments for mode {mode!r}: "
                   f"{sorted(extra)}")
    if kwargs.get("reflect_type", "even") != "even":
        raise fail(NotImplementedError, "pad", "only reflect_type='even' is supported")
    widths = _widths(pad_width, x.ndim)
    if mode == "constant":
        value = np.asarray(constant_values)
        if value.ndim != 0:
            raise fail(NotImplementedError, "pad", "constant_values must be a scalar")
        shape = [x.shape[d] + b + a for d, (b, a) in enumerate(widths)]
        out = alloc(build("cast", as_tensor_variable(value), dtype=x.dtype), *shape)
        inner = tuple(slice(b, b + x.shape[d]) for d, (b, _) in enumerate(widths))
        return set_subtensor(out[inner], x)
    for d, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        if x.static_shape[d] == 0:
            raise fail(ValueError, "pad", f"can't extend the empty axis {d} of {x.type} with "
                       f"mode {mode!r}")
        n = x.shape[d]
        i = arange(n + before + after) - before
        x = take(x, _source_index(mode, i, n), axis=d)
    return x


