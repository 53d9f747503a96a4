"""Bernoulli and binomial masks (dropout): a mask with one p draws each element by comparing
its random bits with a threshold, which must give the same draws as the per-element path; a
float mask that only elementwise ops read is drawn as int8 and converted in its readers'
fused loop, with the same values as the graph without that rewrite."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor.shared_randomstreams import RandomStreams


def draw(p, n, dtype, threads, seed=11):
    srng = RandomStreams(seed)
    with theon.config.change_flags(num_threads=threads):
        return theon.function([], srng.binomial(size=(n,), p=p, dtype=dtype))()


# p of 1, 2, 4, 8 and 16 binary digits (that many bits per element), 0.7 (a word each), and
# the ends.
PS = [0.5, 0.25, 0.5625, 2.0 ** -8 * 3, 2.0 ** -16 * 5, 0.7, 0.0, 1.0]


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("dtype", ["float32", "int8", "float64", "int64"])
def test_one_p_matches_the_per_element_path(p, dtype):
    # A p array of equal values (not a broadcast scalar) takes the per-element path; threads
    # start their chunks in the middle of random words.
    n = 100_003
    per_element = draw(np.full(n, p), n, dtype, threads=1)
    for threads in (1, 3):
        got = draw(p, n, dtype, threads)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, per_element)
    assert 0 < per_element.sum() < n or p in (0.0, 1.0)


def dropout_functions(n_trials, p, **kw):
    x = T.fvector("x")
    fns = []
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        srng = RandomStreams(3)
        mask = srng.binomial(size=x.shape, n=n_trials, p=p, dtype="float32")
        fns.append(theon.function([x], x * mask, mode=mode, **kw))
    return fns


@pytest.mark.parametrize("n_trials,p", [(1, 0.5), (1, 0.7), (3, 0.25)])
def test_float_masks_read_by_elementwise_ops_are_drawn_as_int8(n_trials, p, codegen):
    fast, plain = dropout_functions(n_trials, p)
    text = fast.debugprint(print_type=False)
    assert "RandomVariable{binomial, int8}" in text
    assert "RandomVariable{binomial, float32}" not in text
    # One loop, which draws the mask itself (test_draw_into_loop.py).
    loops = {line.split(" [id ")[1] for line in text.splitlines() if "Fused" in line}
    assert len(loops) == 1 and "FusedDraw{" in text
    x = np.random.default_rng(0).standard_normal(50_001).astype(np.float32)
    for _ in range(3):  # the states advance alike
        got, want = fast(x), plain(x)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_masks_the_rewrite_leaves_alone():
    x = T.fvector("x")
    srng = RandomStreams(4)
    # The mask is also an output: it stays a float draw.
    mask = srng.binomial(size=x.shape, p=0.5, dtype="float32")
    f = theon.function([x], [x * mask, mask])
    assert "RandomVariable{binomial, float32}" in f.debugprint(print_type=False)
    # n beyond int8, or not a constant.
    big = srng.binomial(size=x.shape, n=200, p=0.5, dtype="float32")
    assert "binomial, float32" in theon.function([x], x * big).debugprint(print_type=False)
    trials = T.lscalar("n")
    var_n = srng.binomial(size=x.shape, n=trials, p=0.9, dtype="float32")
    g = theon.function([x, trials], x * var_n)
    assert "binomial, float32" in g.debugprint(print_type=False)
    out = g(np.ones(1000, np.float32), 200)
    assert out.max() > 127  # drawn as float: no int8 wrap
