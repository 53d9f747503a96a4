"""Random streams: reproducibility (same seed same draws, new numbers at each call,
no_default_updates, seed(), thread counts and modes), Theano's RandomStreams and
MRG_RandomStreams with their arguments, default_update on shared variables, the vector
draws (multinomial, choice, permutation, shuffle_row_elements) against SciPy, gradients, and
errors."""

import numpy as np
import pytest
import scipy.stats as st

import theon
import theon.tensor as T
from theon import _core
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.random import RandomStream
from theon.tensor.shared_randomstreams import RandomStreams
from test_random_table import chi_square_p

ALPHA = 1e-3  # false-alarm rate of each statistical test (fixed seeds: deterministic)


def test_same_seed_same_draws_and_each_call_new_numbers():
    a, b = RandomStream(42), RandomStream(42)
    fa = theon.function([], [a.uniform(size=(5,)), a.normal(size=(2, 2))])
    fb = theon.function([], [b.uniform(size=(5,)), b.normal(size=(2, 2))])
    first, second = fa(), fa()
    for x, y in zip(first, fb()):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(first[0], first[1].ravel()[:4])  # draws are independent
    c = RandomStream(43)
    assert not np.array_equal(theon.function([], c.uniform(size=(5,)))(), first[0])


def test_no_default_updates_freezes_the_draws_true_or_listed():
    srng = RandomStream(1)
    u, v = srng.uniform(size=(4,)), srng.uniform(size=(4,))
    frozen = theon.function([], [u, v], no_default_updates=True)
    a = frozen()
    b = frozen()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    only_u = theon.function([], [u, v], no_default_updates=[u.rng])
    c, d = only_u(), only_u()
    np.testing.assert_array_equal(c[0], d[0])
    assert not np.array_equal(c[1], d[1])
    # Explicit updates take precedence over default ones, as in Theano.
    explicit = theon.function([], u, updates=[(u.rng, u.rng)])
    np.testing.assert_array_equal(explicit(), explicit())


def test_seed_restarts_every_state():
    srng = RandomStreams(5)
    u = srng.uniform((3,))
    f = theon.function([], u)
    first = f()
    f()
    srng.seed(5)
    np.testing.assert_array_equal(f(), first)
    srng.seed(6)
    assert not np.array_equal(f(), first)
    assert len(srng.state_updates) == 1 and srng.updates()[0][0] is not None


def test_draws_do_not_depend_on_threads_or_mode():
    results = []
    old = theon.config.num_threads
    try:
        for threads in (1, 4):
            theon.config.num_threads = threads
            for mode in ("FAST_RUN", "FAST_COMPILE", "NONE"):
                srng = RandomStream(9)
                x = T.vector("x")
                mask = srng.uniform(size=x.shape, dtype="float32") < 0.5
                f = theon.function([x], [x * mask, srng.normal(size=(50000,))], mode=mode)
                results.append(f(np.arange(100000, dtype=theon.config.floatX)))
    finally:
        theon.config.num_threads = old
    for r in results[1:]:
        np.testing.assert_array_equal(r[0], results[0][0])
        np.testing.assert_array_equal(r[1], results[0][1])


@pytest.mark.parametrize("p", [0.5, 0.25, 0.375, 0.3, 0.0, 1.0])
def test_bernoulli_masks_do_not_depend_on_threads_and_have_mean_p(p):
    """p of 1, 2 or 3 binary digits draws each element from that many bits (up to 128 elements
    to a Philox block), other p from a word: the same draw on any thread count, whatever the
    chunk boundaries, and the frequency of ones p (binomial test at ALPHA)."""
    n = 300_007  # not a multiple of a block's elements
    draws = []
    old = theon.config.num_threads
    try:
        for threads in (1, 3):
            theon.config.num_threads = threads
            srng = RandomStreams(5)
            draws.append(theon.function([], srng.binomial(size=(n,), p=p, dtype="float32"))())
    finally:
        theon.config.num_threads = old
    np.testing.assert_array_equal(draws[1], draws[0])
    ones = int(draws[0].sum())
    assert set(np.unique(draws[0])) <= {0.0, 1.0}
    if p in (0.0, 1.0):
        assert ones == n * p
    else:
        assert st.binomtest(ones, n, p).pvalue > ALPHA
        # Neighbouring elements (sharing a word when p has few digits) are independent.
        pairs = draws[0][:-1] * 2 + draws[0][1:]
        counts = np.bincount(pairs.astype(int), minlength=4)
        want = np.array([(1 - p) ** 2, (1 - p) * p, p * (1 - p), p * p]) * (n - 1)
        assert st.chisquare(counts, want).pvalue > ALPHA


