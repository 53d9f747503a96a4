"""theon.scan: values against NumPy loops (taps, go_backwards, n_steps, until, outputs not fed
back, shared variables read and updated in the body), map/reduce/foldl/foldr, gradients
and R-operators against finite differences, shape inference and errors."""

import os

import numpy as np
import pytest

import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.scan_module import until

RNG = np.random.default_rng(14)


def f64(*shape):
    return RNG.standard_normal(shape)


def test_cumulative_recurrence_matches_numpy_loop():
    x = T.matrix("x")
    h0 = T.vector("h0")
    out, updates = theon.scan(lambda xt, h: 0.5 * h + T.tanh(xt), sequences=x,
                              outputs_info=h0)
    assert updates == {}
    f = theon.function([x, h0], out)
    xv, hv = f64(6, 3), f64(3)
    want, h = [], hv
    for t in range(6):
        h = 0.5 * h + np.tanh(xv[t])
        want.append(h)
    np.testing.assert_allclose(f(xv, hv), np.array(want), rtol=1e-12)
    # Non-contiguous sequence, and an empty one (zero steps).
    np.testing.assert_allclose(f(np.asfortranarray(xv), hv), np.array(want), rtol=1e-12)
    assert f(np.zeros((0, 3)), hv).shape == (0, 3)


def test_taps_of_sequences_and_outputs():
    x = T.vector("x")
    init = T.vector("init")

    def step(x_prev, x_next2, y_tm2, y_tm1):
        return y_tm1 + y_tm2 * x_prev + x_next2

    out, _ = theon.scan(step, sequences=dict(input=x, taps=[-1, 2]),
                        outputs_info=dict(initial=init, taps=[-2, -1]))
    f = theon.function([x, init], out)
    xv, iv = f64(9), f64(2)
    ys = list(iv)
    for t in range(1, 9 - 2):
        ys.append(ys[-1] + ys[-2] * xv[t - 1] + xv[t + 2])
    np.testing.assert_allclose(f(xv, iv), np.array(ys[2:]), rtol=1e-12)


def test_go_backwards_and_n_steps():
    x = T.vector("x")
    out, _ = theon.scan(lambda xt, acc: acc * 2 + xt, sequences=x, outputs_info=T.constant(0.0),
                        go_backwards=True, n_steps=3)
    xv = f64(5)
    want, acc = [], 0.0
    for v in xv[::-1][:3]:
        acc = acc * 2 + v
        want.append(acc)
    np.testing.assert_allclose(theon.function([x], out)(xv), want, rtol=1e-12)


def test_n_steps_without_sequences_and_non_sequences():
    a = T.matrix("a")
    k = T.lscalar("k")
    out, _ = theon.scan(lambda p, a_: T.dot(p, a_), outputs_info=a,
                        non_sequences=a, n_steps=k)
    f = theon.function([a, k], out[-1])
    av = f64(3, 3)
    np.testing.assert_allclose(f(av, 4), np.linalg.matrix_power(av, 5), rtol=1e-10)


def test_until_stops_the_loop():
    x0 = T.scalar("x0")

    def step(x):
        y = x * 2
        return y, until(y > 100)

    out, _ = theon.scan(step, outputs_info=x0, n_steps=50)
    f = theon.function([x0], out)
    np.testing.assert_allclose(f(3.0), [6, 12, 24, 48, 96, 192])
    assert len(f(1000.0)) == 1
    assert len(f(-1.0)) == 50  # bounded by n_steps


def test_outputs_not_fed_back_and_several_outputs():
    x = T.vector("x")

    def step(xt, s):
        return xt * 10, s + xt

    (scaled, sums), _ = theon.scan(step, sequences=x, outputs_info=[None, T.constant(0.0)])
    f = theon.function([x], [scaled, sums])
    xv = f64(4)
    a, b = f(xv)
    np.testing.assert_allclose(a, xv * 10)
    np.testing.assert_allclose(b, np.cumsum(xv))


def test_shared_variables_read_and_updated_in_the_body():
    w = theon.shared(np.array([1.0, 2.0]), "w")
    count = theon.shared(np.int64(0), "count")
    x = T.matrix("x")

    def step(xt):
        return (xt * w).sum(), {count: count + 1}

    out, updates = theon.scan(step, sequences=x)
    assert list(updates) == [count]
    f = theon.function([x], out, updates=updates)
    xv = f64(5, 2)
    np.testing.assert_allclose(f(xv), xv @ np.array([1.0, 2.0]))
    assert count.get_value() == 5
    f(xv[:2])
    assert count.get_value() == 7
    w.set_value(np.array([0.0, 1.0]))
    np.testing.assert_allclose(f(xv), xv[:, 1])


