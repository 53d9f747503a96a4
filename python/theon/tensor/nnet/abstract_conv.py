"""theon.tensor.nnet.abstract_conv: Theano's 2-d convolution and its two gradients (C++ ops
Conv2d, Conv2dGradInputs, Conv2dGradWeights in src/ops/nnet/).

Images are (batch, channels, rows, columns) and filters (output channels, input channels /
num_groups, rows, columns), as in Theano. This module parses Theano's arguments; the ops check
the shapes."""

from theon.tensor._build import as_tensor_variable, build
from theon.tensor._shape import shape_vector, specify_shape

__all__ = ["conv2d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights", "conv2d_transpose",
           "separable_conv2d", "AbstractConv2d", "AbstractConv2d_gradInputs",
           "AbstractConv2d_gradWeights"]


def _pair(value, name, who):
    if isinstance(value, bool) or not isinstance(value, (int, tuple, list)):
        raise TypeError(f"{who}: {name} must be an int or a pair of ints, got {value!r}")
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{who}: {name} must be a pair of ints (rows, columns), got {value!r}")
    return pair


def _params(who, border_mode, subsample, filter_flip, filter_dilation, num_groups,
            unshared=False):
    if unshared:
        raise NotImplementedError(f"{who}: unshared (locally connected) convolutions are only "
                                  "implemented by conv2d")
    params = {"subsample": _pair(subsample, "subsample", who),
              "filter_dilation": _pair(filter_dilation, "filter_dilation", who),
              "num_groups": num_groups, "filter_flip": bool(filter_flip)}
    if isinstance(border_mode, str):
        params["border_mode"] = border_mode
    else:
        params["border_mode"] = "pad"
        params["pad"] = _pair(border_mode, "border_mode", who)
    return params


def _with_hint(x, hint, name, who):
    """x with Theano's shape hint applied: checked against x's static shape now, and against
    its value at run time (None entries are free)."""
    if hint is None:
        return x
    hint = tuple(hint)
    if len(hint) != 4:
        raise ValueError(f"{who}: {name} must have 4 entries, got {hint!r}")
    concrete = [None if h is None or not isinstance(h, int) else h for h in hint]
    for dim, (want, have) in enumerate(zip(concrete, x.static_shape)):
        if want is not None and have is not None and want != have:
            raise ValueError(f"{who}: {name} {hint!r} does not match the shape of "
                             f"{x._label()} ({x.type}) in dimension {dim}")
    if all(h is None for h in concrete):
        return x
    return specify_shape(x, concrete)


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1), filter_flip=True, image_shape=None, filter_dilation=(1, 1),
           num_groups=1, unshared=False, **kwargs):
    """Theano's 2-d convolution of a batch of images with a bank of filters.

    Parameters
    ----------
    input : 4-d Variable
        The images, (batch, channels, rows, columns).
    filters : 4-d Variable
        The filters, (output channels, channels / num_groups, rows, columns); with
        ``unshared=True``, 6-d (see below).
    input_shape, filter_shape : tuple or None
        Shape hints with None for unknown entries, checked against the arrays (``image_shape``
        is input_shape's old name).
    border_mode : str, int or pair of ints
        'valid' (no padding), 'full' (every overlap), 'half' (pad by half an odd filter: the
        same size at stride 1), or the pads (rows, columns).
    subsample : int or pair of ints
        The strides.
    filter_flip : bool
        True convolves (Theano's default), False cross-correlates.
    filter_dilation : int or pair of ints
        The filters' dilation.
    num_groups : int
        The channels are split into this many groups, each convolved with its own filters.
    unshared : bool
        True makes a locally connected layer: filters (output channels, output rows, output
        columns, channels / num_groups, rows, columns), one filter per output position (the
        filters' rows and columns must be static).

    Returns
    -------
    Variable
        (batch, output channels, output rows, output columns).

    Examples
    --------
    >>> x, w = T.dtensor4('x'), T.dtensor4('w')
    >>> flipped, not_flipped = T.nnet.conv2d(x, w), T.nnet.conv2d(x, w, filter_flip=False)
    >>> f = theon.function([x, w], [flipped, not_flipped])
    >>> f(np.arange(9.).reshape(1, 1, 3, 3), [[[[1., 0.], [0., 0.]]]])
    [array([[[[4., 5.],
             [7., 8.]]]]), array([[[[0., 1.],
             [3., 4.]]]])]
    """
    who = "conv2d"
    if kwargs:
        raise TypeError(f"{who}: unexpected arguments {sorted(kwargs)}")
    if image_shape is not None:
        if input_shape is not None and tuple(input_shape) != tuple(image_shape):
            raise ValueError(f"{who}: input_shape {input_shape!r} and image_shape "
                             f"{image_shape!r} differ")
        input_shape = image_shape
    params = _params(who, border_mode, subsample, filter_flip, filter_dilation, num_groups)
    input = _with_hint(as_tensor_variable(input), input_shape, "input_shape", who)
    if unshared:
        return _unshared_conv2d(input, as_tensor_variable(filters), filter_shape, params)
    filters = _with_hint(as_tensor_variable(filters), filter_shape, "filter_shape", who)
    return build("conv2d", input, filters, **params)


