"""theano.tensor.nnet.neighbours: theon.tensor.nnet.neighbours."""

from theon.tensor.nnet.neighbours import *  # noqa: F401,F403
