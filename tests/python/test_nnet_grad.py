"""Gradients of theon.tensor.nnet (sigmoid, softplus, hard_sigmoid, relu, leaky relu, softmax,
log_softmax): verify_grad, extreme values, second order, and logistic regression's gradient
and Hessian against their closed forms."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import hessian, verify_grad
from theon.tensor import nnet

RNG = np.random.default_rng(11)


def rnd(shape, lo=-2.0, hi=2.0, dtype=np.float64):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def away_from(a, kinks, gap=0.05):
    """Moves elements at least ``gap`` away from each kink (where the derivative jumps)."""
    a = np.array(a, dtype=np.float64)
    for k in kinks:
        near = np.abs(a - k) < gap
        a[near] = np.where(a[near] < k, k - gap, k + gap)
    return a


def ev(outs, inputs):
    keys = list(inputs)
    f = theon.function(keys, outs, on_unused_input="ignore")
    return f(*[inputs[k] for k in keys])


@pytest.mark.parametrize("fn", [nnet.sigmoid, nnet.softplus])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 1, 3)])
def test_sigmoid_softplus(fn, shape):
    verify_grad(fn, [rnd(shape, -4, 4)])


@pytest.mark.parametrize("fn", [nnet.sigmoid, nnet.softplus])
def test_float32_and_large_arguments(fn):
    verify_grad(fn, [rnd((3, 4), -4, 4, np.float32)])
    verify_grad(fn, [np.array([-30.0, -12.0, 12.0, 30.0])])


def test_hard_sigmoid_and_relu():
    x = away_from(rnd((4, 5), -4, 4), [-2.5, 2.5, 0.0])
    verify_grad(nnet.hard_sigmoid, [x])
    verify_grad(nnet.relu, [x])
    verify_grad(lambda v: nnet.relu(v, alpha=0.1), [x])
    verify_grad(nnet.relu, [x.astype(np.float32)])
    # alpha symbolic: 0-d (broadcast, its gradient summed) and per element.
    verify_grad(lambda v, a: nnet.relu(v, a), [x, np.array(0.3)])
    verify_grad(lambda v, a: nnet.relu(v, a), [x, rnd((4, 5), 0, 1)])


def test_relu_and_hard_sigmoid_gradient_values():
    v = T.vector("v")
    g = theon.grad(nnet.relu(v).sum() + nnet.hard_sigmoid(v).sum() * 10.0, v)
    r = ev(g, {v: np.array([-3.0, -1.0, 0.0, 1.0, 3.0])})
    np.testing.assert_allclose(r, [0, 2, 2, 3, 1], atol=1e-12)
    a = T.scalar("a")
    ga, gv = theon.grad(nnet.relu(v, a).sum(), [a, v])
    vv = np.array([-3.0, -1.0, 2.0])
    ra, rv = ev([ga, gv], {v: vv, a: 0.25})
    np.testing.assert_allclose(ra, -4.0)
    np.testing.assert_allclose(rv, [0.25, 0.25, 1.0])


SOFTMAX_CASES = [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), 0),
                 ((3, 1), 1), ((2, 3), None), ((4,), None), ((2, 2, 3), None), ((1, 4), 0)]


@pytest.mark.parametrize("fn", [nnet.softmax, nnet.log_softmax])
@pytest.mark.parametrize("shape,axis", SOFTMAX_CASES)
def test_softmax_any_axis(fn, shape, axis):
    verify_grad(lambda v: fn(v, axis=axis), [rnd(shape)])


@pytest.mark.parametrize("fn", [nnet.softmax, nnet.log_softmax])
def test_softmax_float32(fn):
    verify_grad(lambda v: fn(v, axis=0), [rnd((3, 4), dtype=np.float32)])


def test_softmax_gradient_matches_formula():
    x = T.matrix("x")
    c = T.matrix("c")
    xv, cv = rnd((3, 4)), rnd((3, 4))
    sm = np.exp(xv - xv.max(axis=0)) / np.exp(xv - xv.max(axis=0)).sum(axis=0)
    g = ev(theon.grad((nnet.softmax(x, axis=0) * c).sum(), x), {x: xv, c: cv})
    np.testing.assert_allclose(g, (cv - (cv * sm).sum(axis=0, keepdims=True)) * sm, rtol=1e-12)
    g = ev(theon.grad((nnet.log_softmax(x, axis=0) * c).sum(), x), {x: xv, c: cv})
    np.testing.assert_allclose(g, cv - sm * cv.sum(axis=0, keepdims=True), rtol=1e-12)


def test_extreme_values_give_finite_gradients():
    x = T.vector("x")
    xv = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    g = ev(theon.grad(nnet.sigmoid(x).sum() + nnet.softplus(x).sum() * 2.0, x), {x: xv})
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [0, 3 * np.exp(-40.0), 1.25, 2, 2], atol=1e-15)
    c = np.arange(1.0, 6.0)
    g = ev(theon.grad((nnet.softmax(x) * c).sum(), x), {x: xv})
    np.testing.assert_array_equal(g, np.zeros(5))
    g = ev(theon.grad((nnet.log_softmax(x) * c).sum(), x), {x: xv})
    np.testing.assert_allclose(g, [1, 2, 3, 4, 5 - 15], atol=1e-12)
    g = ev(theon.grad(T.log(nnet.sigmoid(x)).sum(), x), {x: np.array([-30.0, 30.0])})
    np.testing.assert_allclose(g, [1.0, 0.0], atol=1e-12)


def test_integer_input_gets_zeros():
    i = T.matrix("i", dtype="int64")
    g = ev(theon.grad(nnet.softmax(i).sum(), i), {i: np.array([[1, 2], [3, 4]])})
    assert not g.any()


@pytest.mark.parametrize("make", [
    lambda v: nnet.sigmoid(v), lambda v: nnet.softplus(v),
    lambda v: nnet.softmax(v, axis=0), lambda v: nnet.softmax(v, axis=None),
    lambda v: nnet.log_softmax(v, axis=1), lambda v: nnet.log_softmax(v, axis=None),
])
def test_second_order(make):
    verify_grad(lambda v, c: theon.grad((make(v) * c).sum(), v), [rnd((3, 4)), rnd((3, 4))])


def logistic_loss(X, y, w):
    mu = nnet.sigmoid(X.dot(w))
    return -(y * T.log(mu) + (1 - y) * T.log(1 - mu)).sum(), mu


def test_logistic_regression_gradient_and_hessian():
    X, y, w = T.matrix("X"), T.vector("y"), T.vector("w")
    E, mu = logistic_loss(X, y, w)
    gw = theon.grad(E, w)
    closed = (mu - y).dot(X)
    H = hessian(E, w)
    Xv, yv, wv = rnd((7, 3)), np.array([1.0, 0, 0, 1, 1, 0, 1]), rnd((3,))
    rg, rc, rh = ev([gw, closed, H], {X: Xv, y: yv, w: wv})
    np.testing.assert_allclose(rg, rc, rtol=1e-12)
    m = 1 / (1 + np.exp(-Xv @ wv))
    np.testing.assert_allclose(rg, (m - yv) @ Xv, rtol=1e-12)
    np.testing.assert_allclose(rh, Xv.T @ np.diag(m * (1 - m)) @ Xv, rtol=1e-12)
    verify_grad(lambda Xs, ws: logistic_loss(Xs, yv, ws)[0], [Xv, wv])
