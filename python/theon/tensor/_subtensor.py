"""The subtensor family of theon.tensor (C++ in src/ops/subtensor*.cpp): NumPy indexing.

``getitem(x, key)`` implements ``Variable.__getitem__``. The key is sent to the C++ builder
"subtensor" as a flat list of ints (param ``key``) plus its symbolic pieces as extra inputs,
in the order they appear in the key:

    0 v        integer constant v            1          integer scalar Variable (an input)
    2 a b c    slice; each of start, stop, step is 0 (None), 1 v (constant v) or 2 (input)
    3          newaxis (None)                4          Ellipsis
    5          integer array or boolean mask (an input; constants for lists and ndarrays)
"""

import numbers

import numpy as np

__all__ = ["getitem", "set_subtensor", "inc_subtensor", "take"]

_INT, _INT_SYM, _SLICE, _NEWAXIS, _ELLIPSIS, _ARRAY = 0, 1, 2, 3, 4, 5
_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and "
              "integer or boolean arrays are valid indices")


def _build(*args, **kwargs):
    from theon.tensor._build import build
    return build(*args, **kwargs)


def _is_variable(obj):
    from theon.tensor._build import Variable
    return isinstance(obj, Variable)


def _is_int_dtype(dtype):
    return np.issubdtype(np.dtype(dtype), np.integer)


def _is_bool_dtype(dtype):
    return np.dtype(dtype) == np.bool_


def _value_for(x, y):
    """y as a variable; a Python scalar is a NumPy 2 "weak" scalar taking the dtype of x where
    its kind allows (np.add.at(uint8_array, i, 1) keeps uint8)."""
    if type(y) in (bool, int, float) and _is_variable(x):
        from theon import _core
        from theon._location import user_location
        return _core.weak_constant(y, x.dtype, user_location())
    return y


def _scalar_part(v, code, inputs):
    """Appends one slice part (start, stop or step) to `code`."""
    if v is None:
        code.append(0)
    elif isinstance(v, (bool, np.bool_)):
        raise TypeError("slice indices must be integers or None, got a bool")
    elif isinstance(v, numbers.Integral):
        code += [1, int(v)]
    elif isinstance(v, np.ndarray) and v.ndim == 0 and _is_int_dtype(v.dtype):
        code += [1, int(v)]
    elif _is_variable(v):
        if v.ndim != 0 or not _is_int_dtype(v.dtype):
            raise TypeError("slice indices must be integer scalars or None, got a %s variable "
                            "with %d dims" % (v.dtype, v.ndim))
        code.append(2)
        inputs.append(v)
    else:
        raise TypeError("slice indices must be integers or None, got %r" % (v,))


def _encode(key):
    """The key as (code, inputs)."""
    if not isinstance(key, tuple):
        key = (key,)
    code, inputs = [], []
    for k in key:
        if k is None:
            code.append(_NEWAXIS)
        elif k is Ellipsis:
            code.append(_ELLIPSIS)
        elif isinstance(k, slice):
            code.append(_SLICE)
            for part in (k.start, k.stop, k.step):
                _scalar_part(part, code, inputs)
        elif isinstance(k, (bool, np.bool_)):
            # NumPy: a Python/NumPy bool is a 0-d boolean mask.
            code.append(_ARRAY)
            inputs.append(np.array(bool(k)))
        elif isinstance(k, numbers.Integral):
            code += [_INT, int(k)]
        elif _is_variable(k):
            if k.ndim == 0 and _is_int_dtype(k.dtype):
                code.append(_INT_SYM)
            elif _is_int_dtype(k.dtype) or _is_bool_dtype(k.dtype):
                code.append(_ARRAY)
            else:
                raise IndexError("%s (got a %s variable)" % (_BAD_INDEX, k.dtype))
            inputs.append(k)
        elif isinstance(k, (list, tuple)) and any(_is_variable(e) for e in k):
            from theon.tensor._build import as_tensor_variable
            v = as_tensor_variable(k)  # stacks the scalars
            code.append(_ARRAY)
            inputs.append(v)
        elif isinstance(k, (list, tuple, np.ndarray)):
            a = np.asarray(k)
            if a.size == 0 and not (_is_int_dtype(a.dtype) or _is_bool_dtype(a.dtype)):
                a = a.astype(np.intp)  # NumPy indexes with [] as an empty integer array
            if a.ndim == 0 and _is_int_dtype(a.dtype):
                code += [_INT, int(a)]
            elif _is_int_dtype(a.dtype) or _is_bool_dtype(a.dtype):
                code.append(_ARRAY)
                inputs.append(a)
            else:
                raise IndexError(_BAD_INDEX)
        else:
            raise IndexError(_BAD_INDEX)
    return code, inputs


def getitem(x, key):
    """x[key] with NumPy semantics: basic indexing gives a Subtensor (a view), integer arrays
    and boolean masks an AdvancedSubtensor (a copy)."""
    code, inputs = _encode(key)
    return _build("subtensor", x, *inputs, key=code)


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """Theano's set_subtensor(x[idx], y): the tensor whose x[idx] is replaced by y (broadcast
    to the indexed shape); with repeated indices the last write wins. Returns a new tensor."""
    if inplace:
        raise NotImplementedError("set_subtensor: inplace=True is not supported")
    return _build("set_subtensor", x, _value_for(x, y))


def inc_subtensor(x, y, inplace=False, set_instead_of_inc=False,
                  tolerate_inplace_aliasing=False, ignore_duplicates=False):
    """Theano's inc_subtensor(x[idx], y): the tensor whose x[idx] is incremented by y; with
    repeated indices the increments accumulate (np.add.at). Returns a new tensor."""
    if inplace:
        raise NotImplementedError("inc_subtensor: inplace=True is not supported")
    if ignore_duplicates:
        raise NotImplementedError("inc_subtensor: ignore_duplicates=True is not supported")
    if set_instead_of_inc:
        return _build("set_subtensor", x, _value_for(x, y))
    return _build("inc_subtensor", x, _value_for(x, y))


def take(a, indices, axis=None, mode="raise"):
    """np.take: indices (int scalar or array) along `axis`; the flattened array when None."""
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
