"""Graphs as bytes: ``graph_bytes(outputs)`` writes the graph computing ``outputs`` (inputs,
constants, shared values, ops and where each node was built) in Theon's versioned binary
format; ``graph_from_bytes(b)`` reads it back as new variables of an equal graph."""

from theon import _core


def graph_bytes(outputs):
    """The bytes of the graph computing ``outputs`` (a variable or a list of variables)."""
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return _core.serialize(outs)


def graph_from_bytes(data):
    """The list of output variables of the graph in ``data``; raises ValueError for bytes that
    are truncated, corrupt, of another format version or hold an op this build lacks."""
    return _core.deserialize(bytes(data))
