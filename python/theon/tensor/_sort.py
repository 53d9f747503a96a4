"""The sort family of theon.tensor (C++ in src/ops/sort.cpp).

Sorts are ascending with NaN last as in NumPy; ``kind`` is accepted for compatibility
('quicksort', 'mergesort', 'heapsort', 'stable') and argsort is stable for every kind.
"""

import operator

from theon.tensor._build import as_tensor_variable, build

__all__ = ["sort", "argsort"]


def _args(a, axis, kind, order):
    if order is not None:
        raise NotImplementedError("sort: the 'order' argument (structured arrays) is not "
                                  "supported")
    return (as_tensor_variable(a),
            dict(axis=None if axis is None else operator.index(axis),
                 kind="quicksort" if kind is None else kind))


def sort(a, axis=-1, kind="quicksort", order=None):
    """The values of ``a`` sorted along ``axis`` (None: the flattened array)."""
    x, params = _args(a, axis, kind, order)
    return build("sort", x, **params)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 indices that sort ``a`` along ``axis`` (None: the flattened array)."""
    x, params = _args(a, axis, kind, order)
    return build("argsort", x, **params)
