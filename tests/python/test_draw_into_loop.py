"""A random draw read only by one fused loop (dropout: x * mask) is drawn by the loop itself, a
tile at a time (FusedDraw): the values must be those of the draw made apart, call after
call, on any thread count, for contiguous and strided inputs (strided ones draw the whole
sample first), in place or not, and after pickling."""

import pickle

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor.shared_randomstreams import RandomStreams


def both_modes(build, inputs, seed=5):
    """The functions `build(srng, *inputs)` gives in FAST_RUN with and without the rewrite (the
    draw then a whole array that the same generated loop reads), each with a fresh stream of the
    same seed."""
    fns = []
    for excluding in ("", "draw_into_loop"):
        with theon.config.change_flags(optimizer_excluding=excluding):
            fns.append(theon.function(inputs, build(RandomStreams(seed), *inputs), profile=True))
    return fns


def kernels(f):
    """(op type, kernel origin) of the function's nodes that ran."""
    return [(op.split("{")[0], origin) for op, origin in f.profile.node_kernels]


def assert_same_calls(fast, plain, args, calls=3):
    for _ in range(calls):  # the states advance alike
        got, want = fast(*args), plain(*args)
        if not isinstance(got, list):
            got, want = [got], [want]
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w)


def dropout(srng, x):
    return x * srng.binomial(size=x.shape, p=0.5, dtype=x.dtype)


# Sizes around the tiles (256 KiB: 65,536 float32 elements, 262,144 int8 ones) and the
# threads' chunks.
@pytest.mark.parametrize("n", [1, 3, 65_537, 262_145, 600_001])
@pytest.mark.parametrize("threads", [1, 3])
def test_dropout_is_one_generated_loop_with_the_unfused_values(n, threads, codegen):
    x = T.fvector("x")
    with theon.config.change_flags(num_threads=threads):
        fast, plain = both_modes(dropout, [x])
        xs = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        assert_same_calls(fast, plain, [xs])
    ran = kernels(fast)
    assert ("FusedDraw", "generated") in ran
    assert not [op for op, _ in ran if op in ("RandomVariable", "Fused")]


def test_empty_and_strided_inputs_take_the_whole_draw(codegen):
    x = T.fmatrix("x")
    fast, plain = both_modes(dropout, [x])
    base = np.random.default_rng(1).standard_normal((300, 402)).astype(np.float32)
    assert_same_calls(fast, plain, [base[:, ::2]])  # not contiguous
    assert_same_calls(fast, plain, [base.T])
    assert_same_calls(fast, plain, [base[:0]])


@pytest.mark.parametrize("distribution", ["normal", "uniform", "binomial7"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_other_draws_and_dtypes(distribution, dtype, codegen):
    def noisy(srng, x, c):
        if distribution == "normal":
            draw = srng.normal(size=x.shape, avg=1.0, std=2.0, dtype=dtype)
        elif distribution == "uniform":
            draw = srng.uniform(size=x.shape, low=-1.0, high=3.0, dtype=dtype)
        else:
            draw = srng.binomial(size=x.shape, n=3, p=0.7, dtype=dtype)
        return T.tanh(x) * draw + c

    x, c = T.matrix("x", dtype=dtype), T.scalar("c", dtype=dtype)
    fast, plain = both_modes(noisy, [x, c])
    xs = np.random.default_rng(2).standard_normal((257, 301)).astype(dtype)
    assert_same_calls(fast, plain, [xs, np.asarray(0.25, dtype)])
    assert "FusedDraw" in [op for op, _ in kernels(fast)]


def test_per_element_parameters_and_two_outputs(codegen):
    def build(srng, x, p):
        mask = srng.binomial(size=x.shape, p=p, dtype="float64")
        y = x * mask
        return [y + 1.0, T.exp(y)]

    x, p = T.vector("x"), T.vector("p")
    fast, plain = both_modes(build, [x, p])
    rng = np.random.default_rng(3)
    n = 70_001
    assert_same_calls(fast, plain, [rng.standard_normal(n), rng.uniform(size=n)])
    assert "FusedDraw" in [op for op, _ in kernels(fast)]


def test_in_place_loop_writes_into_a_dead_intermediate(codegen):
    # Static shapes let the loop write into the product's buffer (nothing else reads it).
    def build(srng, a, b):
        return srng.binomial(size=(300, 400), p=0.5, dtype="float64") * T.exp(T.dot(a, b))

    a = T.tensor(dtype="float64", shape=(300, 20), name="a")
    b = T.tensor(dtype="float64", shape=(20, 400), name="b")
    fast, plain = both_modes(build, [a, b])
    text = fast.debugprint(print_type=False)
    assert "FusedDraw" in text and "inplace=v1" in text
    rng = np.random.default_rng(4)
    av, bv = rng.standard_normal((300, 20)) * 0.1, rng.standard_normal((20, 400))
    a_before = av.copy()
    assert_same_calls(fast, plain, [av, bv])
    np.testing.assert_array_equal(av, a_before)


def test_masks_read_elsewhere_stay_apart(codegen):
    x = T.fvector("x")
    srng = RandomStreams(4)
    mask = srng.binomial(size=x.shape, p=0.5, dtype="float32")
    f = theon.function([x], [x * mask, mask], profile=True)
    xs = np.ones(1000, np.float32)
    out, m = f(xs)
    np.testing.assert_array_equal(out, m)
    assert "FusedDraw" not in [op for op, _ in kernels(f)]
    # Excluding the rewrite by name keeps the draw apart as well.
    with theon.config.change_flags(optimizer_excluding="draw_into_loop"):
        g = theon.function([x], dropout(RandomStreams(4), x))
    assert "FusedDraw" not in g.debugprint(print_type=False)


def test_pickled_function_draws_the_same(codegen):
    x = T.fvector("x")
    fast, _ = both_modes(dropout, [x])
    again = pickle.loads(pickle.dumps(fast))
    assert "FusedDraw" in again.debugprint(print_type=False)
    xs = np.random.default_rng(6).standard_normal(100_000).astype(np.float32)
    np.testing.assert_array_equal(again(xs), fast(xs))  # the same state: the same draw


def test_dropout_in_a_scan_body(codegen):
    def step(srng):
        return lambda row, h: T.tanh(
            row * srng.binomial(size=row.shape, p=0.5, dtype="float64") + h)

    xs = np.random.default_rng(7).standard_normal((5, 70_000))
    results = []
    for excluding in ("", "draw_into_loop"):
        # A scan's body is compiled at the loop's first run, under the flags of that moment.
        with theon.config.change_flags(optimizer_excluding=excluding):
            x = T.matrix("x")
            hs, updates = theon.scan(step(RandomStreams(8)), sequences=[x],
                                     outputs_info=[T.zeros_like(x[0])])
            f = theon.function([x], hs, updates=updates)
            results.append([f(xs) for _ in range(2)])
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want)
