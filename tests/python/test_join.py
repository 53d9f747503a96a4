"""Join family against NumPy: join, concatenate, stack, split."""

import numpy as np
import pytest

import theon
import theon.tensor as T

RNG = np.random.default_rng(99)


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 100, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def check(got, want):
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


def noncontig(a):
    """A non-contiguous array equal to a."""
    if a.ndim == 0 or a.size == 0:
        return a
    return np.repeat(a, 2, axis=-1)[..., ::2]


DTYPE_PAIRS = [("float32", "float32"), ("int8", "uint8"), ("int32", "float32"),
               ("bool", "int16"), ("int64", "float64"), ("uint32", "int32"), ("bool", "bool")]


@pytest.mark.parametrize("d1,d2", DTYPE_PAIRS)
@pytest.mark.parametrize("s1,s2,axis", [
    ((2, 3), (4, 3), 0), ((2, 3), (2, 1), 1), ((2, 3), (2, 0), -1), ((0, 3), (0, 3), 0),
    ((5,), (2,), 0), ((2, 1, 3), (2, 4, 3), 1), ((1, 2, 3), (1, 2, 3), 2),
])
def test_concatenate_matches_numpy(d1, d2, s1, s2, axis):
    a = T.tensor(d1, shape=(None,) * len(s1))
    b = T.tensor(d2, shape=(None,) * len(s2))
    f = theon.function([a, b], [T.concatenate([a, b], axis=axis), T.join(axis, a, b)])
    av, bv = sample(s1, d1), sample(s2, d2)
    want = np.concatenate([av, bv], axis=axis)
    for x, y in [(av, bv), (noncontig(av), bv), (av, noncontig(bv)), (av.copy(order="F"), bv)]:
        o1, o2 = f(x, y)
        check(o1, want)
        check(o2, want)


def test_concatenate_three_and_axis_none():
    x, y, z = T.matrix("x"), T.vector("y"), T.tensor3("z", dtype="int16")
    f = theon.function([x, y, z], T.concatenate([x, y, z], axis=None))
    xv, yv, zv = sample((2, 3), "float64"), sample((4,), "float64"), sample((1, 2, 2), "int16")
    check(f(xv, yv, zv), np.concatenate([xv, yv, zv], axis=None))
    g = theon.function([x], T.concatenate([x, x, x], axis=1))
    check(g(xv.T), np.concatenate([xv.T] * 3, axis=1))


def test_join_static_shapes():
    a = T.tensor("float64", shape=(2, None))
    b = T.tensor("float64", shape=(2, 3))
    assert T.join(0, b, b).type.shape == (4, 3)
    assert T.join(1, a, b).type.shape == (2, None)
    assert T.join(0, a, b).type.shape == (4, 3)
    assert T.concatenate([b, b], axis=1).type.shape == (2, 6)


def test_join_errors():
    a = T.tensor("float64", shape=(2, 3), name="a")
    b = T.tensor("float64", shape=(2, 4), name="b")
    with pytest.raises(ValueError, match=r"Join\{axis=0\}.*\(2, 3\), \(2, 4\)"):
        T.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match="Join"):
        T.concatenate([a, T.vector()], axis=0)
    with pytest.raises(ValueError, match="zero-dimensional"):
        T.concatenate([T.scalar(), T.scalar()])
    with pytest.raises(ValueError, match="out of bounds"):
        T.join(2, a, b)
    with pytest.raises(ValueError):
        T.concatenate([])
    x, y = T.matrix(), T.matrix()
    f = theon.function([x, y], T.join(1, x, y))
    with pytest.raises(ValueError, match=r"Join\{axis=1\}.*\(2, 3\), \(3, 3\)"):
        f(np.zeros((2, 3)), np.zeros((3, 3)))


@pytest.mark.parametrize("dtype", ["int8", "float32", "bool"])
@pytest.mark.parametrize("shape,axis", [((3,), 0), ((3,), 1), ((3,), -1), ((2, 4), 1),
                                        ((2, 4), 2), ((0, 2), 0), ((), 0)])
def test_stack(dtype, shape, axis):
    xs = [T.tensor(dtype, shape=(None,) * len(shape)) for _ in range(3)]
    s = T.stack(xs, axis=axis)
    assert s.ndim == len(shape) + 1
    f = theon.function(xs, s)
    vals = [sample(shape, dtype) for _ in range(3)]
    check(f(vals[0], noncontig(vals[1]), vals[2]), np.stack(vals, axis=axis))


def test_stack_mixed_dtypes_and_old_form():
    a, b = T.bvector(), T.fvector()
    f = theon.function([a, b], [T.stack([a, b]), T.stack(a, b)])
    av, bv = sample((3,), "int8"), sample((3,), "float32")
    o1, o2 = f(av, bv)
    check(o1, np.stack([av, bv]))
    check(o2, np.stack([av, bv]))
    with pytest.raises(ValueError):
        T.stack([a, T.matrix()])
    g = theon.function([a, b], T.stack([a, b]))
    with pytest.raises(ValueError, match="Join"):
        g(av, sample((4,), "float32"))


@pytest.mark.parametrize("dtype", ["int32", "float64"])
@pytest.mark.parametrize("shape,sizes,axis", [
    ((6,), [1, 2, 3], 0), ((4, 5), [2, 0, 3], 1), ((4, 5), [4], 0), ((4, 5), [1, 3], -2),
    ((0, 2), [0, 0], 0),
])
def test_split(dtype, shape, sizes, axis):
    x = T.tensor(dtype, shape=(None,) * len(shape))
    parts = T.split(x, sizes, len(sizes), axis=axis)
    assert isinstance(parts, list) and len(parts) == len(sizes)
    f = theon.function([x], parts)
    a = sample(shape, dtype)
    want = np.split(a, np.cumsum(sizes)[:-1], axis=axis)
    for v in [a, noncontig(a)]:
        out = f(v)
        for o, w in zip(out, want):
            check(o, w)
            assert not np.shares_memory(o, v)


def test_split_symbolic_sizes_and_errors():
    x = T.matrix()
    s = T.lvector("s")
    parts = T.split(x, s, 2, axis=1)
    f = theon.function([x, s], parts)
    a = sample((2, 5), "float64")
    o = f(a, np.array([3, 2]))
    check(o[0], a[:, :3])
    check(o[1], a[:, 3:])
    with pytest.raises(ValueError, match=r"Split\{n=2,axis=1\}.*\(3, 3\).*\(2, 5\)"):
        f(a, np.array([3, 3]))
    with pytest.raises(ValueError, match="Split"):
        f(a, np.array([5]))
    with pytest.raises(ValueError, match="Split"):
        f(a, np.array([6, -1]))
    y = T.tensor("float64", shape=(4, 2))
    with pytest.raises(ValueError, match="Split.*sum to 5"):
        T.split(y, [2, 3], 2)
    assert [p.type.shape for p in T.split(y, [1, 3], 2)] == [(1, 2), (3, 2)]
