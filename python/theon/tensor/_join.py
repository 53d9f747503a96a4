"""The join family of theon.tensor (C++ in src/ops/join/): join, concatenate, stack,
split."""

import numbers

import numpy as np

from theon.tensor._build import Variable, as_tensor_variable, build, constant

__all__ = ["join", "concatenate", "stack", "split"]


def join(axis, *tensors_list):
    """Theano's join: the tensors (same ndim, equal sizes off ``axis``) concatenated along
    ``axis``; the dtype is their promotion."""
    if len(tensors_list) == 1 and isinstance(tensors_list[0], (list, tuple)):
        tensors_list = tensors_list[0]
    if isinstance(axis, Variable):
        raise NotImplementedError("join: a symbolic axis is not supported; pass an int")
    if len(tensors_list) == 0:
        raise ValueError("join: need at least one array to join")
    return build("join", *tensors_list, axis=int(axis))


def concatenate(tensor_list, axis=0):
    """NumPy's concatenate; axis=None flattens the inputs first."""
    tensor_list = list(tensor_list)
    if len(tensor_list) == 0:
        raise ValueError("concatenate: need at least one array to concatenate")
    return build("concatenate", *tensor_list, axis=None if axis is None else int(axis))


def stack(tensors, *more, axis=0):
    """NumPy's stack: joins tensors of equal shapes along a new axis. Theano's older form
    stack(a, b, c) is accepted too."""
    if more or not isinstance(tensors, (list, tuple)):
        tensors = [tensors, *more]
    tensors = list(tensors)
    if len(tensors) == 0:
        raise ValueError("stack: need at least one array to stack")
    return build("stack", *tensors, axis=int(axis))


def split(x, splits_size, n_splits, axis=0):
    """Theano's split: ``n_splits`` pieces of x along ``axis``, of the lengths in the integer
    vector ``splits_size`` (which must sum to x.shape[axis]). Returns a list."""
    if not isinstance(splits_size, Variable):
        splits_size = constant(np.asarray(splits_size, dtype=np.int64).reshape(-1))
    if not isinstance(n_splits, numbers.Integral):
        raise TypeError(f"split: n_splits must be an int, got {type(n_splits).__name__}")
    outs = build("split", as_tensor_variable(x), splits_size, n_splits=int(n_splits),
                 axis=int(axis))
    return outs if isinstance(outs, list) else [outs]
