"""np.pad as a composition: 'constant' writes x into a new array of the fill value
(set_subtensor); 'edge', 'wrap', 'reflect' and 'symmetric' gather along each axis with an index
vector computed from the axis length (clipped, modulo, or folded modulo their period); the
statistic modes ('maximum', 'minimum', 'mean', 'median') and 'linear_ramp' concatenate blocks
computed from the axis, one axis after the other as NumPy pads them. Gradients come from the
parts. Pad widths are ints known when the graph is built."""


import numpy as np

from theon.tensor._alloc import alloc, arange
from theon.tensor._build import as_tensor_variable, build
from theon.tensor._math import clip, ge, maximum, mod, switch
from theon.tensor._numpy_funcs import fail
from theon.tensor._subtensor import set_subtensor, take

__all__ = ["pad"]

GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")
BLOCK_MODES = ("maximum", "minimum", "mean", "median", "linear_ramp")
MODES = ("constant", "empty") + GATHER_MODES + BLOCK_MODES
# The keyword arguments each mode takes (NumPy's).
_OPTIONS = {"reflect": {"reflect_type"}, "symmetric": {"reflect_type"},
            "linear_ramp": {"end_values"}, **{m: {"stat_length"} for m in BLOCK_MODES[:4]}}


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


def _along(ndim, axis, index):
    return tuple(index if d == axis else slice(None) for d in range(ndim))


def _rounded(stat, dtype):
    """A statistic stored into an integer array is rounded half to even first (NumPy)."""
    if np.dtype(dtype).kind in "iub":
        stat = build("round", stat)
    return build("cast", stat, dtype=dtype)


def _statistic(mode, x, d):
    """The statistic of x along axis d, keeping the axis."""
    from theon.tensor._reduce import max as _max, mean as _mean, min as _min
    from theon.tensor._sort import sort

    if mode == "maximum":
        return _max(x, axis=d, keepdims=True)
    if mode == "minimum":
        return _min(x, axis=d, keepdims=True)
    if mode == "mean":
        return _rounded(_mean(x, axis=d, keepdims=True), x.dtype)
    ordered = sort(x, axis=d)
    n = x.shape[d]
    lo = ordered[_along(x.ndim, d, slice((n - 1) // 2, (n - 1) // 2 + 1))]
    hi = ordered[_along(x.ndim, d, slice(n // 2, n // 2 + 1))]
    middle = build("cast", lo, dtype=_float(x.dtype)) + hi
    return _rounded(middle / 2, x.dtype)


def _float(dtype):
    return dtype if np.dtype(dtype).kind == "f" else "float64"


def _pair(values, ndim, what):
    """((before, after), ...) per axis from a scalar, a pair or one pair per axis."""
    try:
        pairs = np.broadcast_to(np.asarray(values, dtype=np.float64), (ndim, 2))
    except (TypeError, ValueError):
        raise fail(ValueError, "pad", f"{what} must be a scalar, a pair or one pair per axis, "
                   f"got {values!r}") from None
    return [(float(b), float(a)) for b, a in pairs]


def _ramp(x, d, end, width, at_start):
    """NumPy's linear ramp from ``end`` to the edge of x along d, over ``width`` entries."""
    from theon.tensor._numpy_funcs import linspace

    edge = x[_along(x.ndim, d, 0 if at_start else -1)]
    ramp = linspace(end, edge, width, endpoint=False, dtype=x.dtype, axis=d)
    return ramp if at_start else ramp[_along(x.ndim, d, slice(None, None, -1))]


def _blocks(mode, x, widths, options):
    from theon.tensor._join import concatenate

    if options.get("stat_length") is not None:
        raise fail(NotImplementedError, "pad", "stat_length is not supported (the statistic "
                   "is over the whole axis)")
    values = "constant_values" if mode == "constant" else "end_values"
    ends = _pair(options.get(values, 0), x.ndim, values)
    for d, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        if x.static_shape[d] == 0 and mode != "constant":
            raise fail(ValueError, "pad", f"can't extend the empty axis {d} of {x.type} with "
                       f"mode {mode!r}")
        if mode == "linear_ramp":
            parts = ([_ramp(x, d, ends[d][0], before, True)] if before else []) + [x] + (
                [_ramp(x, d, ends[d][1], after, False)] if after else [])
        else:
            if mode == "constant":
                fills = [build("cast", as_tensor_variable(np.float64(v)), dtype=x.dtype)
                         for v in ends[d]]
            else:
                fills = [_statistic(mode, x, d)] * 2
            shape = [x.shape[k] for k in range(x.ndim)]
            parts = []
            for width, fill in zip((before, after), fills):
                shape[d] = width
                parts.append(alloc(fill, *shape) if width else None)
            parts = [p for p in (parts[0], x, parts[1]) if p is not None]
        x = concatenate(parts, axis=d)
    return x


def pad(array, pad_width, mode="constant", constant_values=0, **kwargs):
    """``array`` padded along each axis (np.pad).

    Parameters
    ----------
    array : Variable or array_like
        The input.
    pad_width : int, pair or one pair per axis
        The widths before and after.
    mode : str
        'constant', 'empty' (zeros: NumPy leaves the values undefined), 'edge', 'reflect',
        'symmetric', 'wrap' (reflect_type 'even', NumPy's default), 'maximum', 'minimum', 'mean',
        'median' (over the whole axis, rounded for integers) or 'linear_ramp'.
    constant_values : scalar, pair or one pair per axis
        For mode 'constant'.
    **kwargs
        end_values for 'linear_ramp'; reflect_type 'even'.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.pad(x, (1, 2), mode='edge'))([1., 2.])
    array([1., 1., 2., 2., 2.])
    """
    x = as_tensor_variable(array)
    if mode not in MODES:
        raise fail(NotImplementedError if isinstance(mode, str) else ValueError, "pad",
                   f"mode {mode!r} is not supported (one of {', '.join(MODES)})")
    extra = set(kwargs) - _OPTIONS.get(mode, set())
    if extra:
        raise fail(TypeError, "pad", f"unexpected keyword arguments for mode {mode!r}: "
                   f"{sorted(extra)}")
    if kwargs.get("reflect_type", "even") != "even":
        raise fail(NotImplementedError, "pad", "only reflect_type='even' is supported")
    widths = _widths(pad_width, x.ndim)
    if mode in BLOCK_MODES:
        return _blocks(mode, x, widths, kwargs)
    if mode in ("constant", "empty"):
        value = np.asarray(constant_values if mode == "constant" else 0)
        if value.ndim != 0:  # values per axis: blocks, axis after axis as NumPy sets them
            return _blocks("constant", x, widths, {"constant_values": constant_values})
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
