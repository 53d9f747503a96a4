"""The blas family of theon.tensor (C++ in src/ops/blas/): products with NumPy semantics.

Float32/float64 products run on BLAS; integer and bool products wrap around as NumPy's do.
Python scalars are converted as NumPy's product functions convert them (int -> int64,
float -> float64), not as weak scalars.
"""

import operator

from theon.tensor._build import build

__all__ = ["dot", "matmul", "tensordot", "outer", "batched_dot"]


def dot(a, b):
    """The dot product (numpy.dot).

    Parameters
    ----------
    a, b : Variable or array_like
        A 0-d operand multiplies; otherwise the last axis of a is summed against the second-to-last
        axis of b (its only axis when b is a vector).

    Returns
    -------
    Variable
        As numpy.dot.

    Examples
    --------
    >>> a, b = T.dmatrix('a'), T.dvector('b')
    >>> theon.function([a, b], T.dot(a, b))([[1., 2.], [3., 4.]], [1., 1.])
    array([3., 7.])
    """
    return build("dot", a, b)


def matmul(a, b):
    """The matrix product ``a @ b`` (numpy.matmul).

    Stacks of matrices are multiplied with their batch dimensions broadcast.

    Parameters
    ----------
    a, b : Variable or array_like
        At least 1-d.

    Returns
    -------
    Variable
        As numpy.matmul.

    Examples
    --------
    >>> a, b = T.dtensor3('a'), T.dmatrix('b')
    >>> theon.function([a, b], T.matmul(a, b))(np.ones((2, 1, 3)), np.ones((3, 4))).shape
    (2, 1, 4)
    """
    return build("matmul", a, b)


def _as_int(x):
    try:
        return operator.index(x)
    except TypeError:
        return None


def _axis_list(axes):
    if _as_int(axes) is not None:
        return [_as_int(axes)]
    return [operator.index(ax) for ax in axes]


def tensordot(a, b, axes=2):
    """Sums products over the given axes (numpy.tensordot).

    Parameters
    ----------
    a, b : Variable or array_like
        The operands.
    axes : int or pair
        An int N (the last N axes of a with the first N of b) or a pair (axes of a, axes of b),
        each an int or a sequence of ints.

    Returns
    -------
    Variable
        The remaining axes of a, then those of b.

    Examples
    --------
    >>> a, b = T.dtensor3('a'), T.dmatrix('b')
    >>> f = theon.function([a, b], T.tensordot(a, b, axes=[[2], [0]]))
    >>> f(np.ones((2, 3, 4)), np.ones((4, 5))).shape
    (2, 3, 5)
    """
    if _as_int(axes) is not None:
        return build("tensordot", a, b, axes=_as_int(axes))
    try:
        axes_a, axes_b = axes
    except (TypeError, ValueError):
        raise ValueError(
            f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
    return build("tensordot", a, b, axes_a=_axis_list(axes_a), axes_b=_axis_list(axes_b))


def outer(x, y):
    """The outer product (numpy.outer): ``out[i, j] = x.flat[i] * y.flat[j]``.

    Parameters
    ----------
    x, y : Variable or array_like
        Flattened first.

    Returns
    -------
    Variable
        A matrix.

    Examples
    --------
    >>> x, y = T.dvectors('x', 'y')
    >>> theon.function([x, y], T.outer(x, y))([1., 2.], [1., 10.])
    array([[ 1., 10.],
           [ 2., 20.]])
    """
    return build("outer", x, y)


def batched_dot(a, b):
    """Theano's batched_dot: ``out[i] = dot(a[i], b[i])`` over the first dimension.

    Parameters
    ----------
    a, b : Variable
        Of equal first dimensions.

    Returns
    -------
    Variable
        The stacked products.

    Examples
    --------
    >>> a, b = T.dtensor3('a'), T.dtensor3('b')
    >>> theon.function([a, b], T.batched_dot(a, b))(np.ones((2, 1, 3)), np.ones((2, 3, 4))).shape
    (2, 1, 4)
    """
    return build("batched_dot", a, b)
