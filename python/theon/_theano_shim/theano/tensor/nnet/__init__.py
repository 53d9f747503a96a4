"""theano.tensor.nnet over theon.tensor.nnet (activations, losses, conv2d and its gradients,
batch normalization in theano.tensor.nnet.bn); 3-d convolution is not there yet."""

from theano import _missing
from theon.tensor.nnet import *  # noqa: F401,F403
from theon.tensor.nnet import softmax
from theon.tensor.nnet.abstract_conv import conv2d_transpose  # noqa: F401
from theano.tensor.nnet import abstract_conv, bn, conv  # noqa: F401

conv3d = _missing.function("theano.tensor.nnet.conv3d", "3-d convolutions")
h_softmax = _missing.function("theano.tensor.nnet.h_softmax", "hierarchical softmax")
softmax_graph = softmax
