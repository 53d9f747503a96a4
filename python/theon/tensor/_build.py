"""Building nodes from Python: conversion of Python values to variables and calls into the
C++ builder registry."""

import warnings

import numpy as np

from theon import _core
from theon._location import user_location

Variable = _core.Variable

_PY_SCALARS = (bool, int, float)


def _is_py_scalar(x):
    return type(x) in _PY_SCALARS


def constant(value, name=None, ndim=None, dtype=None):
    """A constant variable holding ``value``.

    Parameters
    ----------
    value : array_like or number
        Copied; float16 and non-numeric dtypes are refused.
    name : str
        Shown in printed graphs.
    ndim : int
        Checked against value's number of dimensions.
    dtype : str
        Converted to it (default: NumPy's dtype of value).

    Returns
    -------
    Variable
        A constant; its value is ``.data``.

    Examples
    --------
    >>> c = T.constant([1, 2], dtype='float32')
    >>> c.type, c.data
    (TensorType(float32, shape=(2,)), array([1., 2.], dtype=float32))
    """
    array = np.asarray(value, dtype=dtype)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"constant: expected {ndim} dimensions, got {array.ndim}")
    if array.dtype == np.float16 or array.dtype.kind not in "biuf":
        raise TypeError(f"constant: values of dtype {array.dtype} are not supported")
    return _core.constant(array, name, user_location())


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """``x`` if it is a Variable, else a constant holding it.

    Parameters
    ----------
    x : Variable, array_like or number
        A list or tuple that contains Variables is stacked into one.
    name : str
        The constant's name.
    ndim : int
        Checked against the number of dimensions.
    dtype : str
        A Variable of another dtype is cast; a value is converted.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> v = T.as_tensor_variable([x, 2.0])
    >>> theon.function([x], v)(1.0)
    array([1., 2.])
    """
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
    """Builds the op or composite registered in C++ as ``name``.

    Parameters
    ----------
    name : str
        The registry's name.
    *inputs : Variable or array_like
        The inputs.
    **params
        The op's parameters.

    Returns
    -------
    Variable or list of Variable
        Its output, or the list of its outputs when it has several.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.build('flip', x, axis=None))([1., 2.])
    array([2., 1.])
    """
    vars_ = [as_tensor_variable(i) for i in inputs]
    where = user_location()
    outs = _core.build(name, vars_, params, where)
    check_float64(name, outs, where)
    _compute_test_values(name, vars_, outs, where)
    return outs[0] if len(outs) == 1 else outs


def check_float64(name, outs, where):
    """config.warn_float64: warns about, or refuses, a float64 variable built by ``name``."""
    from theon import config

    mode = config.warn_float64
    if mode == "ignore" or not any(o.dtype == "float64" for o in outs):
        return
    msg = (f"{name} builds a float64 variable at {where} (config.warn_float64='{mode}'; "
           f"config.floatX is {config.floatX})")
    if mode == "raise":
        raise TypeError(msg)
    warnings.warn(msg, stacklevel=_user_stacklevel())


class _NoTestValue(Exception):
    pass


def _test_value(v):
    """The test value of ``v``: its data for constants, its current value for shared
    variables, ``v.tag.test_value`` otherwise (_NoTestValue when it has none)."""
    if v.is_constant:
        return v.data
    if v.is_shared:
        return _core.get_value(v, True)
    tag = v.__dict__.get("_tag")
    if tag is None or not hasattr(tag, "test_value"):
        raise _NoTestValue
    value = np.asarray(tag.test_value)
    if value.ndim != v.ndim:
        raise TypeError(f"test value of {v._label()}: expected {v.ndim} dimensions ({v.type}), "
                        f"got an array of shape {value.shape}")
    for dim, (want, got) in enumerate(zip(v.static_shape, value.shape)):
        if want is not None and want != got:
            raise ValueError(f"test value of {v._label()}: expected size {want} in dimension "
                             f"{dim} ({v.type}), got an array of shape {value.shape}")
    return value


def _user_stacklevel():
    """The warnings stacklevel of the first frame outside theon (the user's line)."""
    import os
    import sys

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _compute_test_values(name, vars_, outs, where):
    """With config.compute_test_value on, computes the outputs of a node just built from its
    inputs' test values (the ops' reference kernels) and attaches them to the outputs. Errors
    are raised here, so at the user's line that built the node."""
    from theon import config

    mode = config.compute_test_value
    if mode == "off":
        return
    free, values = [], []
    for v in vars_:
        try:
            value = _test_value(v)
        except _NoTestValue:
            if mode == "ignore":
                return
            msg = (f"{name}: input {v._label()} has no test value (set "
                   f"<var>.tag.test_value, or config.compute_test_value='off'), at {where}")
            if mode == "raise":
                raise ValueError(msg) from None
            warnings.warn(msg, stacklevel=_user_stacklevel())
            return
        if not v.is_constant and not v.is_shared:
            free.append(v)
            values.append(value)
    try:
        results = _core.evaluate(outs, free, values)
    except (ValueError, TypeError, IndexError, NotImplementedError) as e:
        raise type(e)(f"computing the test value of {name} at {where}: {e}") from None
    for out, value in zip(outs, results):
        if not out.is_constant and not out.is_shared:
            out.tag.test_value = value


def result_dtype(*dtypes):
    out = dtypes[0]
    for d in dtypes[1:]:
        out = _core.promote(out, d)
    return out


def build_elemwise(name, *inputs):
    """Builds the elementwise function registered as ``name``; Python scalars are weak.

    Parameters
    ----------
    name : str
        The scalar op's name.
    *inputs : Variable, array_like or number
        Python scalars are NumPy 2 "weak" scalars that take the dtype of the tensor operands where
        their kind allows.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.fvector('x')
    >>> T.build_elemwise('add', x, 1.5).dtype
    'float32'
    """
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
    check_float64(name, outs, where)
    _compute_test_values(name, converted, outs, where)
    return outs[0] if len(outs) == 1 else outs


def export_registered(namespace, module):
    """Defines in ``namespace`` (a module's globals) a function for every builder the C++ op
    files export to theon.<module> and that the module does not define by hand; returns their
    names."""
    names = []
    for mod, name, builder, doc, elementwise, n_inputs, params in _core.python_exports():
        if mod != module or name in namespace:
            continue
        namespace[name] = _exported(name, builder, doc, elementwise, n_inputs, params)
        names.append(name)
    return names


def _exported(name, builder, doc, elementwise, n_inputs, params):
    if elementwise:
        def f(*inputs):
            return build_elemwise(builder, *inputs)
    else:
        def f(*args, **kwargs):
            if len(args) > n_inputs + len(params):
                raise TypeError(f"{name}() takes {n_inputs + len(params)} positional arguments "
                                f"but {len(args)} were given")
            for param, value in zip(params, args[n_inputs:]):
                if param in kwargs:
                    raise TypeError(f"{name}() got multiple values for argument '{param}'")
                kwargs[param] = value
            return build(builder, *args[:n_inputs], **kwargs)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f
