"""Theano 1.0 functions the compatibility package composes from Theon's ops, against NumPy."""

import numpy as np
import pytest

import theon.theano_alias

theon.theano_alias.enable()

import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
from theano.tensor import extra_ops, nlinalg, nnet, xlogx  # noqa: E402


def _run(outputs, inputs=(), values=()):
    return theano.function(list(inputs), outputs)(*values)


def test_reductions_and_comparisons():
    x = T.dmatrix("x")
    a = np.array([[1.0, 5.0, 2.0], [7.0, -1.0, 3.0]])
    mx, am = _run(list(T.max_and_argmax(x, axis=1)), [x], [a])
    np.testing.assert_array_equal(mx, a.max(1))
    np.testing.assert_array_equal(am, a.argmax(1))
    np.testing.assert_array_equal(_run(T.ptp(x, axis=0), [x], [a]), np.ptp(a, axis=0))
    np.testing.assert_array_equal(_run(T.largest(x, 2.0, x * 0.5), [x], [a]),
                                  np.maximum(np.maximum(a, 2.0), a * 0.5))
    np.testing.assert_array_equal(_run(T.smallest(x, 2.0), [x], [a]), np.minimum(a, 2.0))
    b = np.array([1.0, np.inf, np.nan, 1e-9])
    c = np.array([1.0 + 1e-7, np.inf, np.nan, 0.0])
    u, v = T.dvectors("u", "v")
    np.testing.assert_array_equal(_run(T.isclose(u, v), [u, v], [b, c]), np.isclose(b, c))
    np.testing.assert_array_equal(_run(T.isclose(u, v, equal_nan=True), [u, v], [b, c]),
                                  np.isclose(b, c, equal_nan=True))
    assert bool(_run(T.allclose(u, u * (1 + 1e-9)), [u], [np.array([1.0, 2.0])]))


def test_integer_helpers_and_stacking():
    i, j = T.lvectors("i", "j")
    a, b = np.array([7, -7, 6]), np.array([2, 2, 3])
    np.testing.assert_array_equal(_run(T.ceil_intdiv(i, j), [i, j], [a, b]), -(-a // b))
    q, r = _run(list(T.divmod(i, j)), [i, j], [a, b])
    np.testing.assert_array_equal(q, a // b)
    np.testing.assert_array_equal(r, a % b)
    x, y = T.dmatrices("x", "y")
    m, n = np.ones((2, 3)), np.zeros((2, 1))
    np.testing.assert_array_equal(_run(T.horizontal_stack(x, y), [x, y], [m, n]), np.hstack([m, n]))
    np.testing.assert_array_equal(_run(T.vertical_stack(x, x), [x], [m]), np.vstack([m, m]))
    s, t = T.dscalars("s", "t")
    np.testing.assert_array_equal(_run(T.stacklists([[s, t], [t, s]]), [s, t], [1.0, 2.0]),
                                  [[1.0, 2.0], [2.0, 1.0]])


def test_triangles():
    x = T.dmatrix("x")
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(_run(T.tri(3, 4, 1)), np.tri(3, 4, 1))
    np.testing.assert_array_equal(_run(T.tril(x), [x], [a]), np.tril(a))
    np.testing.assert_array_equal(_run(T.triu(x, 1), [x], [a]), np.triu(a, 1))
    np.testing.assert_array_equal(_run(T.tril(x, -1), [x], [a]), np.tril(a, -1))


def test_advanced_subtensor1_family():
    x = T.dmatrix("x")
    idx = T.lvector("idx")
    a = np.arange(6.0).reshape(3, 2)
    k = np.array([0, 2, 0])
    np.testing.assert_array_equal(_run(T.advanced_subtensor1(x, idx), [x, idx], [a, k]), a[k])
    expected = a.copy()
    np.add.at(expected, k, 1.0)
    np.testing.assert_array_equal(_run(T.advanced_inc_subtensor1(x, 1.0, idx), [x, idx], [a, k]),
                                  expected)
    expected = a.copy()
    expected[k] = -1.0
    np.testing.assert_array_equal(_run(T.advanced_set_subtensor1(x, -1.0, idx), [x, idx], [a, k]),
                                  expected)


def test_constant_values():
    c = T.constant(3.0) * 2 + 1
    assert T.get_scalar_constant_value(c) == 7.0
    assert T.get_scalar_constant_value(T.constant(np.array([4]))) == 4
    with pytest.raises(T.NotScalarConstantError, match="not constants"):
        T.get_scalar_constant_value(T.dscalar("x") + 1)
    with pytest.raises(T.NotScalarConstantError, match="dimensions"):
        T.get_scalar_constant_value(T.dvector("v"))
    x = T.dscalar("x")
    assert T.extract_constant(x) is x
    assert T.extract_constant(T.constant(2) + 1).data == 3
    assert T.get_vector_length(T.dmatrix().shape) == 2
    with pytest.raises(ValueError, match="not known"):
        T.get_vector_length(T.dvector())


def test_nnet_activations_and_losses():
    x = T.dvector("x")
    a = np.array([-2.0, -0.5, 0.0, 1.5])
    np.testing.assert_allclose(_run(nnet.elu(x), [x], [a]), np.where(a > 0, a, np.expm1(a)))
    np.testing.assert_allclose(_run(nnet.softsign(x), [x], [a]), a / (1 + np.abs(a)))
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(_run(nnet.selu(x), [x], [a]),
                               lam * np.where(a > 0, a, alpha * np.expm1(a)))
    p, t = T.dvectors("p", "t")
    pv, tv = np.array([0.2, 0.9]), np.array([0.0, 1.0])
    np.testing.assert_allclose(_run(nnet.binary_crossentropy(p, t), [p, t], [pv, tv]),
                               -(tv * np.log(pv) + (1 - tv) * np.log(1 - pv)))
    s = 1 / (1 + np.exp(-a[:2]))
    np.testing.assert_allclose(
        _run(nnet.sigmoid_binary_crossentropy(p, t), [p, t], [a[:2], tv]),
        -(tv * np.log(s) + (1 - tv) * np.log(1 - s)))


def test_extra_ops_xlogx_and_matrix_dot():
    y = T.lvector("y")
    np.testing.assert_array_equal(_run(extra_ops.to_one_hot(y, 3), [y], [np.array([2, 0])]),
                                  [[0, 0, 1], [1, 0, 0]])
    x = T.dmatrix("x")
    a = np.array([[1.0, 4.0, 9.0], [0.0, 2.0, 8.0]])
    np.testing.assert_array_equal(_run(extra_ops.diff(x), [x], [a]), np.diff(a))
    np.testing.assert_array_equal(_run(extra_ops.diff(x, n=2, axis=1), [x], [a]),
                                  np.diff(a, 2, 1))
    v = T.dvector("v")
    b = np.array([0.0, 0.5, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(b == 0, 0.0, b * np.log(b))
    np.testing.assert_allclose(_run(xlogx.xlogx(v), [v], [b]), expected)
    m = np.arange(4.0).reshape(2, 2)
    np.testing.assert_array_equal(_run(nlinalg.matrix_dot(x, x, x), [x], [m]), m @ m @ m)
