"""Reductions, mean/var/std and cumulative ops against NumPy."""

import itertools
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T

DTYPES = ["bool", "int8", "int32", "uint8", "float32", "float64"]
RNG = np.random.default_rng(1234)


def sample(shape, dtype, small=False):
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if dtype.startswith("uint"):
        return RNG.integers(0, 4 if small else 50, shape).astype(dtype)
    if dtype.startswith("int"):
        return RNG.integers(-3 if small else -50, 4 if small else 50, shape).astype(dtype)
    if small:
        return RNG.uniform(0.5, 1.5, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def tol(dtype):
    return dict(rtol=2e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)


def compile1(fn, value, **kw):
    x = T.tensor(str(value.dtype), shape=(None,) * value.ndim, name="x")
    out = fn(x, **kw)
    return theon.function([x], out)


def np_ref(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kw)


def check(name, value, axis, keepdims, extra=None):
    """Compares T.<name> with np.<name> (value, dtype and shape), or that both raise."""
    extra = extra or {}
    np_axis = tuple(axis) if isinstance(axis, list) else axis  # theon also takes a list
    tfn = getattr(T, name)
    nfn = getattr(np, name)
    try:
        expected = np.asarray(np_ref(nfn, value, axis=np_axis, keepdims=keepdims, **extra))
    except ValueError as e:
        f = compile1(tfn, value, axis=axis, keepdims=keepdims, **extra)
        with pytest.raises(ValueError, match=str(e).split(" ")[0]):
            f(value)
        return
    f = compile1(tfn, value, axis=axis, keepdims=keepdims, **extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = f(value)
    assert got.dtype == expected.dtype, (name, value.dtype, axis, got.dtype, expected.dtype)
    assert got.shape == expected.shape, (name, value.shape, axis, got.shape, expected.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, equal_nan=True, **tol(str(expected.dtype)))
    else:
        np.testing.assert_array_equal(got, expected)


SHAPES_AXES = [
    ((), [None]),
    ((1,), [None, 0, -1]),
    ((7,), [None, 0, -1, (0,), ()]),
    ((3, 4), [None, 0, 1, -1, -2, (0, 1), (1, 0), [0], ()]),
    ((2, 3, 5), [None, 0, 1, 2, (0, 2), (-1, 0), (0, 1, 2), (1, 2)]),
    ((2, 1, 3, 2), [None, 1, 3, (0, 2), (1, 3)]),
    ((0,), [None, 0]),
    ((0, 3), [None, 0, 1]),
    ((3, 0), [None, 0, 1, (0, 1)]),
]
CASES = [(s, a) for s, axes in SHAPES_AXES for a in axes]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "any", "all", "mean"])
def test_reductions_match_numpy(name, dtype, shape, axis):
    value = sample(shape, dtype, small=(name == "prod"))
    for keepdims in (False, True):
        check(name, value, axis, keepdims)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [c for c in CASES if not isinstance(c[1], (tuple, list))])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions_match_numpy(name, dtype, shape, axis):
    value = sample(shape, dtype)
    if dtype != "bool" and value.size > 1:
        value.flat[:: max(value.size // 3, 1)] = value.flat[0]  # ties: first occurrence wins
    for keepdims in (False, True):
        check(name, value, axis, keepdims)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_std_match_numpy(name, dtype, shape, axis, ddof):
    value = sample(shape, dtype)
    for keepdims in (False, True):
        check(name, value, axis, keepdims, {"ddof": ddof})


def test_argmax_over_several_axes_is_flat_index():
    a = sample((3, 4, 5), "float64")
    f = compile1(T.argmax, a, axis=(0, 2))
    moved = np.moveaxis(a, 1, 0).reshape(4, 15)
    np.testing.assert_array_equal(f(a), moved.argmax(axis=1))


NONCONTIG = {
    "transpose": lambda a: a.T,
    "step": lambda a: a[::2],
    "reversed": lambda a: a[:, ::-1],
    "both": lambda a: a[::-2, 1::3],
    "broadcast": lambda a: np.broadcast_to(a[:1], a.shape),
}


@pytest.mark.parametrize("view", list(NONCONTIG))
@pytest.mark.parametrize("dtype", ["int8", "uint8", "float32", "float64", "bool"])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "argmin", "all", "mean", "var"])
def test_non_contiguous_inputs(name, dtype, view):
    base = sample((6, 7), dtype, small=(name == "prod"))
    value = NONCONTIG[view](base)
    assert not value.flags.c_contiguous
    for axis in (None, 0, 1, (0, 1)):
        if name == "argmin" and isinstance(axis, tuple):
            continue
        check(name, value, axis, False)


def test_nan_semantics():
    a = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan], [0.5, 0.25, 4.0]])
    b = RNG.standard_normal((5, 6))
    b[b > 0.8] = np.nan
    b[0, 0] = b[4, 5] = np.nan
    for value in (a, a.T, a[::-1], b, b.T, b[:, ::-1], np.round(b)):
        for name in ("max", "min", "argmax", "argmin", "sum", "mean", "any", "all"):
            for axis in (None, 0, 1):
                check(name, value, axis, False)


def test_float32_sum_accuracy():
    a = RNG.uniform(0, 1, 100000).astype("float32")
    f = compile1(T.sum, a)
    exact = a.astype(np.float64).sum()
    got = f(a)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, exact, rtol=1e-6)
    np.testing.assert_allclose(got, a.sum(), rtol=1e-5)


