"""theano.tensor.nnet.bn: theon.tensor.nnet.bn."""

from theon.tensor.nnet.bn import *  # noqa: F401,F403