def test_bernoulli_mask_with_per_element_p_matches_the_frequencies():
    """Parameters of different numbers of binary digits in one draw share the widest."""
    srng = RandomStreams(6)
    pv = np.tile(np.array([0.5, 0.25, 0.3, 1.0]), 50_000)
    b = theon.function([], srng.binomial(size=pv.shape, p=pv, dtype="float32"))()
    for k, p in enumerate([0.5, 0.25, 0.3]):
        ones = int(b[k::4].sum())
        assert st.binomtest(ones, 50_000, p).pvalue > ALPHA
    assert np.all(b[3::4] == 1)


def test_default_update_of_a_user_shared_variable():
    s = theon.shared(np.float64(0.0), "s")
    s.default_update = s + 1
    f = theon.function([], s * 2)
    assert f() == 0 and f() == 2
    assert s.get_value() == 2
    g = theon.function([], s * 2, no_default_updates=[s])
    g()
    assert s.get_value() == 2
    s.default_update = None
    assert s.default_update is None
    theon.function([], s * 2)()
    assert s.get_value() == 2
    with pytest.raises(TypeError, match="expected type"):
        s.default_update = T.vector("v")


def test_theano_random_streams_signatures():
    srng = RandomStreams(seed=234)
    u = srng.uniform((2, 3), low=-1.0, high=1.0, ndim=2)
    n = srng.normal((2, 3), avg=5.0, std=0.1)
    b = srng.binomial((1000,), n=1, p=0.25)
    ri = srng.random_integers((1000,), low=3, high=5)
    c = srng.choice((1000,), a=4, p=[0.1, 0.2, 0.3, 0.4])
    perm = srng.permutation((3,), n=6)
    mult = srng.multinomial((4,), n=10, pvals=[0.2, 0.8])
    sh = srng.shuffle_row_elements(T.constant(np.arange(12).reshape(3, 4)))
    g = srng.gen("uniform", (2,))
    f = theon.function([], [u, n, b, ri, c, perm, mult, sh, g])
    u_, n_, b_, ri_, c_, perm_, mult_, sh_, g_ = f()
    assert u_.shape == (2, 3) and np.all((u_ >= -1) & (u_ < 1))
    assert abs(n_.mean() - 5) < 0.2
    assert b_.dtype == np.int64 and set(np.unique(b_)) <= {0, 1}
    assert set(np.unique(ri_)) == {3, 4, 5}
    assert set(np.unique(c_)) <= {0, 1, 2, 3}
    assert perm_.shape == (3, 6) and all(sorted(r) == list(range(6)) for r in perm_)
    assert mult_.shape == (4, 2) and np.all(mult_.sum(axis=1) == 10)
    assert all(sorted(r) == list(range(4 * i, 4 * i + 4)) for i, r in enumerate(sh_))
    assert g_.shape == (2,)
    with pytest.raises(ValueError, match="ndim=3"):
        srng.uniform((2, 3), ndim=3)


def test_mrg_random_streams():
    srng = MRG_RandomStreams(seed=12345)
    u = srng.uniform((20000,), dtype="float32")
    n = srng.normal((20000,), avg=1.0, std=2.0)
    t = srng.truncated_normal((20000,), avg=0.0, std=1.5)
    b = srng.binomial(size=(20000,), p=0.3, dtype="float32")
    pv = np.array([[0.1, 0.9, 0.0], [0.3, 0.3, 0.4]])
    m = srng.multinomial(pvals=pv, n=5)
    ch = srng.choice(size=2, p=pv, replace=False)
    f = theon.function([], [u, n, t, b, m, ch])
    u_, n_, t_, b_, m_, ch_ = f()
    assert u_.dtype == np.float32 and st.kstest(u_, "uniform").pvalue > ALPHA
    assert st.kstest(n_, st.norm(1, 2).cdf).pvalue > ALPHA
    # Truncated at two standard deviations and rescaled to the asked standard deviation.
    assert np.all(np.abs(t_) <= 2 * 1.5 / 0.87962566103423978 + 1e-9)
    assert abs(t_.std() - 1.5) < 0.05
    assert b_.dtype == np.float32 and abs(b_.mean() - 0.3) < 0.02
    assert m_.shape == (2, 3) and np.all(m_.sum(axis=1) == 5) and m_[0, 2] == 0
    assert ch_.shape == (2, 2) and ch_[0].tolist() in ([0, 1], [1, 0]) and ch_[1, 0] != ch_[1, 1]
    with pytest.raises(NotImplementedError, match="replace=True"):
        srng.choice(size=1, p=pv, replace=True)


def test_the_theano_modules_map_onto_theon():
    import theon.theano_alias

    theon.theano_alias.enable()
    from theano.sandbox.rng_mrg import MRG_RandomStreams as M
    from theano.tensor.shared_randomstreams import RandomStreams as R

    assert M is MRG_RandomStreams and R is RandomStreams


