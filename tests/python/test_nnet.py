"""theon.tensor.nnet against float64 NumPy formulas, including extreme inputs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor import nnet

RNG = np.random.default_rng(99)

EXTREME = np.array([-1000.0, -745.0, -100.0, -30.0, -1.5, -1e-9, 0.0, 1e-9, 0.5, 2.0, 30.0,
                    100.0, 1000.0, np.inf, -np.inf, np.nan])


def ref_sigmoid(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def ref_softplus(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        return np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))


def float_of(dtype):
    """The dtype theon's float functions give an input dtype (as its exp does)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return dtype
    return np.dtype(np.float32) if dtype.itemsize <= 2 else np.dtype(np.float64)


def tol(dtype):
    return dict(rtol=3e-6, atol=1e-30) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-300)


def compile1(fn, value):
    x = T.tensor(str(value.dtype), shape=(None,) * value.ndim, name="x")
    out = fn(x)
    return out, theon.function([x], out)(value)


@pytest.mark.parametrize("name,ref", [("sigmoid", ref_sigmoid), ("softplus", ref_softplus),
                                      ("ultra_fast_sigmoid", ref_sigmoid)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elementwise_extremes(name, ref, dtype):
    x = EXTREME.astype(dtype)
    out, got = compile1(getattr(nnet, name), x)
    assert got.dtype == np.dtype(dtype) and out.dtype == dtype
    with np.errstate(over="ignore", under="ignore"):
        want = ref(x.astype(np.float64)).astype(dtype)
    np.testing.assert_allclose(got, want, **tol(np.dtype(dtype)))


def test_stable_fixed_points():
    x = np.array([-1000.0, 1000.0])
    _, s = compile1(nnet.sigmoid, x)
    _, p = compile1(nnet.softplus, x)
    assert s[0] == 0.0 and s[1] == 1.0
    assert p[1] == 1000.0 and p[0] == np.exp(-1000.0)
    assert not np.isnan(s).any() and not np.isnan(p).any()
    _, p32 = compile1(nnet.softplus, np.array([-90.0, -20.0], np.float32))
    np.testing.assert_allclose(p32, np.exp(np.array([-90.0, -20.0])).astype(np.float32),
                               rtol=1e-6)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "bool"])
def test_elementwise_of_integers_gives_float(dtype):
    x = (RNG.integers(-5, 6, size=(3, 4)) if dtype != "bool" else RNG.random((3, 4)) > .5)
    x = x.astype(dtype)
    for fn, ref in [(nnet.sigmoid, ref_sigmoid), (nnet.softplus, ref_softplus)]:
        out, got = compile1(fn, x)
        assert got.dtype == float_of(dtype)
        np.testing.assert_allclose(got, ref(x.astype(np.float64)), rtol=3e-6)


