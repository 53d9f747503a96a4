"""Theano's tutorial, written in Theano's style and run through `import theano` unchanged:
baby steps, more examples (logistic function, several outputs, default values, shared
variables, updates, givens, copying functions) and derivatives."""

import numpy as np
import pytest

import theon.theano_alias

theon.theano_alias.enable()

import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
from theano import In, function, pp, shared  # noqa: E402


def test_baby_steps_adding_two_scalars():
    x = T.dscalar("x")
    y = T.dscalar("y")
    z = x + y
    f = function([x, y], z)
    assert f(2, 3) == pytest.approx(5.0)
    assert np.allclose(f(16.3, 12.1), 28.4)
    assert type(x) is type(z)
    assert pp(z) == "(x + y)"
    assert np.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)


def test_baby_steps_adding_two_matrices():
    x = T.dmatrix("x")
    y = T.dmatrix("y")
    z = x + y
    f = function([x, y], z)
    np.testing.assert_array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]),
                                  [[11.0, 22.0], [33.0, 44.0]])
    np.testing.assert_array_equal(f(np.array([[1, 2], [3, 4]]),
                                    np.array([[10, 20], [30, 40]])),
                                  [[11.0, 22.0], [33.0, 44.0]])


def test_exercise_vectors():
    a = T.vector()
    b = T.vector()
    out = a ** 2 + b ** 2 + 2 * a * b
    f = function([a, b], out)
    np.testing.assert_allclose(f([1, 2], [4, 5]), [25.0, 49.0])


def test_logistic_function():
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = function([x], s)
    m = [[0, 1], [-1, -2]]
    expected = 1 / (1 + np.exp(-np.array(m, dtype=float)))
    np.testing.assert_allclose(logistic(m), expected)
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic2 = function([x], s2)
    np.testing.assert_allclose(logistic2(m), expected)


def test_several_outputs():
    a, b = T.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff ** 2
    f = function([a, b], [diff, abs_diff, diff_squared])
    d, ad, ds = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(d, [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(ad, [[1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(ds, [[1.0, 0.0], [1.0, 4.0]])


def test_default_values():
    x, y = T.dscalars("x", "y")
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert f(33) == pytest.approx(34.0)
    assert f(33, 2) == pytest.approx(35.0)
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert f(33) == pytest.approx(68.0)
    assert f(33, 2) == pytest.approx(70.0)
    assert f(33, 0, 1) == pytest.approx(33.0)
    assert f(33, w_by_name=1) == pytest.approx(34.0)
    assert f(33, w_by_name=1, y=0) == pytest.approx(33.0)


def test_shared_variables_and_updates():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.get_value() == 0
    assert accumulator(1) == 0
    assert state.get_value() == 1
    assert accumulator(300) == 1
    assert state.get_value() == 301
    state.set_value(-1)
    assert accumulator(3) == -1
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert decrementor(2) == 2
    assert state.get_value() == 0


def test_givens():
    state = shared(0)
    inc = T.iscalar("inc")
    fn_of_state = state * 2 + inc
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7
    assert state.get_value() == 0


def test_copying_functions():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    accumulator(10)
    assert state.get_value() == 10
    new_state = shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    new_accumulator(100)
    assert new_state.get_value() == 100
    assert state.get_value() == 10
    null_accumulator = accumulator.copy(delete_updates=True)
    null_accumulator(9000)
    assert state.get_value() == 10


def test_computing_gradients():
    x = T.dscalar("x")
    y = x ** 2
    gy = T.grad(y, x)
    f = theano.function([x], gy)
    assert f(4) == pytest.approx(8.0)
    assert np.allclose(f(94.2), 188.4)
    x = T.dmatrix("x")
    s = T.sum(1 / (1 + T.exp(-x)))
    gs = T.grad(s, x)
    dlogistic = theano.function([x], gs)
    m = np.array([[0, 1], [-1, -2]], dtype=float)
    sig = 1 / (1 + np.exp(-m))
    np.testing.assert_allclose(dlogistic([[0, 1], [-1, -2]]), sig * (1 - sig))


def test_jacobian_and_hessian():
    x = T.dvector("x")
    y = x ** 2
    J = theano.gradient.jacobian(y, x)
    f = theano.function([x], J)
    np.testing.assert_array_equal(f([4, 4]), [[8.0, 0.0], [0.0, 8.0]])
    cost = y.sum()
    H = T.hessian(cost, x)
    f = theano.function([x], H)
    np.testing.assert_array_equal(f([4, 4]), [[2.0, 0.0], [0.0, 2.0]])


def test_r_operator_and_l_operator():
    W = T.dmatrix("W")
    V = T.dmatrix("V")
    x = T.dvector("x")
    y = T.dot(x, W)
    JV = T.Rop(y, W, V)
    # dot is linear in W, so Theon's R-operator graph does not read W (Theano's did).
    f = theano.function([W, V, x], JV, on_unused_input="ignore")
    np.testing.assert_array_equal(f([[1, 1], [1, 1]], [[2, 2], [2, 2]], [0, 1]), [2.0, 2.0])
    v = T.dvector("v")
    VJ = T.Lop(y, W, v)
    f = theano.function([v, x], VJ)
    np.testing.assert_array_equal(f([2, 2], [0, 1]), [[0.0, 0.0], [2.0, 2.0]])


def test_logistic_regression_training_loop():
    rng = np.random.RandomState(0)
    N, feats = 100, 5
    D = (rng.randn(N, feats), (rng.randint(size=N, low=0, high=2)).astype(float))
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = theano.shared(rng.randn(feats), name="w")
    b = theano.shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    train = theano.function(inputs=[x, y], outputs=[prediction, xent],
                            updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    predict = theano.function(inputs=[x], outputs=prediction)
    first = None
    for _ in range(200):
        pred, err = train(D[0], D[1])
        first = err.mean() if first is None else first
    assert err.mean() < first
    assert (predict(D[0]) == D[1]).mean() > 0.6
