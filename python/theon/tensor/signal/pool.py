"""theon.tensor.signal.pool: Theano's 2-d pooling over the last two axes (C++ ops Pool,
MaxPoolGrad, AveragePoolGrad and MaxPoolGradGrad in src/ops/nnet/)."""

import warnings

from theon.tensor._build import as_tensor_variable, build

__all__ = ["pool_2d", "pool_3d", "max_pool_2d_same_size"]

_MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _ints(value, name, n=2, who="pool_2d"):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    try:
        ints = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be {n} ints, got {value!r}") from None
    if len(ints) != n:
        raise ValueError(f"{who}: {name} must have {n} entries, got {value!r}")
    return ints


def _pair(value, name):
    return _ints(value, name)


def _theano_args(who, ws, ignore_border, stride, pad, mode, ds, st, padding, default_pad):
    """Theano's arguments with the old names resolved and checked."""
    for old, new, name in ((ds, ws, "ws"), (st, stride, "stride"), (padding, pad, "pad")):
        if old is not None and new is not None and (name != "pad" or new != default_pad):
            raise ValueError(f"{who}: both {name} and its old name are given")
    ws = ws if ds is None else ds
    stride = stride if st is None else st
    pad = pad if padding is None else padding
    if ws is None:
        raise TypeError(f"{who}: ws (the window shape) is required")
    if ignore_border is None:
        warnings.warn(f"{who}: ignore_border was not given; it means False (keep partial "
                      "windows) as in Theano. Pass it explicitly.", stacklevel=3)
        ignore_border = False
    if mode == "max_deterministic":
        mode = "max"
    if mode not in _MODES:
        raise ValueError(f"{who}: mode must be one of {_MODES}, got {mode!r}")
    return ws, bool(ignore_border), stride, pad, mode


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max", ds=None,
            st=None, padding=None):
    """Theano's 2-d pooling: max, sum or average over windows of the last two axes.

    Parameters
    ----------
    input : Variable
        At least 2-d; the windows span its last two axes.
    ws : pair of ints
        The windows' (rows, columns).
    ignore_border : bool
        True drops windows that overhang the input; False keeps a last partial one. As in
        Theano, leaving it out means False, with a warning.
    stride : pair of ints or None
        The steps between windows; None means ``ws``.
    pad : pair of ints
        Padding on each side (with ignore_border=True only); it never wins a max and counts
        for the average only with mode='average_inc_pad'.
    mode : {'max', 'sum', 'average_inc_pad', 'average_exc_pad'}
        The reduction ('max_deterministic' is 'max').
    ds, st, padding
        Theano's old names of ``ws``, ``stride`` and ``pad``.

    Returns
    -------
    Variable
        The input's leading axes, then the windows' rows and columns.

    Examples
    --------
    >>> from theon.tensor.signal.pool import pool_2d
    >>> x = T.dtensor4('x')
    >>> f = theon.function([x], pool_2d(x, (2, 2), ignore_border=True))
    >>> f(np.arange(16.).reshape(1, 1, 4, 4))
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    ws, ignore_border, stride, pad, mode = _theano_args(
        "pool_2d", ws, ignore_border, stride, pad, mode, ds, st, padding, (0, 0))
    ws = _pair(ws, "ws")
    stride = ws if stride is None else _pair(stride, "stride")
    return build("pool_2d", as_tensor_variable(input), ws=ws, stride=stride,
                 pad=_pair(pad, "pad"), ignore_border=ignore_border, mode=mode)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode="max",
            ds=None, st=None, padding=None):
    """Theano's pool_3d: pool_2d's windows over the last three axes (depth, rows, columns).

    Every mode is separable: the 3-d window's max, sum or average is that of the depth
    window over the 2-d windows' (the divisors of the averages are products of the per-axis
    counts), so this is pool_2d over rows and columns, then over depth (the two Pool nodes'
    gradients compose to the 3-d one, ties included).

    Parameters
    ----------
    input : Variable
        At least 3-d; the windows span its last three axes.
    ws : 3 ints
        The windows' (depth, rows, columns).
    ignore_border : bool
        As in pool_2d.
    stride : 3 ints or None
        The steps between windows; None means ``ws``.
    pad : 3 ints
        Padding on each side, as in pool_2d.
    mode : {'max', 'sum', 'average_inc_pad', 'average_exc_pad'}
        The reduction.
    ds, st, padding
        Theano's old names of ``ws``, ``stride`` and ``pad``.

    Returns
    -------
    Variable
        The input's leading axes, then the windows' depth, rows and columns.

    Examples
    --------
    >>> from theon.tensor.signal.pool import pool_3d
    >>> x = T.dtensor5('x')
    >>> f = theon.function([x], pool_3d(x, (2, 2, 2), ignore_border=True, mode='sum'))
    >>> f(np.arange(8.).reshape(1, 1, 2, 2, 2))
    array([[[[[28.]]]]])
    """
    ws, ignore_border, stride, pad, mode = _theano_args(
        "pool_3d", ws, ignore_border, stride, pad, mode, ds, st, padding, (0, 0, 0))
    ws = _ints(ws, "ws", 3, "pool_3d")
    stride = ws if stride is None else _ints(stride, "stride", 3, "pool_3d")
    pad = _ints(pad, "pad", 3, "pool_3d")
    x = as_tensor_variable(input)
    if x.ndim < 3:
        raise TypeError(f"pool_3d: expected an input of at least 3 dimensions, got {x.type}")
    planes = build("pool_2d", x, ws=ws[1:], stride=stride[1:], pad=pad[1:],
                   ignore_border=ignore_border, mode=mode)
    # (..., depth, rows, cols) seen as (..., depth, rows * cols), pooled along depth alone.
    lead = [planes.shape[i] for i in range(x.ndim - 3)]
    rows, cols = planes.shape[-2], planes.shape[-1]
    flat = planes.reshape(lead + [planes.shape[-3], rows * cols], ndim=x.ndim - 1)
    depth = build("pool_2d", flat, ws=(ws[0], 1), stride=(stride[0], 1), pad=(pad[0], 0),
                  ignore_border=ignore_border, mode=mode)
    return depth.reshape(lead + [depth.shape[-2], rows, cols], ndim=x.ndim)


def max_pool_2d_same_size(input, patch_size):
    """The input where it is the maximum of its patch, 0 elsewhere.

    Parameters
    ----------
    input : Variable
        At least 2-d; the patches span its last two axes.
    patch_size : pair of ints
        The (non-overlapping) patches' (rows, columns).

    Returns
    -------
    Variable
        Of the shape of ``input``.

    Examples
    --------
    >>> from theon.tensor.signal.pool import max_pool_2d_same_size
    >>> x = T.dtensor4('x')
    >>> f = theon.function([x], max_pool_2d_same_size(x, (2, 2)))
    >>> f(np.arange(16.).reshape(1, 1, 4, 4))
    array([[[[ 0.,  0.,  0.,  0.],
             [ 0.,  5.,  0.,  7.],
             [ 0.,  0.,  0.,  0.],
             [ 0., 13.,  0., 15.]]]])
    """
    ws = _pair(patch_size, "patch_size")
    input = as_tensor_variable(input)
    params = dict(ws=ws, stride=ws, pad=(0, 0), ignore_border=True, mode="max")
    out = build("pool_2d", input, **params)
    return build("max_pool_grad", input, out, out, **params)
