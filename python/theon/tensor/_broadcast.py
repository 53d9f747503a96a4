"""Theano's broadcast-pattern helpers. In Theon a broadcastable dimension is one of static size
1, so adding one is a shape check (specify_shape) and removing one the Unbroadcast op."""

from theon.tensor._build import as_tensor_variable, build

__all__ = ["shape_padleft", "shape_padright", "shape_padaxis", "addbroadcast", "unbroadcast",
           "patternbroadcast"]


def shape_padleft(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable dimensions added on the left.

    Parameters
    ----------
    t : Variable or array_like
        The input.
    n_ones : int
        How many.

    Returns
    -------
    Variable
        A view of t.

    Examples
    --------
    >>> T.shape_padleft(T.dvector(), 2).type
    TensorType(float64, shape=(1, 1, None))
    """
    t = as_tensor_variable(t)
    return t.dimshuffle(*(["x"] * n_ones + list(range(t.ndim))))


def shape_padright(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable dimensions added on the right.

    Parameters
    ----------
    t : Variable or array_like
        The input.
    n_ones : int
        How many.

    Returns
    -------
    Variable
        A view of t.

    Examples
    --------
    >>> T.shape_padright(T.dvector()).type
    TensorType(float64, shape=(None, 1))
    """
    t = as_tensor_variable(t)
    return t.dimshuffle(*(list(range(t.ndim)) + ["x"] * n_ones))


def shape_padaxis(t, axis):
    """``t`` with a broadcastable dimension inserted at ``axis``.

    Parameters
    ----------
    t : Variable or array_like
        The input.
    axis : int
        Its position; negative counts from the end of the result, as np.expand_dims.

    Returns
    -------
    Variable
        A view of t.

    Examples
    --------
    >>> T.shape_padaxis(T.dmatrix(), 1).type
    TensorType(float64, shape=(None, 1, None))
    """
    t = as_tensor_variable(t)
    if not -t.ndim - 1 <= axis <= t.ndim:
        raise IndexError(f"shape_padaxis: axis {axis} is out of bounds for a result of "
                         f"{t.ndim + 1} dimensions ({t.type})")
    if axis < 0:
        axis += t.ndim + 1
    pattern = list(range(t.ndim))
    pattern.insert(axis, "x")
    return t.dimshuffle(*pattern)


def _axes(x, axes, who):
    out = []
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise IndexError(f"{who}: axis {a} is out of bounds for {x.type}")
        out.append(a % x.ndim)
    return out


def addbroadcast(x, *axes):
    """``x`` with the dimensions ``axes`` made broadcastable (static size 1).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    *axes : int
        The dimensions; a size other than 1 there raises ValueError when computed.

    Returns
    -------
    Variable
        x with the new static shape.

    Examples
    --------
    >>> T.addbroadcast(T.dmatrix(), 0).type
    TensorType(float64, shape=(1, None))
    """
    x = as_tensor_variable(x)
    axes = _axes(x, axes, "addbroadcast")
    if all(x.static_shape[a] == 1 for a in axes):
        return x
    sizes = [1 if d in axes else -1 for d in range(x.ndim)]
    return build("specify_shape", x, as_tensor_variable(sizes, dtype="int64"))


def unbroadcast(x, *axes):
    """``x`` with the dimensions ``axes`` no longer broadcastable (their static size forgotten).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    *axes : int
        The dimensions.

    Returns
    -------
    Variable
        x with the new static shape.

    Examples
    --------
    >>> T.unbroadcast(T.drow(), 0).type
    TensorType(float64, shape=(None, None))
    """
    x = as_tensor_variable(x)
    axes = _axes(x, axes, "unbroadcast")
    if not any(x.static_shape[a] == 1 for a in axes):
        return x
    return build("unbroadcast", x, axis=sorted(set(axes)))


def patternbroadcast(x, broadcastable):
    """``x`` with the broadcastable pattern ``broadcastable``.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    broadcastable : sequence of bool
        One per dimension: True for static size 1.

    Returns
    -------
    Variable
        x with the new static shape.

    Examples
    --------
    >>> T.patternbroadcast(T.dmatrix(), (False, True)).type
    TensorType(float64, shape=(None, 1))
    """
    x = as_tensor_variable(x)
    if len(broadcastable) != x.ndim:
        raise ValueError(f"patternbroadcast: a pattern of {len(broadcastable)} entries for "
                         f"{x.type}")
    x = addbroadcast(x, *[d for d, b in enumerate(broadcastable) if b])
    return unbroadcast(x, *[d for d, b in enumerate(broadcastable) if not b])
