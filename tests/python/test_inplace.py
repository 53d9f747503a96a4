"""Inplace rewrites: which ops write into their inputs' buffers (golden graphs), that user
inputs and shared values are never modified, that a variable read twice is not destroyed, that
values equal FAST_COMPILE's on random graphs, and that excluding 'inplace' turns it off."""

import numpy as np

import theon
import theon.tensor as T
from theon.printing import debugprint


def graph_text(f):
    return debugprint(f, file="str", print_type=False)


def test_chain_on_intermediates_is_inplace():
    x = T.vector("x")
    f = theon.function([x], T.exp(x * 2) + 1)
    assert graph_text(f) == ("Elemwise{add,inplace0} [id A]\n"
                             " |Elemwise{exp,inplace0} [id B]\n"
                             " | |Elemwise{mul} [id C]\n"
                             " | | |x [id D]\n"
                             " | | |2 [id E] (constant)\n"
                             " |1 [id F] (constant)\n")
    a = np.linspace(-1, 1, 7)
    keep = a.copy()
    for _ in range(3):
        np.testing.assert_allclose(f(a), np.exp(a * 2) + 1, rtol=1e-12)
        np.testing.assert_array_equal(a, keep)


def test_excluding_inplace_turns_it_off():
    x = T.vector("x")
    f = theon.function([x], T.exp(x * 2) + 1, mode=theon.Mode("FAST_RUN").excluding("inplace"))
    assert "inplace" not in graph_text(f)
    a = np.arange(4.0)
    np.testing.assert_allclose(f(a), np.exp(a * 2) + 1)


def test_variable_read_twice_is_not_destroyed():
    x = T.vector("x")
    e = T.exp(x)
    f = theon.function([x], (e + 1) * e)
    text = graph_text(f)
    # The exp node is read twice: the add may not write into it (the mul may write into the
    # add's result, which is read once).
    assert "Elemwise{exp}" in text and "Elemwise{add}" in text
    a = np.arange(4.0)
    np.testing.assert_allclose(f(a), (np.exp(a) + 1) * np.exp(a), rtol=1e-12)


def test_inputs_views_and_shared_values_are_never_modified():
    x = T.matrix("x")
    s_init = np.arange(6.0).reshape(2, 3)
    s = theon.shared(s_init.copy(), name="s")
    outs = [x + 1, x.T * 2, s + 1, (s.T + 0.5).T, x[0] * 3, T.set_subtensor(x[0], 7.0),
            T.inc_subtensor(s[:, 1], 1.0)]
    f = theon.function([x], outs)
    a = np.linspace(0, 1, 6).reshape(2, 3)
    keep = a.copy()
    for _ in range(2):
        got = f(a)
        np.testing.assert_array_equal(a, keep)
        np.testing.assert_array_equal(s.get_value(), s_init)
        np.testing.assert_allclose(got[0], keep + 1)
        np.testing.assert_allclose(got[1], keep.T * 2)
        np.testing.assert_allclose(got[2], s_init + 1)
        want = keep.copy()
        want[0] = 7.0
        np.testing.assert_allclose(got[5], want)
        want = s_init.copy()
        want[:, 1] += 1
        np.testing.assert_allclose(got[6], want)


def test_inc_subtensor_on_intermediate_is_inplace():
    x = T.vector("x")
    y = T.vector("y")
    f = theon.function([x, y], T.inc_subtensor(T.exp(x)[1:3], y))
    assert "IncSubtensor{Inc,inplace; 1:3}" in graph_text(f)
    a, b = np.arange(4.0), np.array([10.0, 20.0])
    want = np.exp(a)
    want[1:3] += b
    np.testing.assert_allclose(f(a, b), want, rtol=1e-12)
    np.testing.assert_array_equal(a, np.arange(4.0))
    # Advanced indexing with repeated indices adds up, as without inplace.
    i = T.lvector("i")
    g = theon.function([x, y, i], T.inc_subtensor(T.exp(x)[i], y))
    assert "AdvancedIncSubtensor{Inc,inplace" in graph_text(g)
    want = np.exp(a)
    np.add.at(want, [1, 1], b)
    np.testing.assert_allclose(g(a, b, np.array([1, 1])), want, rtol=1e-12)


def _random_graph(rng, leaves, depth):
    if depth == 0 or rng.random() < 0.2:
        return leaves[rng.integers(len(leaves))]
    kind = rng.integers(8)
    a = _random_graph(rng, leaves, depth - 1)
    if kind == 0:
        return a + _random_graph(rng, leaves, depth - 1)
    if kind == 1:
        return a * _random_graph(rng, leaves, depth - 1)
    if kind == 2:
        return T.tanh(a) - a
    if kind == 3:
        return T.exp(-a * a)
    if kind == 4:
        return (a.T + 1).T
    if kind == 5:
        return T.set_subtensor(a[1:], a[:-1] * 2)
    if kind == 6:
        return T.inc_subtensor((a * 1.5)[:, 0], a[:, 1])
    return a.sum(axis=0, keepdims=True) + a


def test_random_graphs_agree_with_fast_compile():
    rng = np.random.default_rng(7)
    x, y = T.matrices("x", "y")
    xv, yv = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    xk, yk = xv.copy(), yv.copy()
    for _ in range(60):
        out = _random_graph(rng, [x, y, T.constant(np.full((1, 4), 0.5))], 5)
        outs = [out, out * 2]
        fast = theon.function([x, y], outs, mode="FAST_RUN", on_unused_input="ignore")
        plain = theon.function([x, y], outs, mode="FAST_COMPILE", on_unused_input="ignore")
        for _ in range(2):
            for got, want in zip(fast(xv, yv), plain(xv, yv)):
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(xv, xk)
        np.testing.assert_array_equal(yv, yk)


def test_debug_mode_accepts_declared_inplace_ops():
    x = T.vector("x")
    f = theon.function([x], T.exp(x * 2) + 1, mode="DebugMode")
    assert "inplace" in theon.printing.debugprint(f, file="str")
    np.testing.assert_allclose(f(np.ones(3)), np.exp(2.0) + 1)