def test_map_reduce_foldl_foldr():
    x = T.vector("x")
    squares, _ = theon.map(lambda v: v * v, x)
    total, _ = theon.reduce(lambda v, acc: acc + v, x, T.constant(0.0))
    left, _ = theon.foldl(lambda v, acc: acc * 2 + v, x, T.constant(0.0))
    right, _ = theon.foldr(lambda v, acc: acc * 2 + v, x, T.constant(0.0))
    f = theon.function([x], [squares, total, left, right])
    xv = f64(5)
    s, t, l, r = f(xv)

    def fold(values):
        acc = 0.0
        for v in values:
            acc = acc * 2 + v
        return acc

    np.testing.assert_allclose(s, xv * xv)
    np.testing.assert_allclose(t, xv.sum())
    np.testing.assert_allclose(l, fold(xv))
    np.testing.assert_allclose(r, fold(xv[::-1]))


def _rnn(x, h0, w):
    out, _ = theon.scan(lambda xt, h, w_: T.tanh(T.dot(h, w_) + xt), sequences=x,
                        outputs_info=h0, non_sequences=w)
    return out


def test_gradient_of_a_recurrence_matches_finite_differences():
    verify_grad(lambda x, h0, w: (_rnn(x, h0, w) ** 2).sum(),
                [f64(5, 3), f64(3), f64(3, 3) * 0.5], rng=RNG)
    # Over zero steps the weights' gradient (a sum over the steps) is zeros of their shape.
    x, h0, w = T.dmatrix("x"), T.dvector("h0"), T.dmatrix("w")
    g = theon.function([x, h0, w], theon.grad(_rnn(x, h0, w).sum(), w))
    np.testing.assert_array_equal(g(np.zeros((0, 3)), f64(3), f64(3, 3)), np.zeros((3, 3)))


def test_non_sequence_gradients_keep_their_types():
    """Gradients of non-sequences (summed over the steps in the reverse loop) have the
    non-sequence's dtype and broadcastable shape, float32 ones beside a float64 body too."""
    x, w, b, s = T.dmatrix("x"), T.fvector("w"), T.row("b", dtype="float64"), T.fscalar("s")
    out, _ = theon.scan(lambda xt, h, w_, b_, s_: T.tanh(h * w_ + xt + b_[0] * s_), sequences=x,
                        outputs_info=T.zeros(3, dtype="float64"), non_sequences=[w, b, s])
    grads = theon.grad(out.sum(), [w, b, s])
    assert [g.type for g in grads] == [w.type, b.type, s.type]
    f = theon.function([x, w, b, s], grads)
    args = [np.ones(3, dtype="float32"), f64(1, 3), np.float32(0.5)]
    for got, v in zip(f(f64(4, 3), *args), args):
        assert got.dtype == np.asarray(v).dtype and got.shape == np.shape(v)
    for got in f(np.zeros((0, 3)), *args):
        assert not got.any()


def test_gradient_through_taps_backwards_and_shared():
    w = theon.shared(np.array([0.3, -0.2]), "w_grad")

    def cost(x, init):
        out, _ = theon.scan(lambda xt, a, b: a * T.sin(b) + xt * w.sum(),
                            sequences=x, outputs_info=dict(initial=init, taps=[-3, -1]),
                            go_backwards=True)
        return (out * T.arange(out.shape[0])).sum()

    verify_grad(cost, [f64(6), f64(3)], rng=RNG)
    x = T.vector("x")
    init = T.vector("init")
    g = theon.grad(cost(x, init), w)
    assert np.isfinite(theon.function([x, init], g)(f64(6), f64(3))).all()


def test_second_order_gradient():
    def grad_norm(x, h0, w):
        c = (_rnn(x, h0, w) ** 2).sum()
        return (theon.grad(c, w) ** 2).sum()

    verify_grad(grad_norm, [f64(3, 2), f64(2), f64(2, 2) * 0.5], rng=RNG)


