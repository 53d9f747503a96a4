"""theon.grad and theon.gradient: the driver's options, modifiers, R/L-operators, jacobian,
hessian and verify_grad itself (the per-op gradients are tested beside each op family)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import (GradientError, Lop, Rop, disconnected_grad, grad_clip, grad_scale,
                            hessian, jacobian, verify_grad, zero_grad)


def ev(out, inputs):
    keys = list(inputs)
    return theon.function(keys, out, on_unused_input="ignore")(*[inputs[k] for k in keys])


def test_grad_through_several_paths_and_a_list_of_wrt():
    x, y = T.scalars("x", "y")
    f = T.exp(x) * x + T.log(y) * x
    gx, gy = theon.grad(f, [x, y])
    vals = {x: 0.7, y: 2.5}
    np.testing.assert_allclose(ev(gx, vals), np.exp(0.7) * 1.7 + np.log(2.5))
    np.testing.assert_allclose(ev(gy, vals), 0.7 / 2.5)
    assert not isinstance(theon.grad(f, x), list)


def test_gradient_is_a_graph_that_can_be_differentiated_again():
    x = T.scalar("x")
    g = theon.grad(T.exp(x * x), x)
    h = theon.grad(g, x)
    np.testing.assert_allclose(ev(h, {x: 0.3}), np.exp(0.09) * (2 + 4 * 0.09))


def test_disconnected_inputs_raise_warn_ignore():
    x, y = T.scalars("x", "y")
    with pytest.raises(ValueError, match="does not depend on y"):
        theon.grad(T.exp(x), y)
    with pytest.warns(UserWarning, match="does not depend"):
        g = theon.grad(T.exp(x), y, disconnected_inputs="warn")
    assert ev(g, {y: 1.0}) == 0.0
    assert theon.grad(T.exp(x), y, disconnected_inputs="ignore",
                      return_disconnected="none") is None
    with pytest.raises(ValueError, match="disconnected_inputs"):
        theon.grad(T.exp(x), x, disconnected_inputs="sometimes")


def test_cost_must_be_a_scalar():
    v = T.vector("v")
    with pytest.raises(TypeError, match="scalar"):
        theon.grad(T.exp(v), v)


def test_known_grads_and_consider_constant():
    x = T.scalar("x")
    e = T.exp(x)
    g = theon.grad(None, x, known_grads={e: T.constant(2.0)})
    np.testing.assert_allclose(ev(g, {x: 0.0}), 2.0)
    g = theon.grad(e * x, x, consider_constant=[e])
    np.testing.assert_allclose(ev(g, {x: 1.0}), np.e)


def test_gradient_modifiers():
    x = T.scalar("x")
    e = T.exp(x)
    np.testing.assert_allclose(ev(theon.grad(zero_grad(e) * x, x), {x: 1.0}), np.e)
    np.testing.assert_allclose(ev(theon.grad(grad_scale(e, 3), x), {x: 0.0}), 3.0)
    np.testing.assert_allclose(ev(theon.grad(grad_clip(e, -0.5, 0.5) * 10, x), {x: 0.0}), 0.5)
    g = theon.grad(disconnected_grad(e) + x, x)
    np.testing.assert_allclose(ev(g, {x: 1.0}), 1.0)
    np.testing.assert_allclose(ev(zero_grad(e), {x: 0.0}), 1.0)


def test_rop_and_lop_on_scalars():
    x, v = T.scalars("x", "v")
    f = T.exp(x) * x
    np.testing.assert_allclose(ev(Rop(f, x, v), {x: 0.4, v: 2.0}), 2 * np.exp(0.4) * 1.4)
    np.testing.assert_allclose(ev(Lop(f, x, v), {x: 0.4, v: 2.0}), 2 * np.exp(0.4) * 1.4)


def test_op_without_gradient_is_named():
    from theon.tensor._build import build_elemwise

    x = T.scalar("x")
    with pytest.raises(NotImplementedError, match="trigamma"):
        theon.grad(build_elemwise("trigamma", x) * x, x)


def test_verify_grad_accepts_a_correct_gradient():
    verify_grad(lambda a, b: a * T.exp(b), [np.array(0.3), np.array(-0.2)],
                rng=np.random.default_rng(0))


def test_verify_grad_catches_a_wrong_gradient():
    # zero_grad hides the true gradient of exp: the symbolic gradient is then wrong.
    with pytest.raises(GradientError, match="input 0"):
        verify_grad(lambda a: zero_grad(T.exp(a)) * a, [np.array(0.5)])


def test_integer_wrt_gets_zeros():
    x = T.scalar("x")
    n = T.lscalar("n")
    assert ev(theon.grad(x * n, n), {x: 2.0, n: 3}) == 0.0


def test_jacobian_and_hessian_match_closed_forms():
    x = T.vector("x")
    J = jacobian(x ** 2 * T.sum(x), x)
    H = hessian(T.sum(x ** 3), x)
    v = np.array([1.0, 2.0, 3.0])
    j, h = theon.function([x], [J, H])(v)
    np.testing.assert_allclose(j, np.diag(2 * v * v.sum()) + np.outer(v ** 2, np.ones(3)))
    np.testing.assert_allclose(h, np.diag(6 * v))
    M = T.matrix("M")
    JM = jacobian(T.exp(M), M)  # shape M.shape + M.shape
    m = np.arange(6.0).reshape(2, 3) / 10
    jm = theon.function([M], JM)(m)
    assert jm.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(jm.reshape(6, 6), np.diag(np.exp(m).ravel()))


def test_rop_on_vectors_equals_jacobian_times_vector():
    x, v = T.vectors("x", "v")
    W = theon.shared(np.arange(6.0).reshape(2, 3) / 7, "W")
    y = T.tanh(W.dot(x))
    r = theon.function([x, v], Rop(y, x, v))
    xv, vv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 0.5, -1.0])
    Wv = W.get_value()
    expected = (1 - np.tanh(Wv @ xv) ** 2) * (Wv @ vv)
    np.testing.assert_allclose(r(xv, vv), expected)


def test_logistic_regression_gradient_is_the_closed_form():
    from theon.tensor.nnet import sigmoid

    X, y, w = T.matrix("X"), T.vector("y"), T.vector("w")
    mu = sigmoid(X.dot(w))
    E = -(y * T.log(mu) + (1 - y) * T.log(1 - mu)).sum()
    f = theon.function([X, w, y], [theon.grad(E, w), (y - mu).dot(X)])
    rng = np.random.default_rng(0)
    g, closed = f(rng.standard_normal((50, 4)), rng.standard_normal(4),
                  (rng.random(50) > 0.5).astype(float))
    np.testing.assert_allclose(g, -closed, rtol=1e-10)
