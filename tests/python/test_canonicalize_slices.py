"""Rewrites through slice writes (src/rewrite/canonicalize_slices.cpp) and slices lifted above
elementwise ops read through several slices: stencil code (fluxes written into slices of a
zeros array, read back through shifted slices) becomes arithmetic on views of its inputs, one
generated loop for the interior and one for the border. Each rewrite must hold for every
run-time size (checked here on every size up to past the constants involved, with inputs that
broadcast at run time), keep IEEE values (-0.0 on the border) and keep the errors of a slice
write that does not fit."""

import itertools
import os
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from workloads.stencil import diffusion_step, numpy_put  # noqa: E402

RNG = np.random.default_rng(20261207)


def applied(f):
    return {name for name, _, _ in f.rewrites_applied}


def graph_text(f):
    return f.debugprint(print_type=False)


def theon_put(base, index, value):
    return T.set_subtensor(base[index], value)


@pytest.fixture(scope="module")
def stencil():
    u, k = T.tensor3("u"), T.tensor3("k")
    return theon.function([u, k], diffusion_step(T, theon_put, u, k))


def test_stencil_is_two_loops_and_an_inplace_slice_write(codegen):
    u, k = T.tensor3("u"), T.tensor3("k")
    f = theon.function([u, k], diffusion_step(T, theon_put, u, k))
    assert {"subtensor_of_set_subtensor", "elemwise_of_set_fill",
            "subtensor_lift_elemwise"} <= applied(f)
    text = graph_text(f)
    # No zeros array is filled or copied: the border is u + 0.0, the interior one loop over
    # views of u and k, written in place into the border's array.
    assert "Fill" not in text and "Alloc" not in text
    assert text.count("IncSubtensor") == 1 and "IncSubtensor{Set,inplace" in text
    float_loops = {line.split("[id ")[1] for line in text.splitlines()
                   if "Fused{float64" in line}
    assert len(float_loops) == 2
    uv, kv = RNG.standard_normal((6, 7, 9)), RNG.uniform(0.5, 1.5, (6, 7, 9))
    np.testing.assert_allclose(f(uv, kv), diffusion_step(np, numpy_put, uv, kv), rtol=1e-13,
                               atol=1e-14)


SMALL_SHAPES = [(1, 1, 1), (2, 2, 2), (1, 3, 4), (3, 1, 2), (2, 3, 1), (3, 4, 5), (0, 3, 3)]


@pytest.mark.parametrize("shape", SMALL_SHAPES)
def test_stencil_every_small_size(stencil, shape):
    u, k = RNG.standard_normal(shape), RNG.uniform(0.5, 1.5, shape)
    np.testing.assert_allclose(stencil(u, k), diffusion_step(np, numpy_put, u, k), rtol=1e-13,
                               atol=1e-14)


@pytest.mark.parametrize("k_shape", [(1, 5, 6), (4, 1, 6), (4, 5, 1)])
def test_stencil_with_a_diffusivity_of_size_one_raises_as_numpy(stencil, k_shape):
    # k[:, :, 1:] of a k of size 1 there is empty, which no slice of u broadcasts against.
    u, k = RNG.standard_normal((4, 5, 6)), RNG.uniform(0.5, 1.5, k_shape)
    with pytest.raises(ValueError):
        diffusion_step(np, numpy_put, u, k)
    with pytest.raises(ValueError):
        stencil(u, k)


@pytest.fixture(scope="module")
def scaled_flux():
    # A 2-d flux scaled by c, whose None dimensions may be 1 at run time and broadcast: the
    # slices of the flux read back reach c through a view of c broadcast to the flux's shape.
    u, c = T.matrix("u"), T.matrix("c")

    def step(m, put, u, c):
        f = put(m.zeros_like(u), (slice(None), slice(None, -1)), (u[:, 1:] - u[:, :-1]) * c)
        return f[:, 1:-1] - f[:, :-2]
    return theon.function([u, c], step(T, theon_put, u, c)), step


@pytest.mark.parametrize("c_shape", [(4, 5), (1, 5), (4, 1), (1, 1)])
def test_operand_that_broadcasts_at_run_time(scaled_flux, c_shape):
    f, step = scaled_flux
    assert {"subtensor_of_set_subtensor", "subtensor_lift_elemwise"} <= applied(f)
    assert "BroadcastView" in graph_text(f)
    u, c = RNG.standard_normal((4, 6)), RNG.standard_normal(c_shape)
    np.testing.assert_array_equal(f(u, c), step(np, numpy_put, u, c))


BOUNDS = [None, 0, 1, 2, -1, -2, -3]


def test_slice_of_slice_write_every_pair_and_size():
    # set_subtensor(zeros_like(x)[a:b], 2 * x[a:b])[c:d] for slices a:b, c:d with constant
    # bounds, on every length 0..8: the rewrite reads 2 * x at the inner slice's place when it
    # lies inside the written one; elsewhere the graph is left as it was. Both against NumPy.
    x = T.vector("x")
    pairs = list(itertools.product(itertools.product(BOUNDS, BOUNDS), repeat=2))
    picked = [pairs[i] for i in RNG.choice(len(pairs), size=60, replace=False)]
    picked.append(((1, -1), (2, -2)))
    outs, refs = [], []
    for (a, b), (c, d) in picked:
        outs.append(T.set_subtensor(T.zeros_like(x)[a:b], 2 * x[a:b])[c:d])

        def ref(v, a=a, b=b, c=c, d=d):
            z = np.zeros_like(v)
            z[a:b] = 2 * v[a:b]
            return z[c:d]
        refs.append(ref)
    f = theon.function([x], outs)
    assert "subtensor_of_set_subtensor" in applied(f)
    for n in range(9):
        v = RNG.standard_normal(n)
        for got, ref, pair in zip(f(v), refs, picked):
            np.testing.assert_array_equal(got, ref(v), err_msg=f"{pair} at length {n}")


