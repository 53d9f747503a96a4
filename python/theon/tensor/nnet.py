"""theon.tensor.nnet: sigmoid, softplus, relu, softmax, log_softmax (C++ in src/ops/nnet.cpp).

The elementwise functions are stable for large inputs (sigmoid(-1000) == 0, softplus(1000) ==
1000); softmax and log_softmax subtract the maximum along the axis before exponentiating.
"""

from theon.tensor._build import Variable, build, build_elemwise

__all__ = [
    "sigmoid", "softplus", "relu", "softmax", "log_softmax", "hard_sigmoid",
    "ultra_fast_sigmoid",
]


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return build_elemwise("sigmoid", x)


def ultra_fast_sigmoid(x):
    """Theano's fast approximation of sigmoid; here the exact (and equally fast) sigmoid."""
    return build_elemwise("sigmoid", x)


def hard_sigmoid(x):
    """Theano's piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return build_elemwise("hard_sigmoid", x)


def softplus(x):
    """log(1 + exp(x))."""
    return build_elemwise("softplus", x)


def relu(x, alpha=0):
    """maximum(x, 0); with ``alpha``, where(x > 0, x, alpha * x). ``alpha`` may be a number or
    a symbolic scalar."""
    if isinstance(alpha, (bool, int, float)) and not isinstance(alpha, Variable):
        if alpha == 0:
            return build_elemwise("relu", x)
        return build_elemwise("leaky_relu", x, alpha)
    return build_elemwise("leaky_relu", x, alpha)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x), axis), computed stably; ``axis=None`` normalizes over all
    elements."""
    return build("softmax", x, axis=axis)


def log_softmax(x, axis=-1):
    """x - log(sum(exp(x), axis)), computed stably."""
    return build("log_softmax", x, axis=axis)
