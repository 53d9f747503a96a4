"""The blas family of theon.tensor (C++ in src/ops/blas/): products with NumPy semantics.

Float32/float64 products run on BLAS; integer and bool products wrap around as NumPy's do.
Python scalars are converted as NumPy's product functions convert them (int -> int64,
float -> float64), not as weak scalars.
"""

import operator

from theon.tensor._build import build

__all__ = ["dot", "matmul", "tensordot", "outer", "batched_dot"]


def dot(a, b):
    """numpy.dot: a 0-d operand multiplies; otherwise the last axis of ``a`` is summed against
    the second-to-last axis of ``b`` (its only axis when ``b`` is a vector)."""
    return build("dot", a, b)


def matmul(a, b):
    """numpy.matmul (``a @ b``): stacks of matrices with broadcast batch dimensions."""
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
    """numpy.tensordot: ``axes`` is an int N (the last N axes of ``a`` with the first N of
    ``b``) or a pair (axes of a, axes of b), each an int or a sequence of ints."""
    if _as_int(axes) is not None:
        return build("tensordot", a, b, axes=_as_int(axes))
    try:
        axes_a, axes_b = axes
    except (TypeError, ValueError):
        raise ValueError(
            f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
    return build("tensordot", a, b, axes_a=_axis_list(axes_a), axes_b=_axis_list(axes_b))


def outer(x, y):
    """numpy.outer: the inputs are flattened; ``out[i, j] = x.flat[i] * y.flat[j]``."""
    return build("outer", x, y)


def batched_dot(a, b):
    """Theano's batched_dot: ``out[i] = dot(a[i], b[i])`` over the first dimension."""
    return build("batched_dot", a, b)
