"""NumPy indexing (Subtensor, AdvancedSubtensor, set/inc_subtensor) checked against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T

SHAPES = {1: (5,), 2: (3, 4), 3: (2, 3, 4), 4: (2, 3, 4, 5)}
DTYPES = ["int8", "uint8", "int32", "int64", "float32", "float64", "bool"]


def _mask(shape, seed=0):
    return np.random.default_rng(seed).random(shape) > 0.4


def sample(shape, dtype, seed=1):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def noncontig(a):
    """The same values as `a` in a non-contiguous array (every other element of a bigger one,
    reversed along the last axis then reversed back)."""
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype) if a.ndim else a.copy()
    if a.ndim == 0:
        return big
    big[..., ::2] = a
    out = big[..., ::2]
    assert not out.flags.c_contiguous or a.shape[-1] <= 1
    return out


# (ndim, key) cases: basic then advanced.
KEYS = [
    (1, 0), (1, -1), (1, slice(1, None)), (1, slice(None, None, -1)), (1, slice(-2, None, -2)),
    (1, slice(5, 1, -1)), (1, slice(10, 20)), (1, slice(-100, 100, 3)), (1, None),
    (1, Ellipsis), (1, (None, slice(None))), (1, ()),
    (2, (1, slice(None))), (2, (slice(None), -1)), (2, (slice(1, 3), slice(None, None, -2))),
    (2, (Ellipsis, 1)), (2, (None, 1, None)), (2, (slice(2, 0, -1), None, 3)),
    (2, (slice(0, 0), slice(None))),
    (3, (1, Ellipsis, -2)), (3, (slice(None), slice(None, None, -1), None, 0)),
    (3, (Ellipsis, slice(1, -1))), (4, (0, slice(1, None), Ellipsis, slice(None, None, -3))),
    (4, (None, Ellipsis, None, 2)),
    # advanced
    (1, [0, -1, 2, 2]), (1, np.array([[0, 1], [4, 3]])), (1, "mask"), (1, []),
    (1, np.array([1, 2], dtype=np.uint8)), (1, np.array([-5, 4], dtype=np.int16)),
    (2, ([0, 2], slice(None))), (2, (slice(None), [0, 0, 3])), (2, ([0, 2], [1, 3])),
    (2, (np.array([[0], [2]]), np.array([1, 3, 0]))), (2, "mask"), (2, ("mask0",)),
    (2, ("mask0", 1)), (2, (1, [0, 2])), (2, (slice(None, None, -1), [3, -4])),
    (2, (Ellipsis, [1, 1])), (2, (None, [0, 1], None)),
    (3, ([0, 1], slice(None), [1, 0])), (3, (slice(None), [0, 1], [1, 0])),
    (3, (1, slice(None), [0, 2])), (3, (Ellipsis, [0, 1])), (3, (None, [0, 1], None, 1)),
    (3, ("mask01",)), (3, (slice(None), "mask12")), (3, (0, "mask12")), (3, ("mask0", slice(None), 1)),
    (3, ([[0, 1], [1, 0]], slice(1, None), 2)),
    (4, (slice(None), [0, 1], slice(None), [1, 0])), (4, ([[0]], slice(None), slice(None), [1, 2])),
    (4, (Ellipsis, [4, 0], None)), (4, (1, [2, 0], [3, 3], slice(None, None, 2))),
]


def resolve(key, shape):
    """Replaces mask placeholders by boolean arrays over the named axes."""
    def one(k):
        if isinstance(k, str) and k.startswith("mask"):
            axes = [int(c) for c in k[4:]] or list(range(len(shape)))
            return _mask(tuple(shape[a] for a in axes), seed=len(axes))
        return k
    return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)


def compile_getitem(nd, dtype, key):
    x = T.tensor(dtype, shape=(None,) * nd, name="x")
    return theon.function([x], x[key])


@pytest.mark.parametrize("nd,key", KEYS, ids=[f"{n}d-{k!r}" for n, k in KEYS])
@pytest.mark.parametrize("dtype", DTYPES)
def test_getitem_matches_numpy(nd, key, dtype):
    shape = SHAPES[nd]
    key = resolve(key, shape)
    f = compile_getitem(nd, dtype, key)
    for a in (sample(shape, dtype), noncontig(sample(shape, dtype))):
        want = a[key]
        got = f(a)
        assert got.dtype == want.dtype
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert not np.shares_memory(got, a)


@pytest.mark.parametrize("key", [(slice(None), 1), (slice(None, None, -1), [0, 2]), (0,)])
def test_transposed_and_size1_inputs(key):
    x = T.matrix("x")
    f = theon.function([x], x[key])
    a = np.arange(12.0).reshape(4, 3).T  # (3, 4), Fortran order
    np.testing.assert_array_equal(f(a), a[key])
    b = np.arange(4.0).reshape(1, 4)
    np.testing.assert_array_equal(f(b), b[key])


def test_empty_inputs():
    x = T.matrix("x")
    f = theon.function([x], [x[:, 1:], x[::-1], x[np.zeros(0, dtype=int)]])
    a = np.zeros((0, 3))
    for got, want in zip(f(a), [a[:, 1:], a[::-1], a[np.zeros(0, dtype=int)]]):
        assert got.shape == want.shape


def test_symbolic_scalars_in_ints_and_slices():
    x = T.tensor3("x")
    i = T.scalar("i", dtype="int32")
    j = T.scalar("j", dtype="int64")
    k = T.scalar("k", dtype="int8")
    out = x[i, j:, ::k]
    f = theon.function([x, i, j, k], out)
    a = sample((3, 4, 5), "float64")
    for iv, jv, kv in [(0, 1, 1), (-1, -3, -2), (2, 10, 3), (1, -10, -1)]:
        np.testing.assert_array_equal(f(a, iv, jv, kv), a[iv, jv:, ::kv])
    with pytest.raises(IndexError, match=r"Subtensor.*index 3 is out of bounds for axis 0 with size 3"):
        f(a, 3, 0, 1)
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        f(a, 0, 0, 0)


def test_symbolic_int_and_bool_vectors():
    x = T.matrix("x", dtype="float32")
    v = T.vector("v", dtype="int16")
    m = T.vector("m", dtype="bool")
    f = theon.function([x, v, m], [x[v], x[:, v], x[m], x[m, 1:]])
    a = sample((4, 3), "float32")
    vv = np.array([2, -1, 0, 2, 1], dtype="int16")
    mv = np.array([True, False, True, True])
    outs = f(a, vv, mv)
    for got, want in zip(outs, [a[vv], a[:, vv], a[mv], a[mv, 1:]]):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    with pytest.raises(IndexError, match=r"AdvancedSubtensor.*index 3 is out of bounds for axis 1 with size 3"):
        f(a, np.array([0, 3], dtype="int16"), mv)
    with pytest.raises(IndexError, match="boolean index did not match indexed array along axis 0; "
                                         "size of axis is 4 but size of corresponding boolean axis is 3"):
        f(a, vv, mv[:3])


def test_key_is_canonical_and_view_ops():
    x = T.tensor3("x")
    i = T.scalar("i", dtype="int32")
    assert x[1:3].owner.op == x[1:3:1, :, ...].owner.op == "Subtensor{1:3}"
    assert x[0:2].owner.op == x[:2].owner.op
    assert x[1:3].owner.op != x[1:4].owner.op
    assert x[i, ::-1, None].owner.op == "Subtensor{$, ::-1, None}"
    assert x[:, [0, 1]].owner.op_type == "AdvancedSubtensor"
    assert x[:, [0, 1]].owner.op == "AdvancedSubtensor{:, [int]}"
    assert x[np.ones((2, 3, 4), bool)].owner.op == "AdvancedSubtensor{[bool]}"
    assert T.set_subtensor(x[1], 0.0).owner.op == "IncSubtensor{Set; 1}"
    assert T.inc_subtensor(x[[1]], 0.0).owner.op == "AdvancedIncSubtensor{Inc; [int]}"
    assert x[1:3].static_shape == (None, None, None)
    xs = T.tensor("float32", shape=(5, 4, None))
    assert xs[1:-1, ::-2, None, 0].static_shape == (3, 2, 1)
    assert xs[[0, 1, 1], :, 2].static_shape == (3, 4)
    assert xs[np.array([True, False, True, True, False])].static_shape == (3, 4, None)


def test_static_errors():
    x = T.tensor("float64", shape=(3, None), name="x")
    # An integer out of the static bounds builds (as in Theano) and raises when computed.
    f = theon.function([x], [x[3], x[-4, 0]], mode="NONE")
    with pytest.raises(IndexError, match=r"Subtensor.*index 3 is out of bounds for axis 0 with size 3"):
        f(np.ones((3, 2)))
    with pytest.raises(IndexError, match=r"index -4 is out of bounds for axis 0 with size 3"):
        theon.function([x], x[-4, 0])(np.ones((3, 2)))
    with pytest.raises(IndexError, match=r"AdvancedSubtensor.*index 5 is out of bounds for axis 0"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match="valid indices"):
        x[1.5]
    with pytest.raises(IndexError, match="valid indices"):
        x[T.vector("f")]
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[np.array([True, False])]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="shape mismatch"):
        x[[0, 1], [0, 1, 2]]


def test_runtime_error_on_unknown_dims():
    x = T.matrix("x")
    f = theon.function([x], x[:, -3])
    np.testing.assert_array_equal(f(np.ones((2, 3))), np.ones(2))
    with pytest.raises(IndexError, match=r"Subtensor.*index -3 is out of bounds for axis 1 with size 2"):
        f(np.ones((2, 2)))


# ---- set_subtensor / inc_subtensor ---------------------------------------------------------

SET_KEYS = [
    (1, slice(1, 4)), (1, -1), (1, slice(None, None, -2)), (1, [0, 3, 0, 3, 3]), (1, "mask"),
    (2, (1, slice(None))), (2, (slice(None), slice(None, None, -1))), (2, ([0, 2, 0], slice(1, 3))),
    (2, (slice(None), [1, 1, 3])), (2, ([0, 0, 2], [1, 1, 3])), (2, "mask"),
    (2, (None, slice(1, None), 0)),
    (3, ([0, 1, 0], slice(None), [1, 1, 1])), (3, (slice(None), "mask12")), (3, (Ellipsis, [0, 0])),
    (4, (slice(None), [0, 0], slice(None), [1, 1])), (4, (Ellipsis, None, slice(1, 3))),
]


def _ref(a, key, y, inc):
    r = a.copy()
    if inc:
        np.add.at(r, key, y)
    else:
        r[key] = y
    return r


@pytest.mark.parametrize("nd,key", SET_KEYS, ids=[f"{n}d-{k!r}" for n, k in SET_KEYS])
@pytest.mark.parametrize("dtype", ["int32", "uint8", "float32", "float64"])
@pytest.mark.parametrize("inc", [False, True], ids=["set", "inc"])
@pytest.mark.parametrize("ybcast", ["full", "last", "scalar"])
def test_set_inc_matches_numpy(nd, key, dtype, inc, ybcast):
    shape = SHAPES[nd]
    key = resolve(key, shape)
    a = sample(shape, dtype)
    ishape = a[key].shape
    yshape = {"full": ishape, "last": ishape[-1:], "scalar": ()}[ybcast]
    yv = sample(yshape, dtype, seed=7)
    x = T.tensor(dtype, shape=(None,) * nd, name="x")
    y = T.tensor(dtype, shape=(None,) * len(yshape), name="y")
    fn = T.inc_subtensor if inc else T.set_subtensor
    out = fn(x[key], y)
    assert out.dtype == dtype
    f = theon.function([x, y], out)
    for arr in (a, noncontig(a)):
        before = arr.copy()
        got = f(arr, yv)
        want = _ref(arr, key, yv, inc)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(arr, before)  # the input is not modified
        assert not np.shares_memory(got, arr)


def test_inc_repeated_indices_accumulate_like_add_at():
    x = T.vector("x")
    i = T.vector("i", dtype="int64")
    y = T.vector("y")
    f = theon.function([x, i, y], [T.inc_subtensor(x[i], y), T.set_subtensor(x[i], y)])
    rng = np.random.default_rng(3)
    a = rng.standard_normal(6)
    iv = rng.integers(-6, 6, size=50)
    yv = rng.standard_normal(50)
    inc, st = f(a, iv, yv)
    want = a.copy()
    np.add.at(want, iv, yv)
    np.testing.assert_allclose(inc, want, rtol=1e-12)
    want = a.copy()
    want[iv] = yv  # last write wins
    np.testing.assert_array_equal(st, want)


def test_inc_mixed_dtypes_and_python_values():
    x = T.matrix("x", dtype="float32")
    y = T.vector("y", dtype="float64")
    f = theon.function([x, y], [T.inc_subtensor(x[:, 0], y), T.set_subtensor(x[1], 2.5),
                                T.inc_subtensor(x[[0, 0]], 1)])
    a = sample((2, 3), "float32")
    yv = np.array([0.25, -1.0])
    inc, st, inc2 = f(a, yv)
    want = a.copy()
    want[:, 0] += yv.astype("float32")
    np.testing.assert_allclose(inc, want, rtol=1e-6)
    assert inc.dtype == np.float32
    want = a.copy()
    want[1] = 2.5
    np.testing.assert_array_equal(st, want)
    want = a.copy()
    np.add.at(want, [0, 0], 1)
    np.testing.assert_allclose(inc2, want, rtol=1e-6)


def test_python_scalars_are_weak():
    x = T.vector("x", dtype="uint8")
    f = theon.function([x], [T.inc_subtensor(x[[0, 0]], 1), T.set_subtensor(x[1:], 7)])
    a = np.array([250, 3, 4], dtype="uint8")
    inc, st = f(a)
    want = a.copy()
    np.add.at(want, [0, 0], 1)
    np.testing.assert_array_equal(inc, want)
    assert inc.dtype == np.uint8
    want = a.copy()
    want[1:] = 7
    np.testing.assert_array_equal(st, want)
    with pytest.raises(TypeError, match="same_kind"):
        T.inc_subtensor(x[0], 1.5)


def test_inc_bool_is_logical_or():
    x = T.vector("x", dtype="bool")
    y = T.vector("y", dtype="bool")
    f = theon.function([x, y], T.inc_subtensor(x[[0, 1, 1]], y))
    a = np.array([False, True, False])
    yv = np.array([True, False, False])
    want = a.copy()
    np.add.at(want, [0, 1, 1], yv)
    np.testing.assert_array_equal(f(a, yv), want)


def test_set_inc_errors():
    x = T.matrix("x", dtype="int64")
    with pytest.raises(TypeError, match="set_subtensor"):
        T.set_subtensor(x, 1)
    with pytest.raises(TypeError, match="inc_subtensor"):
        T.inc_subtensor(x + 1, 1)
    with pytest.raises(TypeError, match="same_kind"):
        T.inc_subtensor(x[0], T.vector("f", dtype="float64"))
    xs = T.tensor("float64", shape=(3, 4), name="xs")
    with pytest.raises(ValueError, match="shape mismatch"):
        T.set_subtensor(xs[:2], np.ones((3, 4)))
    xm = T.matrix("xm")
    y = T.vector("y")
    f = theon.function([xm, y], T.set_subtensor(xm[[0, 1]], y))
    with pytest.raises(ValueError, match=r"AdvancedIncSubtensor.*shape mismatch: value array of shape \(3,\) "
                                         r"could not be broadcast to indexing result of shape \(2, 4\)"):
        f(np.zeros((3, 4)), np.ones(3))
    with pytest.raises(IndexError, match="out of bounds"):
        theon.function([xm, y], T.inc_subtensor(xm[:, [5]], y))(np.zeros((3, 4)), np.ones(1))


def test_take():
    x = T.tensor3("x")
    a = sample((2, 3, 4), "float64")
    f = theon.function([x], [T.take(x, [2, 0, 2], axis=1), T.take(x, 1, axis=-1),
                             T.take(x, np.array([[1], [0]]), axis=0)])
    for got, want in zip(f(a), [np.take(a, [2, 0, 2], axis=1), np.take(a, 1, axis=-1),
                                np.take(a, np.array([[1], [0]]), axis=0)]):
        np.testing.assert_array_equal(got, want)
