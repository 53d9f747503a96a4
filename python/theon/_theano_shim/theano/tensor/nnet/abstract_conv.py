"""theano.tensor.nnet.abstract_conv: theon.tensor.nnet.abstract_conv."""

from theon.tensor.nnet.abstract_conv import *  # noqa: F401,F403
