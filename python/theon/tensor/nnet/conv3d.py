"""theon.tensor.nnet.conv3d: Theano's 3-d convolution of (batch, channels, depth, rows,
columns) images, composed of conv2d: each filter tap along depth is a conv2d over the depth
slices it meets (folded into the batch), and the taps are summed. Values and gradients (those
of the slices, reshapes and conv2d) are exact."""

from theon.tensor._build import as_tensor_variable
from theon.tensor.nnet.abstract_conv import conv2d

__all__ = ["conv3d"]


def _triple(value, name):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * 3
    triple = tuple(value)
    if len(triple) != 3 or not all(isinstance(v, int) and not isinstance(v, bool)
                                   for v in triple):
        raise ValueError(f"conv3d: {name} must be an int or 3 ints, got {value!r}")
    return triple


def _depth_pad(border_mode, span):
    if border_mode == "valid":
        return 0, "valid"
    if border_mode == "full":
        return span - 1, "full"
    if border_mode == "half":
        return span // 2, "half"
    pads = _triple(border_mode, "border_mode")
    return pads[0], pads[1:]


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """Theano's 3-d convolution of a batch of volumes with a bank of filters.

    Parameters
    ----------
    input : 5-d Variable
        The volumes, (batch, channels, depth, rows, columns).
    filters : 5-d Variable
        The filters, (output channels, channels / num_groups, depth, rows, columns); their
        depth must be known statically (from their type or ``filter_shape``).
    input_shape, filter_shape : tuple or None
        Shapes with None for unknown entries, checked against the arrays.
    border_mode : str, int or 3 ints
        'valid', 'full', 'half' (as in conv2d), or the pads (depth, rows, columns).
    subsample : int or 3 ints
        The strides.
    filter_flip : bool
        True convolves (Theano's default), False cross-correlates.
    filter_dilation : int or 3 ints
        The filters' dilation.
    num_groups : int
        The channels are split into this many groups, each convolved with its own filters.

    Returns
    -------
    Variable
        (batch, output channels, output depth, output rows, output columns).

    Examples
    --------
    >>> x, w = T.dtensor5('x'), T.dtensor5('w')
    >>> y = T.nnet.conv3d(x, w, filter_shape=(1, 1, 2, 2, 2))
    >>> theon.function([x, w], y)(np.ones((1, 1, 2, 3, 3)), np.ones((1, 1, 2, 2, 2)))
    array([[[[[8., 8.],
              [8., 8.]]]]])
    """
    from theon import tensor as T

    x, w = as_tensor_variable(input), as_tensor_variable(filters)
    if x.ndim != 5 or w.ndim != 5:
        raise TypeError(f"conv3d: expected a 5-d input and 5-d filters, got {x.type} and "
                        f"{w.type}")
    if input_shape is not None:
        x = T.specify_shape(x, list(input_shape))
    if filter_shape is not None:
        w = T.specify_shape(w, list(filter_shape))
    fd = w.static_shape[2]
    if fd is None or fd < 1:
        raise ValueError(f"conv3d: the filters' depth must be known statically and at least 1 "
                         f"(pass filter_shape), got filters {w.type}")
    stride, dilation = _triple(subsample, "subsample"), _triple(filter_dilation, "filter_dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"conv3d: subsample {subsample!r} and filter_dilation "
                         f"{filter_dilation!r} must be at least 1")
    span = (fd - 1) * dilation[0] + 1
    if border_mode == "half" and span % 2 == 0:
        raise ValueError(f"conv3d: border_mode='half' needs an odd (dilated) filter depth, got "
                         f"{span}")
    pad, plane_mode = _depth_pad(border_mode, span)
    if pad < 0:
        raise ValueError(f"conv3d: the padding must be non-negative, got {border_mode!r}")
    if x.static_shape[2] is not None and x.static_shape[2] + 2 * pad < span:
        raise ValueError(f"conv3d: the (padded) input depth {x.static_shape[2] + 2 * pad} is "
                         f"smaller than the (dilated) filter depth {span}")
    b, c, depth = x.shape[0], x.shape[1], x.shape[2]
    if pad:
        padded = T.zeros([b, c, depth + 2 * pad, x.shape[3], x.shape[4]], dtype=x.dtype)
        x = T.set_subtensor(padded[:, :, pad:pad + depth], x)
    out_depth = (x.shape[2] - span) // stride[0] + 1
    total = None
    for t in range(fd):
        start = t * dilation[0]
        taps = x[:, :, start:start + stride[0] * (out_depth - 1) + 1:stride[0]]
        planes = taps.dimshuffle(0, 2, 1, 3, 4).reshape(
            [b * out_depth, c, x.shape[3], x.shape[4]])
        kernel = w[:, :, fd - 1 - t if filter_flip else t]
        part = conv2d(planes, kernel, border_mode=plane_mode, subsample=stride[1:],
                      filter_flip=filter_flip, filter_dilation=dilation[1:],
                      num_groups=num_groups)
        total = part if total is None else total + part
    out = total.reshape([b, out_depth, total.shape[1], total.shape[2], total.shape[3]])
    return out.dimshuffle(0, 2, 1, 3, 4)
