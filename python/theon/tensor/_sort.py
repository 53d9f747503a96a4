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
    """The values of ``a`` sorted along ``axis`` (np.sort); NaNs last.

    Parameters
    ----------
    a : Variable or array_like
        The input.
    axis : int or None
        None: the flattened array.
    kind : str
        Accepted for NumPy's signature (the sort is stable).
    order : None
        Structured arrays are not supported.

    Returns
    -------
    Variable
        Of a's shape (flat for axis=None).

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.sort(a))([3., np.nan, 1.])
    array([ 1.,  3., nan])
    """
    x, params = _args(a, axis, kind, order)
    return build("sort", x, **params)


def argsort(a, axis=-1, kind="quicksort", order=None):
    """The int64 indices that sort ``a`` along ``axis`` (np.argsort).

    Parameters
    ----------
    a : Variable or array_like
        The input.
    axis : int or None
        None: the flattened array.
    kind : str
        Accepted for NumPy's signature (the sort is stable).
    order : None
        Structured arrays are not supported.

    Returns
    -------
    Variable
        int64, of a's shape (flat for axis=None).

    Examples
    --------
    >>> a = T.dvector('a')
    >>> theon.function([a], T.argsort(a))([3., 1., 2.])
    array([1, 2, 0])
    """
    x, params = _args(a, axis, kind, order)
    return build("argsort", x, **params)
