"""function(): inputs, outputs, updates, givens, defaults, keyword arguments, aliasing, errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import In, Out


def test_issue_example_shared_weights():
    x = T.fvector("x")
    W = theon.shared(np.asarray([0.2, 0.7]), "W")
    f = theon.function([x], (x * W).sum())
    out = f([1.0, 1.0])
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float64
    np.testing.assert_allclose(out, 0.9)


def test_logistic_regression_error_matches_numpy():
    from theon.tensor.nnet import sigmoid

    X = T.matrix("X")
    y = T.vector("y")
    w = T.vector("w")
    mu = sigmoid(X.dot(w))
    E = -(y * T.log(mu) + (1 - y) * T.log(1 - mu)).sum()
    Efun = theon.function([X, w, y], E, allow_input_downcast=True)
    rng = np.random.default_rng(0)
    Xv, wv, yv = rng.standard_normal((1000, 100)), rng.standard_normal(100), rng.random(1000) > .5
    m = 1 / (1 + np.exp(-Xv @ wv))
    expected = -(yv * np.log(m) + (1 - yv) * np.log(1 - m)).sum()
    # FAST_RUN evaluates log(sigmoid(z)) as -softplus(-z), more accurately than the naive
    # formula NumPy computes here: they agree to about 1e-9 relative.
    np.testing.assert_allclose(Efun(Xv, wv, yv), expected, rtol=1e-8)


def test_single_output_and_list_of_outputs():
    x = T.vector("x")
    f1 = theon.function([x], x + 1)
    f2 = theon.function([x], [x + 1, x * 2])
    a = np.arange(3.0)
    np.testing.assert_array_equal(f1(a), a + 1)
    r = f2(a)
    assert isinstance(r, list) and len(r) == 2
    np.testing.assert_array_equal(r[1], a * 2)


def test_updates_use_values_from_before_the_call():
    a = theon.shared(np.float64(1.0), "a")
    b = theon.shared(np.float64(10.0), "b")
    x = T.scalar("x")
    f = theon.function([x], a + b + x, updates=[(a, a + b), (b, a * 2)])
    assert f(0.0) == 11.0
    assert a.get_value() == 11.0 and b.get_value() == 2.0
    assert f(1.0) == 14.0
    assert a.get_value() == 13.0 and b.get_value() == 22.0


def test_updates_dict_and_no_inputs():
    c = theon.shared(np.int64(0), "count")
    inc = theon.function([], c, updates={c: c + 1})
    assert [int(inc()) for _ in range(3)] == [0, 1, 2]
    assert c.get_value() == 3


def test_failed_call_changes_no_shared_variable():
    W = theon.shared(np.ones(3), "W")
    x = T.vector("x")
    f = theon.function([x], (W + x), updates=[(W, W + x)])
    with pytest.raises(ValueError, match="Elemwise"):
        f(np.ones(4))
    np.testing.assert_array_equal(W.get_value(), np.ones(3))
    f(np.ones(3))
    np.testing.assert_array_equal(W.get_value(), 2 * np.ones(3))


def test_replaced_shared_values_are_reused_only_when_nothing_else_holds_them():
    # A call's update is written into the buffer of the value an earlier call replaced, when
    # only the function held that value: an array borrowed from the shared variable, or
    # returned by it, keeps its contents through later calls.
    W = theon.shared(np.arange(6.0).reshape(2, 3), "W")
    x = T.matrix("x")
    f = theon.function([x], W.sum(), updates=[(W, W * 2 + x)])
    expected = np.arange(6.0).reshape(2, 3)
    ones = np.ones((2, 3))
    held = []
    for step in range(8):
        assert f(ones) == expected.sum()
        expected = expected * 2 + ones
        np.testing.assert_array_equal(W.get_value(), expected)
        if step % 3 == 0:
            held.append((W.get_value(borrow=True), expected.copy()))
    for array, value in held:
        np.testing.assert_array_equal(array, value)
    g = theon.function([], W, updates=[(W, W + 1)])
    returned = [(g(), W.get_value() - 1) for _ in range(4)]
    for array, value in returned:
        np.testing.assert_array_equal(array, value)


def test_update_of_wrong_type_is_a_type_error():
    W = theon.shared(np.ones(3), "W")
    with pytest.raises(TypeError, match="W"):
        theon.function([], [], updates=[(W, T.cast(W, "float32"))])
    with pytest.raises(TypeError, match="shared variable"):
        theon.function([], [], updates=[(T.vector("v"), W)])


def test_in_defaults_and_keyword_arguments():
    x = T.scalar("x")
    y = T.scalar("y")
    f = theon.function([x, In(y, value=10.0)], x - y)
    assert f(1.0) == -9.0
    assert f(1.0, 2.0) == -1.0
    assert f(x=1.0, y=3.0) == -2.0
    assert f(5.0, y=1.0) == 4.0
    with pytest.raises(TypeError, match="unexpected keyword"):
        f(1.0, z=2.0)
    with pytest.raises(TypeError, match="multiple values"):
        f(1.0, x=2.0)
    with pytest.raises(TypeError, match="missing argument"):
        f()
    with pytest.raises(TypeError, match="takes 2 arguments"):
        f(1.0, 2.0, 3.0)


def test_in_name_overrides_variable_name():
    x = T.vector("x")
    f = theon.function([In(x, name="data")], x * 2)
    np.testing.assert_array_equal(f(data=np.ones(2)), [2.0, 2.0])


def test_givens_replace_a_variable():
    x = T.vector("x")
    W = theon.shared(np.array([1.0, 2.0]), "W")
    y = T.vector("y")
    f = theon.function([y], (x * 3), givens={x: y + W})
    np.testing.assert_array_equal(f(np.zeros(2)), [3.0, 6.0])


def test_outputs_do_not_alias_inputs_or_shared_values():
    x = T.vector("x")
    W = theon.shared(np.arange(3.0), "W")
    f = theon.function([x], [x, W, x])
    a = np.ones(3)
    r = f(a)
    assert not np.shares_memory(r[0], a)
    assert not np.shares_memory(r[2], r[0])
    r[1][:] = 100
    np.testing.assert_array_equal(W.get_value(), np.arange(3.0))


def test_borrowed_output_may_alias():
    x = T.vector("x")
    f = theon.function([x], Out(x, borrow=True))
    a = np.ones(3)
    assert np.shares_memory(f(a), a)


def test_inputs_are_read_in_place_including_strided_views():
    x = T.matrix("x")
    f = theon.function([x], x * 1.0)
    a = np.arange(24.0).reshape(4, 6)[::2, ::3]
    np.testing.assert_array_equal(f(a), a)


def test_shared_get_set_value_and_borrow():
    v = np.arange(4.0)
    s = theon.shared(v, "s")
    v[0] = 100
    assert s.get_value()[0] == 0  # copied at creation
    sb = theon.shared(v, "sb", borrow=True)
    assert np.shares_memory(sb.get_value(borrow=True), v)
    got = s.get_value()
    got[1] = -1
    assert s.get_value()[1] == 1  # get_value copies
    s.set_value(np.ones(4))
    np.testing.assert_array_equal(s.get_value(), np.ones(4))
    with pytest.raises(TypeError, match="dtype"):
        s.set_value(np.ones(4, dtype=np.complex128))
    with pytest.raises(ValueError, match="dimensions"):
        s.set_value(np.ones((2, 2)))
    with pytest.raises(TypeError, match="float32"):
        theon.shared(np.ones(2, dtype=np.float32)).set_value(np.ones(2))


def test_wrong_ndim_and_lossy_dtype_are_type_errors():
    x = T.fvector("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError, match="expected 1 dimensions, got 2"):
        f(np.ones((2, 2), dtype=np.float32))
    with pytest.raises(TypeError, match="loss of precision"):
        f(np.ones(2))
    g = theon.function([x], x * 2, allow_input_downcast=True)
    assert g(np.ones(2)).dtype == np.float32
    # A Python list that converts without loss is accepted.
    np.testing.assert_array_equal(f([1.0, 2.0]), [2.0, 4.0])
    # Safe casts (int8 -> float32) are always allowed.
    np.testing.assert_array_equal(f(np.ones(2, dtype=np.int8)), [2.0, 2.0])


def test_unused_input_policy():
    x = T.vector("x")
    y = T.vector("y")
    with pytest.raises(ValueError, match="not used"):
        theon.function([x, y], x * 2)
    f = theon.function([x, y], x * 2, on_unused_input="ignore")
    np.testing.assert_array_equal(f(np.ones(1), np.ones(5)), [2.0])
    with pytest.warns(UserWarning, match="not used"):
        theon.function([x, y], x * 2, on_unused_input="warn")


def test_missing_input_is_reported():
    x = T.vector("x")
    y = T.vector("y")
    with pytest.raises(ValueError, match="needs input 'y'"):
        theon.function([x], x + y)


def test_runtime_error_names_op_shapes_and_user_line():
    a = T.vector("a")
    b = T.vector("b")
    c = a + b  # the line the error must point at
    f = theon.function([a, b], c)
    with pytest.raises(ValueError) as info:
        f(np.ones(3), np.ones(4))
    msg = str(info.value)
    assert "Elemwise{add}" in msg
    assert "(3,), (4,)" in msg
    assert "test_function.py:" in msg


def test_build_time_broadcast_error_names_user_line():
    a = T.tensor("float64", shape=(3,))
    b = T.tensor("float64", shape=(4,))
    with pytest.raises(ValueError, match=r"(?s)Elemwise\{add\}.*test_function.py:\d+"):
        a + b


def test_function_is_reusable_and_does_not_keep_stale_results():
    x = T.vector("x")
    f = theon.function([x], T.exp(x) * 2)
    r1 = f(np.zeros(3))
    r2 = f(np.ones(3))
    np.testing.assert_array_equal(r1, 2 * np.ones(3))
    np.testing.assert_allclose(r2, 2 * np.e * np.ones(3))
