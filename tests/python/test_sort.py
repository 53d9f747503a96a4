"""sort and argsort against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T

DTYPES = ["bool", "int8", "int32", "uint8", "float32", "float64"]
RNG = np.random.default_rng(99)


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if dtype.startswith("uint"):
        return RNG.integers(0, 10, shape).astype(dtype)  # many ties
    if dtype.startswith("int"):
        return RNG.integers(-5, 5, shape).astype(dtype)
    a = RNG.standard_normal(shape).astype(dtype)
    if a.size > 3:
        a.flat[::4] = a.flat[1]  # ties
    return a


def compile1(fn, value, **kw):
    x = T.tensor(str(value.dtype), shape=(None,) * value.ndim, name="x")
    return theon.function([x], fn(x, **kw))


def check(value, axis, kind="quicksort"):
    kw = {} if axis == "default" else {"axis": axis}
    s = compile1(T.sort, value, kind=kind, **kw)(value)
    i = compile1(T.argsort, value, kind=kind, **kw)(value)
    es = np.sort(value, kind="stable", **kw)
    ei = np.argsort(value, kind="stable", **kw)
    assert s.dtype == es.dtype and s.shape == es.shape
    assert i.dtype == ei.dtype == np.int64 and i.shape == ei.shape
    np.testing.assert_array_equal(s, es)
    np.testing.assert_array_equal(i, ei)


CASES = [((), None), ((1,), "default"), ((9,), "default"), ((9,), 0), ((9,), None),
         ((4, 6), "default"), ((4, 6), 0), ((4, 6), -2), ((4, 6), None),
         ((2, 3, 5), 1), ((2, 3, 5), -1), ((2, 3, 5), None), ((2, 3, 5), 0),
         ((0,), "default"), ((0, 4), 0), ((0, 4), 1), ((3, 0), None), ((4, 1), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", CASES)
def test_sort_matches_numpy(dtype, shape, axis):
    check(sample(shape, dtype), axis)


@pytest.mark.parametrize("kind", ["quicksort", "mergesort", "heapsort", "stable", None])
def test_kinds(kind):
    check(sample((5, 8), "float64"), -1, kind=kind)


@pytest.mark.parametrize("view", [lambda a: a.T, lambda a: a[::2], lambda a: a[:, ::-1],
                                  lambda a: a[::-2, 1::3]])
@pytest.mark.parametrize("axis", [0, 1, None])
@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_non_contiguous(view, axis, dtype):
    value = view(sample((6, 7), dtype))
    assert not value.flags.c_contiguous
    check(value, axis)


def test_nan_and_inf_sort_like_numpy():
    a = np.array([np.nan, 1.0, -np.inf, np.inf, np.nan, -0.5, 1.0], dtype="float32")
    check(a, -1)
    m = np.array([[np.nan, 2.0, 1.0], [3.0, np.nan, np.nan]])
    check(m, 0)
    check(m, 1)
    check(m, None)


def test_methods_and_types():
    x = T.tensor("float64", shape=(3, None), name="x")
    assert x.sort().type.shape == (3, None)
    assert T.argsort(x, axis=None).type.shape == (None,)
    assert T.sort(T.tensor("int8", shape=(2, 3)), axis=None).type.shape == (6,)
    assert T.argsort(x).dtype == "int64"


def test_errors_name_the_op():
    x = T.matrix("x", dtype="float64")
    with pytest.raises(ValueError, match="sort: axis 2 is out of bounds"):
        T.sort(x, axis=2)
    with pytest.raises(ValueError, match="argsort: axis -3 is out of bounds"):
        T.argsort(x, axis=-3)
    with pytest.raises(ValueError, match="sort: kind must be one of"):
        T.sort(x, kind="bogosort")
    with pytest.raises(ValueError, match="sort: axis -1 is out of bounds for array of dimension 0"):
        T.sort(T.scalar("s", dtype="float64"))
    with pytest.raises(NotImplementedError):
        T.sort(x, order="f")
