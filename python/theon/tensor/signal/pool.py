"""theon.tensor.signal.pool: Theano's 2-d pooling over the last two axes (C++ ops Pool,
MaxPoolGrad, AveragePoolGrad and MaxPoolGradGrad in src/ops/nnet/)."""

import warnings

from theon.tensor._build import as_tensor_variable, build

__all__ = ["pool_2d", "pool_3d", "max_pool_2d_same_size", "Pool", "MaxPoolGrad",
           "AveragePoolGrad", "DownsampleFactorMaxGradGrad"]

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


class _PoolOp:
    """What Theano's pooling op classes share: the op's settings, then a call with the window
    shape, strides and padding (ints) per node."""

    def __init__(self, who, ignore_border, mode, ndim, modes):
        if ndim not in (2, 3):
            raise ValueError(f"{who}: ndim must be 2 or 3, got {ndim!r}")
        if mode == "max_deterministic":
            mode = "max"
        if mode not in modes:
            raise ValueError(f"{who}: mode must be one of {modes}, got {mode!r}")
        self.who, self.ignore_border, self.mode, self.ndim = who, bool(ignore_border), mode, ndim

    def _window(self, ws, stride, pad):
        n, who = self.ndim, self.who
        ws = _ints(ws, "ws", n, who)
        stride = ws if stride is None else _ints(stride, "stride", n, who)
        pad = (0,) * n if pad is None else _ints(pad, "pad", n, who)
        return ws, stride, pad

    def _params(self, ws, stride, pad):
        if self.ndim != 2:
            raise NotImplementedError(f"{self.who}: only ndim=2 builds this op directly; "
                                      "take the gradient of pool_3d instead")
        ws, stride, pad = self._window(ws, stride, pad)
        return dict(ws=ws, stride=stride, pad=pad, ignore_border=self.ignore_border,
                    mode=self.mode)


class Pool(_PoolOp):
    """Theano's pooling op, ``Pool(ignore_border, mode, ndim)(input, ws, stride, pad)``.

    Parameters
    ----------
    ignore_border : bool
        As in pool_2d.
    mode : {'max', 'sum', 'average_inc_pad', 'average_exc_pad'}
        The reduction.
    ndim : {2, 3}
        The number of trailing axes the windows span (3: pool_3d).

    Examples
    --------
    >>> from theon.tensor.signal.pool import Pool
    >>> x = T.dtensor4('x')
    >>> f = theon.function([x], Pool(ignore_border=True)(x, (2, 2)))
    >>> f(np.arange(16.).reshape(1, 1, 4, 4))
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """

    def __init__(self, ignore_border=False, mode="max", ndim=2, openmp=None):
        super().__init__("Pool", ignore_border, mode, ndim, _MODES)

    def __call__(self, input, ws, stride=None, pad=None):
        """The pooled input.

        Parameters
        ----------
        input : Variable
            At least ``ndim``-d.
        ws, stride, pad : ints
            The window shape, the steps (None: ``ws``) and the padding (None: 0).

        Returns
        -------
        Variable
            The pooled input.
        """
        ws, stride, pad = self._window(ws, stride, pad)
        pool = pool_2d if self.ndim == 2 else pool_3d
        return pool(input, ws, self.ignore_border, stride, pad, self.mode)


class MaxPoolGrad(_PoolOp):
    """Theano's gradient op of max pooling.

    ``MaxPoolGrad(ignore_border)(x, maxout, gz, ws, stride, pad)`` routes ``gz`` to the
    elements of ``x`` that won their windows (``maxout`` is the pooled ``x``, ``gz`` the
    gradient of it; ws, stride and pad as in Pool). The result has x's shape.

    Parameters
    ----------
    ignore_border : bool
        As in pool_2d.
    ndim : 2
        The windows span the last two axes.
    mode : 'max'
        The only mode.

    Examples
    --------
    >>> from theon.tensor.signal.pool import MaxPoolGrad, Pool
    >>> x, gz = T.dmatrix('x'), T.dmatrix('gz')
    >>> g = MaxPoolGrad(True)(x, Pool(True)(x, (2, 2)), gz, (2, 2))
    >>> theon.function([x, gz], g)([[1., 4.], [3., 2.]], [[10.]])
    array([[ 0., 10.],
           [ 0.,  0.]])
    """

    def __init__(self, ignore_border, ndim=2, openmp=None, mode="max"):
        super().__init__("MaxPoolGrad", ignore_border, mode, ndim, ("max",))

    def __call__(self, x, maxout, gz, ws, stride=None, pad=None):
        return build("max_pool_grad", as_tensor_variable(x), as_tensor_variable(maxout),
                     as_tensor_variable(gz), **self._params(ws, stride, pad))


class AveragePoolGrad(_PoolOp):
    """Theano's gradient op of sum and average pooling.

    ``AveragePoolGrad(ignore_border, mode)(x, gz, ws, stride, pad)``, of x's shape.

    Parameters
    ----------
    ignore_border : bool
        As in pool_2d.
    mode : {'sum', 'average_inc_pad', 'average_exc_pad'}
        The pooling whose gradient this is.
    ndim : 2
        The windows span the last two axes.

    Examples
    --------
    >>> from theon.tensor.signal.pool import AveragePoolGrad
    >>> x, gz = T.dmatrix('x'), T.dmatrix('gz')
    >>> g = AveragePoolGrad(True)(x, gz, (2, 2))
    >>> theon.function([x, gz], g)([[1., 4.], [3., 2.]], [[8.]])
    array([[2., 2.],
           [2., 2.]])
    """

    def __init__(self, ignore_border, mode="average_inc_pad", ndim=2):
        super().__init__("AveragePoolGrad", ignore_border, mode, ndim, _MODES[1:])

    def __call__(self, x, gz, ws, stride=None, pad=None):
        return build("average_pool_grad", as_tensor_variable(x), as_tensor_variable(gz),
                     **self._params(ws, stride, pad))


class DownsampleFactorMaxGradGrad(_PoolOp):
    """Theano's second-order op of max pooling.

    ``DownsampleFactorMaxGradGrad(ignore_border)(x, maxout, ggx, ws, stride, pad)`` is ``ggx``
    read at each window's winner (the gradient of MaxPoolGrad with respect to ``gz``), of
    maxout's shape.

    Parameters
    ----------
    ignore_border : bool
        As in pool_2d.
    mode : 'max'
        The only mode.
    ndim : 2
        The windows span the last two axes.

    Examples
    --------
    >>> from theon.tensor.signal.pool import DownsampleFactorMaxGradGrad, Pool
    >>> x, ggx = T.dmatrix('x'), T.dmatrix('ggx')
    >>> gg = DownsampleFactorMaxGradGrad(True)(x, Pool(True)(x, (2, 2)), ggx, (2, 2))
    >>> theon.function([x, ggx], gg)([[1., 4.], [3., 2.]], [[5., 6.], [7., 8.]])
    array([[6.]])
    """

    def __init__(self, ignore_border, mode="max", ndim=2):
        super().__init__("DownsampleFactorMaxGradGrad", ignore_border, mode, ndim, ("max",))

    def __call__(self, x, maxout, ggx, ws, stride=None, pad=None):
        return build("max_pool_grad_grad", as_tensor_variable(x), as_tensor_variable(maxout),
                     as_tensor_variable(ggx), **self._params(ws, stride, pad))