def _central_difference(f, args, directions, eps=1e-6):
    plus = f(*[a + eps * d for a, d in zip(args, directions)])
    minus = f(*[a - eps * d for a, d in zip(args, directions)])
    return (plus - minus) / (2 * eps)


def test_rop_of_a_recurrence_matches_finite_differences():
    x, w, vx, vw = T.dmatrix("x"), T.dmatrix("w"), T.dmatrix("vx"), T.dmatrix("vw")
    h0, vh = T.dvector("h0"), T.dvector("vh")
    hs = _rnn(x, h0, w)
    jv = theon.function([x, h0, w, vx, vh, vw],
                        theon.gradient.Rop(hs, [x, h0, w], [vx, vh, vw]))
    run = theon.function([x, h0, w], hs)
    args = [f64(5, 3), f64(3), f64(3, 3) * 0.5]
    directions = [f64(5, 3), f64(3), f64(3, 3)]
    got = jv(*args, *directions)
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, _central_difference(run, args, directions),
                               rtol=1e-6, atol=1e-8)
    # With respect to the weights alone, a direction along them only.
    jw = theon.function([x, h0, w, vw], theon.gradient.Rop(hs[-1], w, vw))
    np.testing.assert_allclose(
        jw(*args, directions[2]),
        _central_difference(lambda w_: run(args[0], args[1], w_)[-1], [args[2]], [directions[2]]),
        rtol=1e-6, atol=1e-8)


def test_rop_through_taps_going_backwards():
    x, init, vx, vi = T.dvector("x"), T.dvector("init"), T.dvector("vx"), T.dvector("vi")
    out, _ = theon.scan(lambda xt, a, b: a * T.sin(b) + xt, sequences=x,
                        outputs_info=dict(initial=init, taps=[-3, -1]), go_backwards=True)
    jv = theon.function([x, init, vx, vi], theon.gradient.Rop(out, [x, init], [vx, vi]))
    run = theon.function([x, init], out)
    args, directions = [f64(6), f64(3)], [f64(6), f64(3)]
    np.testing.assert_allclose(jv(*args, *directions),
                               _central_difference(run, args, directions), rtol=1e-6, atol=1e-8)


def test_truncated_gradient_covers_only_the_last_steps():
    x = T.vector("x")
    out, _ = theon.scan(lambda xt, h: h * 0.5 + xt, sequences=x, outputs_info=T.constant(0.0),
                        truncate_gradient=2)
    g = theon.function([x], theon.grad(out[-1], x))(f64(5))
    # h_T = sum_t 0.5^(T-t) x_t; two steps back reach x_3 and x_4 only.
    np.testing.assert_allclose(g, [0, 0, 0, 0.5, 1.0])


def test_gradient_with_until():
    def cost(x0):
        out, _ = theon.scan(lambda v: (v * 1.5, until(v > 4)), outputs_info=x0, n_steps=10)
        return out.sum()

    verify_grad(cost, [np.array(1.0)], rng=RNG)


def test_shape_inference():
    x = T.matrix("x")
    w = T.matrix("w")
    h0 = T.vector("h0")
    # The stacked output's rows take the non-sequence's shape, the recurrent one the initial
    # value's: both shapes are known without running the loop.
    (scaled, hs), _ = theon.scan(lambda xt, h, w_: (w_ * xt.sum(), h + xt.sum()), sequences=x,
                                 outputs_info=[None, h0], non_sequences=w)
    f = theon.function([x, w, h0], [scaled.shape, hs.shape])
    a, b = f(f64(4, 3), f64(3, 7), f64(5))
    np.testing.assert_array_equal(a, [4, 3, 7])
    np.testing.assert_array_equal(b, [4, 5])
    assert "Scan" not in theon.printing.debugprint(f, file="str")


def test_recurrent_dtype_mismatch_is_a_build_error():
    x = T.fvector("x")
    raises_matching(TypeError, lambda: theon.scan(lambda xt, h: h + T.cast(xt, "float64"),
                                                  sequences=x, outputs_info=T.constant(
                                                      np.float32(0))),
                    r"Scan", r"recurrent output 0", r"outputs_info\[0\]", r"float32",
                    r"test_scan.py")