def test_hard_sigmoid():
    x = np.linspace(-5, 5, 41)
    _, got = compile1(nnet.hard_sigmoid, x)
    np.testing.assert_allclose(got, np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int32", "int64", "uint16"])
def test_relu_matches_numpy_maximum(dtype):
    x = RNG.standard_normal((4, 5)) * 10
    x = x.astype(dtype)
    out, got = compile1(nnet.relu, x)
    want = np.maximum(x, 0)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    # non-contiguous view
    _, got_t = compile1(nnet.relu, x.T[::2])
    np.testing.assert_array_equal(got_t, np.maximum(x.T[::2], 0))


@pytest.mark.parametrize("dtype,alpha", [("float32", 0.1), ("float64", 0.01), ("int32", 0.5),
                                         ("int16", 2), ("float64", -1.0)])
def test_leaky_relu(dtype, alpha):
    x = (RNG.standard_normal((3, 7)) * 10).astype(dtype)
    _, got = compile1(lambda v: nnet.relu(v, alpha), x)
    want = np.where(x > 0, x, alpha * x)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_relu_symbolic_alpha_and_nan():
    x = T.vector("x")
    a = T.scalar("a")
    f = theon.function([x, a], nnet.relu(x, a))
    v = np.array([-2.0, 3.0, np.nan])
    np.testing.assert_array_equal(f(v, 0.5), np.where(v > 0, v, 0.5 * v))
    _, got = compile1(nnet.relu, v)
    np.testing.assert_array_equal(got, np.maximum(v, 0))
    with pytest.raises(TypeError, match="relu"):
        nnet.relu(T.vector("b", dtype="bool"))


def ref_softmax(x, axis):
    x = np.asarray(x, np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


def ref_log_softmax(x, axis):
    x = np.asarray(x, np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


VIEWS = {
    "contiguous": lambda a: a,
    "transposed": lambda a: a.T,
    "steps": lambda a: a[::2, ::-1],
    "size1": lambda a: a[:1],
    "broadcast": lambda a: np.broadcast_to(a[0], a.shape),
}


@pytest.mark.parametrize("fn,ref", [(nnet.softmax, ref_softmax),
                                    (nnet.log_softmax, ref_log_softmax)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_softmax_any_axis_any_strides(fn, ref, dtype, view, axis):
    base = (RNG.standard_normal((6, 8)) * 20).astype(dtype)
    x = VIEWS[view](base)
    out, got = compile1(lambda v: fn(v, axis=axis), x)
    want = ref(x, axis)
    assert got.dtype == np.dtype(dtype) and got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12,
                               atol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_softmax_3d(axis):
    x = RNG.standard_normal((3, 4, 5))
    for fn, ref in [(nnet.softmax, ref_softmax), (nnet.log_softmax, ref_log_softmax)]:
        _, got = compile1(lambda v: fn(v, axis=axis), x)
        np.testing.assert_allclose(got, ref(x, axis), rtol=1e-12, atol=1e-14)


def test_softmax_default_axis_is_last():
    x = RNG.standard_normal((3, 4))
    _, got = compile1(nnet.softmax, x)
    np.testing.assert_allclose(got.sum(axis=-1), np.ones(3), rtol=1e-14)
    np.testing.assert_allclose(got, ref_softmax(x, -1), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_extremes(dtype):
    x = np.array([[1000.0, 0.0], [-1000.0, -1000.0], [1e30, -1e30], [0.0, -np.inf]], dtype)
    _, got = compile1(nnet.softmax, x)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, ref_softmax(x, -1).astype(dtype), rtol=1e-6)
    _, lgot = compile1(nnet.log_softmax, x[:3])
    np.testing.assert_allclose(lgot, ref_log_softmax(x[:3], -1).astype(dtype), rtol=1e-6)
    assert lgot[0, 1] == -1000.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 3, 16, 17, 1000])
def test_softmax_rows_around_the_vector_width_with_nan_and_infinities(dtype, n):
    # Contiguous rows run the vectorized kernel (maxima in lanes, partial sums): rows shorter
    # and longer than a lane group, a NaN anywhere (the whole row NaN), +inf, a row of -inf.
    x = (RNG.standard_normal((5, n)) * 10).astype(dtype)
    x[1, n // 2] = np.nan
    x[2, n - 1] = np.inf
    x[3, :] = -np.inf
    x[4, 0] = -np.inf
    for fn, ref in [(nnet.softmax, ref_softmax), (nnet.log_softmax, ref_log_softmax)]:
        _, got = compile1(lambda v: fn(v, axis=1), x)
        with np.errstate(invalid="ignore"):
            want = ref(x, 1)
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12,
                                   atol=1e-6 if dtype == "float32" else 1e-14)
        _, flat = compile1(lambda v: fn(v, axis=None), x[0])
        np.testing.assert_allclose(flat, ref(x[0], None), rtol=1e-5 if dtype == "float32"
                                   else 1e-12, atol=1e-6 if dtype == "float32" else 1e-14)


def test_softmax_empty_and_int():
    _, got = compile1(lambda v: nnet.softmax(v, axis=1), np.zeros((0, 3)))
    assert got.shape == (0, 3)
    _, got = compile1(lambda v: nnet.log_softmax(v, axis=1), np.zeros((3, 0)))
    assert got.shape == (3, 0)
    x = RNG.integers(-3, 4, size=(2, 5))
    _, got = compile1(nnet.softmax, x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref_softmax(x, -1), rtol=1e-12)


def test_softmax_bad_axis():
    m = T.matrix("m")
    with pytest.raises(ValueError, match="softmax.*axis 2"):
        nnet.softmax(m, axis=2)
    with pytest.raises(ValueError, match="log_softmax.*axis -3"):
        nnet.log_softmax(m, axis=-3)


def test_exports():
    for name in ["sigmoid", "softplus", "relu", "softmax", "log_softmax"]:
        assert name in nnet.__all__ and callable(getattr(nnet, name))
    assert T.nnet is nnet
