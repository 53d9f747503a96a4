"""theano.tensor.basic: the names of theano.tensor."""

from theano.tensor import *  # noqa: F401,F403
