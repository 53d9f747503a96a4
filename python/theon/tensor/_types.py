"""Variable constructors with Theano's names: scalar, vector, row, col, matrix, tensor3..7,
their b/w/i/l/f/d-prefixed and plural forms, and tensor(dtype, shape=...)."""

from theon import _core
from theon._location import user_location
from theon.configparser import config

TensorType = _core.TensorType

_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
             "d": "float64"}


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A symbolic input. shape: a tuple of static sizes, None where unknown (1 marks a
    broadcastable dimension); broadcastable: Theano's form, a tuple of bools."""
    if shape is None:
        if broadcastable is None:
            raise TypeError("tensor: give shape=(...) or broadcastable=(...)")
        shape = tuple(1 if b else None for b in broadcastable)
    return _core.input(dtype or config.floatX, list(shape), name, user_location())


def _maker(shape, fixed_dtype=None):
    def make(name=None, dtype=None):
        return _core.input(fixed_dtype or dtype or config.floatX, list(shape), name,
                           user_location())
    return make


def _plural(maker):
    def make(*names, dtype=None):
        if len(names) == 1 and isinstance(names[0], int):
            return [maker(dtype=dtype) for _ in range(names[0])]
        return [maker(n, dtype=dtype) for n in names]
    return make


_SHAPES = {
    "scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1), "matrix": (None, None),
    "tensor3": (None,) * 3, "tensor4": (None,) * 4, "tensor5": (None,) * 5,
    "tensor6": (None,) * 6, "tensor7": (None,) * 7,
}

__all__ = ["tensor", "TensorType"]
for _kind, _shape in _SHAPES.items():
    _many = "matrices" if _kind == "matrix" else _kind + "s"
    globals()[_kind] = _maker(_shape)
    globals()[_many] = _plural(globals()[_kind])
    __all__ += [_kind, _many]
    for _p, _dt in _PREFIXES.items():
        globals()[_p + _kind] = _maker(_shape, _dt)
        globals()[_p + _many] = _plural(globals()[_p + _kind])
        __all__ += [_p + _kind, _p + _many]