def test_integer_wraparound_matches_numpy():
    a = np.array([2**62, 2**62, 2**62], dtype="int64")
    check("sum", a, None, False)
    check("prod", np.array([2**40, 2**40], dtype="int64"), None, False)
    check("sum", np.array([200, 200], dtype="uint8"), None, False)


def test_empty_values():
    e = np.zeros((0, 4), dtype="float64")
    assert compile1(T.sum, e)(e) == 0
    assert compile1(T.prod, e)(e) == 1
    assert np.isnan(compile1(T.mean, e)(e))
    np.testing.assert_array_equal(compile1(T.sum, e, axis=0)(e), np.zeros(4))
    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum"):
        compile1(T.max, e)(e)
    with pytest.raises(ValueError, match="minimum which has no identity"):
        compile1(T.min, e, axis=0)(e)
    with pytest.raises(ValueError, match="argmax of an empty sequence"):
        compile1(T.argmax, e, axis=0)(e)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all",
                                  "mean", "var", "std"])
def test_axis_errors_name_the_op(name):
    x = T.matrix("x", dtype="float64")
    fn = getattr(T, name)
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of bounds"):
        fn(x, axis=2)
    with pytest.raises(ValueError, match=rf"{name}: axis -3 is out of bounds"):
        fn(x, axis=-3)
    if name not in ("argmax", "argmin"):
        with pytest.raises(ValueError, match=rf"{name}: duplicate value in 'axis'"):
            fn(x, axis=(1, -1))
    with pytest.raises(TypeError):
        fn(x, axis=1.5)


def test_dtype_and_acc_dtype_keywords():
    a = sample((4, 5), "int8")
    x = T.bmatrix("x")
    f = theon.function([x], [T.sum(x, dtype=np.float32), T.prod(x, axis=0, dtype="int8"),
                             T.mean(x, axis=1, dtype="float32"),
                             T.sum(x, acc_dtype="float64", dtype="int32")])
    s, p, m, s2 = f(a)
    for got, exp in [(s, a.sum(dtype="float32")), (p, a.prod(axis=0, dtype="int8")),
                     (m, a.mean(axis=1, dtype="float32")), (s2, a.sum().astype("int32"))]:
        assert got.dtype == exp.dtype
        np.testing.assert_allclose(got, exp, rtol=1e-6)


def test_methods_and_static_shapes():
    x = T.tensor("float64", shape=(3, None, 4), name="x")
    assert x.sum(axis=1).type.shape == (3, 4)
    assert x.sum(axis=(0, 2), keepdims=True).type.shape == (1, None, 1)
    assert T.argmax(x, axis=-1).dtype == "int64"
    assert T.mean(T.bvector()).dtype == "float64"
    assert T.cumsum(x).type.shape == (None,)
    assert T.cumsum(T.tensor("float32", shape=(2, 3))).type.shape == (6,)
    a = sample((3, 2, 4), "float64")
    f = theon.function([x], [x.mean(axis=0), x.var(ddof=1), x.std(axis=(0, 2))])
    for got, exp in zip(f(a), [a.mean(axis=0), a.var(ddof=1), a.std(axis=(0, 2))]):
        np.testing.assert_allclose(got, exp, rtol=1e-12)


# --- cumsum / cumprod -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", [((), None), ((5,), None), ((5,), 0), ((5,), -1),
                                        ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((3, 4), -2),
                                        ((2, 3, 4), 1), ((0, 3), 0), ((0, 3), 1), ((3, 0), None)])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_cumulative_match_numpy(name, dtype, shape, axis):
    value = sample(shape, dtype, small=True)
    f = compile1(getattr(T, name), value, axis=axis)
    got = f(value)
    expected = getattr(np, name)(value, axis=axis)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **tol(str(expected.dtype)))


@pytest.mark.parametrize("view", ["transpose", "step", "reversed", "both"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumulative_non_contiguous(view, axis):
    value = NONCONTIG[view](sample((6, 7), "float64"))
    for name in ("cumsum", "cumprod"):
        got = compile1(getattr(T, name), value, axis=axis)(value)
        np.testing.assert_allclose(got, getattr(np, name)(value, axis=axis), rtol=1e-12)


def test_cumulative_errors():
    x = T.matrix("x", dtype="float64")
    with pytest.raises(ValueError, match="cumsum: axis 2 is out of bounds"):
        T.cumsum(x, axis=2)
    with pytest.raises(ValueError, match="cumprod: axis -3 is out of bounds"):
        T.cumprod(x, axis=-3)


def test_mean_var_with_unknown_and_known_static_shapes_agree():
    a = sample((4, 6), "float32")
    known = T.tensor("float32", shape=(4, 6))
    unknown = T.tensor("float32", shape=(None, None))
    outs = []
    for x in (known, unknown):
        f = theon.function([x], [T.mean(x, axis=0), T.var(x, axis=1, ddof=1), T.std(x)])
        outs.append(f(a))
    for k, u, e in zip(outs[0], outs[1], [a.mean(axis=0), a.var(axis=1, ddof=1), a.std()]):
        assert k.dtype == u.dtype == e.dtype
        np.testing.assert_allclose(k, e, rtol=1e-5)
        np.testing.assert_allclose(u, e, rtol=1e-5)


def test_every_combination_of_axes_of_a_4d_array():
    a = sample((2, 3, 1, 4), "float64")
    for r in range(5):
        for axes in itertools.combinations(range(4), r):
            check("sum", a, axes, False)
            check("max", a, axes, True)
