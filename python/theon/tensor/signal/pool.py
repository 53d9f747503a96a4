"""theon.tensor.signal.pool: Theano's 2-d pooling over the last two axes (C++ ops Pool,
MaxPoolGrad, AveragePoolGrad and MaxPoolGradGrad in src/ops/nnet/)."""

import warnings

from theon.tensor._build import as_tensor_variable, build

__all__ = ["pool_2d", "max_pool_2d_same_size"]

_MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _pair(value, name):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    try:
        pair = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"pool_2d: {name} must be a pair of ints, got {value!r}") from None
    if len(pair) != 2:
        raise ValueError(f"pool_2d: {name} must be a pair of ints (rows, columns), got {value!r}")
    return pair


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max", ds=None,
            st=None, padding=None):
    """Theano's pool_2d: max, sum or average over windows ``ws`` (rows, columns) of the last
    two axes of ``input``, moved by ``stride`` (default ``ws``), on the input padded by ``pad``
    on each side (with ignore_border=True only; padding never wins a max and counts for the
    average only with mode='average_inc_pad').

    ignore_border=True drops windows that overhang the input; False keeps a last partial one.
    As in Theano, leaving it out means False, with a warning. ``ds``, ``st`` and ``padding``
    are Theano's old names of ``ws``, ``stride`` and ``pad``."""
    for old, new, name in ((ds, ws, "ws"), (st, stride, "stride"), (padding, pad, "pad")):
        if old is not None and new is not None and (name != "pad" or new != (0, 0)):
            raise ValueError(f"pool_2d: both {name} and its old name are given")
    ws = ws if ds is None else ds
    stride = stride if st is None else st
    pad = pad if padding is None else padding
    if ws is None:
        raise TypeError("pool_2d: ws (the window shape) is required")
    if ignore_border is None:
        warnings.warn("pool_2d: ignore_border was not given; it means False (keep partial "
                      "windows) as in Theano. Pass it explicitly.", stacklevel=2)
        ignore_border = False
    if mode == "max_deterministic":
        mode = "max"
    if mode not in _MODES:
        raise ValueError(f"pool_2d: mode must be one of {_MODES}, got {mode!r}")
    ws = _pair(ws, "ws")
    stride = ws if stride is None else _pair(stride, "stride")
    return build("pool_2d", as_tensor_variable(input), ws=ws, stride=stride,
                 pad=_pair(pad, "pad"), ignore_border=bool(ignore_border), mode=mode)


def max_pool_2d_same_size(input, patch_size):
    """The input where it is the maximum of its (non-overlapping) patch of ``patch_size``, 0
    elsewhere; the shape of the input."""
    ws = _pair(patch_size, "patch_size")
    input = as_tensor_variable(input)
    params = dict(ws=ws, stride=ws, pad=(0, 0), ignore_border=True, mode="max")
    out = build("pool_2d", input, **params)
    return build("max_pool_grad", input, out, out, **params)
