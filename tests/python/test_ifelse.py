"""theon.ifelse: values, laziness (the branch not taken is not computed), gradients, shapes,
type errors, the rewrites, and Theano's tutorial comparison of ifelse with switch."""

import re

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.ifelse import IfElse, ifelse


def graph_text(f):
    return theon.printing.debugprint(f, file="str", print_type=False)


def node_ids(f, op_name):
    """The distinct nodes of op `op_name` in f's compiled graph (an output of a node with
    several is printed once per output, with the same id)."""
    return set(re.findall(re.escape(op_name) + r"\S* \[id (\w+)\]", graph_text(f)))


def node_calls(f):
    """{op name: how often its nodes ran} from the profile (summed over nodes)."""
    calls = {}
    for name, _, _, _, n in f.profile.nodes:
        calls[name] = calls.get(name, 0) + n
    return calls


def test_values_of_one_output_and_of_lists_and_tuples():
    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    y = T.vector("y", dtype="float64")
    f = theon.function([c, x, y], ifelse(c, x * 2, y - 1))
    a, b = np.arange(3.0), np.arange(3.0) + 10
    np.testing.assert_array_equal(f(1, a, b), a * 2)
    np.testing.assert_array_equal(f(0, a, b), b - 1)
    np.testing.assert_array_equal(f(-7, a, b), a * 2)  # any nonzero is true

    outs = ifelse(c, [x, y.sum()], [y, x.sum()])
    assert isinstance(outs, list) and len(outs) == 2
    g = theon.function([c, x, y], outs)
    r1, r2 = g(0, a, b)
    np.testing.assert_array_equal(r1, b)
    assert r2 == a.sum()
    assert isinstance(ifelse(c, (x, y), (y, x)), tuple)


def test_condition_of_any_dtype_and_nan_is_true():
    x = T.scalar("x", dtype="float64")
    f = theon.function([x], ifelse(x, x + 1, x - 1))
    assert f(0.0) == -1.0
    assert f(-0.0) == -1.0
    assert f(0.5) == 1.5
    assert np.isnan(f(np.nan))  # NaN is true, as in Python
    b = T.scalar("b", dtype="bool")
    g = theon.function([b, x], ifelse(b, x, -x))
    assert g(True, 2.0) == 2.0 and g(False, 2.0) == -2.0


def test_untaken_branch_is_not_computed():
    # The then branch raises whenever it runs (size 4 reshaped to 5); the else branch is
    # fine. Both are exclusive to their branch, so only the taken one runs.
    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    bad = x.reshape((5,)) * 3
    f = theon.function([c, x], ifelse(c, bad, x + 1), profile=True)
    np.testing.assert_array_equal(f(0, np.zeros(4)), np.ones(4))
    assert node_calls(f)["Elemwise{mul}"] == 0 and node_calls(f)["Elemwise{add}"] == 1
    with pytest.raises(ValueError, match="[Rr]eshape"):
        f(1, np.zeros(4))
    # A value feeding both branches is computed once, whichever is taken; each branch's own
    # node only when taken.
    s = T.exp(x)
    g = theon.function([c, x], ifelse(c, s * 2, s + x), profile=True)
    np.testing.assert_allclose(g(1, np.zeros(3)), 2 * np.ones(3))
    np.testing.assert_allclose(g(1, np.zeros(3)), 2 * np.ones(3))
    np.testing.assert_allclose(g(0, np.zeros(3)), np.ones(3))
    calls = node_calls(g)
    assert calls["Elemwise{exp}"] == 3
    assert calls["Elemwise{mul}"] == 2 and calls["Elemwise{add}"] == 1, calls


