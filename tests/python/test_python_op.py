"""Ops written in Python, Theano style: Op subclasses (make_node/perform/grad/infer_shape,
__props__) and as_op; through theon and through `import theano`."""

import threading

import numpy as np
import pytest

import theon
import theon.tensor as T
import theon.theano_alias
from theon import Apply, Op, as_op

theon.theano_alias.enable()

import theano  # noqa: E402
from theano.compile.ops import as_op as theano_as_op  # noqa: E402


class DoubleOp(Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        output_storage[0][0] = x * 2

    def infer_shape(self, node, input_shapes):
        return input_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]


class ScaleOp(Op):
    __props__ = ("factor",)

    def __init__(self, factor):
        self.factor = factor

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * self.factor


def test_perform_grad_and_infer_shape():
    x = T.dmatrix("x")
    y = DoubleOp()(x)
    assert y.owner.op_type == "PythonOp" and "DoubleOp" in y.owner.op
    f = theon.function([x], y)
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(f(a), a * 2)
    g = theon.grad((DoubleOp()(x) ** 2).sum(), x)
    np.testing.assert_allclose(theon.function([x], g)(a), 8 * a)
    # infer_shape: the shape is computed without running perform.
    s = theon.function([x], DoubleOp()(x).shape)
    np.testing.assert_array_equal(s(a), [2, 3])
    theon.gradient.verify_grad(lambda v: DoubleOp()(v).sum(), [a], rng=np.random.RandomState(1))
    assert "DoubleOp(x)" in theon.printing.pprint(y)


