"""Building nodes from Python: conversion of Python values to variables and calls into the
C++ builder registry."""

import numpy as np

from theon import _core
from theon._location import user_location

Variable = _core.Variable

_PY_SCALARS = (bool, int, float)


def _is_py_scalar(x):
    return type(x) in _PY_SCALARS


def constant(value, name=None, ndim=None, dtype=None):
    """A constant variable holding ``value`` (an array, list or number)."""
    array = np.asarray(value, dtype=dtype)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"constant: expected {ndim} dimensions, got {array.ndim}")
    if array.dtype == np.float16 or array.dtype.kind not in "biuf":
        raise TypeError(f"constant: values of dtype {array.dtype} are not supported")
    return _core.constant(array, name, user_location())


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """Returns ``x`` if it is a Variable, else a constant holding it. A list or tuple that
    contains Variables is stacked into one."""
    if isinstance(x, Variable):
        if ndim is not None and x.ndim != ndim:
            raise TypeError(
                f"as_tensor_variable: expected a variable of {ndim} dimensions, got {x.ndim} "
                f"({x.type})")
        if dtype is not None and x.dtype != dtype:
            return build("cast", x, dtype=dtype)
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in x):
        return build("stack", *[as_tensor_variable(e) for e in x])
    if hasattr(x, "owner") and not isinstance(x, np.ndarray):
        raise TypeError(f"as_tensor_variable: cannot convert {type(x).__name__}")
    return constant(x, name=name, ndim=ndim, dtype=dtype)


def build(name, *inputs, **params):
    """Builds the op or composite registered as ``name``; returns its output, or the list of
    its outputs when it has several."""
    vars_ = [as_tensor_variable(i) for i in inputs]
    outs = _core.build(name, vars_, params, user_location())
    return outs[0] if len(outs) == 1 else outs


def result_dtype(*dtypes):
    out = dtypes[0]
    for d in dtypes[1:]:
        out = _core.promote(out, d)
    return out


def build_elemwise(name, *inputs):
    """Like build, for elementwise functions: Python scalars are NumPy 2 "weak" scalars that
    take the dtype of the tensor operands where their kind allows."""
    tensors = [i for i in inputs if isinstance(i, Variable)]
    others = [i for i in inputs if not isinstance(i, Variable) and not _is_py_scalar(i)]
    strong = tensors + [as_tensor_variable(o) for o in others]
    if not strong:
        return build(name, *inputs)
    where = user_location()
    ref = result_dtype(*[s.dtype for s in strong])
    converted = []
    for i in inputs:
        if isinstance(i, Variable):
            converted.append(i)
        elif _is_py_scalar(i):
            converted.append(_core.weak_constant(i, ref, where))
        else:
            converted.append(as_tensor_variable(i))
    outs = _core.build(name, converted, {}, where)
    return outs[0] if len(outs) == 1 else outs
