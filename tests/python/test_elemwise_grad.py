"""Gradients of the elementwise scalar ops: theon.gradient.verify_grad (symbolic against central
finite differences) for every differentiable op, float64 with broadcasting and float32 with the
default tolerances; second derivatives; values against closed forms (NumPy/SciPy); the tie rules
of maximum, minimum and clip; pow at a zero base; zero and absent gradients."""

import math

import numpy as np
import pytest
import scipy.special

import theon
import theon.tensor as T
from theon.gradient import GradientError, grad, verify_grad
from theon.tensor._build import build_elemwise

RNG = np.random.default_rng(1234)


def second_order(fun, pt):
    """verify_grad of a function that itself returns a gradient. A missing gradient of an
    elementwise op fails; one of another family's op used inside the first gradient (Fill,
    DimShuffle from sum's gradient) skips until that family's gradients land."""
    try:
        verify_grad(fun, pt)
    except NotImplementedError as e:
        if str(e).startswith("Elemwise"):
            raise
        pytest.skip("needs another family's gradient: " + str(e).splitlines()[0])


def uniform(lo, hi, shape, dtype="float64"):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


# name, function, domain away from singularities and jumps, derivative (NumPy/SciPy) or None
UNARY = [
    ("neg", T.neg, (-2, 2), lambda x: -np.ones_like(x)),
    ("exp", T.exp, (-2, 2), np.exp),
    ("log", T.log, (0.5, 3), lambda x: 1 / x),
    ("abs", T.abs, (-2, 2), np.sign),
    ("sqr", T.sqr, (-2, 2), lambda x: 2 * x),
    ("sqrt", T.sqrt, (0.5, 3), lambda x: 0.5 / np.sqrt(x)),
    ("reciprocal", T.reciprocal, (0.5, 3), lambda x: -1 / x**2),
    ("exp2", T.exp2, (-2, 2), lambda x: np.exp2(x) * np.log(2)),
    ("expm1", T.expm1, (-2, 2), np.exp),
    ("log2", T.log2, (0.5, 3), lambda x: 1 / (x * np.log(2))),
    ("log10", T.log10, (0.5, 3), lambda x: 1 / (x * np.log(10))),
    ("log1p", T.log1p, (-0.5, 3), lambda x: 1 / (1 + x)),
    ("sin", T.sin, (-3, 3), np.cos),
    ("cos", T.cos, (-3, 3), lambda x: -np.sin(x)),
    ("tan", T.tan, (-1.2, 1.2), lambda x: 1 / np.cos(x) ** 2),
    ("arcsin", T.arcsin, (-0.9, 0.9), lambda x: 1 / np.sqrt(1 - x**2)),
    ("arccos", T.arccos, (-0.9, 0.9), lambda x: -1 / np.sqrt(1 - x**2)),
    ("arctan", T.arctan, (-3, 3), lambda x: 1 / (1 + x**2)),
    ("sinh", T.sinh, (-2, 2), np.cosh),
    ("cosh", T.cosh, (-2, 2), np.sinh),
    ("tanh", T.tanh, (-2, 2), lambda x: 1 / np.cosh(x) ** 2),
    ("arcsinh", T.arcsinh, (-3, 3), lambda x: 1 / np.sqrt(x**2 + 1)),
    ("arccosh", T.arccosh, (1.2, 4), lambda x: 1 / np.sqrt(x**2 - 1)),
    ("arctanh", T.arctanh, (-0.9, 0.9), lambda x: 1 / (1 - x**2)),
    ("erf", T.erf, (-2, 2), lambda x: 2 / np.sqrt(np.pi) * np.exp(-x**2)),
    ("erfc", T.erfc, (-2, 2), lambda x: -2 / np.sqrt(np.pi) * np.exp(-x**2)),
    ("erfinv", T.erfinv, (-0.9, 0.9),
     lambda x: np.sqrt(np.pi) / 2 * np.exp(scipy.special.erfinv(x) ** 2)),
    ("gamma", T.gamma, (0.5, 4), lambda x: scipy.special.gamma(x) * scipy.special.psi(x)),
    ("gamma_neg", T.gamma, (-0.9, -0.1),
     lambda x: scipy.special.gamma(x) * scipy.special.psi(x)),
    ("gammaln", T.gammaln, (0.5, 4), scipy.special.psi),
    ("gammaln_neg", T.gammaln, (-1.9, -1.1), scipy.special.psi),
    ("psi", T.psi, (0.5, 4), lambda x: scipy.special.polygamma(1, x)),
    ("psi_neg", T.psi, (-0.9, -0.1), lambda x: scipy.special.polygamma(1, x)),
    ("sign", T.sign, (-2, 2), np.zeros_like),
    ("floor", T.floor, (-3, 3), np.zeros_like),
    ("ceil", T.ceil, (-3, 3), np.zeros_like),
    ("trunc", T.trunc, (-3, 3), np.zeros_like),
    ("round", T.round, (-3, 3), np.zeros_like),
]
UNARY_IDS = [u[0] for u in UNARY]


