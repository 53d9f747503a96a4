"""theon.compile.builders.OpFromGraph: values (compiled inner graph or inlined), gradients
(from the inner graph or given), the R-operator, shapes, shared variables as implicit inputs,
structural equality and errors."""

import re

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.compile.builders import OpFromGraph


def graph_text(f):
    return theon.printing.debugprint(f, file="str", print_type=False)


def _xyz():
    return (T.matrix("x", dtype="float64"), T.matrix("y", dtype="float64"),
            T.matrix("z", dtype="float64"))


@pytest.mark.parametrize("inline", [False, True])
def test_values_as_one_node_or_inlined(inline):
    x, y, z = _xyz()
    e = x + y * z
    op = OpFromGraph([x, y, z], [e], inline=inline)
    a, b, c = _xyz()
    out = op(a, b, c) - op(c, b, a)  # applied twice, on other variables
    f = theon.function([a, b, c], out)
    rng = np.random.default_rng(0)
    va, vb, vc = (rng.random((2, 3)) for _ in range(3))
    np.testing.assert_allclose(f(va, vb, vc), (va + vb * vc) - (vc + vb * va))
    text = graph_text(f)
    assert ("OpFromGraph" in text) != inline, text


def test_several_outputs_and_gradient_from_the_inner_graph():
    x, y, _ = _xyz()
    op = OpFromGraph([x, y], [x * y, T.exp(x) - y])
    a, b, _ = _xyz()
    p, q = op(a, b)
    cost = (p * 2).sum() + (q ** 2).sum()
    ga, gb = theon.grad(cost, [a, b])
    f = theon.function([a, b], [ga, gb])
    rng = np.random.default_rng(1)
    va, vb = rng.random((2, 2)), rng.random((2, 2))
    qa = np.exp(va) - vb
    ra, rb = f(va, vb)
    np.testing.assert_allclose(ra, 2 * vb + 2 * qa * np.exp(va))
    np.testing.assert_allclose(rb, 2 * va - 2 * qa)
    theon.gradient.verify_grad(lambda u, v: op(u, v)[1] * op(u, v)[0], [va, vb], rng=rng)


def test_second_order_gradient():
    x = T.vector("x", dtype="float64")
    op = OpFromGraph([x], [T.sin(x) * x])
    a = T.vector("a", dtype="float64")
    g = theon.grad(op(a).sum(), a)
    h = theon.grad(g.sum(), a)
    f = theon.function([a], h)
    v = np.array([0.3, 1.1])
    np.testing.assert_allclose(f(v), 2 * np.cos(v) - v * np.sin(v))


def test_grad_and_lop_overrides():
    x, y, _ = _xyz()
    e = x * y

    def grad_override(inputs, output_grads):
        u, v = inputs
        (g,) = output_grads
        return [g * 10, g * 0]

    op = OpFromGraph([x, y], [e], grad_overrides=grad_override)
    a, b, _ = _xyz()
    ga, gb = theon.grad(op(a, b).sum(), [a, b])
    f = theon.function([a, b], [ga, gb])
    ra, rb = f(np.ones((2, 2)), np.ones((2, 2)))
    np.testing.assert_array_equal(ra, np.full((2, 2), 10.0))
    np.testing.assert_array_equal(rb, np.zeros((2, 2)))

    def lop(inputs, outputs, output_grads):
        return [output_grads[0] * outputs[0], None]

    op2 = OpFromGraph([x, y], [e], lop_overrides=lop)
    ga = theon.grad(op2(a, b).sum(), a)
    f2 = theon.function([a, b], ga)
    np.testing.assert_array_equal(f2(np.full((1, 1), 2.0), np.full((1, 1), 3.0)), [[6.0]])
    # One entry per input: 'default' keeps the graph's own gradient.
    op3 = OpFromGraph([x, y], [e], grad_overrides=["default", lambda i, g: g[0] * 0 + 7])
    ga, gb = theon.grad(op3(a, b).sum(), [a, b])
    r = theon.function([a, b], [ga, gb])(np.full((1, 1), 2.0), np.full((1, 1), 3.0))
    np.testing.assert_array_equal(r[0], [[3.0]])
    np.testing.assert_array_equal(r[1], [[7.0]])
    with pytest.raises(ValueError, match="not both"):
        OpFromGraph([x, y], [e], grad_overrides=grad_override, lop_overrides=lop)
    with pytest.raises(NotImplementedError, match="rop_overrides"):
        OpFromGraph([x, y], [e], rop_overrides=lambda i, e: i)


