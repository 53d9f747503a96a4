"""Variable constructors, TensorType, constants and NumPy 2 type promotion."""

import numpy as np
import pytest

import theon
import theon.tensor as T


@pytest.mark.parametrize("kind,ndim,bcast", [
    ("scalar", 0, ()), ("vector", 1, (False,)), ("row", 2, (True, False)),
    ("col", 2, (False, True)), ("matrix", 2, (False, False)), ("tensor3", 3, (False,) * 3),
    ("tensor4", 4, (False,) * 4), ("tensor7", 7, (False,) * 7)])
@pytest.mark.parametrize("prefix,dtype", [("b", "int8"), ("w", "int16"), ("i", "int32"),
                                          ("l", "int64"), ("f", "float32"), ("d", "float64")])
def test_constructors(kind, ndim, bcast, prefix, dtype):
    v = getattr(T, prefix + kind)("v")
    assert v.dtype == dtype and v.ndim == ndim and v.broadcastable == bcast and v.name == "v"
    many = "matrices" if kind == "matrix" else kind + "s"
    a, b = getattr(T, prefix + many)("a", "b")
    assert a.name == "a" and b.dtype == dtype


def test_unprefixed_constructors_follow_floatX():
    assert T.matrix().dtype == theon.config.floatX
    with theon.config.change_flags(floatX="float32"):
        assert T.vector().dtype == "float32"
        assert T.matrix("m", dtype="int32").dtype == "int32"
    assert T.vector().dtype == "float64"


def test_tensor_with_static_shape_and_type_call():
    v = T.tensor("float32", shape=(None, 3, 1))
    assert v.static_shape == (None, 3, 1)
    assert v.broadcastable == (False, False, True)
    t = T.TensorType("int64", (None, 1))
    w = t("w")
    assert w.type == t and w.dtype == "int64"
    assert T.tensor("float64", broadcastable=(True, False)).static_shape == (1, None)
    with pytest.raises(TypeError, match="unknown dtype"):
        T.tensor("float16", shape=(None,))


def test_constant_and_as_tensor_variable():
    c = T.constant(np.arange(3, dtype=np.int16))
    assert c.dtype == "int16" and c.is_constant
    np.testing.assert_array_equal(c.data, [0, 1, 2])
    v = T.as_tensor_variable([[1.0, 2.0]])
    assert v.dtype == "float64" and v.static_shape == (1, 2)
    x = T.vector()
    assert T.as_tensor_variable(x) is x
    with pytest.raises(TypeError, match="dimensions"):
        T.as_tensor_variable(x, ndim=2)


@pytest.mark.parametrize("a,b", [("int8", "uint8"), ("int64", "uint64"), ("int16", "float32"),
                                 ("int32", "float32"), ("bool", "int8"), ("uint32", "int32"),
                                 ("float32", "float64"), ("bool", "bool")])
def test_binary_promotion_matches_numpy(a, b):
    x = T.vector("x", dtype=a)
    y = T.vector("y", dtype=b)
    expected = np.result_type(np.dtype(a), np.dtype(b))
    assert (x + y).dtype == expected.name


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "float32", "float64", "bool"])
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_python_scalars_are_weak_like_numpy2(dtype, scalar):
    x = T.vector("x", dtype=dtype)
    expected = (np.ones(2, dtype=dtype) * scalar).dtype
    assert (x * scalar).dtype == expected.name
    assert (scalar * x).dtype == expected.name


def test_python_int_out_of_range_for_weak_dtype():
    x = T.vector("x", dtype="uint8")
    with pytest.raises(ValueError, match="out of bounds"):
        x + 300


def test_variable_has_no_truth_value():
    with pytest.raises(TypeError, match="truth value"):
        bool(T.vector())


def test_str_and_repr():
    x = T.vector("x")
    assert str(x) == "x"
    assert "exp(x)" in str(T.exp(x))
    assert "TensorType(float64" in repr(x.type)


def test_types_carry_the_device_their_values_live_on():
    x = T.matrix("x")
    assert x.type.device == "cpu"
    t = T.TensorType("float32", (None, 3), device="cuda1")
    assert t.device == "cuda1"
    assert repr(t) == "TensorType(float32, shape=(None, 3), device=cuda1)"
    assert t != T.TensorType("float32", (None, 3))
    assert T.TensorType("float32", (None,), device="opencl0:2").device == "opencl0:2"
    with pytest.raises(ValueError, match="expected 'cpu', 'cuda', 'cudaN' or 'openclP:D'"):
        T.TensorType("float32", (None,), device="tpu0")
