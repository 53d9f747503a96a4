"""theano.graph (the later name of theano.gof.graph)."""

from theano.gof.graph import *  # noqa: F401,F403
from theano.gof.graph import Apply, Constant, Variable  # noqa: F401
