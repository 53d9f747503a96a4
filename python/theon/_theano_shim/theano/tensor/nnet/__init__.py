"""theano.tensor.nnet over theon.tensor.nnet (activations, losses, conv2d and its gradients,
conv3d, h_softmax, batch normalization in theano.tensor.nnet.bn)."""

from theon.tensor.nnet import *  # noqa: F401,F403
from theon.tensor.nnet import softmax
from theon.tensor.nnet.abstract_conv import conv2d_transpose  # noqa: F401
from theano.tensor.nnet import abstract_conv, bn, conv, ctc, neighbours  # noqa: F401

softmax_graph = softmax
