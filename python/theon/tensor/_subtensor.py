"""The subtensor family of theon.tensor (C++ in src/ops/subtensor/): NumPy indexing.

``getitem(x, key)`` implements ``Variable.__getitem__``: the bindings parse the key (ints,
slices, None, Ellipsis, integer arrays and boolean masks as NumPy arrays, lists or Variables)
into the C++ key that builds the node.
"""

import numpy as np

__all__ = ["getitem", "set_subtensor", "inc_subtensor", "take"]


def _build(*args, **kwargs):
    from theon.tensor._build import build
    return build(*args, **kwargs)


def _is_variable(obj):
    from theon.tensor._build import Variable
    return isinstance(obj, Variable)


def _is_int_dtype(dtype):
    return np.issubdtype(np.dtype(dtype), np.integer)


def _value_for(x, y):
    """y as a variable; a Python scalar is a NumPy 2 "weak" scalar taking the dtype of x where
    its kind allows (np.add.at(uint8_array, i, 1) keeps uint8)."""
    if type(y) in (bool, int, float) and _is_variable(x):
        from theon import _core
        from theon._location import user_location
        return _core.weak_constant(y, x.dtype, user_location())
    return y


def getitem(x, key):
    """``x[key]`` with NumPy semantics.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    key : int, slice, None, Ellipsis, array, Variable or tuple of them
        Basic indexing gives a view; integer arrays and boolean masks a copy.

    Returns
    -------
    Variable
        The selected elements.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.getitem(x, (0, slice(1, None))))([[1., 2., 3.]])
    array([2., 3.])
    """
    from theon import _core
    from theon._location import user_location
    from theon.tensor._build import _compute_test_values
    if isinstance(key, list) and key and all(k is None or k is Ellipsis or
                                             isinstance(k, slice) for k in key):
        key = tuple(key)  # Theano (and NumPy before 1.23) read a list of slices as a tuple
    where = user_location()
    out, inputs = _core.getitem(x, key, where)
    _compute_test_values("getitem", inputs, [out], where)
    return out


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """Theano's ``set_subtensor(x[idx], y)``: the tensor whose ``x[idx]`` is replaced by ``y``.

    Parameters
    ----------
    x : Variable
        An indexed variable, ``x[idx]``.
    y : Variable, array_like or number
        Broadcast to the indexed shape; with repeated indices the last write wins.
    inplace : bool
        Must be False.
    tolerate_inplace_aliasing : bool
        Accepted for Theano's signature.

    Returns
    -------
    Variable
        A new tensor of the shape of the indexed variable.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.set_subtensor(x[1:], 0.))([1., 2., 3.])
    array([1., 0., 0.])
    """
    if inplace:
        raise NotImplementedError("set_subtensor: inplace=True is not supported")
    return _build("set_subtensor", x, _value_for(x, y))


def inc_subtensor(x, y, inplace=False, set_instead_of_inc=False,
                  tolerate_inplace_aliasing=False, ignore_duplicates=False):
    """Theano's ``inc_subtensor(x[idx], y)``: the tensor whose ``x[idx]`` is incremented by ``y``.

    Parameters
    ----------
    x : Variable
        An indexed variable, ``x[idx]``.
    y : Variable, array_like or number
        Broadcast to the indexed shape; with repeated indices the increments accumulate
        (np.add.at).
    inplace : bool
        Must be False.
    set_instead_of_inc : bool
        Set, as set_subtensor.
    tolerate_inplace_aliasing, ignore_duplicates : bool
        Accepted for Theano's signature.

    Returns
    -------
    Variable
        A new tensor of the shape of the indexed variable.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.inc_subtensor(x[[0, 0, 2]], 1.))([1., 2., 3.])
    array([3., 2., 4.])
    """
    if inplace:
        raise NotImplementedError("inc_subtensor: inplace=True is not supported")
    if ignore_duplicates:
        raise NotImplementedError("inc_subtensor: ignore_duplicates=True is not supported")
    if set_instead_of_inc:
        return _build("set_subtensor", x, _value_for(x, y))
    return _build("inc_subtensor", x, _value_for(x, y))


def take(a, indices, axis=None, mode="raise"):
    """The elements of ``a`` at ``indices`` along ``axis`` (np.take).

    Parameters
    ----------
    a : Variable or array_like
        The input.
    indices : int, array_like or integer Variable
        The indices.
    axis : int or None
        None: the flattened array.
    mode : 'raise'
        The only mode supported.

    Returns
    -------
    Variable
        a's shape with the axis replaced by the indices' shape.

    Examples
    --------
    >>> a = T.dmatrix('a')
    >>> theon.function([a], T.take(a, [2, 0], axis=1))([[1., 2., 3.]])
    array([[3., 1.]])
    """
    if mode != "raise":
        raise NotImplementedError("take: only mode='raise' is supported")
    if isinstance(indices, (list, tuple)) or (
            isinstance(indices, np.ndarray) and indices.size == 0):
        indices = np.asarray(indices)
        if indices.size == 0 and not _is_int_dtype(indices.dtype):
            indices = indices.astype(np.intp)
    if axis is None:
        return _build("take", a, indices)
    return _build("take", a, indices, axis=int(axis))