def test_props_make_equal_ops_merge():
    x = T.dvector("x")
    assert ScaleOp(3) == ScaleOp(3) and ScaleOp(3) != ScaleOp(4)
    assert hash(ScaleOp(3)) == hash(ScaleOp(3))
    assert str(ScaleOp(3)) == "ScaleOp{factor=3}"
    a, b, c = ScaleOp(3)(x), ScaleOp(3)(x), ScaleOp(4)(x)
    f = theon.function([x], [a, b, c], profile=True)
    ra, rb, rc = f(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(ra, [3.0, 6.0])
    np.testing.assert_array_equal(rc, [4.0, 8.0])
    # Equal ops on the same input are computed once (merge).
    assert sum(n[0].startswith("PythonOp{ScaleOp{factor=3}") for n in f.profile.nodes) == 1
    assert theon.graph.is_same_graph(a, b) and not theon.graph.is_same_graph(a, c)


def test_errors_name_the_op_and_the_users_line():
    x = T.dvector("x")

    class Fails(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            raise ValueError("bad value")

    y = Fails()(x)
    with pytest.raises(ValueError, match=r"(?s)Fails.*perform raised ValueError: bad value.*"
                                         r"test_python_op.py"):
        theon.function([x], y)(np.ones(2))

    class WrongDtype(Op):
        def make_node(self, x):
            return Apply(self, [x], [T.TensorType("int64", (None,))()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0]  # float64: cannot become int64 by same_kind

    with pytest.raises(TypeError, match="perform gave output 0 of dtype float64"):
        theon.function([x], WrongDtype()(x))(np.ones(2))

    class Unset(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            pass

    with pytest.raises(ValueError, match="left output 0 unset"):
        theon.function([x], Unset()(x))(np.ones(2))
    with pytest.raises(NotImplementedError, match="defines no grad"):
        theon.grad(Unset()(x).sum(), x)


def test_inputs_are_read_only_in_perform():
    x = T.dvector("x")

    class Mutates(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            inputs[0][0] = 5.0
            output_storage[0][0] = inputs[0]

    with pytest.raises(ValueError, match="read-only"):
        theon.function([x], Mutates()(x))(np.ones(2))


def test_undefined_and_disconnected_gradients():
    from theon.gradient import disconnected_type, grad_undefined

    class TwoInputs(Op):
        def make_node(self, x, k):
            return Apply(self, [x, k], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * inputs[1]

        def grad(self, inputs, output_grads):
            x, k = inputs
            return [output_grads[0] * k, grad_undefined(self, 1, k, "k is a count")]

    class Ignores(Op):
        def make_node(self, x, y):
            return Apply(self, [x, y], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0].copy()

        def grad(self, inputs, output_grads):
            return [output_grads[0], disconnected_type()]

    x, k = T.dvectors("x", "k")
    y = TwoInputs()(x, k).sum()
    g = theon.grad(y, x)
    np.testing.assert_array_equal(theon.function([x, k], g)(np.ones(2), np.array([2.0, 3.0])),
                                  [2.0, 3.0])
    gk = theon.grad(y, k)  # builds; computing it raises
    with pytest.raises(NotImplementedError, match="input 1 is undefined: k is a count"):
        theon.function([k], gk)(np.ones(2))
    z = Ignores()(x, k).sum()
    assert theon.function([x, k], theon.grad(z, x))(np.ones(2), np.ones(2)).tolist() == [1, 1]
    with pytest.raises(ValueError, match="disconnected|not part of"):
        theon.grad(z, k)


def test_as_op_through_theano():
    @theano_as_op(itypes=[T.dmatrix().type], otypes=[T.dvector().type])
    def row_norms(m):
        return np.sqrt((m ** 2).sum(axis=1))

    x = T.dmatrix("x")
    f = theano.function([x], row_norms(x))
    a = np.array([[3.0, 4.0], [6.0, 8.0]])
    np.testing.assert_allclose(f(a), [5.0, 10.0])
    with pytest.raises(TypeError, match="input 0 must be"):
        row_norms(T.fmatrix())
    with pytest.raises(TypeError, match="expected 1 inputs"):
        row_norms(x, x)
    with pytest.raises(TypeError, match="TensorTypes"):
        as_op(itypes=["float64"], otypes=[T.dvector().type])


def test_as_op_takes_theanos_type_names():
    # In Theano T.dvector is a TensorType, and programs pass it to as_op as such.
    @theano_as_op(itypes=[theano.tensor.dvector], otypes=[theano.tensor.dvector])
    def cumulative_max(a):
        return np.maximum.accumulate(a)

    x = T.dvector("x")
    np.testing.assert_array_equal(theon.function([x], cumulative_max(x))([1.0, 3.0, 2.0]),
                                  [1.0, 3.0, 3.0])
    with pytest.raises(TypeError, match="TensorTypes"):
        as_op(itypes=[np.cos], otypes=[T.dvector])


def test_as_op_with_infer_shape_and_two_outputs():
    def shapes(node, input_shapes):
        return [input_shapes[0], input_shapes[0]]

    @as_op([T.dvector().type], [T.dvector().type, T.dvector().type], infer_shape=shapes)
    def split_sign(v):
        return np.maximum(v, 0), np.minimum(v, 0)

    x = T.dvector("x")
    pos, neg = split_sign(x)
    f = theon.function([x], [pos, neg, pos.shape])
    p, n, s = f(np.array([1.0, -2.0, 3.0]))
    np.testing.assert_array_equal(p, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(n, [0.0, -2.0, 0.0])
    assert s.tolist() == [3]


def test_python_op_from_several_threads():
    x = T.dvector("x")
    f = theon.function([x], DoubleOp()(x) + 1)
    errors = []

    def work(seed):
        try:
            v = np.random.default_rng(seed).standard_normal(100)
            for _ in range(50):
                np.testing.assert_allclose(f(v), v * 2 + 1)
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_constant_inputs_are_folded_through_perform():
    y = DoubleOp()(T.constant(np.array([1.0, 2.0])))
    f = theon.function([], y)
    np.testing.assert_array_equal(f(), [2.0, 4.0])
    assert not any("PythonOp" in line for line in theon.printing.debugprint(f, file="str")
                   .splitlines())


def test_given_of_another_dtype_is_refused():
    x = T.dvector("x")
    y = DoubleOp()(x)
    i = T.ivector("i")
    with pytest.raises(TypeError, match="was applied to inputs|type"):
        theon.function([i], y, givens={x: i})


def test_callables_are_dropped_with_the_op_and_nothing_leaks_at_exit():
    import gc
    import subprocess
    import sys

    from theon import pyop

    before = set(pyop._callbacks)
    y = DoubleOp()(T.dvector())
    (slot,) = set(pyop._callbacks) - before
    del y
    gc.collect()
    assert slot not in pyop._callbacks
    # A graph with a Python op kept by a module's globals until exit: no leak report.
    code = ("import theon.tensor as T\n"
            "from theon import Apply, Op\n"
            "class D(Op):\n"
            "    def make_node(self, x):\n"
            "        return Apply(self, [x], [x.type()])\n"
            "    def perform(self, node, inputs, out):\n"
            "        out[0][0] = inputs[0]\n"
            "x = T.dvector('x')\n"
            "y = D()(x)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and "leaked" not in r.stderr, r.stderr
