"""Theon: symbolic tensor expressions, compiled to native code, in the spirit of Theano.

    import theon, theon.tensor as T
    x = T.vector('x'); f = theon.function([x], (x ** 2).sum())
"""

from theon import _core
from theon.configparser import config
from theon.compile import FAST_COMPILE, FAST_RUN, In, Mode, NanGuardMode, Out, function, shared
from theon import printing
from theon import tensor
from theon import sparse
from theon import gradient
from theon.gradient import grad
from theon.graph_io import graph_bytes, graph_from_bytes
from theon.saving import load, save
from theon import graph
from theon.graph import clone
from theon.pyop import Apply, Op, as_op
from theon import scan_module
from theon import distributed
from theon.scan_module import foldl, foldr, map, reduce, scan

__version__ = "0.1.0"

__all__ = ["config", "function", "shared", "In", "Out", "Mode", "NanGuardMode", "FAST_RUN",
           "FAST_COMPILE", "printing", "tensor", "sparse", "gradient",
           "grad", "graph_bytes", "graph_from_bytes", "graph", "clone", "Op", "Apply", "as_op",
           "scan_module", "distributed", "scan", "map", "reduce", "foldl", "foldr", "save", "load"]
