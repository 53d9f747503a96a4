"""The data tables behind dtype handling, reductions and index keys, checked against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core

DTYPE_ROWS = _core.dtype_table()


def test_dtype_table_has_every_dtype_in_order():
    names = [row["name"] for row in DTYPE_ROWS]
    assert names == ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                     "uint64", "float32", "float64"]


@pytest.mark.parametrize("row", DTYPE_ROWS, ids=lambda r: r["name"])
def test_dtype_row_agrees_with_numpy(row):
    d = np.dtype(row["name"])
    assert (row["itemsize"], row["kind"], row["char"], row["num"]) == (
        d.itemsize, d.kind, d.char, d.num)
    assert np.dtype(row["char"]) == d


@pytest.mark.parametrize("row", DTYPE_ROWS, ids=lambda r: r["name"])
def test_dtype_row_round_trips_through_a_function(row):
    x = T.tensor(row["name"], shape=(None,))
    f = theon.function([x], x * 1 if row["name"] != "bool" else ~x)
    value = np.arange(5).astype(row["name"])
    out = f(value)
    assert out.dtype == value.dtype
    # Byte-swapped input is converted through the row's NumPy number.
    swapped = value.astype(value.dtype.newbyteorder())
    np.testing.assert_array_equal(f(swapped), out)


REDUCE_ROWS = _core.reduction_rules()
DTYPES = [row["name"] for row in DTYPE_ROWS]
# Theon's scalar op names where NumPy's ufunc has another name.
UFUNC_NAMES = {"mul": "multiply"}
RNG = np.random.default_rng(42)


def sample(dtype, shape):
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0 if dtype.startswith("u") else -4, 5, shape).astype(dtype)
    return RNG.uniform(-2, 2, shape).astype(dtype)


def assert_agrees(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5 if want.dtype == np.float32 else 1e-12)
    else:
        np.testing.assert_array_equal(got, want)


def reduce_fn(row, ndim, dtype, **params):
    x = T.tensor(dtype, shape=(None,) * ndim)
    return theon.function([x], T._build.build(row["name"], x, **params))


def test_reduction_rules_cover_every_kind_with_its_builder():
    names = [row["name"] for row in REDUCE_ROWS]
    # The built-in kinds, then those op files add.
    assert names[:8] == ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all"]
    assert len(set(names)) == len(names)
    for row in REDUCE_ROWS:
        assert _core.has_builder(row["name"])
        assert not row["fusable"] or row["combine"] is not None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", REDUCE_ROWS, ids=lambda r: r["name"])
def test_reduction_row_agrees_with_numpy(row, dtype):
    a = sample(dtype, (4, 5, 3))
    np_fn = getattr(np, row["name"])
    axes = [None, 1, -1] + ([] if row["combine"] is None else [(0, 2)])
    for axis in axes:
        for keepdims in (False, True):
            f = reduce_fn(row, 3, dtype, axis=axis, keepdims=keepdims)
            want = np.asarray(np_fn(a, axis=axis, keepdims=keepdims))
            got = f(a)
            assert_agrees(got, want)
            if row["combine"] is not None:
                # The rule's combining op folds to the same result.
                ufunc = getattr(np, UFUNC_NAMES.get(row["combine"], row["combine"]))
                folded = ufunc.reduce(a.astype(want.dtype), axis=axis, keepdims=keepdims)
                assert_agrees(got, np.asarray(folded))
    # Non-contiguous input.
    f = reduce_fn(row, 3, dtype, axis=1)
    view = a.transpose(2, 0, 1)[:, ::-1]
    assert_agrees(f(view), np.asarray(np_fn(view, axis=1)))


@pytest.mark.parametrize("row", REDUCE_ROWS, ids=lambda r: r["name"])
def test_reduction_row_identity_and_empty_input(row):
    f = reduce_fn(row, 2, "float64", axis=0)
    empty = np.zeros((0, 3))
    if row["empty_error"] is not None:
        with pytest.raises(ValueError, match=row["empty_error"]):
            f(empty)
        with pytest.raises(ValueError):
            getattr(np, row["name"])(empty, axis=0)
        return
    want = getattr(np, row["name"])(empty, axis=0)
    np.testing.assert_array_equal(f(empty), want)
    np.testing.assert_array_equal(want, np.full(3, row["identity"]).astype(want.dtype))


@pytest.mark.parametrize("row", [r for r in REDUCE_ROWS if r["combine"] is not None],
                         ids=lambda r: r["name"])
def test_reduction_row_identity_is_the_identity_of_its_combining_op(row):
    ufunc = getattr(np, UFUNC_NAMES.get(row["combine"], row["combine"]))
    dtype = reduce_fn(row, 1, "float64")(np.ones(2)).dtype
    values = np.array([-np.inf, -2.5, 0.0, 3.0, np.inf]).astype(dtype)
    np.testing.assert_array_equal(ufunc(np.asarray(row["identity"]).astype(dtype), values),
                                  values)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("row", [r for r in REDUCE_ROWS if r["fusable"]], ids=lambda r: r["name"])
def test_fusable_reduction_row_fuses_and_agrees_with_numpy(codegen, row, dtype):
    x = T.tensor(dtype, shape=(None, None))
    # Distinct scales keep each exp in its own reduction's loop.
    cases = [(None, 0.1), (0, 0.2), (1, 0.3)]
    outs = [T._build.build(row["name"], T.exp(x * scale), axis=axis) for axis, scale in cases]
    f = theon.function([x], outs)
    assert f.kernels["state"] == "installed"
    loops = [line for line in f.debugprint(print_type=False).splitlines()
             if line.startswith("Fused{") and ";" + row["name"] + "(axis=" in line]
    assert len(loops) == len(cases) and all("=exp(" in line for line in loops)
    a = sample(dtype, (40, 30))
    for (axis, scale), got in zip(cases, f(a)):
        want = getattr(np, row["name"])(np.exp(a * np.asarray(scale, dtype)), axis=axis)
        assert_agrees(got, np.asarray(want))


@pytest.mark.parametrize("row", [r for r in REDUCE_ROWS if r["differentiable"]],
                         ids=lambda r: r["name"])
def test_differentiable_reduction_row_has_a_correct_gradient(row):
    def fun(x):
        return T._build.build(row["name"], x, axis=1)

    theon.gradient.verify_grad(fun, [RNG.uniform(0.5, 2.0, (3, 4))], rng=RNG)


@pytest.mark.parametrize("row", [r for r in REDUCE_ROWS if not r["differentiable"]],
                         ids=lambda r: r["name"])
def test_other_reduction_rows_give_no_gradient(row):
    x = T.matrix("x")
    out = T._build.build(row["name"], x, axis=1)
    g = theon.grad(T.sum(out * 1.0), x, disconnected_inputs="ignore")
    np.testing.assert_array_equal(theon.function([x], g)(np.ones((2, 3))), np.zeros((2, 3)))


# Index keys: parsed once in the bindings into the C++ key that getitem takes.

@pytest.mark.parametrize("key,error,message", [
    (1.5, IndexError, r"getitem: only integers, .* are valid indices \(got 1.5\)"),
    ("a", IndexError, r"getitem: .*valid indices \(got 'a'\)"),
    ((0, object()), IndexError, r"getitem: .*valid indices \(got <object object"),
    (np.float64(2.0), IndexError, r"getitem: .*valid indices \(got np.float64\(2.0\)\)"),
    (np.array([0.5, 1.5]), IndexError, r"valid indices \(got an array of dtype float64\)"),
    ([1.0, 2.0], IndexError, r"valid indices \(got an array of dtype float64\)"),
    (["a"], IndexError, r"getitem: .*valid indices \(got \['a'\]\)"),
    (T.dvector("v"), IndexError, r"valid indices \(got a float64 variable\)"),
    (slice(True, None), TypeError, "getitem: slice indices must be integers or None, got a bool"),
    (slice(None, np.bool_(False)), TypeError, "slice indices must be integers or None, got a bool"),
    (slice(0, 1.5), TypeError, r"slice indices must be integers or None, got 1.5"),
    (slice(T.dscalar("s"), None), TypeError,
     "getitem: slice indices must be integer scalars or None, got a float64 variable with 0 dims"),
    (slice(T.ivector("s"), None), TypeError, "got a int32 variable with 1 dims"),
    (2 ** 70, IndexError, "getitem: index 1180591620717411303424 does not fit in int64"),
    ((Ellipsis, 0, Ellipsis), IndexError, "getitem: an index can only have a single ellipsis"),
    ((0, 0, 0), IndexError, "getitem: too many indices for array: array is 2-dimensional"),
])
def test_bad_index_keys_name_the_op_and_what_came(key, error, message):
    x = T.dmatrix("x")
    with pytest.raises(error, match=message):
        x[key]


@pytest.mark.parametrize("key", [
    np.int64(1), np.array(2), True, np.bool_(False), [], (), [1, -1], ([0, 1], slice(None, None, -1)),
    (None, Ellipsis, np.uint8(1)), np.array([True, False, True]), (slice(np.int32(1), None), [[0]]),
])
def test_constant_index_keys_match_numpy(key):
    x = T.dmatrix("x")
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(theon.function([x], x[key])(a), a[key])


def test_symbolic_index_keys_match_numpy():
    x = T.dmatrix("x")
    i = T.lscalar("i")
    j = T.iscalar("j")
    f = theon.function([x, i, j], [x[i], x[j:i:-1, [i, 0, j]], x[:, [j, 1]]])
    a = np.arange(12.0).reshape(3, 4)
    for got, want in zip(f(a, 2, 1), [a[2], a[1:2:-1, [2, 0, 1]], a[:, [1, 1]]]):
        np.testing.assert_array_equal(got, want)
    mask = T.tensor("bool", shape=(None,))
    g = theon.function([x, mask], x[mask])
    np.testing.assert_array_equal(g(a, np.array([True, False, True])), a[[0, 2]])


def test_index_key_variables_get_their_test_values():
    x = T.dmatrix("x")
    i = T.lscalar("i")
    x.tag.test_value = np.arange(6.0).reshape(2, 3)
    i.tag.test_value = 1
    with theon.config.change_flags(compute_test_value="raise"):
        np.testing.assert_array_equal(x[[i, 0], i].tag.test_value, [4.0, 1.0])
        with pytest.raises(ValueError, match="getitem: input .*j.* has no test value"):
            x[T.lscalar("j")]
