"""Op table rows of the collective ops of theon.distributed (see op_table.py). The table runs in
one process, a world of one, where each collective is the identity: the rows check dtypes,
shapes, strides, empty inputs, shape inference and the gradient graphs there; across processes
they are checked against NumPy by tests/python/test_distributed_mpi.py."""

import numpy as np

from op_table_kinds import ALL, FLOATS, Row

_CASES = [((3, 4),), ((0, 2),), ((1, 1),)]


def _identity(x):
    return x


def _collective(name, variant="", dtypes=ALL, **params):
    return Row(name, _identity, _CASES, params=params, dtypes=dtypes, grad=2,
               variant=variant)


DISTRIBUTED = [
    _collective("all_reduce"),
    _collective("all_reduce", "mean", FLOATS, op="mean"),
    _collective("all_reduce", "max", op="max"),
    _collective("all_reduce", "min", op="min"),
    _collective("all_gather"),
    _collective("broadcast"),
    _collective("reduce_to_root"),
    _collective("reduce_to_root", "mean", FLOATS, op="mean"),
    _collective("reduce_scatter"),
    _collective("reduce_scatter", "max", op="max"),
]
