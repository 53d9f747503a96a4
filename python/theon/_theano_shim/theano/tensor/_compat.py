"""Theano 1.0 functions of theano.tensor that Theon spells differently or composes from its
own ops."""

import theon.tensor as T
from theon import _core
from theon.graph import inputs as _graph_inputs
from theon.tensor import as_tensor_variable

__all__ = ["max_and_argmax", "ptp", "largest", "smallest", "horizontal_stack",
           "vertical_stack", "stacklists", "ceil_intdiv", "divmod",
           "advanced_subtensor1", "advanced_inc_subtensor1",
           "advanced_set_subtensor1", "scalar_from_tensor", "tensor_from_scalar",
           "get_scalar_constant_value", "NotScalarConstantError", "get_vector_length",
           "extract_constant", "identity"]


def max_and_argmax(a, axis=None, keepdims=False):
    """(max, argmax) of ``a`` along ``axis``."""
    return T.max(a, axis=axis, keepdims=keepdims), T.argmax(a, axis=axis, keepdims=keepdims)


def ptp(a, axis=None):
    """max - min along ``axis``."""
    return T.max(a, axis=axis) - T.min(a, axis=axis)


def largest(*args):
    """The elementwise maximum of the arguments."""
    out = args[0]
    for a in args[1:]:
        out = T.maximum(out, a)
    return out


def smallest(*args):
    """The elementwise minimum of the arguments."""
    out = args[0]
    for a in args[1:]:
        out = T.minimum(out, a)
    return out


def horizontal_stack(*args):
    """The arguments joined along their last axis (their second for matrices)."""
    return T.concatenate(list(args), axis=1 if all(a.ndim >= 2 for a in args) else 0)


def vertical_stack(*args):
    """The arguments joined along their first axis."""
    return T.concatenate(list(args), axis=0)


def stacklists(arg):
    """A tensor from nested lists of scalars or tensors (their nesting gives the shape)."""
    if isinstance(arg, (list, tuple)):
        return T.stack([stacklists(a) for a in arg])
    return as_tensor_variable(arg)


def ceil_intdiv(a, b):
    """a / b rounded up, for integers."""
    return -T.floor_div(-as_tensor_variable(a), b)


def divmod(a, b):  # noqa: A001  (Theano's name)
    """(a // b, a % b)."""
    return T.floor_div(a, b), T.mod(a, b)


def advanced_subtensor1(x, ilist):
    """x[ilist] for an integer vector."""
    return x[ilist]


def advanced_inc_subtensor1(x, y, ilist):
    """x with y added at rows ilist (repeated rows accumulate)."""
    return T.inc_subtensor(x[ilist], y)


def advanced_set_subtensor1(x, y, ilist):
    """x with rows ilist set to y."""
    return T.set_subtensor(x[ilist], y)


def identity(x):
    """x (Theon has no separate scalar type, so Theano's conversions are identities)."""
    return as_tensor_variable(x)


scalar_from_tensor = identity
tensor_from_scalar = identity


class NotScalarConstantError(ValueError):
    """get_scalar_constant_value: the variable is not a constant scalar."""


def get_scalar_constant_value(v, elemwise=True, only_process_constants=False):
    """The value of ``v`` when it is a scalar computed from constants only (a NumPy scalar);
    NotScalarConstantError otherwise."""
    if not isinstance(v, _core.Variable):
        import numpy as np

        value = np.asarray(v)
        if value.ndim != 0:
            raise NotScalarConstantError(f"{v!r} is not a scalar")
        return value[()]
    if v.ndim != 0 and not (v.is_constant and v.data.size == 1):
        raise NotScalarConstantError(f"{v} has {v.ndim} dimensions ({v.type})")
    if v.is_constant:
        return v.data.reshape(())[()]
    if only_process_constants or any(not i.is_constant for i in _graph_inputs([v])):
        raise NotScalarConstantError(f"{v} depends on inputs that are not constants")
    return _core.evaluate([v], [], [])[0][()]


def get_vector_length(v):
    """The length of the vector ``v`` when its type knows it; ValueError otherwise."""
    v = as_tensor_variable(v)
    if v.ndim != 1:
        raise TypeError(f"get_vector_length: expected a vector, got {v.type}")
    if v.static_shape[0] is None:
        raise ValueError(f"get_vector_length: the length of {v} is not known from its type "
                         f"({v.type})")
    return v.static_shape[0]


def extract_constant(x, elemwise=True, only_process_constants=False):
    """The constant x computes, as a constant variable, or x itself."""
    try:
        value = get_scalar_constant_value(x, elemwise, only_process_constants)
    except NotScalarConstantError:
        return x
    return T.constant(value)
