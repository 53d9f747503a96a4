"""Variable constructors with Theano's names: scalar, vector, row, col, matrix, tensor3..7,
their b/w/i/l/f/d-prefixed and plural forms, and tensor(dtype, shape=...)."""

from theon import _core
from theon._location import user_location
from theon.configparser import config
from theon.tensor._build import check_float64

TensorType = _core.TensorType


def _filter(self, data, strict=False, allow_downcast=None):
    """``data`` as an array of this type (Theano's ``TensorType.filter``).

    Parameters
    ----------
    data : array_like
        The value to check and convert.
    strict : bool
        It must already be an ndarray of this dtype.
    allow_downcast : bool or None
        Allow a conversion that may lose precision (otherwise only safe widening).

    Returns
    -------
    numpy.ndarray
        ``data`` in this dtype; TypeError when the dtype or the shape does not fit.

    Examples
    --------
    >>> T.dvector('x').type.filter([1, 2])
    array([1., 2.])
    >>> T.fvector('y').type.filter(np.array([0.5]), allow_downcast=True).dtype
    dtype('float32')
    """
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
    """An array of zeros of this dtype (Theano's ``TensorType.value_zeros``).

    Parameters
    ----------
    shape : tuple of int
        The array's shape.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> T.imatrix('m').type.value_zeros((2, 1))
    array([[0],
           [0]], dtype=int32)
    """
    import numpy as np

    return np.zeros(shape, dtype=self.dtype)


TensorType.filter = _filter
TensorType.value_zeros = _value_zeros

_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
             "d": "float64"}


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A symbolic input of any number of dimensions.

    Parameters
    ----------
    dtype : str
        Default config.floatX.
    shape : tuple of int or None
        The static sizes, None where any size is accepted (1 marks a broadcastable
        dimension).
    name : str
        Shown in printed graphs and errors; the keyword of the compiled function's argument.
    broadcastable : tuple of bool
        Theano's form of ``shape``: True means a static size of 1.

    Returns
    -------
    Variable
        A free input, to list among a function's inputs.

    Examples
    --------
    >>> x = T.tensor('float32', shape=(None, 1, 3), name='x')
    >>> x.type
    TensorType(float32, shape=(None, 1, 3))
    >>> T.tensor(broadcastable=(False, True)).type
    TensorType(float64, shape=(None, 1))
    """
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


def _shape_text(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _maker(public_name, shape, fixed_dtype=None, kind=""):
    def make(name: "str | None" = None, dtype: "str | None" = None) -> _core.Variable:
        return _input(fixed_dtype or dtype or config.floatX, shape, name)
    dtype_text = fixed_dtype or "``dtype`` (default config.floatX)"
    shown_dtype = fixed_dtype or "float64"
    make.__name__ = public_name
    make.__qualname__ = f"_maker.{public_name}"  # the stub generator types it as a Variable
    make.__doc__ = f"""A symbolic {kind} of dtype {dtype_text}: an input of a function.

    Parameters
    ----------
    name : str
        Shown in printed graphs and errors; the keyword of the compiled function's argument.
    dtype : str
        {f"Ignored: the dtype is {fixed_dtype}." if fixed_dtype else "Default config.floatX."}

    Returns
    -------
    Variable
        Of static shape {_shape_text(shape)} (None: any size; 1: broadcastable).

    Examples
    --------
    >>> x = T.{public_name}('x')
    >>> x.type
    TensorType({shown_dtype}, shape={_shape_text(shape)})
    """
    return make


def _plural(public_name, maker):
    def make(*names, dtype=None):
        if len(names) == 1 and isinstance(names[0], int):
            return [maker(dtype=dtype) for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str):
            if len(names[0]) == 1:
                return maker(names[0], dtype=dtype)
            names = tuple(names[0])
        return [maker(n, dtype=dtype) for n in names]
    make.__name__ = make.__qualname__ = public_name
    make.__doc__ = f"""Several inputs made by ``{maker.__name__}``, as Theano.

    Parameters
    ----------
    *names : str or int
        One name per variable; an int n gives n unnamed ones; a single string of several
        letters gives one per letter (``'xy'``). A single one-letter name gives one variable,
        not a list.
    dtype : str
        As for ``{maker.__name__}``.

    Returns
    -------
    list of Variable

    Examples
    --------
    >>> a, b = T.{public_name}('a', 'b')
    >>> a.name, b.type == T.{maker.__name__}().type
    ('a', True)
    """
    return make


_SHAPES = {
    "scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1), "matrix": (None, None),
    "tensor3": (None,) * 3, "tensor4": (None,) * 4, "tensor5": (None,) * 5,
    "tensor6": (None,) * 6, "tensor7": (None,) * 7,
}

__all__ = ["tensor", "TensorType"]
for _kind, _shape in _SHAPES.items():
    _many = "matrices" if _kind == "matrix" else _kind + "s"
    globals()[_kind] = _maker(_kind, _shape, kind=_kind)
    globals()[_many] = _plural(_many, globals()[_kind])
    __all__ += [_kind, _many]
    for _p, _dt in _PREFIXES.items():
        globals()[_p + _kind] = _maker(_p + _kind, _shape, _dt, _kind)
        globals()[_p + _many] = _plural(_p + _many, globals()[_p + _kind])
        __all__ += [_p + _kind, _p + _many]
