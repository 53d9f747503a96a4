"""Shape family against NumPy: shape, shape_i, reshape (constant and symbolic shapes),
flatten, dimshuffle, transpose, swapaxes, squeeze, expand_dims, specify_shape."""

import numpy as np
import pytest

import theon
import theon.tensor as T

RNG = np.random.default_rng(1234)
DTYPES = ["bool", "int8", "int32", "int64", "uint16", "float32", "float64"]


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 100, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def variants(a):
    """The array as is, plus non-contiguous views with the same values where possible."""
    out = [a]
    if a.ndim >= 1 and a.size:
        big = np.repeat(a, 2, axis=0)
        out.append(big[::2])  # strided first axis
        out.append(np.ascontiguousarray(a.T).T)  # Fortran order
    return out


def run(inputs, outputs, *args):
    return theon.function(inputs, outputs)(*args)


def check(got, want):
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,newshape", [
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1, 2)), ((6,), (1, 6, 1)),
    ((2, 0, 3), (0, 6)), ((2, 0, 3), (-1, 3)), ((1,), ()), ((), (1, 1)), ((3, 1), (3,)),
])
def test_reshape_constant(dtype, shape, newshape):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    f = theon.function([x], T.reshape(x, newshape))
    for a in variants(sample(shape, dtype)):
        out = f(a)
        check(out, a.reshape(newshape))
        assert not np.shares_memory(out, a)


def test_reshape_static_shape():
    x = T.tensor("float32", shape=(2, 3, 4))
    assert T.reshape(x, (4, -1)).type.shape == (4, 6)
    y = T.matrix()
    assert T.reshape(y, (2, -1, 1)).type.shape == (2, None, 1)
    assert T.reshape(y, (2, -1, 1)).broadcastable == (False, False, True)


def test_reshape_symbolic_shape():
    x = T.tensor3("x", dtype="int32")
    r = x.reshape((T.shape_i(x, 0), -1))
    r2 = T.reshape(x, (T.shape_i(x, 2), T.shape_i(x, 0), T.shape_i(x, 1)))
    f = theon.function([x], [r, r2])
    a = sample((3, 4, 5), "int32")
    for v in variants(a):
        o1, o2 = f(v)
        check(o1, v.reshape(v.shape[0], -1))
        check(o2, v.reshape(v.shape[2], v.shape[0], v.shape[1]))
        assert not np.shares_memory(o1, v)


@pytest.mark.skipif(not hasattr(T._subtensor, "getitem"), reason="needs indexing (subtensor)")
def test_reshape_by_indexed_shape():
    x = T.tensor3("x", dtype="float32")
    f = theon.function([x], T.reshape(x, (x.shape[0], -1)))
    for v in variants(sample((3, 4, 5), "float32")):
        check(f(v), v.reshape(v.shape[0], -1))


def test_reshape_by_vector_variable():
    x = T.matrix()
    s = T.lvector("s")
    f = theon.function([x, s], T.reshape(x, s, ndim=3))
    a = sample((4, 6), "float64")
    check(f(a, np.array([2, -1, 3])), a.reshape(2, -1, 3))
    with pytest.raises(ValueError, match=r"Reshape\{3\}.*\(4, 6\).*\(5, 1, 1\)"):
        f(a, np.array([5, 1, 1]))


def test_reshape_errors():
    x = T.tensor("float64", shape=(2, 3))
    with pytest.raises(ValueError, match=r"Reshape\{2\}.*\(2, 3\).*\(4, 2\)"):
        T.reshape(x, (4, 2))
    with pytest.raises(ValueError, match="one unknown dimension"):
        T.reshape(x, (-1, -1))
    m = T.matrix()
    f = theon.function([m], m.reshape((7, -1)))
    with pytest.raises(ValueError, match=r"Reshape\{2\}.*\(2, 3\)"):
        f(np.zeros((2, 3)))
    with pytest.raises(TypeError):
        T.reshape(m, (2.5, 3))
    with pytest.raises(TypeError):
        T.reshape(m, (T.scalar("f"), 3))


