"""Theano's tutorial, written in Theano's style and run through `import theano` unchanged:
baby steps, more examples (logistic function, several outputs, default values, shared
variables, updates, givens, copying functions), derivatives, conditions, loops, random numbers,
debugging, and loading and saving."""

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


# ---- Conditions ----------------------------------------------------------------------------

def test_conditions_switch_and_lazy_ifelse():
    from theano.ifelse import ifelse

    a, b = T.scalars("a", "b")
    x, y = T.matrices("x", "y")
    z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
    z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))
    f_switch = theano.function([a, b, x, y], z_switch, mode=theano.Mode(linker="vm"))
    f_lazyifelse = theano.function([a, b, x, y], z_lazy, mode=theano.Mode(linker="vm"))
    val1, val2 = 0.0, 1.0
    big_mat1 = np.ones((100, 10), dtype=theano.config.floatX)
    big_mat2 = np.ones((100, 10), dtype=theano.config.floatX) * 3
    assert f_switch(val1, val2, big_mat1, big_mat2) == pytest.approx(1.0)
    assert f_lazyifelse(val1, val2, big_mat1, big_mat2) == pytest.approx(1.0)
    assert f_lazyifelse(val2, val1, big_mat1, big_mat2) == pytest.approx(3.0)


# ---- Loops ---------------------------------------------------------------------------------

def test_loops_scan_computes_a_power_elementwise():
    k = T.iscalar("k")
    A = T.vector("A")
    result, updates = theano.scan(fn=lambda prior_result, A: prior_result * A,
                                  outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    final_result = result[-1]
    power = theano.function(inputs=[A, k], outputs=final_result, updates=updates)
    np.testing.assert_allclose(power(range(10), 2), np.arange(10.0) ** 2)


def test_loops_scan_over_a_sequence_computes_a_polynomial():
    coefficients = theano.tensor.vector("coefficients")
    x = T.scalar("x")
    max_coefficients_supported = 10000
    components, updates = theano.scan(
        fn=lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
        outputs_info=None,
        sequences=[coefficients, theano.tensor.arange(max_coefficients_supported)],
        non_sequences=x)
    polynomial = components.sum()
    calculate_polynomial = theano.function(inputs=[coefficients, x], outputs=polynomial)
    test_coefficients = np.asarray([1, 0, 2], dtype=np.float32)
    assert calculate_polynomial(test_coefficients, 3) == pytest.approx(19.0)


# ---- Random numbers ------------------------------------------------------------------------

def test_random_streams_as_the_tutorial_uses_them():
    from theano.tensor.shared_randomstreams import RandomStreams

    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
    f_val0, f_val1 = f(), f()
    assert not np.array_equal(f_val0, f_val1)
    assert ((0 <= f_val0) & (f_val0 < 1)).all()
    np.testing.assert_array_equal(g(), g())
    np.testing.assert_allclose(nearly_zeros(), np.zeros((2, 2)), atol=1e-12)
    srng.seed(902340)
    first = f()
    srng.seed(902340)
    np.testing.assert_array_equal(f(), first)


# ---- Debugging -----------------------------------------------------------------------------

def test_debugging_print_debugprint_and_nanguard(capsys):
    from theano.compile.nanguardmode import NanGuardMode

    x = T.dvector("x")
    x_printed = theano.printing.Print("this is a very important value")(x)
    f = function([x], x * 5)
    f_with_print = function([x], x_printed * 5)
    np.testing.assert_array_equal(f_with_print([1, 2, 3]), f([1, 2, 3]))
    assert "this is a very important value" in capsys.readouterr().out
    assert "Elemwise" in theano.printing.debugprint(f, file="str") or \
        "mul" in theano.printing.debugprint(f, file="str")
    m = T.matrix()
    w = theano.shared(np.ones((5, 7)))
    fun = theano.function([m], T.dot(m, w),
                          mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                            big_is_error=True))
    infa = np.tile(np.asarray(np.inf), (3, 5))
    with pytest.raises(ValueError, match="Inf|inf"):
        fun(infa)


# ---- Loading and saving --------------------------------------------------------------------

def test_loading_and_saving_with_pickle_and_get_value(tmp_path):
    import pickle

    x = T.dvector("x")
    w = theano.shared(np.arange(3.0), name="w")
    obj = theano.function([x], T.dot(x, w), updates=[(w, w * 2)])
    path = tmp_path / "obj.save"
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "rb") as f:
        loaded_obj = pickle.load(f)
    assert loaded_obj([1.0, 1.0, 1.0]) == pytest.approx(3.0)
    assert loaded_obj([1.0, 1.0, 1.0]) == pytest.approx(6.0)
    with open(path, "wb") as f:
        for o in [obj, w, x]:
            pickle.dump(o, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "rb") as f:
        loaded = [pickle.load(f) for _ in range(3)]
    assert loaded[2].name == "x" and loaded[1].get_value().tolist() == [0.0, 1.0, 2.0]
    # Long-term storage as the tutorial advises: the values alone.
    np.save(tmp_path / "w.npy", w.get_value(borrow=True))
    w.set_value(np.load(tmp_path / "w.npy"))
    assert obj([1.0, 0.0, 0.0]) == pytest.approx(0.0)
