"""Rewrites through slice writes (src/rewrite/canonicalize_slices.cpp) and slices lifted above
elementwise ops read through several slices: stencil code (fluxes written into slices of a
zeros array, read back through shifted slices) becomes arithmetic on views of its inputs, one
generated loop for the interior and one for the border. Each rewrite must hold for every
run-time size (checked here on every size up to past the constants involved, with inputs that
broadcast at run time), keep IEEE values (-0.0 on the border) and keep the errors of a slice
write that does not fit."""

import itertools
import os
import re
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor._build import build

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


def test_stencil_is_one_loop_into_the_interior_and_slab_loops_around_it(codegen):
    u, k = T.tensor3("u"), T.tensor3("k")
    f = theon.function([u, k], diffusion_step(T, theon_put, u, k))
    assert {"subtensor_of_set_subtensor", "elemwise_of_set_fill", "subtensor_lift_elemwise",
            "fused_into_slice"} <= applied(f)
    text = graph_text(f)
    # No zeros array is filled or copied: the interior is one loop over views of u and k that
    # writes into the interior of an unset array; around it, the border (u + 0.0) is written
    # slab by slab, each in place.
    assert "Fill" not in text and not re.search(r"\bAlloc\b", text)
    assert "AllocEmpty" in text
    writes = [line for line in text.splitlines() if "IncSubtensor{" in line]
    assert writes and all("inplace" in line for line in writes)
    loops = {}
    for line in text.splitlines():
        if "Fused{float64" in line:
            loops[line.split("[id ")[1]] = line[line.index("Fused{"):]
    interior = [sig for sig in loops.values() if sig.count("float64(None, None, None)") >= 24]
    assert len(interior) == 1 and "inplace=" in interior[0]
    border = [sig for sig in loops.values() if sig not in interior]
    assert 1 <= len(border) <= 6 and all("=add(v0,v1);" in sig for sig in border)
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


def test_empty_has_its_shape_and_dtype():
    # AllocEmpty: what the framed write starts from; only its shape and dtype are defined.
    n, m = T.lscalar("n"), T.lscalar("m")
    out = build("empty", n, m, 3, dtype="float32")
    assert out.dtype == "float32" and out.ndim == 3
    f = theon.function([n, m], [out, out.shape])
    for dims in [(2, 5), (0, 4), (1, 1)]:
        value, shape = f(*dims)
        assert value.shape == dims + (3,) and value.dtype == np.float32
        assert tuple(shape) == dims + (3,)
    with pytest.raises(ValueError, match="AllocEmpty.*negative"):
        f(-1, 2)


def test_frame_covers_every_element_for_every_box_and_size():
    # u * 2 + set_subtensor(zeros_like(u)[box], 3 * u[box]) for random boxes of constant
    # unit-step slices: the interior is written into an unset array and the slabs around it
    # must cover the rest on every shape, including boxes that are empty or the whole array.
    u = T.matrix("u")
    boxes = [(slice(a, b), slice(c, d)) for (a, b), (c, d) in
             itertools.product(itertools.product(BOUNDS, BOUNDS), repeat=2)]
    picked = [boxes[i] for i in RNG.choice(len(boxes), size=24, replace=False)]
    picked.append((slice(1, -1), slice(2, None)))
    outs = [u * 2 + T.set_subtensor(T.zeros_like(u)[box], 3 * u[box]) for box in picked]
    f = theon.function([u], outs)
    assert "elemwise_of_set_fill" in applied(f)
    assert "AllocEmpty" in graph_text(f)
    for shape in itertools.product(range(5), repeat=2):
        v = RNG.standard_normal(shape)
        for got, box in zip(f(v), picked):
            want = 2 * v
            z = np.zeros_like(v)
            z[box] = 3 * v[box]
            np.testing.assert_array_equal(got, want + z, err_msg=f"{box} on {shape}")


def test_loop_writes_into_the_slice_it_is_set_into(codegen):
    x, y = T.vector("x"), T.vector("y")
    out = T.set_subtensor((x * 2)[1:-1], T.exp(y) + 1)
    f = theon.function([x, y], out)
    assert "fused_into_slice" in applied(f)
    for n_y in (4, 1):  # the value fills the slice, or broadcasts into it
        xv, yv = RNG.standard_normal(6), RNG.standard_normal(n_y)
        want = xv * 2
        want[1:-1] = np.exp(yv) + 1
        np.testing.assert_allclose(f(xv, yv), want, rtol=1e-15)
    with pytest.raises(ValueError):
        f(np.zeros(6), np.zeros(3))


def test_stencil_passes_debug_mode(codegen):
    # DebugMode reruns each node on copies and compares: AllocEmpty's elements are not
    # defined (its shape is checked), and the slice write whose value a loop wrote in place
    # shares that memory through its destroyed input, not through an undeclared view.
    u, k = T.tensor3("u"), T.tensor3("k")
    f = theon.function([u, k], diffusion_step(T, theon_put, u, k), mode="DebugMode")
    assert {"fused_into_slice", "elemwise_of_set_fill"} <= applied(f)
    for shape in [(3, 4, 5), (1, 2, 3)]:
        uv, kv = RNG.standard_normal(shape), RNG.uniform(0.5, 1.5, shape)
        np.testing.assert_allclose(f(uv, kv), diffusion_step(np, numpy_put, uv, kv),
                                   rtol=1e-13, atol=1e-14)


def test_pickled_stencil_runs_the_same(stencil):
    import pickle
    again = pickle.loads(pickle.dumps(stencil))
    uv, kv = RNG.standard_normal((4, 5, 6)), RNG.uniform(0.5, 1.5, (4, 5, 6))
    np.testing.assert_array_equal(again(uv, kv), stencil(uv, kv))


def _no_opencl():
    try:
        theon._core.device_name("opencl0:0")
        return ""
    except RuntimeError as e:
        return str(e)


@pytest.mark.skipif(_no_opencl() != "", reason=f"no OpenCL device: {_no_opencl()}")
def test_device_target_gets_no_host_only_views():
    # BroadcastView and AllocEmpty have host kernels only: compiled for a device, the rewrites
    # that would need them hold back (no value goes back to the host for them); values agree.
    u, k = T.tensor3("u"), T.tensor3("k")
    with theon.config.change_flags(device="opencl0:0"):
        f = theon.function([u, k], diffusion_step(T, theon_put, u, k))
    text = graph_text(f)
    assert "BroadcastView" not in text and "AllocEmpty" not in text
    uv, kv = RNG.standard_normal((4, 5, 6)), RNG.uniform(0.5, 1.5, (4, 5, 6))
    np.testing.assert_allclose(np.asarray(f(uv, kv)), diffusion_step(np, numpy_put, uv, kv),
                               rtol=1e-13, atol=1e-14)


def test_slices_with_steps_other_than_one_are_not_assumed_equal():
    # x[::-7][::-11] is 1 long like x[:1] for every length 1..77 and 2 long at 78: lengths with
    # other steps are not compared by trying sizes, so the sum broadcasts at run time and the
    # slice of it is lifted only through views.
    x = T.vector("x")
    f = theon.function([x], (x[::-7][::-11] + x[:1])[1:])
    for n in (10, 77, 78, 100):
        v = np.arange(float(n))
        np.testing.assert_array_equal(f(v), (v[::-7][::-11] + v[:1])[1:], err_msg=f"length {n}")
