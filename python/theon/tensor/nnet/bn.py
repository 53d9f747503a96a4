"""theon.tensor.nnet.bn: Theano's batch normalization, composed of Theon's elementwise ops and
reductions (so its gradients, and their fusion into one kernel, come from those ops)."""

import numpy as np

from theon.tensor._build import as_tensor_variable

__all__ = ["batch_normalization", "batch_normalization_train", "batch_normalization_test"]


def _axes(axes, ndim, who):
    """The normalized axes and the others (the parameters' axes)."""
    if axes == "per-activation":
        axes = (0,)
    elif axes == "spatial":
        axes = (0,) + tuple(range(2, ndim))
    elif isinstance(axes, (tuple, list)) and all(isinstance(a, int) for a in axes):
        axes = tuple(a + ndim if a < 0 else a for a in axes)
        if any(a < 0 or a >= ndim for a in axes) or len(set(axes)) != len(axes):
            raise ValueError(f"{who}: axes {axes!r} are not distinct axes of a {ndim}-d input")
        axes = tuple(sorted(axes))
    else:
        raise ValueError(f"{who}: axes must be 'per-activation', 'spatial' or a tuple of ints, "
                         f"got {axes!r}")
    return axes, tuple(a for a in range(ndim) if a not in axes)


def _broadcast_params(params, names, ndim, kept, who):
    """The parameters with the inputs' dimensions: they have either all of them (size 1 on the
    normalized axes) or only the kept ones, which are then expanded."""
    params = [as_tensor_variable(p) for p in params]
    full = params[0].ndim == ndim
    want = ndim if full else len(kept)
    for p, name in zip(params, names):
        if p.ndim != want:
            raise ValueError(f"{who}: {name} must have {want} dimensions like the other "
                             f"parameters, got {p.type}")
    if full:
        return params, False
    pattern = ["x"] * ndim
    for i, axis in enumerate(kept):
        pattern[axis] = i
    return [p.dimshuffle(*pattern) for p in params], True