def test_ifelse_against_switch_as_in_theanos_tutorial():
    # Theano's tutorial: switch computes both means, ifelse only the one chosen.
    a, b = T.scalars("a", "b")
    x, y = T.matrices("x", "y")
    z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
    z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))
    f_switch = theon.function([a, b, x, y], z_switch, mode="NONE", profile=True)
    f_lazy = theon.function([a, b, x, y], z_lazy, mode="NONE", profile=True)
    rng = np.random.default_rng(0)
    xv = rng.random((100, 100)).astype(theon.config.floatX)
    yv = rng.random((100, 100)).astype(theon.config.floatX)
    for _ in range(3):
        for av, bv in ((1, 2), (2, 1)):
            np.testing.assert_allclose(f_lazy(av, bv, xv, yv), f_switch(av, bv, xv, yv))
    mean_ops = [name for name in node_calls(f_switch) if name.startswith(("Mean", "Sum"))]
    assert mean_ops, node_calls(f_switch)
    switch_calls = sum(node_calls(f_switch)[n] for n in mean_ops)
    lazy_calls = sum(node_calls(f_lazy)[n] for n in mean_ops)
    assert switch_calls == 2 * lazy_calls == 12


def test_nested_ifelse():
    c1, c2 = T.iscalars("c1", "c2")
    x = T.vector("x", dtype="float64")
    inner = ifelse(c2, x + 1, x + 2)
    out = ifelse(c1, inner * 10, ifelse(c2, x - 1, x - 2))
    f = theon.function([c1, c2, x], out)
    a = np.arange(3.0)
    for v1 in (0, 1):
        for v2 in (0, 1):
            expect = ((a + 1) if v2 else (a + 2)) * 10 if v1 else ((a - 1) if v2 else (a - 2))
            np.testing.assert_array_equal(f(v1, v2, a), expect)


def test_gradient_reaches_the_taken_branch():
    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    y = T.vector("y", dtype="float64")
    cost = ifelse(c, (x ** 2).sum(), (y ** 3).sum())
    gx, gy = theon.grad(cost, [x, y])
    f = theon.function([c, x, y], [gx, gy])
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    rx, ry = f(1, a, b)
    np.testing.assert_array_equal(rx, 2 * a)
    np.testing.assert_array_equal(ry, np.zeros(3))
    rx, ry = f(0, a, b)
    np.testing.assert_array_equal(rx, np.zeros(2))
    np.testing.assert_array_equal(ry, 3 * b ** 2)


def test_numeric_gradient():
    rng = np.random.default_rng(1)
    for cond in (0, 1):
        def fn(x, y, cond=cond):
            return ifelse(np.int8(cond), T.tanh(x) * y, x * y ** 2)

        theon.gradient.verify_grad(fn, [rng.random((3, 2)), rng.random((3, 2))], rng=rng)


def test_branches_of_other_dtypes_or_ranks_are_refused():
    c = T.iscalar("c")
    with pytest.raises(TypeError, match=r"IfElse.*float32.*float64"):
        ifelse(c, T.vector("a", dtype="float32"), T.vector("b", dtype="float64"))
    with pytest.raises(TypeError, match=r"IfElse.*same dtype and number of dimensions"):
        ifelse(c, T.vector("a", dtype="float64"), T.matrix("b", dtype="float64"))
    with pytest.raises(TypeError, match="condition must be a scalar"):
        ifelse(T.vector("v"), T.scalar("a"), T.scalar("b"))
    with pytest.raises(ValueError, match="as many"):
        ifelse(c, [T.scalar("a")], [T.scalar("b"), T.scalar("d")])


def test_broadcastable_patterns_are_unified_and_plain_values_take_the_other_dtype():
    c = T.iscalar("c")
    row = T.row("r", dtype="float32")
    m = T.matrix("m", dtype="float32")
    out = ifelse(c, row, m)
    assert out.broadcastable == (False, False)
    assert ifelse(c, row, row).broadcastable == (True, False)
    z = ifelse(c, T.vector("v", dtype="float32"), np.array([0, 0]))
    assert z.dtype == "float32"
    f = theon.function([c, row, m], out)
    np.testing.assert_array_equal(f(1, np.ones((1, 2), "float32"), np.zeros((3, 2), "float32")),
                                  np.ones((1, 2)))


