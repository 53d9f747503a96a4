"""theano.tensor.xlogx: x * log(x) and x * log(y) with 0 where x is 0."""

import theon.tensor as T


def xlogx(x):
    """x * log(x), 0 where x == 0."""
    x = T.as_tensor_variable(x)
    return T.switch(T.eq(x, 0), 0.0, x * T.log(x))


def xlogy0(x, y):
    """x * log(y), 0 where x == 0."""
    x = T.as_tensor_variable(x)
    return T.switch(T.eq(x, 0), 0.0, x * T.log(y))
