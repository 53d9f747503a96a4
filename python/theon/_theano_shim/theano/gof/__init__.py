"""theano.gof: graph objects (Variable, Constant, Apply, Op) and graph utilities."""

from theon import _core
from theano.gof import graph  # noqa: F401
from theon.graph import Constant, Variable, clone, equal_computations, is_same_graph  # noqa
from theon.pyop import Apply, Op  # noqa: F401

TensorType = _core.TensorType
