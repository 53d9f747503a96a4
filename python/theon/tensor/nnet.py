"""theon.tensor.nnet: sigmoid, softplus, relu, softmax, log_softmax (C++ in src/ops/nnet/).

The elementwise functions are stable for large inputs (sigmoid(-1000) == 0, softplus(1000) ==
1000); softmax and log_softmax subtract the maximum along the axis before exponentiating.
"""

from theon.tensor._build import Variable, build, build_elemwise

__all__ = [
    "sigmoid", "softplus", "relu", "softmax", "log_softmax", "hard_sigmoid",
    "ultra_fast_sigmoid", "categorical_crossentropy", "crossentropy_softmax_argmax_1hot_with_bias",
    "crossentropy_softmax_1hot_with_bias", "crossentropy_softmax_1hot",
    "crossentropy_softmax_1hot_with_bias_dx",
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


def categorical_crossentropy(coding_dist, true_dist):
    """Theano's categorical cross-entropy: ``-log(coding_dist[arange(n), true_dist])`` for
    integer labels, ``-sum(true_dist * log(coding_dist), axis=-1)`` for a distribution. Over a
    softmax, the compiled form is the fused, stable cross-entropy op."""
    return build("categorical_crossentropy", coding_dist, true_dist)


def crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx):
    """The fused op: ``[nll, softmax(x + b), argmax(x + b, axis=1)]`` with
    ``nll[i] = -log(softmax(x + b)[i, y_idx[i]])``, computed stably."""
    return build("crossentropy_softmax_argmax_1hot_with_bias", x, b, y_idx)


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """``[nll, softmax(x + b)]`` of the fused op."""
    return crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)[:2]


def crossentropy_softmax_1hot(x, y_idx):
    """``[nll, softmax(x)]`` of the fused op with a zero bias."""
    return build("crossentropy_softmax_argmax_1hot_with_bias", x, y_idx)[:2]


def crossentropy_softmax_1hot_with_bias_dx(dy, sm, y_idx):
    """The fused gradient ``dy[:, None] * (sm - onehot(y_idx))``."""
    return build("crossentropy_softmax_1hot_with_bias_dx", dy, sm, y_idx)
