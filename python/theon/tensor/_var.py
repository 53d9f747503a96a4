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


def _transposed(x):
    """The transpose, with the dimensions reversed (``T.transpose(x)``)."""
    return T.transpose(x)


def _shape(x):
    """The shape, a symbolic int64 vector (``T.shape(x)``)."""
    return T.shape(x)


def _size(x):
    """The number of elements, a symbolic int64 scalar."""
    return T.prod(T.shape(x))


Variable.T = property(_transposed)
Variable.shape = property(_shape)
Variable.size = property(_size)


def astype(self, dtype):
    """The variable converted to ``dtype`` (T.cast).

    Parameters
    ----------
    dtype : str
        The new dtype.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> x.astype('int32').dtype
    'int32'
    """
    return T.cast(self, dtype)


def dot(self, y):
    """The dot product with ``y`` (T.dot).

    Parameters
    ----------
    y : Variable or array_like
        The right operand.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.dot([1., 1.]))([2., 3.])
    array(5.)
    """
    return T.dot(self, y)


def transpose(self, *axes):
    """The dimensions reversed, or permuted by ``axes`` (T.transpose).

    Parameters
    ----------
    *axes : int or one sequence of int
        The new order (default: reversed).

    Returns
    -------
    Variable
        A view of the variable.

    Examples
    --------
    >>> x = T.dtensor3('x')
    >>> theon.function([x], x.transpose(1, 0, 2))(np.zeros((2, 3, 4))).shape
    (3, 2, 4)
    """
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        return T.transpose(self, axes[0])
    return T.transpose(self, axes or None)


def reshape(self, shape, *rest, ndim=None):
    """The variable with a new shape (T.reshape).

    Parameters
    ----------
    shape : int, tuple or integer vector Variable
        The new shape; the sizes may also be given as separate arguments.
    *rest : int or integer scalar Variable
        The other sizes in that form.
    ndim : int
        Needed only for a shape vector of unknown length.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.reshape(2, 2))([1., 2., 3., 4.])
    array([[1., 2.],
           [3., 4.]])
    """
    return T.reshape(self, (shape,) + rest if rest else shape, ndim=ndim)


def dimshuffle(self, *pattern):
    """Theano's dimshuffle: reorders dimensions and inserts broadcastable ones (T.dimshuffle).

    Parameters
    ----------
    *pattern : int or 'x'
        Input dimensions in their new order and 'x' for new ones of size 1.

    Returns
    -------
    Variable
        A view of the variable.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> x.dimshuffle('x', 0).type
    TensorType(float64, shape=(1, None))
    """
    return T.dimshuffle(self, *pattern)


def flatten(self, ndim=1):
    """Theano's flatten: keeps the first ``ndim - 1`` dimensions, folds the rest (T.flatten).

    Parameters
    ----------
    ndim : int
        The result's number of dimensions.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.flatten())([[1., 2.], [3., 4.]])
    array([1., 2., 3., 4.])
    """
    return T.flatten(self, ndim)


def squeeze(self, axis=None):
    """The variable without its dimensions of size 1 (T.squeeze).

    Parameters
    ----------
    axis : None, int or tuple of int
        None: those of static size 1; explicit axes are checked at run time.

    Returns
    -------
    Variable
        A view of the variable.

    Examples
    --------
    >>> x = T.dcol('x')
    >>> x.squeeze().type
    TensorType(float64, shape=(None,))
    """
    return T.squeeze(self, axis)


def swapaxes(self, axis1, axis2):
    """The variable with two dimensions exchanged (T.swapaxes).

    Parameters
    ----------
    axis1, axis2 : int
        The two dimensions.

    Returns
    -------
    Variable
        A view of the variable.

    Examples
    --------
    >>> x = T.dtensor3('x')
    >>> theon.function([x], x.swapaxes(0, 2))(np.zeros((1, 2, 3))).shape
    (3, 2, 1)
    """
    return T.swapaxes(self, axis1, axis2)


def clip(self, lo, hi):
    """The variable clipped to ``[lo, hi]`` (T.clip).

    Parameters
    ----------
    lo, hi : Variable, array_like, number or None
        The bounds.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.clip(0., 1.))([-1., 0.5, 2.])
    array([0. , 0.5, 1. ])
    """
    return T.clip(self, lo, hi)


