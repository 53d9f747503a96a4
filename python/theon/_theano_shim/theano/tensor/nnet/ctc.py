"""theano.tensor.nnet.ctc: theon.tensor.nnet.ctc."""

from theon.tensor.nnet.ctc import *  # noqa: F401,F403
