"""Operators and NumPy-style methods of Variable (x + y, x[1:], x.sum(), x.T, ...). Each one
calls the public function of its op family, so the logic stays in one place."""

import theon.tensor as T
from theon import _core

Variable = _core.Variable

# Python operator -> the theon.tensor function it calls.
_OPERATORS = {
    "add": "add", "sub": "sub", "mul": "mul", "truediv": "true_divide",
    "floordiv": "floor_divide", "mod": "mod", "pow": "pow",
    "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor",
}
for _py, _fn in _OPERATORS.items():
    setattr(Variable, f"__{_py}__", lambda a, b, fn=_fn: getattr(T, fn)(a, b))
    setattr(Variable, f"__r{_py}__", lambda a, b, fn=_fn: getattr(T, fn)(b, a))

Variable.__lt__ = lambda a, b: T.lt(a, b)
Variable.__le__ = lambda a, b: T.le(a, b)
Variable.__gt__ = lambda a, b: T.gt(a, b)
Variable.__ge__ = lambda a, b: T.ge(a, b)
Variable.__neg__ = lambda x: T.neg(x)
Variable.__pos__ = lambda x: x
Variable.__abs__ = lambda x: T.abs(x)
Variable.__invert__ = lambda x: T.invert(x)
Variable.__matmul__ = lambda a, b: T.matmul(a, b)
Variable.__rmatmul__ = lambda a, b: T.matmul(b, a)
# NumPy must hand `ndarray op Variable` to the Variable's reflected operator instead of
# building an object array of variables.
Variable.__array_ufunc__ = None
# Variables are graph nodes: == is identity (as in Theano); use T.eq for elementwise equality.
Variable.__hash__ = object.__hash__
Variable.__bool__ = lambda x: (_ for _ in ()).throw(TypeError(
    "a symbolic Variable has no truth value; use theon.tensor.switch or compare numerically "
    "inside the graph"))


def _iter(x):
    """x[0], x[1], ... when the type knows the length of the first dimension (a, b = x.shape,
    as Theano)."""
    n = x.static_shape[0] if x.ndim > 0 else None
    if n is None:
        raise TypeError(f"a symbolic Variable of type {x.type} cannot be iterated: the length "
                        f"of its first dimension is not known from its type; index it instead "
                        f"(x[i])")
    return iter([x[i] for i in range(n)])


Variable.__iter__ = _iter
Variable.__len__ = lambda x: (_ for _ in ()).throw(TypeError(
    "len() of a symbolic Variable is unknown; use x.shape[0]"))

Variable.__getitem__ = lambda x, key: T._subtensor.getitem(x, key)
Variable.T = property(lambda x: T.transpose(x))
Variable.shape = property(lambda x: T.shape(x))
Variable.size = property(lambda x: T.prod(T.shape(x)))
Variable.astype = lambda x, dtype: T.cast(x, dtype)
Variable.dot = lambda x, y: T.dot(x, y)
Variable.transpose = lambda x, *axes: T.transpose(x, axes[0] if len(axes) == 1 and
                                                  isinstance(axes[0], (list, tuple))
                                                  else (axes or None))
Variable.reshape = lambda x, shape, *rest, ndim=None: T.reshape(
    x, (shape,) + rest if rest else shape, ndim=ndim)
Variable.dimshuffle = lambda x, *pattern: T.dimshuffle(x, *pattern)
Variable.flatten = lambda x, ndim=1: T.flatten(x, ndim)
Variable.squeeze = lambda x, axis=None: T.squeeze(x, axis)
Variable.swapaxes = lambda x, a, b: T.swapaxes(x, a, b)
Variable.clip = lambda x, lo, hi: T.clip(x, lo, hi)

for _name in ("sum", "prod", "mean", "max", "min", "any", "all", "argmax", "argmin"):
    setattr(Variable, _name,
            (lambda fn: lambda x, axis=None, keepdims=False, **kw: getattr(T, fn)(
                x, axis=axis, keepdims=keepdims, **kw))(_name))
Variable.var = lambda x, axis=None, ddof=0, keepdims=False: T.var(x, axis=axis, ddof=ddof,
                                                                   keepdims=keepdims)
Variable.std = lambda x, axis=None, ddof=0, keepdims=False: T.std(x, axis=axis, ddof=ddof,
                                                                   keepdims=keepdims)
Variable.cumsum = lambda x, axis=None: T.cumsum(x, axis)
Variable.cumprod = lambda x, axis=None: T.cumprod(x, axis)
Variable.sort = lambda x, axis=-1: T.sort(x, axis)
Variable.argsort = lambda x, axis=-1: T.argsort(x, axis)
Variable.exp = lambda x: T.exp(x)
Variable.log = lambda x: T.log(x)


def _str(x):
    return x.name if x.name is not None else x._pprint()


def _repr(x):
    return _str(x) if x.owner is not None or x.name is not None else f"<{x.type}>"


Variable.__str__ = _str
Variable.__repr__ = _repr
Variable.eval = lambda x, inputs=None: _eval(x, inputs or {})


def _eval(x, inputs):
    import theon

    keys = list(inputs)
    fn = theon.function(keys, x, on_unused_input="ignore")
    return fn(*[inputs[k] for k in keys])


def _get_value(x, borrow=False, return_internal_type=False):
    return _core.get_value(x, borrow)


def _set_value(x, value, borrow=False):
    _core.set_value(x, value, borrow)


class _Tag:
    """Free-form annotations of a variable (``var.tag``); ``tag.test_value`` is the value used
    by config.compute_test_value."""

    def __repr__(self):
        return f"Tag({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def _tag(x):
    tag = x.__dict__.get("_tag")
    if tag is None:
        tag = x.__dict__["_tag"] = _Tag()
    return tag


Variable.tag = property(_tag)
Variable.get_value = _get_value
Variable.set_value = _set_value