def sum(self, axis=None, keepdims=False, **kwargs):
    """The sum over ``axis`` (T.sum).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.sum (e.g. dtype).

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.sum(axis=0))([[1., 2.], [3., 4.]])
    array([4., 6.])
    """
    return T.sum(self, axis=axis, keepdims=keepdims, **kwargs)


def prod(self, axis=None, keepdims=False, **kwargs):
    """The product over ``axis`` (T.prod).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.prod (e.g. dtype).

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.prod(axis=1))([[1., 2.], [3., 4.]])
    array([ 2., 12.])
    """
    return T.prod(self, axis=axis, keepdims=keepdims, **kwargs)


def mean(self, axis=None, keepdims=False, **kwargs):
    """The mean over ``axis`` (T.mean).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.mean (e.g. dtype).

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.mean())([[1., 2.], [3., 4.]])
    array(2.5)
    """
    return T.mean(self, axis=axis, keepdims=keepdims, **kwargs)


def max(self, axis=None, keepdims=False, **kwargs):
    """The maximum over ``axis`` (T.max).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.max.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.max(axis=1))([[1., 5.], [3., 4.]])
    array([5., 4.])
    """
    return T.max(self, axis=axis, keepdims=keepdims, **kwargs)


def min(self, axis=None, keepdims=False, **kwargs):
    """The minimum over ``axis`` (T.min).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.min.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.min(axis=1))([[1., 5.], [3., 4.]])
    array([1., 3.])
    """
    return T.min(self, axis=axis, keepdims=keepdims, **kwargs)


def any(self, axis=None, keepdims=False, **kwargs):
    """Whether any element along ``axis`` is nonzero (T.any).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.any.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.any(axis=1))([[0., 0.], [0., 2.]])
    array([False,  True])
    """
    return T.any(self, axis=axis, keepdims=keepdims, **kwargs)


def all(self, axis=None, keepdims=False, **kwargs):
    """Whether every element along ``axis`` is nonzero (T.all).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.all.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.all(axis=1))([[1., 0.], [1., 2.]])
    array([False,  True])
    """
    return T.all(self, axis=axis, keepdims=keepdims, **kwargs)


def argmax(self, axis=None, keepdims=False, **kwargs):
    """The index of the first maximum over ``axis`` (T.argmax).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.argmax.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.argmax(axis=1))([[1., 5.], [4., 3.]])
    array([1, 0])
    """
    return T.argmax(self, axis=axis, keepdims=keepdims, **kwargs)


def argmin(self, axis=None, keepdims=False, **kwargs):
    """The index of the first minimum over ``axis`` (T.argmin).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    keepdims : bool
        Keep the reduced axes with size 1.
    **kwargs
        Passed to T.argmin.

    Returns
    -------
    Variable
        The variable without the reduced axes.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> theon.function([x], x.argmin(axis=1))([[1., 5.], [4., 3.]])
    array([0, 1])
    """
    return T.argmin(self, axis=axis, keepdims=keepdims, **kwargs)


def var(self, axis=None, ddof=0, keepdims=False):
    """The variance over ``axis`` (T.var).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    ddof : int
        The divisor is N - ddof.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.var())([1., 2., 3., 4.])
    array(1.25)
    """
    return T.var(self, axis=axis, ddof=ddof, keepdims=keepdims)


def std(self, axis=None, ddof=0, keepdims=False):
    """The standard deviation over ``axis`` (T.std).

    Parameters
    ----------
    axis : None, int or sequence of int
        The axes reduced; None: every axis.
    ddof : int
        The divisor is N - ddof.
    keepdims : bool
        Keep the reduced axes with size 1.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.std())([1., 3.])
    array(1.)
    """
    return T.std(self, axis=axis, ddof=ddof, keepdims=keepdims)


def cumsum(self, axis=None):
    """The running sum along ``axis`` (T.cumsum).

    Parameters
    ----------
    axis : int or None
        None: the flattened variable.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.cumsum())([1., 2., 3.])
    array([1., 3., 6.])
    """
    return T.cumsum(self, axis)


