"""Elementwise math functions against NumPy 2 and scipy.special: values and dtypes over several
dtypes, broadcasting, non-contiguous, empty and size-1 inputs, Python scalars, and errors.

Deliberate differences from NumPy, checked as such here:
- float functions of 8-bit ints and bool give float32 (NumPy: float16, not a Theon dtype);
  scipy.special gives float64 for all ints, Theon float32 for <= 16-bit ints and bool;
- reciprocal of an integer is computed in float (NumPy: the integer 1 // x);
- round of a bool stays bool (NumPy: float16).
"""

import warnings

import numpy as np
import pytest
import scipy.special as sp

import theon
import theon.tensor as T
from op_table_kinds import as_theon_dtype, float_rule

ALL = ["bool", "int8", "uint8", "int32", "int64", "float32", "float64"]
NUMERIC = [d for d in ALL if d != "bool"]
INTS = ["int8", "uint8", "int32", "int64"]
FLOATS = ["float32", "float64"]


# ------------------------------------------------------------------------------ helpers
def sample(dtype, shape, domain, rng):
    """Random values of `dtype` inside the op's domain."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    lo, hi = {
        "any": (-6, 6), "pos": (0.1, 6), "unit": (-0.95, 0.95), "ge1": (1.05, 6),
        "small": (-3, 3), "nonneg": (0, 6), "gamma": (-4.5, 6),
    }[domain]
    if dt.kind in "iu":
        ilo = max(int(np.ceil(lo)), 0 if dt.kind == "u" else -128)
        ihi = int(np.floor(hi))
        if domain in ("pos", "ge1"):
            ilo = max(ilo, 1)
        if domain == "unit":
            ilo, ihi = (0, 0) if dt.kind == "u" else (-0, 0)
        if domain == "gamma":
            ilo = 1
        return rng.integers(ilo, ihi + 1, size=shape).astype(dt)
    return rng.uniform(lo, hi, size=shape).astype(dt)


def run(fn, *arrays):
    """Compiles fn over symbolic inputs shaped like `arrays` and calls it on them."""
    xs = [T.tensor(str(a.dtype), shape=tuple(1 if s == 1 else None for s in a.shape),
                   name="x%d" % i) for i, a in enumerate(arrays)]
    out = fn(*xs)
    f = theon.function(xs, out)
    return f(*arrays)


def tolerance(dtype, rtol64=1e-12, rtol32=2e-5):
    return rtol32 if np.dtype(dtype) == np.float32 else rtol64


def check(got, ref, dtype, rtol64=1e-12, rtol32=2e-5):
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    assert got.shape == ref.shape
    if np.dtype(dtype).kind == "f":
        rtol = tolerance(dtype, rtol64, rtol32)
        np.testing.assert_allclose(got, ref.astype(dtype), rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(got, ref.astype(dtype))


# ------------------------------------------------------------------------------ op table
class Op:
    def __init__(self, name, fn, ref, arity, dtypes, domain="any", rule="numpy",
                 rtol64=1e-12, rtol32=2e-5, domain2=None):
        self.name, self.fn, self.ref, self.arity = name, fn, ref, arity
        self.dtypes, self.domain, self.rule = dtypes, domain, rule
        self.rtol64, self.rtol32 = rtol64, rtol32
        self.domain2 = domain2 or domain

    def __repr__(self):
        return self.name

    def expected_dtype(self, *dtypes):
        if self.rule == "float":
            return float_rule(*dtypes)
        if self.rule == "bool":
            return np.dtype(bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe = self.ref(*[np.ones(1, d) for d in dtypes])
        return as_theon_dtype(probe.dtype)

    def reference(self, arrays, out_dtype):
        if self.rule == "float":
            # Compute in the output float type: NumPy would use float16 for 8-bit ints.
            arrays = [a.astype(out_dtype) for a in arrays]
        with np.errstate(all="ignore"):
            return np.asarray(self.ref(*arrays))


UNARY = [
    Op("abs", T.abs, np.abs, 1, ALL),
    Op("abs_", T.abs_, np.abs, 1, NUMERIC),
    Op("sgn", T.sgn, np.sign, 1, NUMERIC),
    Op("neg", T.neg, np.negative, 1, NUMERIC),
    Op("sqr", T.sqr, np.square, 1, ALL),
    Op("sqrt", T.sqrt, np.sqrt, 1, ALL, "nonneg", "float"),
    Op("reciprocal", T.reciprocal, np.reciprocal, 1, FLOATS + ["int32", "int8"], "pos", "float"),
    Op("exp", T.exp, np.exp, 1, ALL, "small", "float"),
    Op("exp2", T.exp2, np.exp2, 1, ALL, "any", "float"),
    Op("expm1", T.expm1, np.expm1, 1, ALL, "small", "float"),
    Op("log", T.log, np.log, 1, ALL, "pos", "float"),
    Op("log2", T.log2, np.log2, 1, ALL, "pos", "float"),
    Op("log10", T.log10, np.log10, 1, ALL, "pos", "float"),
    Op("log1p", T.log1p, np.log1p, 1, ALL, "nonneg", "float"),
    Op("sin", T.sin, np.sin, 1, ALL, "any", "float"),
    Op("cos", T.cos, np.cos, 1, ALL, "any", "float"),
    Op("tan", T.tan, np.tan, 1, ALL, "small", "float", rtol32=1e-4),
    Op("arcsin", T.arcsin, np.arcsin, 1, FLOATS + ["int8", "bool"], "unit", "float"),
    Op("arccos", T.arccos, np.arccos, 1, FLOATS + ["int8", "bool"], "unit", "float"),
    Op("arctan", T.arctan, np.arctan, 1, ALL, "any", "float"),
    Op("sinh", T.sinh, np.sinh, 1, ALL, "small", "float"),
    Op("cosh", T.cosh, np.cosh, 1, ALL, "small", "float"),
    Op("tanh", T.tanh, np.tanh, 1, ALL, "any", "float"),
    Op("arcsinh", T.arcsinh, np.arcsinh, 1, ALL, "any", "float"),
    Op("arccosh", T.arccosh, np.arccosh, 1, FLOATS + ["int32", "uint8"], "ge1", "float"),
    Op("arctanh", T.arctanh, np.arctanh, 1, FLOATS + ["int8"], "unit", "float"),
    Op("erf", T.erf, sp.erf, 1, ALL, "any", "float"),
    Op("erfc", T.erfc, sp.erfc, 1, ALL, "any", "float", rtol32=1e-4),
    Op("erfinv", T.erfinv, sp.erfinv, 1, FLOATS + ["int8", "bool"], "unit", "float",
       rtol64=1e-13),
    Op("gamma", T.gamma, sp.gamma, 1, FLOATS + ["int32", "uint8"], "gamma", "float",
       rtol64=1e-12, rtol32=1e-4),
    Op("gammaln", T.gammaln, sp.gammaln, 1, FLOATS + ["int64", "int8"], "gamma", "float",
       rtol64=1e-12, rtol32=1e-4),
    Op("psi", T.psi, sp.psi, 1, FLOATS + ["int16", "int64", "bool"], "gamma", "float",
       rtol64=1e-12, rtol32=1e-4),
    Op("floor", T.floor, np.floor, 1, ALL),
    Op("ceil", T.ceil, np.ceil, 1, ALL),
    Op("trunc", T.trunc, np.trunc, 1, ALL),
    Op("round", T.round, np.round, 1, NUMERIC),
    Op("isnan", T.isnan, np.isnan, 1, ALL),
    Op("isinf", T.isinf, np.isinf, 1, ALL),
    Op("isfinite", T.isfinite, np.isfinite, 1, ALL),
    Op("logical_not", T.logical_not, np.logical_not, 1, ALL),
    Op("invert", T.invert, np.invert, 1, INTS + ["bool"]),
]

BINARY = [
    Op("add", T.add, np.add, 2, ALL),
    Op("sub", T.sub, np.subtract, 2, NUMERIC),
    Op("mul", T.mul, np.multiply, 2, ALL),
    Op("true_div", T.true_div, np.true_divide, 2, NUMERIC, "any", "float", domain2="pos"),
    Op("floor_div", T.floor_div, np.floor_divide, 2, ALL),
    Op("int_div", T.int_div, np.floor_divide, 2, NUMERIC),
    Op("mod", T.mod, np.remainder, 2, ALL),
    Op("pow", T.pow, np.power, 2, ALL, "pos", domain2="small"),
    Op("maximum", T.maximum, np.maximum, 2, ALL),
    Op("minimum", T.minimum, np.minimum, 2, ALL),
    Op("arctan2", T.arctan2, np.arctan2, 2, ALL, "any", "float"),
    Op("lt", T.lt, np.less, 2, ALL),
    Op("le", T.le, np.less_equal, 2, ALL),
    Op("gt", T.gt, np.greater, 2, ALL),
    Op("ge", T.ge, np.greater_equal, 2, ALL),
    Op("eq", T.eq, np.equal, 2, ALL),
    Op("neq", T.neq, np.not_equal, 2, ALL),
    Op("less", T.less, np.less, 2, ALL),
    Op("greater_equal", T.greater_equal, np.greater_equal, 2, ALL),
    Op("logical_and", T.logical_and, np.logical_and, 2, ALL),
    Op("logical_or", T.logical_or, np.logical_or, 2, ALL),
    Op("logical_xor", T.logical_xor, np.logical_xor, 2, ALL),
    Op("and_", T.and_, np.bitwise_and, 2, INTS + ["bool"]),
    Op("or_", T.or_, np.bitwise_or, 2, INTS + ["bool"]),
    Op("xor", T.xor, np.bitwise_xor, 2, INTS + ["bool"]),
]

# Mixed-dtype pairs: promotion across kinds and signedness.
MIXED = [("int8", "uint8"), ("bool", "int8"), ("int32", "float32"), ("uint8", "float32"),
         ("int64", "float64"), ("int8", "int64"), ("float32", "float64"), ("uint8", "int32")]


def _pow_inputs(op, a, b):
    """pow: integers to negative powers raise; keep integer exponents non-negative."""
    if op.name == "pow" and b.dtype.kind in "iu":
        b = np.abs(b) % 5
        b = b.astype(b.dtype)
    return a, b


def _unary_cases():
    for op in UNARY:
        for d in op.dtypes:
            yield pytest.param(op, d, id="%s-%s" % (op.name, d))


def _binary_cases():
    for op in BINARY:
        for d in op.dtypes:
            yield pytest.param(op, d, d, id="%s-%s" % (op.name, d))
        for d1, d2 in MIXED:
            if d1 in op.dtypes and d2 in op.dtypes:
                yield pytest.param(op, d1, d2, id="%s-%s-%s" % (op.name, d1, d2))


# ------------------------------------------------------------------------------ the table
@pytest.mark.parametrize("op,dtype", list(_unary_cases()))
def test_unary_matches_numpy(op, dtype):
    rng = np.random.default_rng(abs(hash((op.name, dtype))) % 2**32)
    a = sample(dtype, (6, 5), op.domain, rng)
    out_dtype = op.expected_dtype(dtype)
    # contiguous, strided rows, transposed, size-1 dimension, 0-d, empty
    for arr in (a, a[::2], a.T, a[:1], a[2, 3], a[:0]):
        arr = np.asarray(arr)
        got = run(op.fn, arr)
        ref = op.reference([arr], out_dtype)
        check(got, ref, out_dtype, op.rtol64, op.rtol32)


@pytest.mark.parametrize("op,d1,d2", list(_binary_cases()))
def test_binary_matches_numpy(op, d1, d2):
    rng = np.random.default_rng(abs(hash((op.name, d1, d2))) % 2**32)
    out_dtype = op.expected_dtype(d1, d2)
    a = sample(d1, (3, 1), op.domain, rng)
    b = sample(d2, (4,), op.domain2, rng)
    a, b = _pow_inputs(op, a, b)
    big_a = sample(d1, (8, 6), op.domain, rng)
    big_b = sample(d2, (6, 8), op.domain2, rng)
    big_a, big_b = _pow_inputs(op, big_a, big_b)
    cases = [
        (a, b),                       # broadcast (3,1) with (4,)
        (b, a),
        (big_a[::2, ::-1], big_b.T[1::2]),  # non-contiguous, negative strides
        (big_a[:0], big_b.T[:0]),     # empty
        (big_a[0, 0], big_b[1]),      # 0-d with a vector
    ]
    for x, y in cases:
        x, y = np.asarray(x), np.asarray(y)
        got = run(op.fn, x, y)
        ref = op.reference([x, y], out_dtype)
        check(got, ref, out_dtype, op.rtol64, op.rtol32)


# ------------------------------------------------------------------------------ specifics
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint64"])
def test_integer_division_corner_cases(dtype):
    info = np.iinfo(dtype)
    vals = np.array([info.min, info.min, info.max, 7, -7 if info.min < 0 else 7, 0, 5, 9],
                    dtype=dtype)
    divs = np.array([-1 if info.min < 0 else 1, 0, 0, 2, 2, 0, 3, info.max], dtype=dtype)
    with np.errstate(all="ignore"):
        ref_q = np.floor_divide(vals, divs)
        ref_r = np.remainder(vals, divs)
    q, r = run(lambda x, y: [T.floor_div(x, y), T.mod(x, y)], vals, divs)
    np.testing.assert_array_equal(q, ref_q)
    np.testing.assert_array_equal(r, ref_r)
    assert q.dtype == ref_q.dtype and r.dtype == ref_r.dtype


@pytest.mark.parametrize("dtype", FLOATS)
def test_float_special_values(dtype):
    special = np.array([0.0, -0.0, 1.5, -1.5, np.inf, -np.inf, np.nan, 7.0], dtype=dtype)
    a, b = np.meshgrid(special, special)
    a, b = a.ravel(), b.ravel()
    with np.errstate(all="ignore"):
        for fn, ref in [(T.floor_div, np.floor_divide), (T.mod, np.remainder),
                        (T.maximum, np.maximum), (T.minimum, np.minimum), (T.pow, np.power),
                        (T.arctan2, np.arctan2), (T.lt, np.less), (T.neq, np.not_equal)]:
            got = run(fn, a, b)
            expected = ref(a, b)
            assert got.dtype == expected.dtype
            # Exact, but for 1 ulp in pow (libm's powf against NumPy's).
            np.testing.assert_allclose(got, expected, rtol=3e-7 if dtype == "float32" else 5e-16,
                                       atol=0, err_msg=fn.__name__)
        for fn, ref in [(T.sign, np.sign), (T.isnan, np.isnan), (T.isinf, np.isinf),
                        (T.isfinite, np.isfinite), (T.floor, np.floor), (T.round, np.round),
                        (T.abs, np.abs), (T.sqrt, np.sqrt), (T.log1p, np.log1p)]:
            got = run(fn, special)
            np.testing.assert_array_equal(got, ref(special), err_msg=fn.__name__)


def test_round_half_to_even_and_away_from_zero():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999999999999996], dtype="float64")
    np.testing.assert_array_equal(run(T.round, x), np.round(x))
    away = run(lambda v: T.round(v, mode="half_away_from_zero"), x)
    np.testing.assert_array_equal(away, np.sign(x) * np.floor(np.abs(x) + 0.5))
    i = run(T.iround, x)
    assert i.dtype == np.int64
    np.testing.assert_array_equal(i, np.round(x).astype(np.int64))
    with pytest.raises(ValueError, match="round: mode"):
        T.round(T.dvector(), mode="bankers")


def test_round_of_bool_keeps_bool():
    # Deliberate difference: NumPy's np.round(bool) goes through rint and gives float16.
    b = np.array([True, False])
    got = run(T.round, b)
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got, b)


def test_erfinv_psi_gamma_against_scipy_wide_ranges():
    y = np.concatenate([np.linspace(-1, 1, 2001), 1 - np.logspace(-16, -1, 50),
                        -(1 - np.logspace(-16, -1, 50)), np.logspace(-300, -1, 60),
                        [np.nan, 1.5, -3.0]])
    got = run(T.erfinv, y)
    ref = sp.erfinv(y)
    np.testing.assert_allclose(got, ref, rtol=1e-14, atol=0)

    x = np.concatenate([np.linspace(-20.3, 30.7, 3001), np.logspace(-8, 8, 100),
                        -np.logspace(-8, 1, 50) + 1e-3, [0.0, -0.0, -3.0, np.inf, np.nan]])
    with np.errstate(all="ignore"):
        got = run(T.psi, x)
        ref = sp.psi(x)
    # Absolute error near the zero of psi (x ~ 1.4616) is what is achievable there.
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)

    g = np.linspace(-9.75, 170.5, 2000)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(run(T.gamma, g), sp.gamma(g), rtol=1e-12)
        np.testing.assert_allclose(run(T.gammaln, g), sp.gammaln(g), rtol=1e-12, atol=1e-14)


def test_float32_special_functions_compute_accurately():
    y = np.linspace(-0.999, 0.999, 501).astype(np.float32)
    got = run(T.erfinv, y)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, sp.erfinv(y.astype(np.float64)).astype(np.float32),
                               rtol=2e-7, atol=0)
    x = np.linspace(0.1, 20, 300).astype(np.float32)
    np.testing.assert_allclose(run(T.psi, x), sp.psi(x.astype(np.float64)), rtol=1e-6,
                               atol=1e-6)


def test_where_and_switch():
    rng = np.random.default_rng(0)
    cond = rng.integers(0, 2, size=(3, 1)).astype(bool)
    a = rng.integers(-5, 5, size=(4,)).astype(np.int8)
    b = rng.normal(size=(3, 4)).astype(np.float32)
    for fn in (T.where, T.switch):
        got = run(fn, cond, a, b)
        ref = np.where(cond, a, b)
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
    # A float condition is read as != 0 even when the branches are integers.
    fc = np.array([0.0, 0.5, -0.25, np.nan])
    ia = np.array([1, 2, 3, 4], dtype=np.int8)
    ib = np.array([9, 9, 9, 9], dtype=np.int8)
    got = run(T.where, fc, ia, ib)
    np.testing.assert_array_equal(got, np.where(fc, ia, ib))
    assert got.dtype == np.int8
    # Non-contiguous and empty.
    big = rng.normal(size=(6, 6))
    got = run(lambda c, x, y: T.where(c > 0, x, y), big[::2, ::3], big.T[::2, ::3], big[1::2, ::3])
    np.testing.assert_array_equal(got, np.where(big[::2, ::3] > 0, big.T[::2, ::3],
                                                big[1::2, ::3]))
    e = np.zeros((0, 3))
    assert run(T.where, e, e, e).shape == (0, 3)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "float32", "float64", "bool"])
def test_clip(dtype):
    rng = np.random.default_rng(1)
    x = sample(dtype, (5, 4), "any", rng)
    lo = sample(dtype, (4,), "small", rng)
    hi = sample(dtype, (5, 1), "small", rng)
    got = run(T.clip, x, lo, hi)
    ref = np.clip(x, lo, hi)
    assert got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)
    got = run(T.clip, x.T, lo[:, None].astype(dtype), hi.T)
    np.testing.assert_array_equal(got, np.clip(x.T, lo[:, None], hi.T))


def test_clip_nan_and_one_sided():
    x = np.array([np.nan, -3.0, 0.5, 9.0])
    np.testing.assert_array_equal(run(lambda v: T.clip(v, -1.0, 1.0), x), np.clip(x, -1, 1))
    np.testing.assert_array_equal(run(lambda v: T.clip(v, None, 1.0), x), np.clip(x, None, 1))
    np.testing.assert_array_equal(run(lambda v: T.clip(v, 0.0, None), x), np.clip(x, 0, None))
    with pytest.raises(ValueError, match="clip"):
        T.clip(T.dvector(), None, None)


# Python scalars follow NumPy 2's weak rule.
WEAK = [
    (T.maximum, np.maximum, "int8", 3),
    (T.minimum, np.minimum, "uint8", 200),
    (T.pow, np.power, "float32", 2),
    (T.pow, np.power, "int16", 3),
    (T.pow, np.power, "int8", 2.5),
    (T.mod, np.remainder, "int32", -3),
    (T.floor_div, np.floor_divide, "float32", 2),
    (T.lt, np.less, "uint8", 3),
    (T.eq, np.equal, "float32", 0.1),
    (T.arctan2, np.arctan2, "float32", 1.0),
    (T.and_, np.bitwise_and, "uint8", 0x0F),
    (T.logical_or, np.logical_or, "int8", 0),
    (T.true_div, np.true_divide, "float32", 3),
]


@pytest.mark.parametrize("fn,ref,dtype,scalar", WEAK,
                         ids=["%s-%s-%r" % (w[0].__name__, w[2], w[3]) for w in WEAK])
def test_python_scalars_are_weak(fn, ref, dtype, scalar):
    rng = np.random.default_rng(2)
    x = sample(dtype, (4,), "pos", rng)
    for args, ref_args in (((None, scalar), (x, scalar)), ((scalar, None), (scalar, x))):
        if fn is T.pow and args[0] is not None:
            continue  # only x ** scalar: scalar ** x is covered by the table
        with np.errstate(all="ignore"):
            expected = np.asarray(ref(*ref_args))
        got = run(lambda v: fn(*[v if a is None else a for a in args]), x)
        assert got.dtype == as_theon_dtype(expected.dtype)
        np.testing.assert_allclose(got, expected.astype(got.dtype), rtol=1e-6)
    w = run(lambda v: T.where(v > 2, v, 0), x)
    assert w.dtype == np.where(x > 2, x, 0).dtype


@pytest.mark.parametrize("dtype,scalar", [("uint8", -1), ("uint8", 300), ("int8", -129),
                                          ("uint64", -5), ("int64", 2**70), ("int32", 2**40)])
def test_comparison_with_out_of_range_python_int(dtype, scalar):
    x = np.array([0, 1, 100], dtype=dtype)
    for fn, ref in [(T.lt, np.less), (T.ge, np.greater_equal), (T.eq, np.equal),
                    (T.neq, np.not_equal)]:
        np.testing.assert_array_equal(run(lambda v: fn(v, scalar), x), ref(x, scalar))
        np.testing.assert_array_equal(run(lambda v: fn(scalar, v), x), ref(scalar, x))


def test_variable_operators_use_these_ops():
    x = np.array([-7, -1, 0, 5, 8], dtype=np.int16)
    got = run(lambda v: [v // 3, v % 3, v ** 2, abs(v), ~v, v & 6, v | 1, v ^ 3, v < 0,
                         v >= 5, -v], x)
    ref = [x // 3, x % 3, x ** 2, abs(x), ~x, x & 6, x | 1, x ^ 3, x < 0, x >= 5, -x]
    for g, r in zip(got, ref):
        assert g.dtype == r.dtype
        np.testing.assert_array_equal(g, r)


def test_bool_inputs_compute_like_numpy():
    b = np.array([True, False, True])
    c = np.array([True, True, False])
    for fn, ref in [(T.pow, np.power), (T.floor_div, np.floor_divide), (T.mod, np.remainder),
                    (T.maximum, np.maximum), (T.add, np.add), (T.mul, np.multiply)]:
        with np.errstate(all="ignore"):
            expected = ref(b, c)
        got = run(fn, b, c)
        assert got.dtype == expected.dtype, fn.__name__
        np.testing.assert_array_equal(got, expected)
    got = run(T.sqr, b)
    assert got.dtype == np.square(b).dtype
    np.testing.assert_array_equal(got, np.square(b))
    np.testing.assert_array_equal(run(T.invert, b), ~b)


# ------------------------------------------------------------------------------ errors
def test_errors():
    f = T.dvector("f")
    b = T.tensor("bool", shape=(None,), name="b")
    with pytest.raises(TypeError, match="bitwise_and"):
        T.and_(f, f)
    with pytest.raises(TypeError, match="invert"):
        T.invert(f)
    with pytest.raises(TypeError, match="sign"):
        T.sgn(b)
    with pytest.raises(TypeError, match="sub"):
        T.sub(b, b)
    with pytest.raises(TypeError, match="neg"):
        T.neg(b)
    i = T.ivector("i")
    g = theon.function([i], T.pow(i, i))
    with pytest.raises(ValueError, match="negative integer powers"):
        g(np.array([2, 3], dtype=np.int32) * np.array([1, -1], dtype=np.int32))
    # Incompatible static and runtime shapes.
    with pytest.raises(ValueError):
        T.maximum(T.tensor("float64", shape=(3,)), T.tensor("float64", shape=(4,)))
    x, y = T.dvector("x"), T.dvector("y")
    h = theon.function([x, y], T.mod(x, y))
    with pytest.raises(ValueError, match="mod"):
        h(np.zeros(3), np.zeros(4))