def test_rop():
    x = T.vector("x", dtype="float64")
    op = OpFromGraph([x], [x ** 3])
    a, v = T.vector("a", dtype="float64"), T.vector("v", dtype="float64")
    r = theon.gradient.Rop(op(a), a, v)
    f = theon.function([a, v], r)
    np.testing.assert_allclose(f(np.array([1.0, 2.0]), np.array([1.0, 0.5])), [3.0, 6.0])


def test_shared_variables_become_implicit_inputs():
    w = theon.shared(np.array([[1.0, 2.0], [3.0, 4.0]]), name="w")
    x = T.matrix("x", dtype="float64")
    op = OpFromGraph([x], [T.dot(x, w)])
    assert len(op.inputs) == 1
    a = T.matrix("a", dtype="float64")
    out = op(a)
    assert out.owner.inputs[-1] is w or out.owner.inputs[-1].is_shared
    f = theon.function([a], out)
    np.testing.assert_allclose(f(np.eye(2)), w.get_value())
    w.set_value(np.zeros((2, 2)))
    np.testing.assert_allclose(f(np.eye(2)), np.zeros((2, 2)))
    gw = theon.grad(out.sum(), w)
    g = theon.function([a], gw)
    np.testing.assert_allclose(g(np.ones((3, 2))), np.full((2, 2), 3.0))


def test_shape_inference_does_not_run_the_graph():
    x = T.matrix("x", dtype="float64")
    op = OpFromGraph([x], [T.exp(x).T])
    a = T.matrix("a", dtype="float64")
    f = theon.function([a], op(a).shape)
    np.testing.assert_array_equal(f(np.ones((2, 5))), [5, 2])
    assert "OpFromGraph" not in graph_text(f)


def test_structural_equality_and_merge():
    x, y, _ = _xyz()
    op1 = OpFromGraph([x, y], [x + y * 2])
    u, v, _ = _xyz()
    op2 = OpFromGraph([u, v], [u + v * 2])
    op3 = OpFromGraph([u, v], [u + v * 3])
    assert op1 == op2 and hash(op1) == hash(op2)
    assert op1 != op3
    a, b, _ = _xyz()
    f = theon.function([a, b], op1(a, b) + op2(a, b))
    ids = set(re.findall(r"OpFromGraph\S* \[id (\w+)\]", graph_text(f)))
    assert len(ids) == 1, graph_text(f)
    np.testing.assert_allclose(f(np.ones((1, 1)), np.ones((1, 1))), [[6.0]])


def test_errors():
    x, y, _ = _xyz()
    with pytest.raises(ValueError, match="not among the inputs"):
        OpFromGraph([x], [x + y])
    op = OpFromGraph([x], [x * 2], name="double")
    with pytest.raises(TypeError, match=r"OpFromGraph\{double\}.*expected 1 inputs"):
        op(x, y)
    with pytest.raises(TypeError, match=r"OpFromGraph\{double\}.*input 0 must be"):
        op(T.vector("v", dtype="float64"))
    with pytest.raises(NotImplementedError, match="pickled"):
        import pickle

        pickle.dumps(op)


def test_error_inside_the_graph_names_the_inner_node():
    x = T.vector("x", dtype="float64")
    op = OpFromGraph([x], [x.reshape((2, 2))])
    a = T.vector("a", dtype="float64")
    f = theon.function([a], op(a))
    np.testing.assert_array_equal(f(np.arange(4.0)), [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="[Rr]eshape"):
        f(np.arange(3.0))


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano
    from theano.compile.builders import OpFromGraph as TheanoOpFromGraph

    assert theano.OpFromGraph is OpFromGraph and TheanoOpFromGraph is OpFromGraph
