"""Operators and methods of variables, checked against NumPy on the same values."""

import numpy as np
import pytest

import theon
import theon.tensor as T

rng = np.random.default_rng(42)
A = rng.standard_normal((3, 4)) + 3
B = rng.standard_normal((3, 4)) + 3


@pytest.mark.parametrize("expr,ref", [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a / b, lambda a, b: a / b),
    (lambda a, b: a // b, lambda a, b: a // b),
    (lambda a, b: a % b, lambda a, b: a % b),
    (lambda a, b: a ** 2, lambda a, b: a ** 2),
    (lambda a, b: 2 ** a, lambda a, b: 2 ** a),
    (lambda a, b: 1 - a, lambda a, b: 1 - a),
    (lambda a, b: -a, lambda a, b: -a),
    (lambda a, b: abs(a - b), lambda a, b: abs(a - b)),
    (lambda a, b: a @ b.T, lambda a, b: a @ b.T),
    (lambda a, b: a < b, lambda a, b: a < b),
    (lambda a, b: a >= b, lambda a, b: a >= b),
    (lambda a, b: a[1:, ::2], lambda a, b: a[1:, ::2]),
    (lambda a, b: a[None, -1], lambda a, b: a[None, -1]),
    (lambda a, b: a.T, lambda a, b: a.T),
    (lambda a, b: a.sum(), lambda a, b: a.sum()),
    (lambda a, b: a.mean(axis=0), lambda a, b: a.mean(axis=0)),
    (lambda a, b: a.max(axis=1, keepdims=True), lambda a, b: a.max(axis=1, keepdims=True)),
    (lambda a, b: a.reshape((2, 6)), lambda a, b: a.reshape((2, 6))),
    (lambda a, b: a.reshape((a.shape[0], -1)), lambda a, b: a.reshape((a.shape[0], -1))),
    (lambda a, b: a.dimshuffle(1, "x", 0), lambda a, b: a.T[:, None, :]),
    (lambda a, b: a.astype("int32"), lambda a, b: a.astype("int32")),
    (lambda a, b: a.dot(b.T), lambda a, b: a.dot(b.T)),
    (lambda a, b: a.flatten(), lambda a, b: a.flatten()),
    (lambda a, b: a.shape, lambda a, b: np.array(a.shape)),
    (lambda a, b: a.shape[1], lambda a, b: np.array(a.shape[1])),
    (lambda a, b: a.size, lambda a, b: np.array(a.size)),
    (lambda a, b: a.var(axis=1), lambda a, b: a.var(axis=1)),
    (lambda a, b: a.argmax(axis=1), lambda a, b: a.argmax(axis=1)),
    (lambda a, b: a.clip(2.5, 3.5), lambda a, b: a.clip(2.5, 3.5)),
])
def test_operator_matches_numpy(expr, ref):
    a, b = T.matrix("a"), T.matrix("b")
    f = theon.function([a, b], expr(a, b), on_unused_input="ignore")
    got = f(A, B)
    want = np.asarray(ref(A, B))
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_static_attributes():
    x = T.ftensor3("x")
    assert x.ndim == 3 and x.dtype == "float32"
    assert (x * 2).ndim == 3


def test_eval_for_quick_evaluation():
    x = T.vector("x")
    np.testing.assert_allclose((x * 2 + 1).eval({x: np.arange(3.0)}), [1, 3, 5])
    assert T.constant(2.0).eval() == 2.0


def test_numpy_array_on_the_left_defers_to_the_variable():
    x = T.vector("x")
    a = np.array([1.0, 2.0])
    out = a * x
    assert isinstance(out, T.TensorVariable)
    np.testing.assert_array_equal(theon.function([x], out)(np.array([3.0, 4.0])), [3.0, 8.0])