def test_value_broadcast_into_the_slice():
    # The written value has one element: it is broadcast to the slice as a view.
    x, w = T.vector("x"), T.vector("w")
    out = T.set_subtensor(T.zeros_like(x)[1:], w)[2:] * 3
    f = theon.function([x, w], out)
    assert "subtensor_of_set_subtensor" in applied(f)
    np.testing.assert_array_equal(f(np.zeros(6), np.array([1.5])), np.full(4, 4.5))
    np.testing.assert_array_equal(f(np.zeros(6), np.arange(5.0)), 3 * np.arange(1.0, 5.0))


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_value_that_does_not_fit_the_slice_still_raises(mode):
    x, w = T.vector("x"), T.vector("w")
    out = T.set_subtensor(T.zeros_like(x)[1:], w)[2:]
    f = theon.function([x, w], out, mode=mode)
    with pytest.raises(ValueError, match="broadcast"):
        f(np.zeros(6), np.zeros(3))


def test_slice_outside_the_write_is_not_rewritten():
    x = T.vector("x")
    out = T.set_subtensor(T.zeros_like(x)[2:], x[2:] + 1)[1:]
    f = theon.function([x], out)
    assert "subtensor_of_set_subtensor" not in applied(f)
    v = RNG.standard_normal(5)
    want = np.concatenate([[0.0], v[2:] + 1])
    np.testing.assert_array_equal(f(v), want)


def test_inc_subtensor_is_not_read_through():
    x = T.vector("x")
    out = T.inc_subtensor(T.ones_like(x)[:-1], x[1:])[1:]
    f = theon.function([x], out)
    assert "subtensor_of_set_subtensor" not in applied(f)
    v = RNG.standard_normal(5)
    want = np.ones(5)
    want[:-1] += v[1:]
    np.testing.assert_array_equal(f(v), want[1:])


def test_border_keeps_the_sign_of_zero():
    # u + 0.5 * set_subtensor(zeros[1:-1], v): on the border u + 0.0, which is +0.0 where u is
    # -0.0; the rewritten border loop computes the same sum, not u itself.
    u, v = T.vector("u"), T.vector("v")
    out = u + 0.5 * T.set_subtensor(T.zeros_like(u)[1:-1], v)
    f = theon.function([u, v], out)
    assert "elemwise_of_set_fill" in applied(f)
    uv = np.array([-0.0, 1.0, -0.0, np.nan, -0.0])
    vv = np.array([-0.0, np.inf, 2.0])
    want = uv + 0.5 * np.concatenate([[0.0], vv, [0.0]])
    got = f(uv, vv)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_fill_read_twice_is_not_rewritten():
    u, v = T.vector("u"), T.vector("v")
    written = T.set_subtensor(T.zeros_like(u)[1:], v)
    f = theon.function([u, v], [u * written, written])
    assert "elemwise_of_set_fill" not in applied(f)
    uv, vv = RNG.standard_normal(4), RNG.standard_normal(3)
    want = np.concatenate([[0.0], vv])
    got = f(uv, vv)
    np.testing.assert_array_equal(got[0], uv * want)
    np.testing.assert_array_equal(got[1], want)


def node_ids(text, op):
    return {line.split("[id ")[1] for line in text.splitlines() if op in line}


def test_cheap_arithmetic_read_through_two_slices_is_computed_per_slice(codegen):
    x = T.vector("x")
    y = x * 2 + 1
    f = theon.function([x], y[1:] - y[:-1])
    text = graph_text(f)
    assert len(node_ids(text, "Fused{float64")) == 1, text
    v = RNG.standard_normal(7)
    w = v * 2 + 1
    np.testing.assert_array_equal(f(v), w[1:] - w[:-1])


def test_expensive_op_read_through_two_slices_is_computed_once(codegen):
    x = T.vector("x")
    y = T.exp(x)
    f = theon.function([x], y[1:] - y[:-1])
    assert len(node_ids(graph_text(f), "exp")) == 1
    v = RNG.standard_normal(7)
    np.testing.assert_allclose(f(v), np.exp(v)[1:] - np.exp(v)[:-1], rtol=1e-15)


def test_gradient_through_the_stencil(stencil):
    u, k = T.tensor3("u"), T.tensor3("k")
    cost = T.sum(diffusion_step(T, theon_put, u, k) ** 2)
    g = theon.function([u, k], T.grad(cost, [u, k]))
    plain = theon.function([u, k], T.grad(cost, [u, k]), mode="FAST_COMPILE")
    uv, kv = RNG.standard_normal((3, 4, 5)), RNG.uniform(0.5, 1.5, (3, 4, 5))
    for got, want in zip(g(uv, kv), plain(uv, kv)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_chain_of_stencils_grows_the_graph_linearly():
    # Each level reads the one below through two slices: lifting without a bound would double
    # the graph per level (2^n nodes); the repeat budget keeps it linear in the depth.
    def nodes(depth):
        x = T.vector("x")
        y = x
        for _ in range(depth):
            y = (y[1:] + y[:-1]) * 0.5
        f = theon.function([x], y)
        v = RNG.standard_normal(50)
        want = v
        for _ in range(depth):
            want = (want[1:] + want[:-1]) * 0.5
        np.testing.assert_allclose(f(v), want, rtol=1e-14)
        return len(graph_text(f).splitlines())

    assert nodes(40) < 3 * nodes(20)
