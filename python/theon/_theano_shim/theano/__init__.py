"""Theano's API over Theon, so that a script written for Theano 1.0 runs unchanged.

Installed under the name ``theano`` only by ``python -m theon.theano_alias install`` (see
README): an installed Theano is never shadowed without the user asking. Theon's own names
(``import theon``) stay the primary API; this package maps Theano's module tree onto them, and
names of subsystems Theon does not have yet raise NotImplementedError saying so.
"""

from theano.configparser import config
from theano import compile, gof, gradient, graph, ifelse, printing, tensor  # noqa: F401  (the tree)
from theano.compile.builders import OpFromGraph  # noqa: F401
from theano.compile import (FAST_COMPILE, FAST_RUN, In, Mode, Out, ProfileStats,  # noqa: F401
                            SharedVariable, function, shared)
from theano.gof import Apply, Constant, Op, Variable, clone  # noqa: F401
from theano.gradient import Lop, Rop, grad  # noqa: F401
from theano.printing import debugprint, pp, pprint  # noqa: F401
from theano.scan_module import scan  # noqa: F401
from theano.tensor import dot  # noqa: F401
from theano import _missing

__version__ = "1.0.5+theon"

foldl = _missing.function("theano.foldl", "scan (loops)")
foldr = _missing.function("theano.foldr", "scan (loops)")
reduce = _missing.function("theano.reduce", "scan (loops)")
map = _missing.function("theano.map", "scan (loops)")
sparse_grad = _missing.function("theano.sparse_grad", "sparse tensors")