def _unshared_conv2d(x, w, filter_shape, params):
    """The locally connected convolution: filters (k, oh, ow, c / groups, fh, fw), a different
    filter at every output position. Patches by strided slices (one per filter tap), then one
    batched product per output position and group."""
    from theon import tensor as T

    who = "conv2d"
    if x.ndim != 4 or w.ndim != 6:
        raise TypeError(f"{who}: unshared=True expects a 4-d input and 6-d filters (k, out "
                        f"rows, out cols, channels / groups, rows, cols), got {x.type} and "
                        f"{w.type}")
    if filter_shape is not None:
        w = T.specify_shape(w, [None if not isinstance(v, int) else v for v in filter_shape])
    fh, fw = w.static_shape[4], w.static_shape[5]
    if fh is None or fw is None:
        raise ValueError(f"{who}: unshared=True needs the filters' rows and columns statically "
                         f"(pass filter_shape), got {w.type}")
    (sh, sw), (dh, dw) = params["subsample"], params["filter_dilation"]
    groups, border = params["num_groups"], params["border_mode"]
    if min(sh, sw, dh, dw, groups) < 1 or min(params.get("pad", (0, 0))) < 0:
        raise ValueError(f"{who}: subsample, filter_dilation and num_groups must be at least 1 "
                         f"and the padding non-negative, got {params}")
    spans = ((fh - 1) * dh + 1, (fw - 1) * dw + 1)
    if border == "pad":
        ph, pw = params["pad"]
    elif border == "full":
        ph, pw = spans[0] - 1, spans[1] - 1
    elif border == "half":
        if spans[0] % 2 == 0 or spans[1] % 2 == 0:
            raise ValueError(f"{who}: border_mode='half' needs odd (dilated) filter sizes, got "
                             f"{spans}")
        ph, pw = spans[0] // 2, spans[1] // 2
    elif border == "valid":
        ph, pw = 0, 0
    else:
        raise ValueError(f"{who}: border_mode must be 'valid', 'full', 'half', an int or a pair "
                         f"of ints, got {border!r}")
    b, c = x.shape[0], x.shape[1]
    if ph or pw:
        h, wd = x.shape[2], x.shape[3]
        padded = T.zeros([b, c, h + 2 * ph, wd + 2 * pw], dtype=x.dtype)
        x = T.set_subtensor(padded[:, :, ph:ph + h, pw:pw + wd], x)
    k, oh, ow, cg = w.shape[0], w.shape[1], w.shape[2], w.shape[3]
    rows = (x.shape[2] - spans[0]) // sh + 1  # the output size the input gives
    cols = (x.shape[3] - spans[1]) // sw + 1
    taps = [x[:, :, i * dh:i * dh + sh * (rows - 1) + 1:sh,
              j * dw:j * dw + sw * (cols - 1) + 1:sw] for i in range(fh) for j in range(fw)]
    # It must be the filters' positions (checked when it runs).
    stacked = T.specify_shape(T.stack(taps, axis=4), [None, None, oh, ow, None])
    n = cg * fh * fw
    patches = stacked.reshape([b, groups, cg, oh, ow, fh * fw])
    patches = patches.dimshuffle(3, 4, 1, 0, 2, 5).reshape([oh * ow * groups, b, n])
    if params["filter_flip"]:
        w = w[:, :, :, :, ::-1, ::-1]
    kg = k // groups
    weights = w.reshape([groups, kg, oh, ow, n]).dimshuffle(2, 3, 0, 4, 1)
    out = T.batched_dot(patches, weights.reshape([oh * ow * groups, n, kg]))
    out = out.reshape([oh, ow, groups, b, kg]).dimshuffle(3, 2, 4, 0, 1)
    return out.reshape([b, k, oh, ow])


