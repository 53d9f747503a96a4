"""Graphs as bytes: ``graph_bytes(outputs)`` writes the graph computing ``outputs`` (inputs,
constants, shared values, ops and where each node was built) in Theon's versioned binary
format; ``graph_from_bytes(b)`` reads it back as new variables of an equal graph."""

from theon import _core


def graph_bytes(outputs):
    """The bytes of the graph computing ``outputs``, in Theon's versioned binary format.

    Inputs, constants, shared values, ops and where each node was built are kept.

    Parameters
    ----------
    outputs : Variable or list of Variable
        The graph's outputs.

    Returns
    -------
    bytes
        To give to ``graph_from_bytes``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> data = theon.graph_bytes(T.exp(x))
    >>> isinstance(data, bytes)
    True
    """
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return _core.serialize(outs)


def graph_from_bytes(data):
    """The graph written by ``graph_bytes``, as new variables of an equal graph.

    Parameters
    ----------
    data : bytes-like
        What ``graph_bytes`` returned.

    Returns
    -------
    list of Variable
        The outputs.

    Raises
    ------
    ValueError
        For bytes that are truncated, corrupt, of another format version or hold an op this
        build lacks.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> [y] = theon.graph_from_bytes(theon.graph_bytes(T.exp(x)))
    >>> [x2] = theon.graph.inputs([y])
    >>> theon.function([x2], y)([0., 1.])
    array([1.        , 2.71828183])
    """
    return _core.deserialize(bytes(data))
