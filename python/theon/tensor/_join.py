"""The join family of theon.tensor (C++ in src/ops/join/): join, concatenate, stack,
split."""

import numbers

import numpy as np

from theon.tensor._build import Variable, as_tensor_variable, build, constant

__all__ = ["join", "concatenate", "stack", "split"]


def join(axis, *tensors_list):
    """Theano's join: tensors concatenated along ``axis``.

    Parameters
    ----------
    axis : int or integer scalar Variable
        The axis.
    *tensors_list : Variable
        Of the same ndim and equal sizes off the axis (or one list of them).

    Returns
    -------
    Variable
        Of the tensors' promoted dtype.

    Examples
    --------
    >>> a, b = T.dmatrices('a', 'b')
    >>> theon.function([a, b], T.join(1, a, b))([[1.]], [[2., 3.]])
    array([[1., 2., 3.]])
    """
    if len(tensors_list) == 1 and isinstance(tensors_list[0], (list, tuple)):
        tensors_list = tensors_list[0]
    if isinstance(axis, Variable):
        raise NotImplementedError("join: a symbolic axis is not supported; pass an int")
    if len(tensors_list) == 0:
        raise ValueError("join: need at least one array to join")
    return build("join", *tensors_list, axis=int(axis))


def concatenate(tensor_list, axis=0):
    """Tensors joined along an existing axis (np.concatenate).

    Parameters
    ----------
    tensor_list : sequence of Variable or array_like
        Of the same ndim and equal sizes off the axis.
    axis : int or None
        None flattens the inputs first.

    Returns
    -------
    Variable
        Of the tensors' promoted dtype.

    Examples
    --------
    >>> a, b = T.dvectors('a', 'b')
    >>> theon.function([a, b], T.concatenate([a, b]))([1.], [2., 3.])
    array([1., 2., 3.])
    """
    tensor_list = list(tensor_list)
    if len(tensor_list) == 0:
        raise ValueError("concatenate: need at least one array to concatenate")
    return build("concatenate", *tensor_list, axis=None if axis is None else int(axis))


def stack(tensors, *more, axis=0):
    """Tensors of equal shapes joined along a new axis (np.stack).

    Parameters
    ----------
    tensors : sequence of Variable or array_like
        The tensors; Theano's older form ``stack(a, b, c)`` is accepted too.
    *more : Variable
        The other tensors in that older form.
    axis : int
        The new axis's position.

    Returns
    -------
    Variable
        One dimension more than the inputs.

    Examples
    --------
    >>> a, b = T.dvectors('a', 'b')
    >>> theon.function([a, b], T.stack([a, b], axis=1))([1., 2.], [3., 4.])
    array([[1., 3.],
           [2., 4.]])
    """
    if more or not isinstance(tensors, (list, tuple)):
        tensors = [tensors, *more]
    tensors = list(tensors)
    if len(tensors) == 0:
        raise ValueError("stack: need at least one array to stack")
    return build("stack", *tensors, axis=int(axis))


def split(x, splits_size, n_splits, axis=0):
    """Theano's split: ``n_splits`` pieces of ``x`` along ``axis``.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    splits_size : sequence of int or integer vector Variable
        The pieces' lengths, which must sum to x.shape[axis].
    n_splits : int
        The number of pieces.
    axis : int
        The axis.

    Returns
    -------
    list of Variable
        The pieces.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.split(x, [1, 2], 2))([1., 2., 3.])
    [array([1.]), array([2., 3.])]
    """
    if not isinstance(splits_size, Variable):
        splits_size = constant(np.asarray(splits_size, dtype=np.int64).reshape(-1))
    if not isinstance(n_splits, numbers.Integral):
        raise TypeError(f"split: n_splits must be an int, got {type(n_splits).__name__}")
    outs = build("split", as_tensor_variable(x), splits_size, n_splits=int(n_splits),
                 axis=int(axis))
    return outs if isinstance(outs, list) else [outs]
