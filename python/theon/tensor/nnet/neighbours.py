"""theon.tensor.nnet.neighbours: Theano's images2neibs and neibs2images, composed of strided
slices, stack and reshape (so their gradients are those ops')."""

from theon.tensor._build import as_tensor_variable

__all__ = ["images2neibs", "neibs2images"]


def _pair(value, name, who):
    pair = tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                                 for v in pair):
        raise ValueError(f"{who}: {name} must be 2 ints of at least 1, got {value!r}")
    return pair


def images2neibs(ten4, neib_shape, neib_step=None, mode="valid"):
    """The patches of every image and channel, as the rows of a matrix.

    Parameters
    ----------
    ten4 : 4-d Variable
        The images, (batch, channels, rows, columns).
    neib_shape : pair of ints
        The patches' (rows, columns).
    neib_step : pair of ints or None
        The steps between patches; None means ``neib_shape`` (patches that do not overlap).
    mode : {'valid', 'ignore_borders', 'half', 'full', 'wrap_centered'}
        'valid': the patches must tile the image exactly (checked at run time);
        'ignore_borders': rows and columns left over are dropped; 'half' or 'full': the image
        is padded with zeros by half the patch, or the patch minus one, on each side;
        'wrap_centered': a patch (of odd sizes) centered on every ``neib_step``-th pixel, the
        image wrapping around at its borders (``ceil(rows / step)`` patches down).

    Returns
    -------
    Variable
        A matrix of ``neib_shape[0] * neib_shape[1]`` columns, one row per patch, in the order
        (image, channel, patch row, patch column).

    Examples
    --------
    >>> from theon.tensor.nnet.neighbours import images2neibs
    >>> x = T.dtensor4('x')
    >>> theon.function([x], images2neibs(x, (2, 2)))(np.arange(16.).reshape(1, 1, 4, 4))
    array([[ 0.,  1.,  4.,  5.],
           [ 2.,  3.,  6.,  7.],
           [ 8.,  9., 12., 13.],
           [10., 11., 14., 15.]])
    """
    from theon import tensor as T

    who = "images2neibs"
    x = as_tensor_variable(ten4)
    if x.ndim != 4:
        raise TypeError(f"{who}: expected a 4-d input, got {x.type}")
    nh, nw = _pair(neib_shape, "neib_shape", who)
    sh, sw = _pair(neib_shape if neib_step is None else neib_step, "neib_step", who)
    if mode not in ("valid", "ignore_borders", "half", "full", "wrap_centered"):
        raise ValueError(f"{who}: mode must be 'valid', 'ignore_borders', 'half', 'full' or "
                         f"'wrap_centered', got {mode!r}")
    if mode == "wrap_centered":
        return _wrap_centered(x, (nh, nw), (sh, sw), who)
    b, c = x.shape[0], x.shape[1]
    if mode in ("half", "full"):
        ph, pw = (nh // 2, nw // 2) if mode == "half" else (nh - 1, nw - 1)
        h, w = x.shape[2], x.shape[3]
        padded = T.zeros([b, c, h + 2 * ph, w + 2 * pw], dtype=x.dtype)
        x = T.set_subtensor(padded[:, :, ph:ph + h, pw:pw + w], x)
    h, w = x.shape[2], x.shape[3]
    rows = T.maximum((h - nh) // sh + 1, 0)
    cols = T.maximum((w - nw) // sw + 1, 0)
    if mode == "valid":
        for size, n, step, axis in ((x.static_shape[2], nh, sh, "rows"),
                                    (x.static_shape[3], nw, sw, "columns")):
            if size is not None and (size < n or (size - n) % step):
                raise ValueError(f"{who}: patches of {n} {axis} every {step} do not tile an "
                                 f"image of {size} {axis} (mode 'valid'); use "
                                 f"mode='ignore_borders'")
        # The patches must cover the image exactly: checked when it runs.
        x = T.specify_shape(x, [None, None, nh + sh * (rows - 1), nw + sw * (cols - 1)])
    span_r = T.maximum(sh * (rows - 1) + 1, 0)
    span_c = T.maximum(sw * (cols - 1) + 1, 0)
    patches = [x[:, :, i:i + span_r:sh, j:j + span_c:sw] for i in range(nh) for j in range(nw)]
    stacked = T.stack(patches, axis=4)
    return stacked.reshape([b * c * rows * cols, nh * nw])


def _wrap_centered(x, shape, step, who):
    """images2neibs's 'wrap_centered' mode: the rows and columns of every patch, taken modulo
    the image's, gathered with take (whose gradient adds up pixels that several patches
    share)."""
    from theon import tensor as T

    if shape[0] % 2 == 0 or shape[1] % 2 == 0:
        raise ValueError(f"{who}: mode 'wrap_centered' needs a patch of odd sizes, got "
                         f"neib_shape {shape}")
    for size, n, axis in zip(x.static_shape[2:], shape, ("rows", "columns")):
        if size is not None and size < n:
            raise ValueError(f"{who}: mode 'wrap_centered' needs an image of at least the "
                             f"patch's {axis}: {n} {axis} in a patch, {size} in the image")
    b, c = x.shape[0], x.shape[1]
    counts, picked = [], x
    for axis, n, s in ((2, shape[0], step[0]), (3, shape[1], step[1])):
        size = x.shape[axis]
        count = (size + s - 1) // s
        # The patch around pixel k * s covers k * s - n // 2 ... k * s + n // 2, wrapped.
        index = (T.arange(count).dimshuffle(0, "x") * s + T.arange(n) - n // 2) % size
        picked = T.take(picked, index.flatten(), axis=axis)
        counts.append(count)
    rows, cols = counts
    patches = picked.reshape([b, c, rows, shape[0], cols, shape[1]]).dimshuffle(0, 1, 2, 4, 3, 5)
    return patches.reshape([b * c * rows * cols, shape[0] * shape[1]])


def neibs2images(neibs, neib_shape, original_shape, mode="valid"):
    """The inverse of images2neibs for patches that do not overlap (neib_step = neib_shape).

    Parameters
    ----------
    neibs : matrix Variable
        The patches, one per row, as images2neibs gives them.
    neib_shape : pair of ints
        The patches' (rows, columns).
    original_shape : sequence of 4 ints or scalars, or a shape vector
        The images' (batch, channels, rows, columns).
    mode : {'valid', 'ignore_borders'}
        With 'ignore_borders' the rows and columns no patch covered are zeros.

    Returns
    -------
    Variable
        The images of ``original_shape`` the rows of ``neibs`` came from.

    Examples
    --------
    >>> from theon.tensor.nnet.neighbours import neibs2images
    >>> n = T.dmatrix('n')
    >>> theon.function([n], neibs2images(n, (1, 2), (1, 1, 2, 2)))([[1., 2.], [3., 4.]])
    array([[[[1., 2.],
             [3., 4.]]]])
    """
    from theon import tensor as T

    who = "neibs2images"
    neibs = as_tensor_variable(neibs)
    if neibs.ndim != 2:
        raise TypeError(f"{who}: expected a matrix of patches, got {neibs.type}")
    nh, nw = _pair(neib_shape, "neib_shape", who)
    if mode not in ("valid", "ignore_borders"):
        raise ValueError(f"{who}: mode must be 'valid' or 'ignore_borders', got {mode!r}")
    if isinstance(original_shape, (list, tuple)):
        if len(original_shape) != 4:
            raise ValueError(f"{who}: original_shape must have 4 entries, got "
                             f"{original_shape!r}")
        b, c, h, w = original_shape
    else:  # a shape vector (x.shape)
        shape = as_tensor_variable(original_shape)
        if shape.ndim != 1:
            raise TypeError(f"{who}: original_shape must be 4 sizes, got {shape.type}")
        b, c, h, w = (shape[i] for i in range(4))
    rows, cols = h // nh, w // nw
    image = neibs.reshape([b, c, rows, cols, nh, nw]).dimshuffle(0, 1, 2, 4, 3, 5)
    image = image.reshape([b, c, rows * nh, cols * nw])
    if mode == "valid":
        return T.specify_shape(image, [None, None, h, w])
    out = T.zeros([b, c, h, w], dtype=neibs.dtype)
    return T.set_subtensor(out[:, :, :rows * nh, :cols * nw], image)
