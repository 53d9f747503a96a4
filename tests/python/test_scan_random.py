"""Random streams inside scan, as Theano's scan treats them: the state a step draws from is
carried from step to step (each step draws new numbers, the same as successive calls would),
scan returns the state's update, and the gradient's reverse loop draws each step's numbers
from the state that step drew from, so backpropagation sees the forward pass's masks."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams


@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
def test_each_step_draws_what_successive_calls_draw(streams):
    x = T.matrix("x")
    srng = streams(5)
    rows, updates = theon.scan(lambda r: srng.binomial(size=r.shape, p=0.5) + 0 * r,
                               sequences=[x])
    assert len(updates) == 1  # the draw's state, carried by the loop
    f = theon.function([x], rows, updates=updates)
    one = streams(5)
    g = theon.function([], one.binomial(size=(9,), p=0.5))
    ones = np.ones((4, 9))
    for _ in range(2):  # the second call goes on from the state the first left
        got = f(ones)
        want = np.stack([g() for _ in range(4)])
        np.testing.assert_array_equal(got, want)
    assert len({tuple(r) for r in got}) > 1


def test_draws_sized_by_a_sequence_row_compile():
    srng = RandomStreams(3)
    x = T.matrix("x")
    h, updates = theon.scan(lambda r, h: T.tanh(r * srng.uniform(size=r.shape) + h),
                            sequences=[x], outputs_info=[T.zeros_like(x[0])])
    f = theon.function([x], h, updates=updates)
    assert f(np.ones((3, 4))).shape == (3, 4)


def rnn_with_dropout(go_backwards=False):
    srng = RandomStreams(11)
    x, W = T.matrix("x"), T.matrix("W")

    def step(row, h, W):
        mask = srng.binomial(size=row.shape, p=0.5, dtype="float64")
        return T.tanh(T.dot(h, W) * mask + row)

    hs, updates = theon.scan(step, sequences=[x], outputs_info=[T.zeros_like(x[0])],
                             non_sequences=[W], go_backwards=go_backwards)
    return x, W, T.sum(hs ** 2), updates


@pytest.mark.parametrize("go_backwards", [False, True])
def test_gradient_sees_the_forward_masks(go_backwards):
    x, W, cost, _ = rnn_with_dropout(go_backwards)
    # Without the state's update every call starts from the same state: the same masks.
    f = theon.function([x, W], [cost, T.grad(cost, W)], no_default_updates=True)
    rng = np.random.default_rng(0)
    xs, ws = rng.standard_normal((6, 5)), rng.standard_normal((5, 5)) * 0.5
    cost0, grad = f(xs, ws)
    numeric = np.zeros_like(ws)
    eps = 1e-6
    for i in range(5):
        for j in range(5):
            up, down = ws.copy(), ws.copy()
            up[i, j] += eps
            down[i, j] -= eps
            numeric[i, j] = (f(xs, up)[0] - f(xs, down)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)
    assert f(xs, ws)[0] == cost0


def test_training_steps_draw_new_masks_and_keep_the_state():
    x, W, cost, updates = rnn_with_dropout()
    f = theon.function([x, W], [cost, T.grad(cost, W)], updates=updates)
    rng = np.random.default_rng(1)
    xs, ws = rng.standard_normal((6, 5)), rng.standard_normal((5, 5)) * 0.5
    (state,) = updates.keys()
    before = state.get_value().copy()
    c1, _ = f(xs, ws)
    c2, _ = f(xs, ws)
    assert c1 != c2  # new masks at each call
    np.testing.assert_array_equal(state.get_value()[:3], before[:3])
    assert state.get_value()[3] == before[3] + 12  # six steps a call


def test_gradient_through_other_updated_values_is_a_clear_error():
    # A shared value the body updates and its outputs read (not a random state): the reverse
    # loop cannot see its value at each step.
    counter = theon.shared(np.float64(1.0), "counter")
    w = T.dscalar("w")
    out, updates = theon.scan(lambda: (w * counter, {counter: counter + 1.0}), n_steps=3)
    with pytest.raises(NotImplementedError, match="(the body|value it) updates"):
        T.grad(T.sum(out), w)


def test_forgetting_scan_updates_is_a_clear_error():
    srng = RandomStreams(7)
    x = T.matrix("x")
    masks, updates = theon.scan(lambda r: srng.binomial(size=r.shape, p=0.5) * r,
                                sequences=[x], name="masks")
    with pytest.raises(ValueError, match=r"updated inside Scan\{masks\} \(built at .*"
                                         r"test_scan_random.py:\d+\).*updates theon.scan returned"):
        theon.function([x], masks)
    # Leaving the state alone is a choice: every call then draws the same masks.
    same = theon.function([x], masks, no_default_updates=True)
    ones = np.ones((3, 50))
    np.testing.assert_array_equal(same(ones), same(ones))
    theon.function([x], masks, updates=updates)
