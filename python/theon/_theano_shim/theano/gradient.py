"""theano.gradient over theon.gradient."""

from theon.gradient import *  # noqa: F401,F403
from theon.gradient import (DisconnectedType, GradientError, NullType, consider_constant,  # noqa
                            disconnected_type, grad_not_implemented, grad_undefined)
from theano import _missing

numeric_grad = _missing.function("theano.gradient.numeric_grad",
                                 "numeric_grad as a class (use verify_grad)")
subgraph_grad = _missing.function("theano.gradient.subgraph_grad", "subgraph_grad")
