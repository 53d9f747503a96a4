"""Gradients of the reduce family (sum, prod, max, min, mean, var, std, cumsum, cumprod) and of
sort, through theon.grad and theon.gradient.verify_grad: every axis form, keepdims, float64 and
float32, exact values against NumPy formulas (zeros in prod/cumprod, ties in max/min, the sort
permutation), the ops without a gradient, and second order."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import GradientError, hessian, verify_grad

RNG = np.random.default_rng(1234)

# Ops of this family: a missing gradient there is a failure, elsewhere (other families' ops
# inside these gradients, e.g. DimShuffle, Fill, sqrt) it skips the second-order tests until
# those gradients land.
_MINE = ("Sum{", "Prod{", "Max{", "Min{", "CumSum{", "CumProd{", "Sort{", "ReduceCount{",
         "Argmax{", "Argmin{", "Any{", "All{", "ArgSort{")


def needs_other_families(fn):
    try:
        fn()
    except NotImplementedError as e:
        if str(e).startswith(_MINE):
            raise
        pytest.skip("needs another family's gradient: " + str(e).splitlines()[0])


def rand(shape, dtype="float64", lo=0.5, hi=1.5, signs=True):
    a = RNG.uniform(lo, hi, size=shape)
    if signs:
        a = a * RNG.choice([-1.0, 1.0], size=shape)
    return np.asarray(a, dtype=dtype)


def grad_value(fn, x_value, weights=None):
    """d sum(fn(x) * weights) / dx at x_value (weights default to ones)."""
    x = T.tensor(str(x_value.dtype), shape=(None,) * x_value.ndim, name="x")
    out = fn(x)
    if weights is None:
        cost = T.sum(out)
    else:
        cost = T.sum(out * np.asarray(weights, dtype=x_value.dtype))
    return theon.function([x], theon.grad(cost, x))(x_value)


SHAPES = [(), (5,), (3, 4), (1, 4), (2, 3, 4), (3, 1, 2)]


def axis_forms(ndim):
    forms = [None, ()]
    for a in range(ndim):
        forms += [a, a - ndim, (a,)]
    if ndim >= 2:
        forms.append((0, ndim - 1))
    if ndim >= 3:
        forms.append((-1, 1))
    return forms


CASES = [(s, a) for s in SHAPES for a in axis_forms(len(s))]


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean"])
@pytest.mark.parametrize("shape,axis", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_every_axis_form_float64(name, shape, axis, keepdims):
    fn = getattr(T, name)
    verify_grad(lambda x: fn(x, axis=axis, keepdims=keepdims), [rand(shape)])


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "var"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
def test_reductions_float32(name, axis):
    fn = getattr(T, name)
    verify_grad(lambda x: fn(x, axis=axis), [rand((3, 4), "float32")])


@pytest.mark.parametrize("shape,axis", [(s, a) for s, a in CASES if s and a != ()],
                         ids=lambda v: str(v))
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_every_axis_form(shape, axis, ddof):
    for keepdims in (False, True):
        verify_grad(lambda x: T.var(x, axis=axis, keepdims=keepdims, ddof=ddof), [rand(shape)])


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
def test_std(axis):
    needs_other_families(lambda: verify_grad(lambda x: T.std(x, axis=axis, ddof=1),
                                             [rand((3, 4))]))
    verify_grad(lambda x: T.std(x, axis=axis), [rand((3, 4), "float32")])


def test_sum_and_mean_values():
    a = rand((2, 3))
    w = np.array([10.0, 20.0])
    np.testing.assert_allclose(grad_value(lambda x: T.sum(x, axis=1), a, w),
                               np.repeat(w[:, None], 3, axis=1))
    np.testing.assert_allclose(grad_value(lambda x: T.mean(x, axis=1), a, w),
                               np.repeat(w[:, None], 3, axis=1) / 3)
    np.testing.assert_allclose(grad_value(lambda x: x.sum(axis=0, keepdims=True), a, [[1, 2, 3]]),
                               [[1, 2, 3], [1, 2, 3]])


def prod_of_others(a, axis):
    """d prod(a, axis) / da by brute force: the product with a_i replaced by 1."""
    out = np.empty_like(a)
    for idx in np.ndindex(a.shape):
        b = a.copy()
        b[idx] = 1.0
        out[idx] = np.prod(b, axis=axis, keepdims=True)[
            tuple(0 if d == axis else i for d, i in enumerate(idx))]
    return out


def test_prod_with_zeros():
    a = np.array([[2, -3, 0.5, 4],     # no zero
                  [2, 0, 3, -1],       # one zero
                  [0, 5, 0, 2],        # two zeros
                  [1.5, 2, 3, -0.0]])  # a negative zero
    for axis in (0, 1):
        g = grad_value(lambda x: T.prod(x, axis=axis), a)
        np.testing.assert_allclose(g, prod_of_others(a, axis), rtol=1e-12, atol=1e-12)
        verify_grad(lambda x: T.prod(x, axis=axis), [a])
    verify_grad(lambda x: T.prod(x), [a])


def test_max_min_route_to_the_extreme_and_ties_split_it():
    a = np.array([[1.0, 5, 2], [7, 3, 4]])
    np.testing.assert_allclose(grad_value(lambda x: T.max(x, axis=1), a, [10, 20]),
                               [[0, 10, 0], [20, 0, 0]])
    np.testing.assert_allclose(grad_value(lambda x: T.min(x, axis=0), a, [1, 2, 3]),
                               [[1, 0, 3], [0, 2, 0]])
    # Ties (JAX's and torch.amax's rule): the tied elements share the gradient equally.
    np.testing.assert_allclose(grad_value(T.max, np.array([1.0, 3, 3, 2, 3])),
                               [0, 1 / 3, 1 / 3, 0, 1 / 3])
    np.testing.assert_allclose(
        grad_value(lambda x: T.min(x, axis=1), np.array([[2.0, 2, 5], [4, 1, 1]]), [3, 7]),
        [[1.5, 1.5, 0], [0, 3.5, 3.5]])
    # A NaN extreme equals no element: no gradient anywhere, not 0/0.
    np.testing.assert_array_equal(grad_value(T.max, np.array([1.0, np.nan, 2])), [0, 0, 0])


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "NONE"])
@pytest.mark.parametrize("name", ["max", "min"])
def test_extreme_of_a_broadcast_passes_on_one_copy_of_the_gradient(name, mode):
    # max(x + zeros((4, 3)), axis=0) is x: its gradient is 1, whichever kernels compute it.
    x = T.dvector("x")
    cost = getattr(T, name)(x + T.zeros((4, 3)), axis=0).sum()
    f = theon.function([x], theon.grad(cost, x), mode=mode)
    f.wait_for_kernels()
    np.testing.assert_allclose(f(np.array([0.5, -2.0, 3.0])), [1, 1, 1], rtol=0, atol=1e-15)
    m = T.dmatrix("m")
    cost = getattr(T, name)(m.dimshuffle(0, "x", 1) + T.zeros((2, 5, 3)), axis=(1, 2)).sum()
    g = theon.function([m], theon.grad(cost, m), mode=mode)
    g.wait_for_kernels()
    first_row = [0, 0.5, 0.5] if name == "max" else [1, 0, 0]
    np.testing.assert_allclose(g(np.array([[1.0, 4, 4], [2, 2, 2]])),
                               [first_row, [1 / 3, 1 / 3, 1 / 3]], rtol=0, atol=1e-15)


def test_max_gradient_check_catches_a_wrong_gradient():
    # verify_grad itself must be able to fail: at a three-way tie central differences give 1/2
    # to each element (moving one up moves the max), the split gradient 1/3.
    with pytest.raises(GradientError):
        verify_grad(T.max, [np.array([1.0, 3.0, 3.0, 3.0])])


def test_logsumexp_gradient_is_the_softmax():
    x = T.dvector("x")
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        f = theon.function([x], [T.logsumexp(x), theon.grad(T.logsumexp(x), x)], mode=mode)
        for v in ([1000.0, 999.0, -5.0], [0.0, -np.inf, 1.0], [-1000.0, -1001.0, -np.inf]):
            v = np.array(v)
            e = np.exp(v - v.max())
            value, g = f(v)
            np.testing.assert_allclose(value, v.max() + np.log(e.sum()), rtol=1e-15)
            np.testing.assert_allclose(g, e / e.sum(), rtol=1e-15, atol=1e-300)
    verify_grad(T.logsumexp, [rand((5,))])


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, True), (1, False), (-1, True),
                                           ((0, 1), False)])
def test_logsumexp_axes(axis, keepdims):
    a = np.array([[800.0, 1, -np.inf], [-3, 2, 700]])
    m = T.dmatrix("m")
    f = theon.function([m], [T.logsumexp(m, axis=axis, keepdims=keepdims),
                             theon.grad(T.logsumexp(m, axis=axis).sum(), m)], mode="FAST_COMPILE")
    value, g = f(a)
    top = a.max(axis=axis, keepdims=True)
    e = np.exp(a - top)
    want = top + np.log(e.sum(axis=axis, keepdims=True))
    np.testing.assert_allclose(value, want if keepdims else np.squeeze(want, axis), rtol=1e-15)
    np.testing.assert_allclose(g, e / e.sum(axis=axis, keepdims=True), rtol=1e-15)
    verify_grad(lambda v: T.logsumexp(v, axis=axis, keepdims=keepdims), [rand((2, 3))])


def test_verify_grad_inputs_keep_the_broadcastable_pattern():
    # dimshuffle can drop only a dimension of static size 1: the input built for the test
    # point (1, 3) must have it.
    verify_grad(lambda a: T.tanh(a.dimshuffle(1)), [np.ones((1, 3))])
    verify_grad(lambda a, b: (a.dimshuffle(1, 0) * b).sum(axis=1), [rand((1, 3)), rand((3, 4))])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_cumulative_every_axis(name, shape, dtype):
    fn = getattr(T, name)
    for axis in [None] + [a for d in range(len(shape)) for a in (d, d - len(shape))]:
        verify_grad(lambda x: fn(x, axis=axis), [rand(shape, dtype)])


def test_cumsum_is_a_reverse_cumulative_sum():
    w = np.array([1.0, 2, 3, 4])
    np.testing.assert_allclose(grad_value(lambda x: T.cumsum(x, axis=0), rand(4), w),
                               np.cumsum(w[::-1])[::-1])
    a = rand((3, 5))
    w2 = rand((3, 5))
    np.testing.assert_allclose(grad_value(lambda x: T.cumsum(x, axis=1), a, w2),
                               np.cumsum(w2[:, ::-1], axis=1)[:, ::-1])
    np.testing.assert_allclose(grad_value(lambda x: T.cumsum(x), a, w2.ravel()),
                               np.cumsum(w2.ravel()[::-1])[::-1].reshape(3, 5))


def cumprod_grad(a, w, axis):
    """sum_j w_j d cumprod(a)_j / da_i by brute force (products with a_i replaced by 1)."""
    out = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        b = a.copy()
        b[idx] = 1.0
        c = np.cumprod(b, axis=axis)
        # Only the outputs at or after position idx[axis] on idx's line depend on a_i.
        line = list(idx)
        line[axis] = slice(idx[axis], None)
        out[idx] = np.sum(w[tuple(line)] * c[tuple(line)])
    return out


def test_cumprod_with_zeros():
    a = np.array([[2, -3, 0.5, 4, 1.5],
                  [2, 0, 3, -1, 2],
                  [0, 5, 2, 3, 2],
                  [2, 3, 1, 4, 0],
                  [1.5, 0, 2, 0, 3],
                  [0, 0, 0, 2, 1]])
    w = rand(a.shape)
    for axis in (0, 1):
        g = grad_value(lambda x: T.cumprod(x, axis=axis), a, w)
        np.testing.assert_allclose(g, cumprod_grad(a, w, axis), rtol=1e-12, atol=1e-12)
        verify_grad(lambda x: T.cumprod(x, axis=axis), [a])
    verify_grad(lambda x: T.cumprod(x), [a])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(), (6,), (3, 4), (1, 5), (2, 3, 4)], ids=str)
def test_sort_every_axis(shape, dtype):
    for axis in [None] + [a for d in range(len(shape)) for a in (d, d - len(shape))]:
        verify_grad(lambda x: T.sort(x, axis=axis), [rand(shape, dtype, 0.1, 3.0)])


def test_sort_routes_through_the_permutation():
    a = rand((3, 4))
    w = rand((3, 4))
    for axis in (0, 1):
        p = np.argsort(a, axis=axis)
        expect = np.zeros_like(a)
        np.put_along_axis(expect, p, w, axis=axis)
        np.testing.assert_allclose(grad_value(lambda x: T.sort(x, axis=axis), a, w), expect)
    p = np.argsort(a, axis=None)
    expect = np.zeros(a.size)
    expect[p] = w.ravel()
    np.testing.assert_allclose(grad_value(lambda x: T.sort(x, axis=None), a, w.ravel()),
                               expect.reshape(a.shape))
    # Non-contiguous input values.
    b = rand((4, 6))[::2, ::-1]
    verify_grad(lambda x: T.sort(x, axis=0), [b])


@pytest.mark.parametrize("name", ["argmax", "argmin", "any", "all", "argsort"])
def test_no_gradient_through_integer_and_bool_outputs(name):
    x = T.matrix("x")
    out = T.cast(getattr(T, name)(x, axis=1), "float64")
    with pytest.raises(ValueError, match="does not depend"):
        theon.grad(T.sum(out), x)
    g = theon.grad(T.sum(out), x, disconnected_inputs="ignore")
    np.testing.assert_array_equal(theon.function([x], g)(rand((2, 3))), np.zeros((2, 3)))


def test_mean_of_integers_has_no_gradient_for_the_integer_input():
    i = T.tensor("int32", shape=(None,), name="i")
    g = theon.grad(T.mean(i), i, disconnected_inputs="ignore")
    assert np.all(theon.function([i], g)(np.arange(3, dtype="int32")) == 0)


# ---- second order ----

SECOND = [
    ("sum", lambda x: theon.grad(T.sum(T.sum(x * T.exp(x), axis=1)), x), (3, 4)),
    ("sum keepdims", lambda x: theon.grad(T.sum(T.sum(x * x * x, axis=0, keepdims=True)), x),
     (3, 4)),
    ("prod", lambda x: theon.grad(T.sum(T.prod(x, axis=1)), x), (3, 4)),
    ("prod all", lambda x: theon.grad(T.prod(x), x), (4,)),
    ("mean", lambda x: theon.grad(T.sum(T.mean(T.exp(x), axis=(0,), keepdims=True)), x), (3, 4)),
    ("var", lambda x: theon.grad(T.var(x), x), (5,)),
    ("var axis", lambda x: theon.grad(T.sum(T.var(x, axis=1, ddof=1)), x), (2, 4)),
    ("max", lambda x: theon.grad(T.sum(T.max(x * x, axis=1)), x), (3, 4)),
    ("cumsum", lambda x: theon.grad(T.sum(T.cumsum(x * x, axis=1)), x), (2, 3)),
    ("cumprod", lambda x: theon.grad(T.sum(T.cumprod(x, axis=0)), x), (4,)),
    ("sort", lambda x: theon.grad(T.sum(T.sort(x * x, axis=1) * np.arange(1.0, 4.0)), x),
     (2, 3)),
]


@pytest.mark.parametrize("name,fn,shape", SECOND, ids=[c[0] for c in SECOND])
def test_second_order(name, fn, shape):
    needs_other_families(lambda: verify_grad(fn, [rand(shape)]))


def test_hessian_of_prod():
    a = np.array([2.0, -3, 0.5, 4])
    x = T.vector("x")

    def run():
        return theon.function([x], hessian(T.prod(x), x))(a)

    h = []
    needs_other_families(lambda: h.append(run()))
    expect = np.array([[0.0 if i == j else np.prod(np.delete(a, [i, j])) for j in range(4)]
                       for i in range(4)])
    np.testing.assert_allclose(h[0], expect, rtol=1e-12)