@pytest.mark.parametrize("dtype", ["int16", "float32", "bool"])
@pytest.mark.parametrize("shape,ndim", [
    ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), 3), ((2, 0, 4), 2), ((5,), 1), ((), 1),
])
def test_flatten(dtype, shape, ndim):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    out_var = T.flatten(x, ndim)
    assert out_var.ndim == ndim
    f = theon.function([x], out_var)
    for a in variants(sample(shape, dtype)):
        want = a.reshape(a.shape[:ndim - 1] + (-1,)) if a.size else a.reshape(
            a.shape[:ndim - 1] + (int(np.prod(a.shape[ndim - 1:])),))
        out = f(a)
        check(out, want)
        assert not np.shares_memory(out, a)


def test_flatten_errors():
    with pytest.raises(ValueError, match="Flatten"):
        T.flatten(T.matrix(), 3)
    with pytest.raises(ValueError, match="Flatten"):
        T.flatten(T.matrix(), 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("static,pattern,np_fn", [
    ((None, None), (1, 0), lambda a: a.T),
    ((None, None), ("x", 0, "x", 1), lambda a: a[None, :, None, :]),
    ((None, 1, None), (2, 0), lambda a: a[:, 0, :].T),
    ((1,), (), lambda a: a.reshape(())),
    ((), ("x", "x"), lambda a: a.reshape(1, 1)),
    ((None, None, None), (0, 2, 1, "x"), lambda a: a.transpose(0, 2, 1)[..., None]),
])
def test_dimshuffle(dtype, static, pattern, np_fn):
    x = T.tensor(dtype, shape=static)
    d = x.dimshuffle(*pattern)
    d2 = T.dimshuffle(x, list(pattern))
    f = theon.function([x], [d, d2])
    shape = tuple(3 if s is None else s for s in static)
    for a in variants(sample(shape, dtype)) + [sample(tuple(0 if s is None else s for s in static), dtype)]:
        o1, o2 = f(a)
        check(o1, np_fn(a))
        check(o2, np_fn(a))
        assert not np.shares_memory(o1, a)


def test_dimshuffle_broadcastable():
    x = T.matrix()
    assert x.dimshuffle("x", 1, 0).broadcastable == (True, False, False)
    c = T.col()
    assert c.dimshuffle(0).type.shape == (None,)


def test_dimshuffle_errors():
    x = T.matrix("x")
    with pytest.raises(ValueError, match=r"DimShuffle\{1\}.*cannot drop dimension 0"):
        x.dimshuffle(1)
    with pytest.raises(ValueError, match=r"DimShuffle.*appears twice"):
        x.dimshuffle(0, 0, 1)
    with pytest.raises(ValueError, match=r"DimShuffle.*not a dimension"):
        x.dimshuffle(0, 2)
    with pytest.raises(ValueError, match="DimShuffle"):
        x.dimshuffle(0, "y")
    with pytest.raises(ValueError, match="DimShuffle"):
        x.dimshuffle(-1, 0)


@pytest.mark.parametrize("dtype", ["int8", "float64", "bool"])
@pytest.mark.parametrize("shape,axes", [
    ((2, 3), None), ((2, 3, 4), None), ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (-1, 0, 1)),
    ((5,), None), ((), None), ((0, 3), None),
])
def test_transpose(dtype, shape, axes):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    f = theon.function([x], [T.transpose(x, axes), x.T])
    for a in variants(sample(shape, dtype)):
        o1, o2 = f(a)
        check(o1, np.transpose(a, axes))
        check(o2, a.T)


def test_transpose_errors():
    x = T.tensor3()
    with pytest.raises(ValueError, match="transpose"):
        T.transpose(x, (0, 1))
    with pytest.raises(ValueError, match="transpose"):
        T.transpose(x, (0, 1, 1))
    with pytest.raises(ValueError, match="out of bounds"):
        T.transpose(x, (0, 1, 3))