def cumprod(self, axis=None):
    """The running product along ``axis`` (T.cumprod).

    Parameters
    ----------
    axis : int or None
        None: the flattened variable.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.cumprod())([1., 2., 3.])
    array([1., 2., 6.])
    """
    return T.cumprod(self, axis)


def sort(self, axis=-1):
    """The values sorted along ``axis`` (T.sort).

    Parameters
    ----------
    axis : int or None
        None: the flattened variable.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.sort())([3., 1., 2.])
    array([1., 2., 3.])
    """
    return T.sort(self, axis)


def argsort(self, axis=-1):
    """The int64 indices that sort the variable along ``axis`` (T.argsort).

    Parameters
    ----------
    axis : int or None
        None: the flattened variable.

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.argsort())([3., 1., 2.])
    array([1, 2, 0])
    """
    return T.argsort(self, axis)


def exp(self):
    """``e ** x`` elementwise (T.exp).

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.exp())([0.])
    array([1.])
    """
    return T.exp(self)


def log(self):
    """The natural logarithm elementwise (T.log).

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> theon.function([x], x.log())([1.])
    array([0.])
    """
    return T.log(self)


def transfer(self, target):
    """The variable moved to the device ``target`` (T.transfer), as Theano's.

    Parameters
    ----------
    target : str
        A device name: 'cpu', 'cuda0', 'opencl0:0', ...

    Returns
    -------
    Variable

    Examples
    --------
    >>> x = T.dvector('x')
    >>> x.transfer('cpu').type.device
    'cpu'
    """
    return T.transfer(self, target)


for _method in (astype, dot, transpose, reshape, dimshuffle, flatten, squeeze, swapaxes, clip,
                sum, prod, mean, max, min, any, all, argmax, argmin, var, std, cumsum, cumprod,
                sort, argsort, exp, log, transfer):
    setattr(Variable, _method.__name__, _method)


def _str(x):
    return x.name if x.name is not None else x._pprint()


def _repr(x):
    return _str(x) if x.owner is not None or x.name is not None else f"<{x.type}>"


Variable.__str__ = _str
Variable.__repr__ = _repr
def _eval(self, inputs=None):
    """The value of the variable, computed by a function compiled for the call.

    Parameters
    ----------
    inputs : dict
        ``{input variable: value}`` for the free inputs it depends on.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> x = T.dscalar('x')
    >>> (x * 2).eval({x: 3.0})
    array(6.)
    """
    import theon

    inputs = inputs or {}
    keys = list(inputs)
    fn = theon.function(keys, self, on_unused_input="ignore")
    return fn(*[inputs[k] for k in keys])


def _get_value(self, borrow=False, return_internal_type=False):
    """The value of a shared variable.

    Parameters
    ----------
    borrow : bool
        Return the stored array itself rather than a copy (do not write into it).
    return_internal_type : bool
        Accepted for Theano's signature.

    Returns
    -------
    numpy.ndarray or scipy.sparse matrix

    Examples
    --------
    >>> w = theon.shared(np.arange(3.))
    >>> w.get_value()
    array([0., 1., 2.])
    """
    return _core.get_value(self, borrow)


def _set_value(self, value, borrow=False):
    """Replaces the value of a shared variable.

    Parameters
    ----------
    value : array_like
        Of the variable's dtype and number of dimensions (and static sizes).
    borrow : bool
        Keep ``value`` itself rather than a copy.

    Examples
    --------
    >>> w = theon.shared(np.zeros(2))
    >>> w.set_value([5., 6.])
    >>> w.get_value()
    array([5., 6.])
    """
    _core.set_value(self, value, borrow)


class _Tag:
    """Free-form annotations of a variable (``var.tag``); ``tag.test_value`` is the value used
    by config.compute_test_value."""

    def __repr__(self):
        return f"Tag({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def _tag(x):
    """Free-form annotations (``tag.test_value`` is used by config.compute_test_value)."""
    tag = x.__dict__.get("_tag")
    if tag is None:
        tag = x.__dict__["_tag"] = _Tag()
    return tag


_eval.__name__ = _eval.__qualname__ = "eval"
_get_value.__name__ = _get_value.__qualname__ = "get_value"
_set_value.__name__ = _set_value.__qualname__ = "set_value"
Variable.eval = _eval
Variable.tag = property(_tag)
Variable.get_value = _get_value
Variable.set_value = _set_value