def test_shape_needs_only_the_chosen_branch():
    c = T.iscalar("c")
    x = T.matrix("x", dtype="float64")
    y = T.matrix("y", dtype="float64")
    out = ifelse(c, T.exp(x), T.log(y).T)
    f = theon.function([c, x, y], out.shape)
    np.testing.assert_array_equal(f(1, np.ones((2, 3)), np.ones((4, 5))), [2, 3])
    np.testing.assert_array_equal(f(0, np.ones((2, 3)), np.ones((4, 5))), [5, 4])
    text = graph_text(f)
    assert "exp" not in text and "log" not in text, text


def test_rewrites_constant_condition_and_merge_and_lift():
    x = T.vector("x", dtype="float64")
    y = T.vector("y", dtype="float64")
    f = theon.function([x, y], ifelse(T.constant(1), x * 2, y * 3))
    assert "IfElse" not in graph_text(f)
    np.testing.assert_array_equal(f(np.ones(2), np.ones(2)), [2, 2])

    c = T.iscalar("c")
    o1 = ifelse(c, x + 1, y + 1)
    o2 = ifelse(c, x * 2, y * 2)
    g = theon.function([c, x, y], [o1, o2])
    assert len(node_ids(g, "IfElse")) == 1, graph_text(g)
    r1, r2 = g(0, np.ones(2), np.full(2, 5.0))
    np.testing.assert_array_equal(r1, [6, 6])
    np.testing.assert_array_equal(r2, [10, 10])

    # exp of the ifelse moves into the branches (where fusion can join it to their loops).
    h = theon.function([c, x, y], T.exp(ifelse(c, x + 1, y - 1)), profile=True)
    text = graph_text(h)
    assert text.index("IfElse") < text.index("exp"), text
    np.testing.assert_allclose(h(1, np.zeros(2), np.zeros(2)), np.exp([1, 1]))
    np.testing.assert_allclose(h(0, np.zeros(2), np.zeros(2)), np.exp([-1, -1]))


def test_outputs_never_alias_inputs():
    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    f = theon.function([c, x], ifelse(c, x, x + 1))
    a = np.arange(3.0)
    out = f(1, a)
    out[0] = 99
    assert a[0] == 0


def test_ifelse_op_and_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    from theano.ifelse import IfElse as TheanoIfElse
    from theano.ifelse import ifelse as theano_ifelse

    assert TheanoIfElse is IfElse and theano_ifelse is ifelse
    c = T.iscalar("c")
    x, y = T.scalar("x", dtype="float64"), T.scalar("y", dtype="float64")
    op = IfElse(2)
    a, b = op(c, x, y, y, x)
    f = theon.function([c, x, y], [a, b])
    assert f(1, 1.0, 2.0) == [1.0, 2.0]
    assert f(0, 1.0, 2.0) == [2.0, 1.0]
    assert op == IfElse(2) and op != IfElse(1)
    with pytest.raises(TypeError, match="expected the condition and 4"):
        op(c, x, y)


@pytest.mark.parametrize("mode", ["DebugMode", "NanGuardMode", "FAST_COMPILE", "NONE"])
def test_every_mode_runs_lazy_branches_and_inner_graphs(mode):
    # DebugMode re-runs each node and compares it with its reference kernel, NanGuardMode checks
    # every output: both see the untaken branch's inputs as never computed.
    from theon.compile.builders import OpFromGraph

    c = T.iscalar("c")
    x = T.vector("x", dtype="float64")
    y = T.vector("y", dtype="float64")
    op = OpFromGraph([y], [T.exp(y) * 2])
    f = theon.function([c, x], ifelse(c, op(x) + 1, T.log(x)), mode=mode)
    np.testing.assert_allclose(f(1, np.ones(2)), 2 * np.e + 1)
    np.testing.assert_array_equal(f(0, np.ones(2)), np.zeros(2))