def test_error_in_a_step_names_the_scan_the_step_and_the_line():
    x = T.matrix("x")
    h0 = T.vector("h0")
    out, _ = theon.scan(lambda xt, h: T.concatenate([h, xt]), sequences=x, outputs_info=h0,
                        name="bad_loop")
    f = theon.function([x, h0], out)
    raises_matching(ValueError, lambda: f(np.ones((3, 2)), np.array([1.0])),
                    r"Scan\{bad_loop\}", r"step 0", r"shape")
    f2 = theon.function([x, h0], _rnn(x, h0, T.eye(2)))
    raises_matching(ValueError, lambda: f2(np.ones((3, 2)), np.ones(3)), r"Scan", r"step 0",
                    r"test_scan.py")


def test_n_steps_longer_than_the_sequence_runs_the_sequence_length():
    x = T.vector("x")
    out, _ = theon.scan(lambda v: v + 1, sequences=x, n_steps=10)
    np.testing.assert_allclose(theon.function([x], out)(np.arange(3.0)), [1, 2, 3])


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano

    x = theano.tensor.vector("x")
    out, _ = theano.scan(lambda v, acc: acc + v, sequences=x, outputs_info=theano.tensor.constant(0.0))
    stop, _ = theano.scan(lambda v: (v, theano.scan_module.until(v > 1)), sequences=x)
    m, _ = theano.map(lambda v: -v, x)
    f = theano.function([x], [out, stop, m])
    a, b, c = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(a, [1, 3, 6])
    np.testing.assert_allclose(b, [1, 2])
    np.testing.assert_allclose(c, [-1, -2, -3])
    assert theano.foldl is not None and theano.reduce is not None and theano.foldr is not None


def test_rewrites_hoist_invariants_drop_unused_and_keep_only_last_rows():
    x = T.matrix("x")
    w = T.matrix("w")
    h0 = T.vector("h0")

    def step(xt, h, w_):
        return T.tanh(T.dot(h, w_.T * 2) + xt), (xt ** 2).sum()

    (hs, unused), _ = theon.scan(step, sequences=x, outputs_info=[h0, None], non_sequences=w)
    fast = theon.function([x, w, h0], hs[-1])
    plain = theon.function([x, w, h0], hs[-1], mode="FAST_COMPILE")
    applied = {entry[0] for entry in fast.rewrites_applied}
    for name in ("scan_hoist_invariants", "scan_remove_unused", "scan_save_memory"):
        assert name in applied, applied
    args = (f64(7, 3), f64(3, 3), f64(3))
    np.testing.assert_allclose(fast(*args), plain(*args), rtol=1e-12)
    # Zero steps: no last row, in both.
    for f in (fast, plain):
        with pytest.raises(IndexError):
            f(np.zeros((0, 3)), args[1], args[2])
    # A read further back than the kept rows are not there to give is still an error.
    back = theon.function([x, w, h0], hs[-3])
    np.testing.assert_allclose(back(*args), theon.function([x, w, h0], hs)(*args)[-3])
    with pytest.raises(IndexError):
        back(f64(1, 3), args[1], args[2])


@pytest.fixture
def generated_kernels():
    """Fusion and generated kernels on, built before a scan body's first step: a body that is
    one fused loop then runs its steps after the first as calls of that loop, without the VM."""
    cxx = os.environ.get("CXX") or "g++"
    with theon.config.change_flags(cxx=cxx, optimizer_excluding="", compile_wait=True):
        yield