def _spatial(shape, name, who):
    if shape is None:
        raise TypeError(f"{who}: {name} is required")
    if not isinstance(shape, (list, tuple)):
        shape = as_tensor_variable(shape)
        if shape.ndim != 1:
            raise TypeError(f"{who}: {name} must have 4 entries, got {shape.type}")
        return shape[2:]
    if len(shape) != 4:
        raise ValueError(f"{who}: {name} must have 4 entries, got {shape!r}")
    return shape_vector(list(shape[2:]))


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None,
                           border_mode="valid", subsample=(1, 1), filter_flip=True,
                           filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of conv2d with respect to its input (the transposed convolution).

    Parameters
    ----------
    output_grad : 4-d Variable
        The gradient of conv2d's output, (batch, output channels, output rows, output columns).
    filters : 4-d Variable
        The filters of the convolution.
    input_shape : sequence of 4 ints or scalars, or a shape vector
        The shape of conv2d's input; only its rows and columns are read.
    filter_shape : tuple or None
        A shape hint of the filters, None for unknown entries.
    border_mode : str, int or pair of ints
        'valid' (no padding), 'full' (every overlap), 'half' (pad by half an odd filter: the
        same size at stride 1), or the pads (rows, columns).
    subsample : int or pair of ints
        The strides.
    filter_flip : bool
        True convolves (Theano's default), False cross-correlates.
    filter_dilation : int or pair of ints
        The filters' dilation.
    num_groups : int
        The channels are split into this many groups, each convolved with its own filters.
    unshared : bool
        Only False here (locally connected layers are implemented by conv2d alone).

    Returns
    -------
    Variable
        The gradient of the input, (batch, channels, rows, columns).

    Examples
    --------
    >>> g, w = T.dtensor4('g'), T.dtensor4('w')
    >>> dx = T.nnet.conv2d_grad_wrt_inputs(g, w, (1, 1, 3, 3))
    >>> theon.function([g, w], dx)(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    """
    who = "conv2d_grad_wrt_inputs"
    params = _params(who, border_mode, subsample, filter_flip, filter_dilation, num_groups,
                     unshared)
    filters = _with_hint(as_tensor_variable(filters), filter_shape, "filter_shape", who)
    return build("conv2d_grad_wrt_inputs", output_grad, filters,
                 _spatial(input_shape, "input_shape", who), **params)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None,
                            border_mode="valid", subsample=(1, 1), filter_flip=True,
                            filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of conv2d with respect to its filters.

    Parameters
    ----------
    input : 4-d Variable
        conv2d's input, (batch, channels, rows, columns).
    output_grad : 4-d Variable
        The gradient of conv2d's output, (batch, output channels, output rows, output columns).
    filter_shape : sequence of 4 ints or scalars, or a shape vector
        The shape of the filters; only their rows and columns are read.
    input_shape : tuple or None
        A shape hint of the input, None for unknown entries.
    border_mode : str, int or pair of ints
        'valid' (no padding), 'full' (every overlap), 'half' (pad by half an odd filter: the
        same size at stride 1), or the pads (rows, columns).
    subsample : int or pair of ints
        The strides.
    filter_flip : bool
        True convolves (Theano's default), False cross-correlates.
    filter_dilation : int or pair of ints
        The filters' dilation.
    num_groups : int
        The channels are split into this many groups, each convolved with its own filters.
    unshared : bool
        Only False here (locally connected layers are implemented by conv2d alone).

    Returns
    -------
    Variable
        The gradient of the filters, (output channels, channels / num_groups, rows, columns).

    Examples
    --------
    >>> x, g = T.dtensor4('x'), T.dtensor4('g')
    >>> dw = T.nnet.conv2d_grad_wrt_weights(x, g, (1, 1, 2, 2))
    >>> theon.function([x, g], dw)(np.arange(9.).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))
    array([[[[24., 20.],
             [12.,  8.]]]])
    """
    who = "conv2d_grad_wrt_weights"
    params = _params(who, border_mode, subsample, filter_flip, filter_dilation, num_groups,
                     unshared)
    input = _with_hint(as_tensor_variable(input), input_shape, "input_shape", who)
    return build("conv2d_grad_wrt_weights", input, output_grad,
                 _spatial(filter_shape, "filter_shape", who), **params)


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode="valid",
                     input_dilation=(1, 1), filter_flip=True, filter_dilation=(1, 1),
                     num_groups=1, unshared=False):
    """Theano's transposed convolution: conv2d_grad_wrt_inputs of ``input`` as the gradient.

    Parameters
    ----------
    input : 4-d Variable
        The images, (batch, channels, rows, columns), taken as a convolution's output.
    filters : 4-d Variable
        The filters of the convolution transposed, (channels, output channels / num_groups,
        rows, columns).
    output_shape : sequence of 4 ints or scalars, or a shape vector
        The shape of the result; only its rows and columns are read.
    filter_shape : tuple or None
        A shape hint of the filters, None for unknown entries.
    border_mode : str, int or pair of ints
        That of the convolution transposed.
    input_dilation : int or pair of ints
        The strides of the convolution transposed.
    filter_flip, filter_dilation, num_groups, unshared
        As in conv2d_grad_wrt_inputs.

    Returns
    -------
    Variable
        An image of ``output_shape``.

    Examples
    --------
    >>> from theon.tensor.nnet.abstract_conv import conv2d_transpose
    >>> x, w = T.dtensor4('x'), T.dtensor4('w')
    >>> y = conv2d_transpose(x, w, (1, 1, 3, 3))
    >>> theon.function([x, w], y)(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    """
    return conv2d_grad_wrt_inputs(input, filters, output_shape, filter_shape, border_mode,
                                  input_dilation, filter_flip, filter_dilation, num_groups,
                                  unshared)


def separable_conv2d(input, depthwise_filters, pointwise_filters, num_channels,
                     input_shape=None, depthwise_filter_shape=None,
                     pointwise_filter_shape=None, border_mode="valid", subsample=(1, 1),
                     filter_flip=True, filter_dilation=(1, 1)):
    """Theano's separable convolution: a depthwise conv2d followed by a pointwise one.

    Parameters
    ----------
    input : 4-d Variable
        The images, (batch, num_channels, rows, columns).
    depthwise_filters : 4-d Variable
        (depth_multiplier * num_channels, 1, rows, columns): each input channel is convolved
        on its own, with the border mode, strides and dilation given.
    pointwise_filters : 4-d Variable
        (output channels, depth_multiplier * num_channels, 1, 1): mixes the depthwise
        outputs.
    num_channels : int
        The input's channels.
    input_shape, depthwise_filter_shape, pointwise_filter_shape : tuple or None
        Shape hints, None for unknown entries.
    border_mode, subsample, filter_flip, filter_dilation
        As in conv2d (the pointwise convolution uses only filter_flip).

    Returns
    -------
    Variable
        (batch, output channels, output rows, output columns).

    Examples
    --------
    >>> x, dw, pw = T.dtensor4('x'), T.dtensor4('dw'), T.dtensor4('pw')
    >>> y = T.nnet.separable_conv2d(x, dw, pw, 2)
    >>> f = theon.function([x, dw, pw], y)
    >>> f(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), np.ones((1, 2, 1, 1)))
    array([[[[8., 8.],
             [8., 8.]]]])
    """
    depthwise = conv2d(input, depthwise_filters, input_shape, depthwise_filter_shape,
                       border_mode, subsample, filter_flip, filter_dilation=filter_dilation,
                       num_groups=num_channels)
    return conv2d(depthwise, pointwise_filters, filter_shape=pointwise_filter_shape,
                  filter_flip=filter_flip)


class _AbstractConv:
    """Theano's abstract conv op classes as callables: the geometry at construction, the
    arrays at the call (imshp and kshp are shape hints, as in Theano)."""

    def __init__(self, imshp=None, kshp=None, border_mode="valid", subsample=(1, 1),
                 filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
        self.imshp, self.kshp = imshp, kshp
        self.geometry = dict(border_mode=border_mode, subsample=subsample,
                             filter_flip=filter_flip, filter_dilation=filter_dilation,
                             num_groups=num_groups, unshared=unshared)


class AbstractConv2d(_AbstractConv):
    """Theano's conv2d op as a callable: ``AbstractConv2d(...)(img, kern)`` is conv2d.

    Parameters
    ----------
    imshp, kshp : tuple or None
        Shape hints of the images and the filters, None for unknown entries.
    border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared
        As in conv2d.

    Examples
    --------
    >>> from theon.tensor.nnet.abstract_conv import AbstractConv2d
    >>> x, w = T.dtensor4('x'), T.dtensor4('w')
    >>> y = AbstractConv2d(border_mode='full')(x, w)
    >>> theon.function([x, w], y)(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    """

    def __call__(self, img, kern):
        return conv2d(img, kern, self.imshp, self.kshp, **self.geometry)


class AbstractConv2d_gradInputs(_AbstractConv):
    """Theano's op of conv2d's input gradient as a callable (conv2d_grad_wrt_inputs).

    ``AbstractConv2d_gradInputs(...)(kern, topgrad, shape)`` is the gradient of an image of
    ``shape`` (its rows and columns, or its 4 sizes).

    Parameters
    ----------
    imshp, kshp : tuple or None
        Shape hints of the images and the filters, None for unknown entries.
    border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared
        As in conv2d.

    Examples
    --------
    >>> from theon.tensor.nnet.abstract_conv import AbstractConv2d_gradInputs
    >>> w, g = T.dtensor4('w'), T.dtensor4('g')
    >>> dx = AbstractConv2d_gradInputs()(w, g, (3, 3))
    >>> theon.function([w, g], dx)(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    """

    def __call__(self, kern, topgrad, shape):
        return conv2d_grad_wrt_inputs(topgrad, kern, _full_shape(shape), self.kshp,
                                      **self.geometry)


class AbstractConv2d_gradWeights(_AbstractConv):
    """Theano's op of conv2d's filter gradient as a callable (conv2d_grad_wrt_weights).

    ``AbstractConv2d_gradWeights(...)(img, topgrad, shape)`` is the gradient of filters of
    ``shape`` (their rows and columns, or their 4 sizes).

    Parameters
    ----------
    imshp, kshp : tuple or None
        Shape hints of the images and the filters, None for unknown entries.
    border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared
        As in conv2d.

    Examples
    --------
    >>> from theon.tensor.nnet.abstract_conv import AbstractConv2d_gradWeights
    >>> x, g = T.dtensor4('x'), T.dtensor4('g')
    >>> dw = AbstractConv2d_gradWeights()(x, g, (2, 2))
    >>> theon.function([x, g], dw)(np.arange(9.).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))
    array([[[[24., 20.],
             [12.,  8.]]]])
    """

    def __call__(self, img, topgrad, shape):
        return conv2d_grad_wrt_weights(img, topgrad, _full_shape(shape), self.imshp,
                                       **self.geometry)


def _full_shape(shape):
    """A shape of 4 entries whose last two are ``shape``'s rows and columns (Theano's ops take
    the two spatial sizes)."""
    if isinstance(shape, (list, tuple)):
        return (None, None) + tuple(shape[-2:])
    shape = as_tensor_variable(shape)
    return (None, None, shape[-2], shape[-1])