@pytest.mark.parametrize("a1,a2", [(0, 1), (0, -1), (2, 1), (1, 1)])
def test_swapaxes(a1, a2):
    x = T.tensor3(dtype="float32")
    f = theon.function([x], T.swapaxes(x, a1, a2))
    for a in variants(sample((2, 3, 4), "float32")):
        check(f(a), np.swapaxes(a, a1, a2))


@pytest.mark.parametrize("static,axis", [
    ((1, None, 1), None), ((1, None, 1), 0), ((1, None, 1), (0, -1)), ((None, None), 1),
    ((None, 1, None), (0, 1)), ((1,), None), ((None, None), None),
])
def test_squeeze(static, axis):
    x = T.tensor("float64", shape=static)
    f = theon.function([x], T.squeeze(x, axis))
    shape = tuple(1 if s == 1 else (1 if i == 0 else 4) for i, s in enumerate(static))
    if axis is not None:
        # the dims named in axis have size 1 at run time
        ax = (axis,) if isinstance(axis, int) else axis
        shape = tuple(1 if (i in ax or i - len(static) in ax) else s for i, s in enumerate(shape))
    a = sample(shape, "float64")
    if axis is None:
        want_axes = tuple(i for i, s in enumerate(static) if s == 1)
        want = np.squeeze(a, want_axes)
    else:
        want = np.squeeze(a, axis)
    check(f(a), want)


def test_squeeze_runtime_check():
    x = T.matrix()
    f = theon.function([x], T.squeeze(x, 1))
    check(f(np.ones((3, 1))), np.ones(3))
    with pytest.raises(ValueError, match=r"Squeeze.*\(3, 2\)"):
        f(np.ones((3, 2)))
    with pytest.raises(ValueError, match="Squeeze"):
        T.squeeze(T.tensor("float64", shape=(2, 3)), 0)
    with pytest.raises(ValueError, match="out of bounds"):
        T.squeeze(x, 2)


@pytest.mark.parametrize("shape,axis", [
    ((2, 3), 0), ((2, 3), -1), ((2, 3), 1), ((2, 3), (0, 3)), ((), 0), ((4,), (-1, -2)),
])
def test_expand_dims(shape, axis):
    x = T.tensor("int32", shape=(None,) * len(shape))
    e = T.expand_dims(x, axis)
    f = theon.function([x], e)
    a = sample(shape, "int32")
    want = np.expand_dims(a, axis)
    assert e.broadcastable == tuple(s == 1 and (i in np.atleast_1d(axis) % want.ndim)
                                    for i, s in enumerate(want.shape))
    check(f(a), want)
    with pytest.raises(ValueError):
        T.expand_dims(x, len(shape) + 5)


def test_shape_and_shape_i():
    x = T.tensor("float32", shape=(None, 3, None))
    s = T.shape(x)
    assert s.dtype == "int64" and s.ndim == 1
    f = theon.function([x], [s, T.shape_i(x, 1), T.shape_i(x, -1), T.size(x), x.shape])
    a = sample((2, 3, 0), "float32")
    out = f(a)
    check(out[0], np.array(a.shape, dtype=np.int64))
    check(out[1], np.int64(3))
    check(out[2], np.int64(0))
    check(out[3], np.int64(a.size))
    check(out[4], np.array(a.shape, dtype=np.int64))
    with pytest.raises(IndexError, match="Shape_i"):
        T.shape_i(x, 3)


def test_make_vector():
    a = T.iscalar("a")
    b = T.lscalar("b")
    v = T.make_vector(a, b, 7)
    assert v.dtype == "int64"
    f = theon.function([a, b], v)
    check(f(np.int32(-2), np.int64(5)), np.array([-2, 5, 7]))


def test_specify_shape():
    x = T.matrix()
    s = T.specify_shape(x, (None, 3))
    assert s.type.shape == (None, 3)
    f = theon.function([x], s)
    a = np.ones((2, 3))
    out = f(a)
    check(out, a)
    assert not np.shares_memory(out, a)
    with pytest.raises(ValueError, match="SpecifyShape"):
        f(np.ones((2, 4)))
