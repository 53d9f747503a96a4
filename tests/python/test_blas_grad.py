"""Gradients of the products (dot, matmul, tensordot, outer, batched_dot): verify_grad against
finite differences for every rank combination, broadcasting, second order and integer inputs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import hessian, verify_grad

RNG = np.random.default_rng(7)


def rnd(shape, dtype=np.float64):
    return RNG.uniform(-1, 1, size=shape).astype(dtype)


def ev(outs, inputs):
    keys = list(inputs)
    f = theon.function(keys, outs, on_unused_input="ignore")
    return f(*[inputs[k] for k in keys])


DOT_CASES = [
    ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((1, 4), (4, 1)),
    ((3, 1), (1, 5)), ((), (3,)), ((3, 2), ()), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (4,)), ((2, 1, 4), (3, 4, 2)),
]


@pytest.mark.parametrize("sa,sb", DOT_CASES)
def test_dot(sa, sb):
    verify_grad(T.dot, [rnd(sa), rnd(sb)], rng=np.random.default_rng(0))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 2)), ((5,), (5,))])
def test_dot_float32_default_tolerances(sa, sb):
    verify_grad(T.dot, [rnd(sa, np.float32), rnd(sb, np.float32)])


def test_method_and_operator_forms():
    verify_grad(lambda a, b: a.dot(b), [rnd((2, 3)), rnd((3,))])
    verify_grad(lambda a, b: a @ b, [rnd((2, 2, 3)), rnd((3, 2))])


MATMUL_CASES = [
    ((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)), ((2, 3, 4), (1, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4,)),
    ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((1, 3, 4), (4,)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_CASES)
def test_matmul_batch_broadcasting_and_vectors(sa, sb):
    verify_grad(T.matmul, [rnd(sa), rnd(sb)], rng=np.random.default_rng(1))


def test_matmul_broadcast_gradient_matches_numpy():
    a = T.tensor("float64", shape=(1, 3, 4), name="a")
    b = T.tensor("float64", shape=(None, 4, 5), name="b")
    c = T.vector("c", dtype="float64")
    w = rnd((2, 3, 5))
    wc = rnd((2, 4))
    cost = (T.matmul(a, b) * w).sum() + (T.matmul(b, c) * wc).sum()
    ga, gb, gc = theon.grad(cost, [a, b, c])
    av, bv, cv = rnd((1, 3, 4)), rnd((2, 4, 5)), rnd((5,))
    ra, rb, rc = ev([ga, gb, gc], {a: av, b: bv, c: cv})
    assert ra.shape == (1, 3, 4) and rc.shape == (5,)
    np.testing.assert_allclose(ra, (w @ np.swapaxes(bv, -1, -2)).sum(axis=0, keepdims=True),
                               rtol=1e-12)
    np.testing.assert_allclose(
        rb, np.swapaxes(av, -1, -2) @ w + wc[:, :, None] * cv[None, None, :], rtol=1e-12)
    np.testing.assert_allclose(rc, np.einsum("tk,tkn->n", wc, bv), rtol=1e-12)


TENSORDOT_CASES = [
    ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
    ((3, 2, 4), (4, 5, 3), ([2, 0], [0, 2])),
    ((2, 3), (4, 2), ([0], [1])),
    ((3, 1, 4), (4, 1, 2), ([-1, 1], [0, -2])),
    ((2, 3, 4), (3, 4, 2), ([0, 1, 2], [2, 0, 1])),
    ((2, 3, 4), (2, 2), 0),
    ((2, 3, 4), (4, 2), 1),
    ((2, 3, 4), (3, 4, 2), 2),
]


@pytest.mark.parametrize("sa,sb,axes", TENSORDOT_CASES)
def test_tensordot_several_axes(sa, sb, axes):
    verify_grad(lambda a, b: T.tensordot(a, b, axes), [rnd(sa), rnd(sb)],
                rng=np.random.default_rng(2))


def test_tensordot_gradient_matches_numpy():
    a, b = T.tensor3("a"), T.tensor3("b")
    out = T.tensordot(a, b, ([2, 0], [0, 2]))
    w = rnd((2, 5))
    ga, gb = theon.grad((out * w).sum(), [a, b])
    av, bv = rnd((3, 2, 4)), rnd((4, 5, 3))
    ra, rb = ev([ga, gb], {a: av, b: bv})
    np.testing.assert_allclose(ra, np.einsum("jn,knl->ljk", w, bv), rtol=1e-12)
    np.testing.assert_allclose(rb, np.einsum("jn,ljk->knl", w, av), rtol=1e-12)


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (4,)), ((3,), (2, 1, 2)), ((), (4,))])
def test_outer(sa, sb):
    verify_grad(T.outer, [rnd(sa), rnd(sb)])


BATCHED_CASES = [
    ((3, 4), (3, 4)), ((3, 2, 4), (3, 4)), ((3, 4), (3, 4, 2)), ((3, 2, 4), (3, 4, 5)),
    ((3,), (3, 2)), ((3, 2, 2), (3,)), ((3,), (3,)), ((2, 2, 3, 4), (2, 4, 5)),
    ((2, 3), (2, 2, 3, 4)), ((2, 2, 1, 3), (2, 2, 3, 2)),
]


@pytest.mark.parametrize("sa,sb", BATCHED_CASES)
def test_batched_dot(sa, sb):
    verify_grad(T.batched_dot, [rnd(sa), rnd(sb)])


def test_float32_products():
    verify_grad(T.matmul, [rnd((2, 3, 4), np.float32), rnd((4, 2), np.float32)])
    verify_grad(T.batched_dot, [rnd((2, 3, 4), np.float32), rnd((2, 4, 3), np.float32)])
    verify_grad(lambda a, b: T.tensordot(a, b, 1), [rnd((3, 4), np.float32),
                                                    rnd((4, 2), np.float32)])


def test_integer_input_gets_zeros_and_float_input_its_gradient():
    ai = T.matrix("ai", dtype="int64")
    bf = T.matrix("bf", dtype="float64")
    gb, gi = theon.grad(T.dot(ai, bf).sum(), [bf, ai])
    aiv = np.arange(6).reshape(2, 3)
    rb, ri = ev([gb, gi], {ai: aiv, bf: rnd((3, 2))})
    np.testing.assert_allclose(rb, aiv.T @ np.ones((2, 2)))
    assert not ri.any()


@pytest.mark.parametrize("op,sa,sb,wrt", [
    (T.dot, (3, 4), (4,), 1),
    (T.matmul, (2, 3, 4), (4, 2), 0),
    (T.matmul, (4,), (2, 4, 3), 1),
    (lambda a, b: T.tensordot(a, b, ([0, 2], [2, 0])), (3, 2, 4), (4, 5, 3), 1),
    (T.batched_dot, (2, 3, 4), (2, 4, 2), 0),
    (T.outer, (2, 2), (3,), 0),
])
def test_second_order(op, sa, sb, wrt):
    def fun(a, b):
        y = op(a, b)
        return theon.grad((y * y).sum(), [a, b][wrt])
    verify_grad(fun, [rnd(sa), rnd(sb)])


def test_hessian_of_a_quadratic_form():
    x, m = T.vector("x"), T.matrix("m")
    h = hessian(T.dot(x, T.dot(m, x)), x)
    mv = rnd((3, 3))
    np.testing.assert_allclose(ev(h, {x: rnd((3,)), m: mv}), mv + mv.T, rtol=1e-12)
