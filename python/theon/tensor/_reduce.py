"""The reduce family of theon.tensor (C++ in src/ops/reduce.cpp): reductions over axes,
mean/var/std, cumulative sums and products.

``axis`` is None (every axis), an int or a tuple/list of ints; negative axes count from the end.
"""

import operator

import numpy as np

from theon.tensor._build import as_tensor_variable, build

__all__ = ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all", "mean", "var", "std",
           "cumsum", "cumprod", "logsumexp"]


def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [operator.index(a) for a in axis]
    return operator.index(axis)


def _cast(x, dtype):
    if dtype is None:
        return x
    dtype = np.dtype(dtype).name
    return x if x.dtype == dtype else build("cast", x, dtype=dtype)


def _reduce(name, x, axis, keepdims, dtype=None, acc_dtype=None):
    x = as_tensor_variable(x)
    # dtype (NumPy's and Theano's): the result's dtype, also used to accumulate unless acc_dtype
    # says otherwise.
    acc = acc_dtype if acc_dtype is not None else dtype
    out = build(name, _cast(x, acc), axis=_axis(axis), keepdims=bool(keepdims))
    return _cast(out, dtype)


def sum(input, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Sum over ``axis``. bool and signed ints give int64, unsigned ints uint64."""
    return _reduce("sum", input, axis, keepdims, dtype, acc_dtype)


def prod(input, axis=None, dtype=None, keepdims=False, acc_dtype=None, no_zeros_in_input=False):
    """Product over ``axis`` (dtypes as in sum)."""
    return _reduce("prod", input, axis, keepdims, dtype, acc_dtype)


def mean(input, axis=None, dtype=None, op=False, keepdims=False, acc_dtype=None):
    """Arithmetic mean over ``axis``; integers and bool give float64. Empty gives nan."""
    return _reduce("mean", input, axis, keepdims, dtype, acc_dtype)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``axis``, computed as c + log(sum(exp(x - c))) with c the maximum
    (0 where that is infinite), so that large values do not overflow in any mode. Its gradient
    is softmax(x) along the axes, finite wherever the result is: [1000, 999, -5] gives
    [0.731, 0.269, 0]. A -inf entry gets 0; an empty reduction raises, as max does."""
    from theon.gradient import zero_grad
    from theon.tensor._math import exp, isinf, log, switch
    from theon.tensor._shape import squeeze
    x = as_tensor_variable(x)
    axis = _axis(axis)
    m = max(x, axis=axis, keepdims=True)
    # c cancels out of the value, so the gradient may hold it constant: what is left is
    # exp(x - c) / sum(exp(x - c)), whose terms are at most 1.
    c = zero_grad(switch(isinf(m), 0, m))
    out = log(sum(exp(x - c), axis=axis, keepdims=True)) + c
    if keepdims:
        return out
    axes = range(x.ndim) if axis is None else [axis] if isinstance(axis, int) else axis
    return squeeze(out, axis=[a % x.ndim for a in axes] if x.ndim else [])


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (NaN propagates); raises ValueError on an empty reduction. The
    gradient goes to the elements equal to the maximum, split equally among ties (as in JAX and
    ``torch.amax``); a NaN maximum passes no gradient."""
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (NaN propagates); raises ValueError on an empty reduction. The
    gradient goes to the elements equal to the minimum, split equally among ties (as in JAX and
    ``torch.amin``); a NaN minimum passes no gradient."""
    return _reduce("min", x, axis, keepdims)


def argmax(x, axis=None, keepdims=False):
    """int64 index of the first maximum (a NaN counts as the maximum). With several axes, the
    C-order flat index within them."""
    return _reduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """int64 index of the first minimum (a NaN counts as the minimum)."""
    return _reduce("argmin", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any element of x along `axis` (None: all axes) is true, as np.any."""
    return _reduce("any", x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Whether every element of x along `axis` (None: all axes) is true, as np.all."""
    return _reduce("all", x, axis, keepdims)


def var(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance over ``axis`` with divisor N - ddof (N - ddof <= 0 gives inf or nan)."""
    x = as_tensor_variable(input)
    return build("var", x, axis=_axis(axis), keepdims=bool(keepdims), ddof=operator.index(ddof))


def std(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """Standard deviation: the square root of var."""
    x = as_tensor_variable(input)
    return build("std", x, axis=_axis(axis), keepdims=bool(keepdims), ddof=operator.index(ddof))


def cumsum(x, axis=None):
    """Running sum along ``axis``; axis=None runs over the flattened array (as NumPy)."""
    return build("cumsum", as_tensor_variable(x),
                 axis=None if axis is None else operator.index(axis))


def cumprod(x, axis=None):
    """Running product along ``axis``; axis=None runs over the flattened array (as NumPy)."""
    return build("cumprod", as_tensor_variable(x),
                 axis=None if axis is None else operator.index(axis))
