"""Products (dot, matmul, tensordot, outer, batched_dot) against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T

RNG = np.random.default_rng(1234)

DTYPES = ["float32", "float64", "int8", "int32", "int64", "uint8", "bool"]


def rand(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else -5
        return RNG.integers(lo, 6, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def sym(value, name):
    return T.tensor(str(value.dtype), shape=(None,) * value.ndim, name=name)


def tol(dtype):
    return dict(rtol=2e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-11)


def check(fn, np_fn, *values, static=False):
    """Compiles fn on symbolic inputs (unknown or, with static=True, known shapes) and checks
    the result, its dtype and its shape against NumPy."""
    if static:
        syms = [T.tensor(str(v.dtype), shape=v.shape, name=f"x{i}") for i, v in enumerate(values)]
    else:
        syms = [sym(v, f"x{i}") for i, v in enumerate(values)]
    out = fn(*syms)
    f = theon.function(syms, out)
    got = f(*values)
    want = np_fn(*values)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    assert out.ndim == want.ndim
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, **tol(want.dtype))
    else:
        np.testing.assert_array_equal(got, want)
    return got


DOT_SHAPES = [
    ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((1, 4), (4, 1)),
    ((2, 3, 4), (4,)), ((2, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((), (3, 4)), ((3, 4), ()),
    ((0, 4), (4, 5)), ((3, 0), (0, 5)), ((3, 4), (4, 0)), ((0,), (0,)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", DOT_SHAPES)
def test_dot_matches_numpy(dtype, sa, sb):
    a, b = rand(sa, dtype), rand(sb, dtype)
    check(T.dot, np.dot, a, b)


@pytest.mark.parametrize("da,db", [("int32", "float32"), ("float32", "float64"),
                                   ("uint8", "int8"), ("bool", "int16"), ("int64", "uint64")])
def test_dot_mixed_dtypes(da, db):
    check(T.dot, np.dot, rand((3, 4), da), rand((4, 2), db))
    check(T.dot, np.dot, rand((4,), da), rand((4,), db))


def test_dot_integer_overflow_wraps_like_numpy():
    a = np.full((2, 3), 100, dtype=np.int8)
    b = np.full((3, 2), 3, dtype=np.int8)
    check(T.dot, np.dot, a, b)


def noncontig_cases(dtype):
    base_a = rand((8, 10), dtype)
    base_b = rand((10, 12), dtype)
    return [
        (base_a.T, base_b[:8, :6]),               # transposed a
        (base_a[:, ::2], base_b[::2, :]),         # column / row steps
        (base_a[::-1], base_b),                   # negative strides
        (base_a, base_b[:, :10].T),               # transposed b
        (base_a[1], base_b[:, 3]),                # strided vector . vector
        (base_a, base_b[:, 3]),                   # matrix . strided vector
        (base_a[:, 4], base_b.T[:8].T[:8]),       # strided vector . matrix
        (base_a.T[::2], base_b[:8, ::3]),         # transposed with steps
        (np.broadcast_to(base_a[0], (5, 10)), base_b),  # 0 stride rows
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", range(9))
def test_dot_non_contiguous(dtype, case):
    a, b = noncontig_cases(dtype)[case]
    check(T.dot, np.dot, a, b)
    if a.ndim and b.ndim:
        check(T.matmul, np.matmul, a, b)


def test_dot_static_shapes_and_methods():
    x = T.tensor("float64", shape=(3, 4), name="x")
    y = T.tensor("float64", shape=(4, None), name="y")
    assert T.dot(x, y).broadcastable == (False, False)
    assert x.dot(y).ndim == 2
    assert (x @ y).ndim == 2
    v = T.tensor("float32", shape=(1, 4))
    assert T.dot(v, y).broadcastable == (True, False)


def test_dot_mismatch_errors():
    x = T.tensor("float64", shape=(2, 3), name="x")
    y = T.tensor("float64", shape=(4, 5), name="y")
    with pytest.raises(ValueError, match=r"Dot.*\(2, 3\).*\(4, 5\)"):
        T.dot(x, y)
    a, b = T.matrix("a"), T.matrix("b")
    f = theon.function([a, b], T.dot(a, b))
    with pytest.raises(ValueError, match=r"Dot.*\(2, 3\).*\(4, 5\)"):
        f(np.zeros((2, 3)), np.zeros((4, 5)))
    v = T.vector("v")
    g = theon.function([a, v], T.dot(a, v))
    with pytest.raises(ValueError, match=r"Dot.*\(2, 3\).*\(4,\)"):
        g(np.zeros((2, 3)), np.zeros(4))


MATMUL_SHAPES = [
    ((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (3, 4, 2)),
    ((3, 2, 4), (4,)), ((4,), (4,)), ((1, 3, 4), (6, 4, 5)), ((0, 3, 4), (4, 2)),
    ((2, 3, 0), (2, 0, 4)), ((2, 0, 4), (4, 3)), ((1, 1, 2, 3), (3, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_matches_numpy(dtype, sa, sb):
    a, b = rand(sa, dtype), rand(sb, dtype)
    check(T.matmul, np.matmul, a, b)
    check(T.matmul, np.matmul, a, b, static=True)


def test_matmul_batch_of_transposes():
    base = rand((3, 5, 4), "float32")
    a = base.transpose(0, 2, 1)
    b = rand((3, 5, 2), "float32")[:, :, ::-1]
    check(T.matmul, np.matmul, a, b)
    check(lambda x, y: x @ y, lambda x, y: x @ y, a, b)


def test_matmul_errors():
    s = T.scalar("s")
    m = T.matrix("m")
    with pytest.raises(ValueError, match="Matmul"):
        T.matmul(s, m)
    with pytest.raises(ValueError, match=r"Matmul.*\(2, 3\).*\(4, 5\)"):
        T.matmul(T.tensor("float64", shape=(2, 3)), T.tensor("float64", shape=(4, 5)))
    with pytest.raises(ValueError, match="Matmul"):
        T.matmul(T.tensor("float64", shape=(2, 3, 4)), T.tensor("float64", shape=(3, 4, 5)))
    a, b = T.tensor3("a"), T.tensor3("b")
    f = theon.function([a, b], T.matmul(a, b))
    with pytest.raises(ValueError, match=r"Matmul.*\(2, 3, 4\).*\(2, 5, 6\)"):
        f(np.zeros((2, 3, 4)), np.zeros((2, 5, 6)))
    with pytest.raises(ValueError, match="Matmul"):
        f(np.zeros((2, 3, 4)), np.zeros((3, 4, 6)))


TENSORDOT_CASES = [
    ((3, 4, 5), (4, 5, 2), 2), ((3, 4), (4, 5), 1), ((3, 4), (2, 5), 0), ((2, 3), (2, 3), 2),
    ((3, 4, 5), (5, 2, 4), ([1, 2], [2, 0])), ((3, 4, 5), (5, 4), ([-1, -2], [0, 1])),
    ((3, 4, 5), (4,), (1, 0)), ((0, 4), (4, 3), 1), ((3, 0), (0, 2), ([1], [0])),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
@pytest.mark.parametrize("sa,sb,axes", TENSORDOT_CASES)
def test_tensordot_matches_numpy(dtype, sa, sb, axes):
    a, b = rand(sa, dtype), rand(sb, dtype)
    check(lambda x, y: T.tensordot(x, y, axes), lambda x, y: np.tensordot(x, y, axes), a, b)


def test_tensordot_default_axes_and_noncontiguous():
    a = rand((4, 5, 6), "float64").transpose(2, 0, 1)  # (6, 4, 5)
    b = rand((5, 4, 3), "float64").transpose(1, 0, 2)  # (4, 5, 3)
    check(T.tensordot, np.tensordot, a, b)
    check(lambda x, y: T.tensordot(x, y, axes=([2, 1], [1, 0])),
          lambda x, y: np.tensordot(x, y, axes=([2, 1], [1, 0])), a, b)


def test_tensordot_errors():
    a = T.tensor("float64", shape=(3, 4), name="a")
    b = T.tensor("float64", shape=(5, 4), name="b")
    with pytest.raises(ValueError, match=r"Tensordot.*\(3, 4\).*\(5, 4\)"):
        T.tensordot(a, b, 1)
    with pytest.raises(ValueError, match="tensordot"):
        T.tensordot(a, b, 3)
    with pytest.raises(ValueError, match="tensordot"):
        T.tensordot(a, b, ([0], [0, 1]))
    with pytest.raises(ValueError, match="tensordot"):
        T.tensordot(a, b, ([2], [0]))
    x, y = T.matrix("x"), T.matrix("y")
    f = theon.function([x, y], T.tensordot(x, y, ([1], [0])))
    with pytest.raises(ValueError, match=r"Tensordot.*\(2, 3\).*\(4, 2\)"):
        f(np.zeros((2, 3)), np.zeros((4, 2)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "bool"])
@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (4,)), ((), (3,)), ((0,), (3,)),
                                   ((3,), (1,))])
def test_outer_matches_numpy(dtype, sa, sb):
    check(T.outer, np.outer, rand(sa, dtype), rand(sb, dtype))


def test_outer_non_contiguous():
    a = rand((4, 6), "float64")
    check(T.outer, np.outer, a[:, ::2], a[1, ::-1])
    check(T.outer, np.outer, a.T, a[:, 0])


def np_batched_dot(a, b):
    if a.shape[0] == 0:
        # the shape of one batch from an empty slice of the same layout
        one = np.dot(np.zeros(a.shape[1:], a.dtype), np.zeros(b.shape[1:], b.dtype))
        return np.zeros((0,) + one.shape, one.dtype)
    return np.stack([np.dot(x, y) for x, y in zip(a, b)])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("sa,sb", [((3, 2, 4), (3, 4, 5)), ((3, 4), (3, 4)), ((3, 2, 4), (3, 4)),
                                   ((3, 4), (3, 4, 5)), ((3,), (3, 4)), ((0, 2, 4), (0, 4, 5)),
                                   ((2, 3, 0), (2, 0, 4))])
def test_batched_dot_matches_stacked_dots(dtype, sa, sb):
    check(T.batched_dot, np_batched_dot, rand(sa, dtype), rand(sb, dtype))


def test_batched_dot_non_contiguous_and_errors():
    a = rand((4, 3, 5), "float64").transpose(1, 2, 0)  # (3, 5, 4)
    b = rand((3, 2, 4), "float64").transpose(0, 2, 1)  # (3, 4, 2)
    check(T.batched_dot, np_batched_dot, a, b)
    with pytest.raises(ValueError, match=r"BatchedDot.*\(3, 4\).*\(2, 4\)"):
        T.batched_dot(T.tensor("float64", shape=(3, 4)), T.tensor("float64", shape=(2, 4)))
    x, y = T.tensor3("x"), T.tensor3("y")
    f = theon.function([x, y], T.batched_dot(x, y))
    with pytest.raises(ValueError, match="BatchedDot"):
        f(np.zeros((3, 2, 4)), np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="BatchedDot"):
        f(np.zeros((3, 2, 4)), np.zeros((3, 3, 5)))


def test_large_float_product_uses_full_precision():
    a = rand((64, 300), "float64")
    b = rand((300, 70), "float64")
    check(T.dot, np.dot, a, b)
    check(T.dot, np.dot, a.astype(np.float32), b.astype(np.float32))