@pytest.mark.parametrize("name,f,dom,deriv", UNARY, ids=UNARY_IDS)
@pytest.mark.parametrize("shape", [(3, 4), (), (1, 5)])
def test_unary_verify_grad_float64(name, f, dom, deriv, shape):
    verify_grad(f, [uniform(*dom, shape)], rng=np.random.default_rng(0))


@pytest.mark.parametrize("name,f,dom,deriv", UNARY, ids=UNARY_IDS)
def test_unary_gradient_values(name, f, dom, deriv):
    x = T.vector("x")
    g = grad(T.sum(f(x)), x)
    fn = theon.function([x], g)
    xv = uniform(*dom, (7,))
    np.testing.assert_allclose(fn(xv), deriv(xv), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["exp", "tanh", "sin", "log", "sqrt", "arcsin", "erf",
                                  "gammaln", "reciprocal"])
def test_unary_verify_grad_float32(name):
    _, f, dom, _ = UNARY[UNARY_IDS.index(name)]
    verify_grad(f, [uniform(*dom, (3, 4), "float32")], rng=np.random.default_rng(1))
    x = T.matrix("x", dtype="float32")
    assert grad(T.sum(f(x)), x).dtype == "float32"


BINARY = [
    ("add", T.add, (-2, 2), (-2, 2)),
    ("sub", T.sub, (-2, 2), (-2, 2)),
    ("mul", T.mul, (-2, 2), (-2, 2)),
    ("true_divide", T.true_divide, (-2, 2), (0.5, 2)),
    ("pow", T.pow, (0.5, 2), (-2, 2)),
    ("maximum", T.maximum, (-2, 2), (-2, 2)),
    ("minimum", T.minimum, (-2, 2), (-2, 2)),
    ("arctan2", T.arctan2, (-2, 2), (0.5, 2)),
    ("arctan2_neg_x", T.arctan2, (0.5, 2), (-2, -0.5)),
    ("mod", T.mod, (-3, 3), (0.5, 2)),
    ("mod_neg_divisor", T.mod, (-3, 3), (-2, -0.5)),
    ("floor_divide", T.floor_divide, (-3, 3), (0.5, 2)),
]
BINARY_IDS = [b[0] for b in BINARY]


@pytest.mark.parametrize("name,f,da,db", BINARY, ids=BINARY_IDS)
@pytest.mark.parametrize("sa,sb", [((3, 1), (4,)), ((2, 3), (2, 3)), ((), (2, 3))])
def test_binary_verify_grad_float64_broadcast(name, f, da, db, sa, sb):
    verify_grad(f, [uniform(*da, sa), uniform(*db, sb)], rng=np.random.default_rng(2))


@pytest.mark.parametrize("name", ["pow", "maximum", "arctan2", "true_divide", "mul"])
def test_binary_verify_grad_float32(name):
    _, f, da, db = BINARY[BINARY_IDS.index(name)]
    verify_grad(f, [uniform(*da, (3, 1), "float32"), uniform(*db, (4,), "float32")],
                rng=np.random.default_rng(3))