def test_multinomial_follows_the_marginals():
    srng = RandomStream(3)
    pv = np.array([0.2, 0.5, 0.3])
    counts = theon.function([], srng.multinomial(1, pv, size=(30000,)))()
    assert np.all(counts.sum(axis=1) == 1)
    assert st.chisquare(counts.sum(axis=0), pv * 30000).pvalue > ALPHA
    big = theon.function([], srng.multinomial(1000, pv, size=(5000,)))()
    assert np.all(big.sum(axis=1) == 1000)
    for j, p in enumerate(pv):  # each count is binomial(1000, p)
        assert chi_square_p(big[:, j], st.binom(1000, p)) > ALPHA


def test_choice_and_permutation_are_uniform():
    srng = RandomStream(4)
    picks = theon.function([], srng.choice(5, size=(25000,)))()
    assert st.chisquare(np.bincount(picks, minlength=5)).pvalue > ALPHA
    weighted = theon.function([], srng.choice(np.array([10, 20, 30]), size=(30000,),
                                              p=[0.5, 0.25, 0.25]))()
    assert st.chisquare([np.sum(weighted == v) for v in (10, 20, 30)],
                        [15000, 7500, 7500]).pvalue > ALPHA
    no_repeat = theon.function([], srng.choice(10, size=(10,), replace=False))()
    assert sorted(no_repeat) == list(range(10))
    perms = theon.function([], srng.permutation(6, size=(12000,)))()
    # Where element 0 lands: uniform over the 6 positions.
    assert st.chisquare(np.bincount(np.argmax(perms == 0, axis=1), minlength=6)).pvalue > ALPHA
    x = T.matrix("x")
    shuffled = theon.function([x], srng.permutation(x))(np.arange(8.0).reshape(4, 2))
    assert sorted(shuffled[:, 0].tolist()) == [0, 2, 4, 6] and np.all(shuffled[:, 1] ==
                                                                      shuffled[:, 0] + 1)


def test_vector_draw_errors():
    srng = RandomStream(0)
    with pytest.raises(ValueError, match="sum to 1"):
        theon.function([], srng.multinomial(3, [0.5, 0.6]))()
    with pytest.raises(ValueError, match="larger sample"):
        theon.function([], srng.choice(3, size=(5,), replace=False))()
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        theon.function([], srng.choice(3, size=(2,), p=[1.5, -0.5, 0.0]))()
    with pytest.raises(TypeError, match="generator state"):
        T.build("random_variable", T.vector("v"), 0.0, 1.0, distribution="uniform")


def _fixed_normal(mu, sigma):
    """A normal draw from a state without default update: a deterministic function of its
    parameters, so its reparameterised gradient can be checked numerically."""
    state = _core.generator_state(11, 0, "fixed")
    return T.build("random_variable", state, np.array([6], dtype="int64"), mu, sigma,
                   distribution="normal", has_size=True, dtype="float64")[1]


def test_reparameterised_gradients_are_numerically_right():
    theon.gradient.verify_grad(lambda mu, s: (_fixed_normal(mu, s) ** 2).sum(),
                               [np.array(0.3), np.array(1.7)], rng=np.random.default_rng(0))
    srng = RandomStream(2)
    low, high = T.dscalar("low"), T.dscalar("high")
    u = srng.uniform(low, high, size=(1000,), dtype="float64")
    g_low, g_high = theon.grad(u.sum(), [low, high])
    gl, gh = theon.function([low, high], [g_low, g_high], no_default_updates=True)(1.0, 3.0)
    assert abs(gl + gh - 1000) < 1e-6  # d/dlow + d/dhigh of each sample is 1


def test_dropout_gradient_flows_through_the_mask_product():
    srng = RandomStreams(3)
    x = T.vector("x")
    mask = srng.binomial(size=x.shape, p=0.5, dtype=x.dtype)
    g = theon.grad((x * mask).sum(), x)
    out, grad = theon.function([x], [x * mask, g])(np.ones(100))
    np.testing.assert_array_equal(out, grad)  # the same mask in one call


@pytest.mark.parametrize("method,args", [("uniform", dict(low=-2.0, high=5.0)),
                                         ("normal", dict(avg=1.5, std=3.0))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_one_parameter_value_draws_as_the_per_element_path(method, args, dtype):
    # Parameters that are one value take a batched path (samples from each element's first
    # Philox block, no stream per element); arrays of that value take the per-element one.
    n = 70_001
    draws = []
    for params in (args, {k: np.full(n, v) for k, v in args.items()}):
        for threads in (1, 3):
            srng = RandomStreams(21)
            with theon.config.change_flags(num_threads=threads):
                f = theon.function([], getattr(srng, method)(size=(n,), dtype=dtype, **params))
                draws.append(f())
    for d in draws[1:]:
        np.testing.assert_array_equal(d, draws[0])
