"""theano.tensor.extra_ops: the ones Theon has, and to_one_hot and diff composed from its ops;
the others raise NotImplementedError."""

import theon.tensor as T
from theano import _missing
from theon.tensor import cumprod, cumsum, repeat, squeeze  # noqa: F401


def to_one_hot(y, nb_class, dtype=None):
    """A matrix with a one at (i, y[i]) for the integer vector y."""
    from theon import config

    hot = T.eq(T.arange(nb_class).dimshuffle("x", 0), T.as_tensor_variable(y).dimshuffle(0, "x"))
    return T.cast(hot, dtype or config.floatX)


def diff(x, n=1, axis=-1):
    """The n-th discrete difference along ``axis`` (np.diff)."""
    x = T.as_tensor_variable(x)
    axis %= x.ndim
    for _ in range(n):
        hi = tuple(slice(1, None) if d == axis else slice(None) for d in range(x.ndim))
        lo = tuple(slice(None, -1) if d == axis else slice(None) for d in range(x.ndim))
        x = x[hi] - x[lo]
    return x


__getattr__ = _missing.module_getattr(
    "theano.tensor.extra_ops",
    "more extra_ops (bincount, searchsorted, unique, fill_diagonal, index conversions)")
