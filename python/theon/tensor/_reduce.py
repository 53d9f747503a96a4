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
    """The sum of the elements over ``axis`` (np.sum).

    Parameters
    ----------
    input : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    dtype : str
        The result's dtype, also used to accumulate unless acc_dtype is given.
    keepdims : bool
        Keep the reduced axes with size 1.
    acc_dtype : str
        The dtype the sum is accumulated in.

    Returns
    -------
    Variable
        The input without the reduced axes; bool and signed ints give int64, unsigned ints uint64.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], [T.sum(x), T.sum(x, axis=0)])([[1., 2.], [3., 4.]])
    [array(10.), array([4., 6.])]
    """
    return _reduce("sum", input, axis, keepdims, dtype, acc_dtype)


def prod(input, axis=None, dtype=None, keepdims=False, acc_dtype=None, no_zeros_in_input=False):
    """The product of the elements over ``axis`` (np.prod; dtypes as in sum).

    Parameters
    ----------
    input : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    dtype : str
        The result's dtype, also used to accumulate unless acc_dtype is given.
    keepdims : bool
        Keep the reduced axes with size 1.
    acc_dtype : str
        The dtype the sum is accumulated in.
    no_zeros_in_input : bool
        Accepted for Theano's signature.

    Returns
    -------
    Variable
        The input without the reduced axes (with size 1 under keepdims).

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.prod(x, axis=1))([[1., 2.], [3., 4.]])
    array([ 2., 12.])
    """
    return _reduce("prod", input, axis, keepdims, dtype, acc_dtype)


def mean(input, axis=None, dtype=None, op=False, keepdims=False, acc_dtype=None):
    """The arithmetic mean over ``axis`` (np.mean).

    Parameters
    ----------
    input : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    dtype : str
        The result's dtype, also used to accumulate unless acc_dtype is given.
    op : bool
        Accepted for Theano's signature.
    keepdims : bool
        Keep the reduced axes with size 1.
    acc_dtype : str
        The dtype the sum is accumulated in.

    Returns
    -------
    Variable
        The input without the reduced axes; integers and bool give float64, an empty reduction nan.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.mean(x, axis=0))([[1., 2.], [3., 4.]])
    array([2., 3.])
    """
    return _reduce("mean", input, axis, keepdims, dtype, acc_dtype)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, without overflow.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        The input without the reduced axes. Computed as ``c + log(sum(exp(x - c)))`` with c the
        maximum (0 where that is infinite); its gradient is softmax(x) along the axes, finite
        wherever the result is. A -inf entry gets 0; an empty reduction raises, as max does.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.logsumexp(x))([1000., 1000.])
    array(1000.69314718)
    """
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
    """The maximum over ``axis`` (np.max); NaN propagates.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        The input without the reduced axes; an empty reduction raises ValueError. The gradient goes
        to the elements equal to the maximum, split equally among ties (as in JAX and torch.amax);
        a NaN maximum passes no gradient.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.max(x, axis=1))([[1., 5.], [3., 4.]])
    array([5., 4.])
    """
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """The minimum over ``axis`` (np.min); NaN propagates.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        The input without the reduced axes; an empty reduction raises ValueError. The gradient goes
        to the elements equal to the minimum, split equally among ties; a NaN minimum passes no
        gradient.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.min(x, axis=1))([[1., 5.], [3., 4.]])
    array([1., 3.])
    """
    return _reduce("min", x, axis, keepdims)


def argmax(x, axis=None, keepdims=False):
    """The index of the first maximum over ``axis`` (np.argmax); a NaN counts as the maximum.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        int64; with several axes, the C-order flat index within them.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.argmax(x, axis=1))([[1., 5.], [4., 3.]])
    array([1, 0])
    """
    return _reduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """The index of the first minimum over ``axis`` (np.argmin); a NaN counts as the minimum.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        int64; with several axes, the C-order flat index within them.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.argmin(x, axis=1))([[1., 5.], [4., 3.]])
    array([0, 1])
    """
    return _reduce("argmin", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any element along ``axis`` is true (nonzero), as np.any.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        bool, the input without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.any(x, axis=1))([[0., 0.], [0., 2.]])
    array([False,  True])
    """
    return _reduce("any", x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Whether every element along ``axis`` is true (nonzero), as np.all.

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable
        bool, the input without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.all(x, axis=1))([[1., 0.], [1., 2.]])
    array([False,  True])
    """
    return _reduce("all", x, axis, keepdims)


def var(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """The variance over ``axis``, with divisor ``N - ddof`` (np.var).

    Parameters
    ----------
    input : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    ddof : int
        N - ddof <= 0 gives inf or nan.
    keepdims : bool
        Keep the reduced axes with size 1.
    corrected : bool
        Accepted for Theano's signature.

    Returns
    -------
    Variable
        The input without the reduced axes (with size 1 under keepdims).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], [T.var(x), T.var(x, ddof=1)])([1., 2., 3., 4.])
    [array(1.25), array(1.66666667)]
    """
    x = as_tensor_variable(input)
    return build("var", x, axis=_axis(axis), keepdims=bool(keepdims), ddof=operator.index(ddof))


def std(input, axis=None, ddof=0, keepdims=False, corrected=False):
    """The standard deviation over ``axis``: the square root of var (np.std).

    Parameters
    ----------
    input : Variable or array_like
        The input.
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    ddof : int
        The divisor is N - ddof.
    keepdims : bool
        Keep the reduced axes with size 1.
    corrected : bool
        Accepted for Theano's signature.

    Returns
    -------
    Variable
        The input without the reduced axes (with size 1 under keepdims).

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], T.std(x))([1., 3.])
    array(1.)
    """
    x = as_tensor_variable(input)
    return build("std", x, axis=_axis(axis), keepdims=bool(keepdims), ddof=operator.index(ddof))


def cumsum(x, axis=None):
    """The running sum along ``axis`` (np.cumsum).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : int or None
        None runs over the flattened array (as NumPy).

    Returns
    -------
    Variable
        Of x's shape (flat for axis=None).

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.cumsum(x, axis=1))([[1., 2., 3.]])
    array([[1., 3., 6.]])
    """
    return build("cumsum", as_tensor_variable(x),
                 axis=None if axis is None else operator.index(axis))


def cumprod(x, axis=None):
    """The running product along ``axis`` (np.cumprod).

    Parameters
    ----------
    x : Variable or array_like
        The input.
    axis : int or None
        None runs over the flattened array (as NumPy).

    Returns
    -------
    Variable
        Of x's shape (flat for axis=None).

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], T.cumprod(x))([[1., 2.], [3., 4.]])
    array([ 1.,  2.,  6., 24.])
    """
    return build("cumprod", as_tensor_variable(x),
                 axis=None if axis is None else operator.index(axis))
