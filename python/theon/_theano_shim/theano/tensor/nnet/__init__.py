"""theano.tensor.nnet over theon.tensor.nnet, with Theano's other activations and losses
composed from Theon's ops; convolutions are not there yet."""

import theon.tensor as T
from theano import _missing
from theon.tensor.nnet import *  # noqa: F401,F403
from theon.tensor.nnet import sigmoid, softmax
from theano.tensor.nnet import bn  # noqa: F401

_CONV = "convolutions (conv/pool/bn)"
conv2d = _missing.function("theano.tensor.nnet.conv2d", _CONV)
conv3d = _missing.function("theano.tensor.nnet.conv3d", _CONV)
conv2d_transpose = _missing.function("theano.tensor.nnet.conv2d_transpose", _CONV)
h_softmax = _missing.function("theano.tensor.nnet.h_softmax", "hierarchical softmax")
logsoftmax = log_softmax  # noqa: F405
softmax_graph = softmax


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output)), elementwise."""
    return -(target * T.log(output) + (1.0 - target) * T.log(1.0 - output))


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target), computed stably."""
    return binary_crossentropy(sigmoid(output), target)


def elu(x, alpha=1):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    return T.switch(T.gt(x, 0), x, alpha * T.expm1(x))


def selu(x):
    """The scaled ELU of Klambauer et al. (2017)."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def softsign(x):
    """x / (1 + |x|)."""
    return x / (1.0 + T.abs(x))