def _check_epsilon(epsilon, who):
    from theon import config

    if np.dtype(config.floatX).type(epsilon) < 1e-5:
        raise ValueError(f"{who}: epsilon must be at least 1e-5, got {epsilon}")


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """``(inputs - mean) * (gamma / std) + beta``, elementwise with broadcasting.

    Parameters
    ----------
    inputs : Variable
        The activations.
    gamma, beta : Variable
        The scale and the shift.
    mean, std : Variable
        The statistics the inputs are normalized by.
    mode : {'low_mem', 'high_mem'}
        Only chose Theano's memory/speed trade-off; the fused kernel serves both.

    Returns
    -------
    Variable
        The normalized activations, of the broadcast shape of the arguments.

    Examples
    --------
    >>> from theon.tensor.nnet import bn
    >>> x, (g, b, m, s) = T.dmatrix('x'), T.dvectors('g', 'b', 'm', 's')
    >>> f = theon.function([x, g, b, m, s], bn.batch_normalization(x, g, b, m, s))
    >>> f([[1., 2.], [3., 6.]], [1., 2.], [0., 1.], [2., 4.], [1., 2.])
    array([[-1., -1.],
           [ 1.,  3.]])
    """
    if mode not in ("low_mem", "high_mem"):
        raise ValueError(f"batch_normalization: mode must be 'low_mem' or 'high_mem', got "
                         f"{mode!r}")
    return (as_tensor_variable(inputs) - mean) * (gamma / std) + beta


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None, running_var=None):
    """Batch normalization for training: by the batch's own mean and variance.

    ``out = (inputs - mean) * gamma / sqrt(var + epsilon) + beta``, the mean and the (biased)
    variance taken over ``axes``.

    Parameters
    ----------
    inputs : Variable
        The activations, the batch along axis 0.
    gamma, beta : Variable
        The scale and the shift: either of the inputs' dimensions with size 1 on the
        normalized axes, or of the kept axes only.
    axes : 'per-activation', 'spatial' or tuple of ints
        The axes normalized over: 'per-activation' the batch axis; 'spatial' the batch and
        every axis after the second.
    epsilon : float
        Added to the variance; at least 1e-5.
    running_average_factor : float
        The weight of the batch in the new running statistics.
    running_mean, running_var : Variable or None
        The running statistics (given together, of the parameters' shape).

    Returns
    -------
    list of Variable
        ``[out, mean, invstd]`` (``invstd = 1 / sqrt(var + epsilon)``; mean and invstd of the
        parameters' shape), plus the new running mean and variance when ``running_mean`` and
        ``running_var`` are given (``running * (1 - factor) + batch * factor``, with the
        unbiased batch variance), for the caller's updates.

    Examples
    --------
    >>> from theon.tensor.nnet import bn
    >>> x, g, b = T.dmatrix('x'), T.dvector('g'), T.dvector('b')
    >>> out, mean, invstd = bn.batch_normalization_train(x, g, b, epsilon=1e-5)
    >>> f = theon.function([x, g, b], [out, mean])
    >>> [np.round(r, 4) for r in f([[1., 2.], [3., 6.]], [1., 1.], [0., 0.])]
    [array([[-1., -1.],
           [ 1.,  1.]]), array([2., 4.])]
    """
    from theon import tensor as T

    who = "batch_normalization_train"
    inputs = as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes, kept = _axes(axes, ndim, who)
    _check_epsilon(epsilon, who)
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{who}: running_mean and running_var must be given together")
    names = ["gamma", "beta"] + (["running_mean", "running_var"] if running_mean is not None
                                 else [])
    given = [gamma, beta] + ([running_mean, running_var] if running_mean is not None else [])
    params, expanded = _broadcast_params(given, names, ndim, kept, who)
    gamma, beta = params[:2]
    mean = T.mean(inputs, axis=axes, keepdims=True)
    var = T.var(inputs, axis=axes, keepdims=True)
    invstd = T.inv(T.sqrt(var + epsilon))
    out = (inputs - mean) * (gamma * invstd) + beta
    results = [out, mean, invstd]
    if running_mean is not None:
        factor = running_average_factor
        count = T.cast(T.prod([inputs.shape[a] for a in axes]), var.dtype)
        results.append(params[2] * (1.0 - factor) + mean * factor)
        results.append(params[3] * (1.0 - factor) + (count / (count - 1)) * var * factor)
    if expanded:  # back to the parameters' own dimensions
        results[1:] = [r.dimshuffle(*kept) for r in results[1:]]
    return results


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation",
                             epsilon=1e-4):
    """Batch normalization for inference, by given (running) statistics.

    ``(inputs - mean) * gamma / sqrt(var + epsilon) + beta``.

    Parameters
    ----------
    inputs : Variable
        The activations, the batch along axis 0.
    gamma, beta : Variable
        The scale and the shift.
    mean, var : Variable
        The statistics, of the shape of ``gamma``.
    axes : 'per-activation', 'spatial' or tuple of ints
        As in batch_normalization_train: decides how parameters of the kept axes only
        broadcast.
    epsilon : float
        Added to the variance; at least 1e-5.

    Returns
    -------
    Variable
        The normalized activations, of the shape of ``inputs``.

    Examples
    --------
    >>> from theon.tensor.nnet import bn
    >>> x, (g, b, m, v) = T.dmatrix('x'), T.dvectors('g', 'b', 'm', 'v')
    >>> f = theon.function([x, g, b, m, v], bn.batch_normalization_test(x, g, b, m, v))
    >>> np.round(f([[1., 2.], [3., 6.]], [1., 1.], [0., 0.], [2., 4.], [1., 4.]), 4)
    array([[-1., -1.],
           [ 1.,  1.]])
    """
    from theon import tensor as T

    who = "batch_normalization_test"
    inputs = as_tensor_variable(inputs)
    axes, kept = _axes(axes, inputs.ndim, who)
    _check_epsilon(epsilon, who)
    (gamma, beta, mean, var), _ = _broadcast_params(
        [gamma, beta, mean, var], ["gamma", "beta", "mean", "var"], inputs.ndim, kept, who)
    return (inputs - mean) * (gamma / T.sqrt(var + epsilon)) + beta
