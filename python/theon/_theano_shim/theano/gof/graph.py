"""theano.gof.graph: walking and comparing graphs."""

from theon.graph import (Constant, Variable, ancestors, clone, equal_computations,  # noqa: F401
                         inputs, io_toposort, is_same_graph, variables)
from theon.pyop import Apply  # noqa: F401
