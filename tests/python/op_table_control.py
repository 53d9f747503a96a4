"""Op table rows of the control-flow ops: ifelse (the condition given as exact 0-d values, so
both branches are checked) and OpFromGraph, compiled and inlined (see op_table.py)."""

import numpy as np

from op_table_kinds import Row
import theon.tensor as T
from theon.compile.builders import OpFromGraph

# Rows of ops built outside the builder registry (see op_table.NOT_BUILDERS).
CONTROL_NOT_BUILDERS = {
    "op_from_graph": "OpFromGraph(inputs, outputs)(...) (theon.compile.builders): an op made "
                     "from a graph, not a builder of the registry",
}


def _pick(c, t, e):
    return t if c else e


def _op_from_graph(inline):
    def make(x, y):
        a, b = x.type(), y.type()
        return OpFromGraph([a, b], [a * T.exp(b) - b], inline=inline)(x, y)
    return make


def _op_from_graph_ref(x, y):
    return x * np.exp(y) - y


_OFG_CASES = [((3, 4), (3, 4)), ((3, 1), (3, 4)), ((0, 4), (0, 4)), ((1, 1), (1, 1))]

CONTROL = [
    Row("ifelse", _pick,
        [(1, (3, 4), (3, 4)), (0, (3, 4), (3, 4)), (1, (2, 3), (4, 5)), (0, (2, 3), (4, 5)),
         (1, (0, 4), (2, 4)), (0, (0, 4), (2, 4)), (0, (1, 1), (1, 1))],
        dtypes=(("int64", "float64", "float64"), ("bool", "float32", "float32"),
                ("int8", "int32", "int32"), ("float64", "uint8", "uint8")),
        grad=2, wrt=(1, 2)),
    Row("op_from_graph", _op_from_graph_ref, _OFG_CASES, build=_op_from_graph(False),
        domains=("any", "small"), grad=2),
    Row("op_from_graph", _op_from_graph_ref, _OFG_CASES, build=_op_from_graph(True),
        domains=("any", "small"), grad=2, variant="inline"),
]
