"""Alloc family against NumPy: alloc, zeros, ones, full, fill, *_like, eye, arange, tile,
repeat."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.configparser import config

RNG = np.random.default_rng(7)


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 100, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def check(got, want, exact=True):
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if exact:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-6 if got.dtype == np.float32 else 1e-12)


def const_fn(*outs):
    return theon.function([], list(outs))()


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int64", "float32", "float64"])
@pytest.mark.parametrize("vshape,shape", [((), (2, 3)), ((3,), (2, 3)), ((1, 3), (4, 2, 3)),
                                          ((2, 1), (2, 0)), ((), ()), ((), (0,))])
def test_alloc(dtype, vshape, shape):
    v = T.tensor(dtype, shape=tuple(1 if s == 1 else None for s in vshape))
    n = T.lscalar("n")
    # the first dimension symbolic, the rest constants
    sym = (n,) + shape[1:] if shape else ()
    out = T.alloc(v, *sym)
    assert out.dtype == dtype and out.ndim == len(shape)
    f = theon.function([v, n], out, on_unused_input="ignore")
    a = sample(vshape, dtype)
    got = f(a, shape[0] if shape else 0)
    check(got, np.broadcast_to(a, shape))
    assert not np.shares_memory(got, a)


def test_alloc_static_shape_and_errors():
    v = T.vector("v")
    n = T.iscalar("n")
    assert T.alloc(v, 2, 3).type.shape == (2, 3)
    assert T.alloc(v, n, T.shape_i(v, 0)).type.shape == (None, None)
    assert T.alloc(T.tensor("float64", shape=(3,)), n, 3).type.shape == (None, 3)
    with pytest.raises(ValueError, match=r"Alloc.*\(3,\).*\(2, 4\)"):
        T.alloc(T.tensor("float64", shape=(3,)), 2, 4)
    with pytest.raises(TypeError, match="Alloc"):
        T.alloc(v, T.scalar("f"))
    with pytest.raises(ValueError, match="Alloc"):
        T.alloc(v, -2, 3)
    f = theon.function([v, n], T.alloc(v, n, n))
    with pytest.raises(ValueError, match=r"Alloc.*\(3,\).*\(2, 2\)"):
        f(np.ones(3), 2)
    with pytest.raises(ValueError, match="Alloc.*negative"):
        f(np.ones(3), -3)


@pytest.mark.parametrize("fn,npfn", [(T.zeros, np.zeros), (T.ones, np.ones)])
@pytest.mark.parametrize("dtype", [None, "int32", "bool", "float32", "uint8"])
@pytest.mark.parametrize("shape", [(2, 3), 4, (), (0, 5)])
def test_zeros_ones(fn, npfn, dtype, shape):
    (got,) = const_fn(fn(shape, dtype=dtype))
    check(got, npfn(shape, dtype=dtype or config.floatX))


def test_zeros_symbolic_shape():
    x = T.tensor3()
    n = T.iscalar()
    f = theon.function([x, n], [T.zeros(x.shape, dtype="int16"), T.ones((n, 2)),
                                T.zeros((T.shape_i(x, 2), n), dtype="float32")])
    a = sample((2, 3, 4), "float64")
    z, o, z2 = f(a, 5)
    check(z, np.zeros((2, 3, 4), dtype="int16"))
    check(o, np.ones((5, 2), dtype=config.floatX))
    check(z2, np.zeros((4, 5), dtype="float32"))


@pytest.mark.parametrize("value,dtype", [(7, None), (2.5, None), (True, None), (3.7, "int32"),
                                         (np.float32(1.5), None), (-1, "uint8")])
def test_full(value, dtype):
    (got,) = const_fn(T.full((2, 3), value, dtype=dtype))
    with np.errstate(all="ignore"):
        want = np.full((2, 3), np.asarray(value), dtype=dtype) if dtype != "uint8" else \
            np.full((2, 3), np.asarray(value).astype("uint8"))
    check(got, want)


@pytest.mark.parametrize("dtype", ["int8", "float32", "float64", "bool"])
@pytest.mark.parametrize("shape", [(2, 3), (0, 3), (), (4,)])
def test_like(dtype, shape):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    outs = [T.zeros_like(x), T.ones_like(x), T.zeros_like(x, dtype="int16"),
            T.ones_like(x, dtype="float32"), T.full_like(x, 3)]
    f = theon.function([x], outs)
    a = sample(shape, dtype)
    if a.ndim:
        a = np.repeat(a, 2, axis=0)[::2]
    got = f(a)
    want = [np.zeros_like(a), np.ones_like(a), np.zeros_like(a, dtype="int16"),
            np.ones_like(a, dtype="float32"), np.full_like(a, 3)]
    for g, w in zip(got, want):
        check(g, w)


def test_fill():
    m = T.tensor("float32", shape=(None, 1))
    r = T.bvector()
    f = theon.function([m, r], [T.fill(m, r), T.fill(m, 2.5), T.fill(m, 3)])
    mv, rv = sample((3, 1), "float32"), sample((4,), "int8")
    o1, o2, o3 = f(mv, rv)
    check(o1, np.broadcast_to(rv, (3, 4)))
    check(o2, np.full((3, 1), 2.5, dtype="float32"))
    check(o3, np.full((3, 1), 3, dtype="float32"))
    m2 = T.fmatrix()
    g = theon.function([m2, r], T.fill(m2, r))
    with pytest.raises(ValueError, match="Fill"):
        g(sample((3, 2), "float32"), rv)
    with pytest.raises(ValueError, match="Fill"):
        T.fill(T.tensor("float32", shape=(3, 2)), T.tensor("int8", shape=(4,)))


@pytest.mark.parametrize("n,m,k", [(3, None, 0), (3, 4, 1), (4, 3, -1), (2, 2, 5), (0, 3, 0),
                                   (3, 5, -4)])
@pytest.mark.parametrize("dtype", [None, "int32", "bool", "float32"])
def test_eye(n, m, k, dtype):
    (got,) = const_fn(T.eye(n, m, k, dtype=dtype))
    check(got, np.eye(n, m, k, dtype=dtype or config.floatX))


def test_eye_symbolic():
    n, k = T.lscalar("n"), T.iscalar("k")
    f = theon.function([n, k], T.eye(n, None, k, dtype="int64"))
    check(f(4, -2), np.eye(4, k=-2, dtype="int64"))
    with pytest.raises(ValueError, match="Eye"):
        f(-1, 0)
    with pytest.raises(TypeError, match="Eye"):
        T.eye(T.scalar())


@pytest.mark.parametrize("args,dtype", [
    ((5,), None), ((2, 11, 3), None), ((10, 0, -3), None), ((0, 1, 0.1), None),
    ((1.5,), None), ((5, 1), None), ((-3, 3, 1.5), "int64"), ((0.5, 3), "int32"),
    ((0, 1, 0.1), "float32"), ((np.float32(0.1), 1), None), ((1, 2, 0.3), "int64"),
    ((0, 10, 3), "float32"), ((-5,), None), ((0, -2.5, -0.5), None),
])
def test_arange_constant(args, dtype):
    got_var = T.arange(*args, dtype=dtype)
    (got,) = const_fn(got_var)
    want = np.arange(*args, dtype=dtype)
    check(got, want, exact=False)
    assert got_var.type.shape == want.shape  # static length from constant arguments


@pytest.mark.parametrize("dtypes", [("int32", "int32", "int32"), ("int8", "int64", "int16"),
                                    ("float32", "int32", "int32"), ("float64", "float32", "int8")])
def test_arange_symbolic(dtypes):
    s = [T.scalar(dtype=d) for d in dtypes]
    out = T.arange(*s)
    vals = [np.asarray(v, dtype=d) for v, d in zip((1, 9, 2), dtypes)]
    want = np.arange(*[v.item() for v in vals])
    assert out.dtype == want.dtype
    f = theon.function(s, out)
    check(f(*vals), want, exact=False)
    vals[2] = np.asarray(-1, dtype=dtypes[2])
    check(f(*vals), np.arange(1, 9, -1, dtype=want.dtype))
    vals[2] = np.asarray(0, dtype=dtypes[2])
    with pytest.raises(ValueError, match="ARange"):
        f(*vals)


def test_arange_errors():
    with pytest.raises(ValueError, match="ARange.*step"):
        T.arange(0, 5, 0)
    with pytest.raises(TypeError, match="ARange"):
        T.arange(T.vector())


@pytest.mark.parametrize("dtype", ["int16", "float32", "bool"])
@pytest.mark.parametrize("shape,reps", [((3,), 2), ((2, 3), (2, 1)), ((2, 3), (3,)),
                                        ((2, 3), (2, 1, 2)), ((2, 0), (2, 2)), ((), (2, 3)),
                                        ((2, 3), (0, 1)), ((1, 2, 3), (1, 1))])
def test_tile(dtype, shape, reps):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    t = T.tile(x, reps)
    f = theon.function([x], t)
    a = sample(shape, dtype)
    want = np.tile(a, reps)
    assert t.ndim == want.ndim
    for v in [a, a.T, np.repeat(a, 2, axis=-1)[..., ::2] if a.ndim else a]:
        check(f(v), np.tile(v, reps))


def test_tile_errors():
    with pytest.raises(ValueError, match="Tile"):
        T.tile(T.matrix(), (-1, 2))
    with pytest.raises(NotImplementedError):
        T.tile(T.matrix(), (T.iscalar(), 2))


@pytest.mark.parametrize("dtype", ["int32", "float64", "bool"])
@pytest.mark.parametrize("shape,repeats,axis", [
    ((2, 3), 2, None), ((2, 3), 3, 0), ((2, 3), [1, 0, 2], 1), ((2, 3), [2], -1),
    ((4,), [1, 2, 0, 1], 0), ((0, 3), 2, 0), ((2, 3), 0, 1), ((), 3, None), ((2, 3), [1, 2], 0),
])
def test_repeat(dtype, shape, repeats, axis):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    f = theon.function([x], T.repeat(x, repeats, axis=axis))
    a = sample(shape, dtype)
    for v in [a, a.T if a.ndim == 2 and axis is None else a]:
        check(f(v), np.repeat(v, repeats, axis=axis))


def test_repeat_symbolic_and_errors():
    x = T.matrix()
    r = T.ivector("r")
    f = theon.function([x, r], T.repeat(x, r, axis=0))
    a = sample((3, 2), "float64")
    check(f(a, np.array([0, 2, 1], dtype="int32")), np.repeat(a, [0, 2, 1], axis=0))
    with pytest.raises(ValueError, match=r"Repeat\{axis=0\}"):
        f(a, np.array([1, 2], dtype="int32"))
    with pytest.raises(ValueError, match="Repeat.*negative"):
        f(a, np.array([1, -2, 1], dtype="int32"))
    assert T.repeat(T.tensor("float64", shape=(2, 3)), [1, 2], axis=0).type.shape == (3, 3)
    with pytest.raises(ValueError, match="Repeat"):
        T.repeat(T.tensor("float64", shape=(2, 3)), [1, 2], axis=1)
    with pytest.raises(TypeError, match="repeat"):
        T.repeat(x, 1.5)
