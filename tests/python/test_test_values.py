"""config.compute_test_value: values computed while the graph is built, errors at the user's
line; and Variable.eval."""

import inspect
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T


def _line():
    return inspect.currentframe().f_back.f_lineno


def test_flag_defaults_off_and_rejects_bad_values():
    assert theon.config.compute_test_value == "off"
    with pytest.raises(ValueError, match="compute_test_value"):
        theon.config.compute_test_value = "sometimes"


def test_shape_error_raised_at_the_building_line_before_compiling():
    x, y = T.matrix("x"), T.matrix("y")
    x.tag.test_value = np.ones((2, 3))
    y.tag.test_value = np.ones((4, 5))
    with theon.config.change_flags(compute_test_value="raise"):
        with pytest.raises(ValueError) as info:
            line = _line() + 1
            x + y  # noqa: B018
    msg = str(info.value)
    assert f"{__file__}:{line}" in msg
    assert "(2, 3)" in msg and "(4, 5)" in msg
    # The traceback passes through this test's line.
    assert any(e.lineno + 1 == line and str(e.path) == __file__ for e in info.traceback)
    # With the flag off the same graph builds (and fails only when run).
    z = x + y
    f = theon.function([x, y], z)
    with pytest.raises(ValueError):
        f(np.ones((2, 3)), np.ones((4, 5)))


def test_values_are_attached_and_match_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    x, v = T.matrix("x"), T.vector("v")
    x.tag.test_value = a
    v.tag.test_value = b
    w = theon.shared(rng.standard_normal(4), name="w")
    with theon.config.change_flags(compute_test_value="raise"):
        h = T.exp(x * v + 1.5)      # elementwise with a weak scalar
        s = h.sum(axis=0)           # a builder
        m = (s * w).mean()          # shared variable has an implicit test value
        d = x.dot(v)
    np.testing.assert_allclose(h.tag.test_value, np.exp(a * b + 1.5), rtol=1e-12)
    np.testing.assert_allclose(s.tag.test_value, np.exp(a * b + 1.5).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.tag.test_value,
                               (np.exp(a * b + 1.5).sum(axis=0) * w.get_value()).mean(),
                               rtol=1e-12)
    np.testing.assert_allclose(d.tag.test_value, a @ b, rtol=1e-12)
    assert h.tag.test_value.dtype == np.float64
    # Off: nothing is computed.
    e = x * 2
    assert not hasattr(e.tag, "test_value")


def test_float32_test_values_keep_the_dtype():
    x = T.vector("x", dtype="float32")
    x.tag.test_value = np.arange(3, dtype=np.float32)
    with theon.config.change_flags(compute_test_value="raise"):
        y = x * 2 + 1
    assert y.tag.test_value.dtype == np.float32
    np.testing.assert_allclose(y.tag.test_value, [1, 3, 5])


def test_missing_test_value_raise_warn_ignore():
    x, y = T.vector("x"), T.vector("y")
    x.tag.test_value = np.ones(2)
    with theon.config.change_flags(compute_test_value="raise"):
        with pytest.raises(ValueError, match="no test value"):
            x + y  # noqa: B018
    with theon.config.change_flags(compute_test_value="warn"):
        with pytest.warns(UserWarning, match="no test value") as rec:
            z = x + y
    assert rec[0].filename == __file__
    assert not hasattr(z.tag, "test_value")
    with theon.config.change_flags(compute_test_value="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            z = x + y
    assert not hasattr(z.tag, "test_value")


def test_test_value_of_wrong_ndim_is_rejected():
    x = T.matrix("x")
    x.tag.test_value = np.ones(3)
    with theon.config.change_flags(compute_test_value="raise"):
        with pytest.raises(TypeError, match="expected 2 dimensions"):
            x * 2  # noqa: B018


def test_runtime_index_error_is_raised_at_build():
    x = T.vector("x")
    x.tag.test_value = np.arange(3.0)
    with theon.config.change_flags(compute_test_value="raise"):
        with pytest.raises(IndexError):
            x[5]  # noqa: B018


def test_eval_with_and_without_inputs():
    x, y = T.vector("x"), T.vector("y")
    a, b = np.array([1.0, 2.0]), np.array([3.0, -4.0])
    np.testing.assert_allclose((x * y + 1).eval({x: a, y: b}), a * b + 1)
    np.testing.assert_allclose((x.sum() * 2).eval({x: a}), 6.0)
    w = theon.shared(np.array([1.0, 5.0]))
    np.testing.assert_allclose((w * 3).eval(), [3.0, 15.0])
    np.testing.assert_allclose(T.constant(np.arange(3)).eval(), [0, 1, 2])
    with pytest.raises(Exception):
        (x * y).eval({x: a})
