"""Graphs as bytes from Python: theon.graph_bytes / theon.graph_from_bytes round-trip a graph to
an equal one that compiles to the same function, and bad bytes raise ValueError."""

import numpy as np
import pytest

import theon
import theon.tensor as T


def test_graph_round_trips_through_bytes_and_computes_the_same_values():
    x = T.matrix("x")
    W = theon.shared(np.arange(6.0).reshape(3, 2), "W")
    out = T.nnet.softmax(x.dot(W)).sum(axis=1)
    out.name = "total"
    data = theon.graph_bytes([out, W * 2])
    assert isinstance(data, bytes) and data.startswith(b"THEONGR\n")
    back, doubled = theon.graph_from_bytes(data)
    assert back.name == "total"
    assert back.owner.op == out.owner.op and back.owner.where == out.owner.where
    assert theon.printing.debugprint(back, file="str") == theon.printing.debugprint(out, file="str")
    (bx,) = [v for v in _leaves(back) if v.name == "x"]
    value = np.random.default_rng(0).standard_normal((4, 3))
    expected = theon.function([x], out)(value)
    np.testing.assert_array_equal(theon.function([bx], back)(value), expected)
    np.testing.assert_array_equal(theon.function([], doubled)(), np.arange(6.0).reshape(3, 2) * 2)
    assert theon.graph_bytes([back, doubled]) == data


def _leaves(out):
    """The variables without an owner in the graph of ``out``."""
    found, stack, seen = [], [out], set()
    while stack:
        v = stack.pop()
        if v.auto_name in seen:
            continue
        seen.add(v.auto_name)
        if v.owner is None:
            found.append(v)
        else:
            stack.extend(v.owner.inputs)
    return found


def test_bad_bytes_raise_value_error():
    data = theon.graph_bytes(T.vector("v") * 2)
    for bad in (b"", data[:-3], b"x" + data[1:], data + b"\0"):
        with pytest.raises(ValueError):
            theon.graph_from_bytes(bad)
