"""Variable constructors with Theano's names: scalar, vector, row, col, matrix, tensor3..7,
their b/w/i/l/f/d-prefixed and plural forms, and tensor(dtype, shape=...)."""

from theon import _core
from theon._location import user_location
from theon.configparser import config
from theon.tensor._build import check_float64

TensorType = _core.TensorType


def _filter(self, data, strict=False, allow_downcast=None):
    """Theano's ``TensorType.filter``: ``data`` as an array of this type. ``strict``: it must
    already be an ndarray of this dtype; otherwise it is converted, widening safely (or
    narrowing with ``allow_downcast``). TypeError when the dtype or shape does not fit."""
    import numpy as np

    a = np.asarray(data)
    if a.dtype != np.dtype(self.dtype):
        if strict:
            raise TypeError(f"{self}.filter: expected an array of dtype {self.dtype}, got "
                            f"{type(data).__name__} of dtype {a.dtype} (strict)")
        if not (allow_downcast or np.can_cast(a.dtype, self.dtype, "safe")):
            raise TypeError(f"{self}.filter: cannot store dtype {a.dtype} in {self.dtype} "
                            f"without risking loss of precision (pass allow_downcast=True)")
        a = a.astype(self.dtype)
    if a.ndim != self.ndim or any(want is not None and got != want
                                  for got, want in zip(a.shape, self.shape)):
        raise TypeError(f"{self}.filter: expected shape {self.shape} (None: any size), got "
                        f"{a.shape}")
    return a


def _value_zeros(self, shape):
    """Theano's ``TensorType.value_zeros``: an array of zeros of this dtype."""
    import numpy as np

    return np.zeros(shape, dtype=self.dtype)


TensorType.filter = _filter
TensorType.value_zeros = _value_zeros

_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
             "d": "float64"}


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A symbolic input. shape: a tuple of static sizes, None where unknown (1 marks a
    broadcastable dimension); broadcastable: Theano's form, a tuple of bools."""
    if shape is None:
        if broadcastable is None:
            raise TypeError("tensor: give shape=(...) or broadcastable=(...)")
        shape = tuple(1 if b else None for b in broadcastable)
    return _input(dtype or config.floatX, shape, name)


def _input(dtype, shape, name):
    where = user_location()
    v = _core.input(dtype, list(shape), name, where)
    check_float64("tensor", [v], where)
    return v


def _maker(shape, fixed_dtype=None, kind=""):
    def make(name: "str | None" = None, dtype: "str | None" = None) -> _core.Variable:
        return _input(fixed_dtype or dtype or config.floatX, shape, name)
    static = str(tuple(shape))
    make.__doc__ = (f"A symbolic {kind} of dtype {fixed_dtype or '`dtype` (default config.floatX)'}"
                    f" and static shape {static} (None: any size), named `name`.")
    return make


def _plural(maker):
    def make(*names, dtype=None):
        """Several variables, as Theano: an int n gives n unnamed ones, names give one each,
        and a single string of several letters one per letter (``matrices('xy')``); a
        single one-letter name gives one variable, not a list."""
        if len(names) == 1 and isinstance(names[0], int):
            return [maker(dtype=dtype) for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str):
            if len(names[0]) == 1:
                return maker(names[0], dtype=dtype)
            names = tuple(names[0])
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
    globals()[_kind] = _maker(_shape, kind=_kind)
    globals()[_many] = _plural(globals()[_kind])
    __all__ += [_kind, _many]
    for _p, _dt in _PREFIXES.items():
        globals()[_p + _kind] = _maker(_shape, _dt, _kind)
        globals()[_p + _many] = _plural(globals()[_p + _kind])
        __all__ += [_p + _kind, _p + _many]
