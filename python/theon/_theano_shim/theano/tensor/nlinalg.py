"""theano.tensor.nlinalg: linear algebra, which Theon does not have yet (matrix_dot aside)."""

import theon.tensor as T
from theano import _missing


def matrix_dot(*args):
    """dot(dot(args[0], args[1]), ...)."""
    out = args[0]
    for a in args[1:]:
        out = T.dot(out, a)
    return out


__getattr__ = _missing.module_getattr("theano.tensor.nlinalg", "linear algebra (nlinalg)")