def test_scalar_recurrence_in_the_generated_loop(generated_kernels):
    a = T.dscalar("a")
    x0 = T.dscalar("x0")
    out, _ = theon.scan(lambda x, a_: a_ * x + 1.0, outputs_info=x0, non_sequences=a,
                        n_steps=1000)
    last = theon.function([a, x0], out[-1])
    every = theon.function([a, x0], out)
    want, x = [], 0.5
    for _ in range(1000):
        x = 0.999 * x + 1.0
        want.append(x)
    assert last(0.999, 0.5) == want[-1]  # the same operations in the same order: exact
    np.testing.assert_array_equal(every(0.999, 0.5), want)
    # NaN and infinities pass through unchanged.
    assert np.isnan(last(np.nan, 0.5))
    assert last(2.0, np.inf) == np.inf and last(-0.0, -0.0) == 1.0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_vector_steps_in_the_generated_loop(generated_kernels, dtype):
    """Taps -2 and -1 of a recurrent output kept to its last rows (a ring), a sequence read
    backwards and strided, a broadcast non-sequence, an output not fed back."""
    x = T.matrix("x", dtype=dtype)
    init = T.matrix("init", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    c = T.scalar("c", dtype=dtype)

    def step(xt, y2, y1, b_, c_):
        y = 0.5 * y1 - 0.25 * y2 + xt * b_ + c_
        return y, y * y

    (ys, squares), _ = theon.scan(step, sequences=x, non_sequences=[b, c], go_backwards=True,
                                  outputs_info=[dict(initial=init, taps=[-2, -1]), None])
    f_last = theon.function([x, init, b, c], [ys[-1], squares])
    f_all = theon.function([x, init, b, c], ys)
    xv = RNG.standard_normal((40, 6)).astype(dtype)[:, ::2]  # rows of 3, stride 2 elements
    iv = RNG.standard_normal((2, 3)).astype(dtype)
    bv = RNG.standard_normal(3).astype(dtype)
    cv = np.asarray(RNG.standard_normal(), dtype=dtype)
    rows, sq = list(iv), []
    for t in range(40):
        rows.append(0.5 * rows[-1] - 0.25 * rows[-2] + xv[39 - t] * bv + cv)
        sq.append(rows[-1] * rows[-1])
    last, squares_v = f_last(xv, iv, bv, cv)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=0)
    np.testing.assert_allclose(last, rows[-1], **tol)
    np.testing.assert_allclose(squares_v, np.array(sq), **tol)
    np.testing.assert_allclose(f_all(xv, iv, bv, cv), np.array(rows[2:]), **tol)
    assert last.dtype == dtype and squares_v.shape == (40, 3)
    # Without the second output the body is one fused loop, whose step loop runs the steps.
    ys_only, _ = theon.scan(lambda xt, y2, y1, b_, c_: step(xt, y2, y1, b_, c_)[0], sequences=x,
                            non_sequences=[b, c], go_backwards=True,
                            outputs_info=dict(initial=init, taps=[-2, -1]))
    np.testing.assert_allclose(theon.function([x, init, b, c], ys_only)(xv, iv, bv, cv),
                               np.array(rows[2:]), **tol)



def test_scalar_taps_and_sequence_in_the_generated_loop(generated_kernels):
    """Taps -2 and -1 of a scalar output (the latter the value the step before wrote, the
    former two steps back) and a sequence element: each step reads exactly its own values."""
    x = T.dvector("x")
    init = T.dvector("init")
    k = T.dscalar("k")
    out, _ = theon.scan(lambda xt, a2, a1, k_: a1 + a2 * k_ + xt, sequences=x,
                        outputs_info=dict(initial=init, taps=[-2, -1]), non_sequences=k)
    f = theon.function([x, init, k], out)
    xv, iv, kv = f64(300), np.array([0.25, -1.5]), -0.5
    want, a2, a1 = [], iv[0], iv[1]
    for t in range(300):
        a2, a1 = a1, a1 + a2 * kv + xv[t]
        want.append(a1)
    np.testing.assert_array_equal(f(xv, iv, kv), want)


@pytest.mark.parametrize("size", [None, 5], ids=["scalars", "vectors"])
def test_two_outputs_of_one_fused_loop_in_the_generated_loop(generated_kernels, size):
    """A body whose second output reads the first: fusion makes one loop with two outputs, and
    each step must feed both back (the one-element path through registers)."""
    make = T.dscalar if size is None else T.dvector
    x, h0, c0, a = T.dmatrix("x") if size else T.dvector("x"), make("h0"), make("c0"), make("a")

    def step(xt, h, c, a_):
        v = h * a_ + xt
        return v, v * 0.5 + c * 0.25

    (hs, cs), _ = theon.scan(step, sequences=x, outputs_info=[h0, c0], non_sequences=a)
    f = theon.function([x, h0, c0, a], [hs, cs])
    shape = () if size is None else (size,)
    rng = np.random.default_rng(7)
    xv = rng.standard_normal((200,) + shape)
    hv, cv, av = (rng.uniform(-1, 1, shape) for _ in range(3))
    want_h, want_c, h, c = [], [], hv, cv
    for t in range(200):
        h = h * av + xv[t]
        c = h * 0.5 + c * 0.25
        want_h.append(h)
        want_c.append(c)
    got_h, got_c = f(xv, hv, cv, av)
    np.testing.assert_array_equal(got_h, np.array(want_h))
    np.testing.assert_array_equal(got_c, np.array(want_c))
