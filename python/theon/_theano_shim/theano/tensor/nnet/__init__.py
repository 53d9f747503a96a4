"""theano.tensor.nnet over theon.tensor.nnet (activations, losses, conv2d and its gradients,
conv3d, batch normalization in theano.tensor.nnet.bn); h_softmax is not there yet."""

from theano import _missing
from theon.tensor.nnet import *  # noqa: F401,F403
from theon.tensor.nnet import softmax
from theon.tensor.nnet.abstract_conv import conv2d_transpose  # noqa: F401
from theano.tensor.nnet import abstract_conv, bn, conv, neighbours  # noqa: F401

h_softmax = _missing.function("theano.tensor.nnet.h_softmax", "hierarchical softmax")
softmax_graph = softmax