def test_binary_gradient_values():
    a, b = T.matrix("a"), T.vector("b")
    av, bv = uniform(0.5, 2, (3, 1)), uniform(-2, 2, (4,))
    ga, gb = grad(T.sum(T.pow(a, b)), [a, b])
    fa, fb = theon.function([a, b], [ga, gb])(av, bv)
    np.testing.assert_allclose(fa, (bv * av ** (bv - 1)).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(fb, (av**bv * np.log(av)).sum(axis=0), rtol=1e-12)
    ga, gb = grad(T.sum(T.arctan2(a, b)), [a, b])
    fa, fb = theon.function([a, b], [ga, gb])(av, bv)
    r2 = av**2 + bv**2
    np.testing.assert_allclose(fa, (bv / r2).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(fb, (-av / r2).sum(axis=0), rtol=1e-12)
    ga, gb = grad(T.sum(T.mod(a, b)), [a, b])
    fa, fb = theon.function([a, b], [ga, gb])(av, bv)
    np.testing.assert_allclose(fa, np.full((3, 1), 4.0))
    np.testing.assert_allclose(fb, -np.floor_divide(av, bv).sum(axis=0))


def test_clip_and_where_verify_grad():
    verify_grad(T.clip, [uniform(-3, 3, (3, 1)), uniform(-1.5, -0.5, (4,)),
                         uniform(0.5, 1.5, ())], rng=np.random.default_rng(4))
    verify_grad(lambda x: T.clip(x, -1.0, 1.0), [uniform(-3, 3, (4, 3))])
    cond = np.array([True, False, False, True])
    verify_grad(lambda a, b: T.where(cond, a, b), [uniform(-2, 2, (3, 1)), uniform(-2, 2, (4,))])
    verify_grad(lambda a, b: T.switch(T.lt(a, b), T.sqr(a), b * 3.0),
                [uniform(-2, 2, (3, 1)), uniform(-2, 2, (4,))])


def test_maximum_minimum_ties_go_to_the_first_input():
    a, b = T.vector("a"), T.vector("b")
    w = np.array([10.0, 20.0, 30.0])
    av, bv = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    for f, want_a, want_b in [(T.maximum, [10, 0, 30], [0, 20, 0]),
                              (T.minimum, [10, 20, 0], [0, 0, 30])]:
        ga, gb = grad(T.sum(f(a, b) * w), [a, b])
        fa, fb = theon.function([a, b], [ga, gb])(av, bv)
        np.testing.assert_array_equal(fa, want_a)
        np.testing.assert_array_equal(fb, want_b)
    # With the arguments swapped the tie's gradient goes to b (now the first input).
    ga, gb = grad(T.sum(T.maximum(b, a) * w), [a, b])
    fa, fb = theon.function([a, b], [ga, gb])(av, bv)
    np.testing.assert_array_equal(fa, [0, 0, 30])
    np.testing.assert_array_equal(fb, [10, 20, 0])


def test_clip_ties_and_bounds():
    x, lo, hi = T.vector("x"), T.vector("lo"), T.vector("hi")
    w = np.array([1.0, 2, 4, 8, 16, 32])
    xv = np.array([-5.0, -1, 0.5, 1, 5, 0])
    lov = np.array([-1.0, -1, -1, -1, -1, 2])  # the last: lo > hi, NumPy gives hi
    hiv = np.ones(6)
    out = T.clip(x, lo, hi)
    gs = grad(T.sum(out * w), [x, lo, hi])
    res = theon.function([x, lo, hi], [out] + gs)(xv, lov, hiv)
    np.testing.assert_array_equal(res[0], np.clip(xv, lov, hiv))
    np.testing.assert_array_equal(res[1], [0, 2, 4, 8, 0, 0])  # x at lo or hi keeps it
    np.testing.assert_array_equal(res[2], [1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(res[3], [0, 0, 0, 0, 16, 32])


def test_pow_zero_base():
    a, b = T.vector("a"), T.vector("b")
    ga, gb = grad(T.sum(T.pow(a, b)), [a, b])
    av = np.array([0.0, 0.0, 0.0, 2.0])
    bv = np.array([2.0, 0.5, 1.0, 3.0])
    fa, fb = theon.function([a, b], [ga, gb])(av, bv)
    np.testing.assert_array_equal(fb[:3], 0.0)  # not NaN (0 * log 0)
    np.testing.assert_allclose(fb[3], 8 * math.log(2), rtol=1e-12)
    assert fa[0] == 0 and np.isinf(fa[1]) and fa[2] == 1
    np.testing.assert_allclose(fa[3], 12.0, rtol=1e-12)


def test_integer_exponent_and_mixed_dtypes():
    x = T.vector("x")
    n = T.vector("n", dtype="int64")
    gx, gn = grad(T.sum(T.pow(x, n)), [x, n])
    fx, fn = theon.function([x, n], [gx, gn])(np.array([1.5, -2.0]), np.array([3, 2]))
    np.testing.assert_allclose(fx, [3 * 1.5**2, -4.0], rtol=1e-12)
    np.testing.assert_array_equal(fn, [0, 0])
    a = T.matrix("a", dtype="float32")
    b = T.vector("b", dtype="float64")
    ga, gb = grad(T.sum(T.pow(a, b) + T.maximum(a, b)), [a, b])
    assert (ga.dtype, gb.dtype) == ("float32", "float64")
    assert (ga.ndim, gb.ndim) == (2, 1)


SECOND_ORDER_UNARY = ["exp", "log", "sqrt", "reciprocal", "sin", "tan", "arcsin", "arctan",
                      "tanh", "arccosh", "arctanh", "erf", "erfinv", "gamma", "gammaln", "abs",
                      "floor", "log1p", "expm1", "exp2", "log10", "cosh"]


# On 0-d inputs no sum is needed, so only elementwise ops take part; (2, 3) inputs also need
# the gradients of Fill and DimShuffle (from sum's gradient).
@pytest.mark.parametrize("shape", [(), (2, 3)])
@pytest.mark.parametrize("name", SECOND_ORDER_UNARY)
def test_second_order_unary(name, shape):
    _, f, dom, _ = UNARY[UNARY_IDS.index(name)]
    second_order(lambda x: grad(T.sum(f(x)) if shape else f(x), x), [uniform(*dom, shape)])


@pytest.mark.parametrize("shape", [(), (2, 3)])
@pytest.mark.parametrize("name,f,da,db", BINARY, ids=BINARY_IDS)
def test_second_order_binary(name, f, da, db, shape):
    def first(a, b):
        ga, gb = grad(T.sum(f(a, b)) if shape else f(a, b), [a, b])
        return ga * 2.0 + gb * 3.0

    second_order(first, [uniform(*da, shape), uniform(*db, shape)])


@pytest.mark.parametrize("shape", [(), (2, 3)])
def test_second_order_clip_and_where(shape):
    def total(f):
        return T.sum(f) if shape else f

    def first_clip(x, lo, hi):
        g = grad(total(T.sqr(T.clip(x, lo, hi))), [x, lo, hi])
        return g[0] + g[1] + g[2]

    second_order(first_clip, [uniform(-3, 3, shape), uniform(-1.5, -0.5, shape),
                              uniform(0.5, 1.5, shape)])
    second_order(lambda a, b: sum(grad(total(T.where(a < 0, T.exp(a), T.sin(b))), [a, b])),
                 [uniform(-2, 2, shape), uniform(-2, 2, shape)])


def test_second_derivative_of_pow():
    # d2/dx2 x ** x through pow's guarded d/db.
    x = T.scalar("x")
    h = theon.function([x], grad(grad(T.pow(x, x), x), x))
    xv = 1.3
    want = xv**xv * ((math.log(xv) + 1) ** 2 + 1 / xv)
    np.testing.assert_allclose(h(np.array(xv)), want, rtol=1e-10)


def test_trigamma_and_psi_second_derivative():
    x = T.vector("x")
    xv = np.concatenate([uniform(0.1, 30, (20,)), uniform(-5, -0.05, (20,)),
                         np.array([1.0, 0.5, 100.0, 1e-3, 1e5])])
    xv = xv[np.abs(xv - np.round(xv)) > 1e-3]  # away from the poles at non-positive integers
    f = theon.function([x], build_elemwise("trigamma", x))
    np.testing.assert_allclose(f(xv), scipy.special.polygamma(1, xv), rtol=1e-12)
    poles = f(np.array([0.0, -1.0, -4.0]))
    assert np.all(np.isposinf(poles))
    # No tetragamma: differentiating psi twice raises, naming trigamma.
    s = T.scalar("s")
    with pytest.raises(NotImplementedError, match="trigamma"):
        grad(grad(T.psi(s), s), s)


def test_zero_gradients_are_connected():
    x, y = T.matrix("x"), T.matrix("y")
    xv, yv = uniform(-3, 3, (2, 3)), uniform(0.5, 2, (2, 3))
    for f in [T.floor, T.ceil, T.trunc, T.round, T.sign]:
        g = grad(T.sum(f(x)), x)  # disconnected_inputs="raise" does not raise
        np.testing.assert_array_equal(theon.function([x], g)(xv), np.zeros((2, 3)))
    gx, gy = grad(T.sum(T.floor_divide(x, y)), [x, y])
    res = theon.function([x, y], [gx, gy])(xv, yv)
    np.testing.assert_array_equal(res[0], 0)
    np.testing.assert_array_equal(res[1], 0)


@pytest.mark.parametrize("f", [T.lt, T.ge, T.eq, T.neq, T.logical_and, T.logical_xor],
                         ids=["lt", "ge", "eq", "neq", "logical_and", "logical_xor"])
def test_comparisons_are_not_differentiable(f):
    x, y = T.vector("x"), T.vector("y")
    c = T.sum(T.cast(f(x, y), "float64"))
    with pytest.raises(ValueError, match="does not depend"):
        grad(c, x)
    assert grad(c, x, disconnected_inputs="ignore", return_disconnected="none") is None
    # The cost still depends on x through the chosen branch of a switch on a comparison.
    g = grad(T.sum(T.switch(f(x, y), x * 2.0, x * 5.0)), x)
    xv, yv = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    mask = theon.function([x, y], T.cast(f(x, y), "float64"))(xv, yv)
    np.testing.assert_array_equal(theon.function([x, y], g)(xv, yv),
                                  np.where(mask > 0, 2.0, 5.0))


def test_isnan_isinf_are_not_differentiable():
    x = T.vector("x")
    for f in [T.isnan, T.isinf, T.isfinite]:
        c = T.sum(T.cast(f(x), "float64"))
        assert grad(c, x, disconnected_inputs="ignore", return_disconnected="none") is None


def test_a_wrong_gradient_fails_verify_grad():
    # A function whose "gradient" route is cut (zero_grad) must fail the check: verify_grad can
    # fail, so the passes above mean something.
    with pytest.raises(GradientError):
        verify_grad(lambda x: theon.gradient.zero_grad(T.sin(x)) + T.sin(x) * 0.5,
                    [uniform(-2, 2, (3,))])


@pytest.mark.parametrize("pattern, shape", [
    (("x", 0, "x", "x"), (2, 3, 200, 250)),  # a per-channel parameter (batch normalization)
    ((0,), (400, 250, 3)),  # a bias broadcast over leading dimensions the parameter lacks
])
def test_float32_gradients_of_broadcast_operands_accumulate_in_double(pattern, shape):
    # 10^5 equal terms per output: accumulated in float32 one by one, the sum drifts by ~1e-3
    # (this made the gradients of a ResNet block's batch normalization 1% off).
    x = np.full(shape, 3.3, np.float32) * (RNG.random(shape) > 0.3)
    v, xv = T.fvector("v"), T.TensorType("float32", (None,) * len(shape))("x")
    g = theon.function([v, xv], grad(T.sum(v.dimshuffle(*pattern) * xv), v))
    axes = tuple(i for i, p in enumerate(pattern) if p == "x") if len(pattern) == len(shape) \
        else tuple(range(len(shape) - len(pattern)))
    want = x.astype(np.float64).sum(axis=axes).ravel()
    got = g(np.ones(want.size, np.float32), x)
    np.testing.assert_allclose(got, want, rtol=2e-7)


def test_broadcast_gradient_sums_its_static_axes_in_the_producing_loop(codegen):
    # The gradient of a per-channel parameter sums over axes its type says are 1: that Sum is
    # fused into the loop computing the summand (which is then never written out), and the
    # SumToDims left over only covers what a None dimension might broadcast at run time.
    v, xv = T.fvector("v"), T.TensorType("float32", (None,) * 4)("x")
    g = theon.function([v, xv], grad(T.sum(T.exp(v.dimshuffle("x", 0, "x", "x") * xv)), v))
    lines = g.debugprint(print_type=False).splitlines()
    at = next(i for i, line in enumerate(lines) if "SumToDims" in line)
    assert "Fused{" in lines[at + 1] and "sum(axis=(0,2,3,),keepdims)" in lines[at + 1], lines
    x = RNG.standard_normal((4, 3, 50, 60)).astype(np.float32) * 0.1
    vv = RNG.standard_normal(3).astype(np.float32)
    x64, v64 = x.astype(np.float64), vv.astype(np.float64)
    want = (np.exp(v64[None, :, None, None] * x64) * x64).sum(axis=(0, 2, 3))
    np.testing.assert_allclose(g(vv, x), want, rtol=1e-6)
