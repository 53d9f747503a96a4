"""The error cases of the core issue: each raises the right class, names the op, says what was
expected and what came, and points at the user's line that built the failing node."""


import numpy as np
import pytest

from error_match import raises_matching

import theon
import theon.tensor as T

HERE = r"test_errors\.py:\d+"


def test_shapes_that_do_not_broadcast_at_run_time():
    a, b = T.matrix("a"), T.vector("b")
    f = theon.function([a, b], a * b)
    raises_matching(ValueError, lambda: f(np.ones((2, 3)), np.ones(4)),
            r"Elemwise\{mul\}", r"\(2, 3\), \(4,\)", "Node built at: .*" + HERE)


def test_bad_index_at_run_time():
    x = T.vector("x")
    i = T.lscalar("i")
    f = theon.function([x, i], x[i])
    raises_matching(IndexError, lambda: f(np.ones(3), 5), "Subtensor", "out of bounds", "size 3", HERE)


def test_bad_index_builds_and_raises_when_computed():
    # As in Theano: an index beyond the static size builds (code may build it on a branch it
    # never runs) and computing it raises, naming the line that built it.
    x = T.tensor("float64", shape=(3,))
    f = theon.function([x], x[7])
    raises_matching(IndexError, lambda: f(np.ones(3)), "Subtensor", "index 7", HERE)


def test_bad_reshape():
    x = T.vector("x")
    f = theon.function([x], x.reshape((2, 3)))
    raises_matching(ValueError, lambda: f(np.ones(5)), "Reshape", r"\(5,\)", r"\(2, 3\)", HERE)


def test_dot_with_mismatched_inner_sizes():
    X, w = T.matrix("X"), T.vector("w")
    f = theon.function([X, w], X.dot(w))
    raises_matching(ValueError, lambda: f(np.ones((4, 3)), np.ones(5)), "Dot", r"\(4, 3\)", r"\(5,\)",
            HERE)
    A = T.tensor("float64", shape=(4, 3))
    B = T.tensor("float64", shape=(5, 2))
    raises_matching(ValueError, lambda: T.dot(A, B), "Dot", "not aligned", HERE)


def test_wrong_argument_count_ndim_and_lossy_dtype():
    x = T.fmatrix("x")
    f = theon.function([x], x + 1, name="f")
    raises_matching(TypeError, lambda: f(), "missing argument 0", "'x'")
    raises_matching(TypeError, lambda: f(np.ones((1, 1), np.float32), 2), "takes 1 arguments, got 2")
    raises_matching(TypeError, lambda: f(np.ones(3, np.float32)), "'f'", "expected 2 dimensions, got 1")
    raises_matching(TypeError, lambda: f(np.ones((1, 1))), "float64", "float32", "loss of precision",
            "allow_input_downcast")


def test_update_with_a_different_type():
    W = theon.shared(np.zeros((2, 2)), "W")
    raises_matching(TypeError, lambda: theon.function([], [], updates={W: W.sum()}),
            "'W'", r"TensorType\(float64, shape=\(None, None\)\)",
            r"TensorType\(float64, shape=\(\)\)")


def test_a_failed_call_changes_no_shared_variable_and_the_function_still_works():
    W = theon.shared(np.arange(3.0), "W")
    i = T.lscalar("i")
    f = theon.function([i], W[i], updates={W: W * 2})
    with pytest.raises(IndexError):
        f(10)
    np.testing.assert_array_equal(W.get_value(), np.arange(3.0))
    assert f(2) == 2.0
    np.testing.assert_array_equal(W.get_value(), 2 * np.arange(3.0))


def test_unsupported_dtypes_are_type_errors():
    x = T.vector("x")
    f = theon.function([x], x * 2)
    raises_matching(TypeError, lambda: f(np.ones(2, dtype=np.complex128)), "complex128")
    raises_matching(TypeError, lambda: theon.shared(np.ones(2, dtype=np.float16)), "float16")


def test_exception_verbosity_high_adds_strides_and_the_subgraph():
    a, b = T.matrix("a"), T.vector("b")
    c = T.exp(a) + b
    f = theon.function([a, b], c)
    low = raises_matching(ValueError, lambda: f(np.ones((2, 3)), np.ones(4)), "exception_verbosity")
    assert "Inputs strides" not in low
    with theon.config.change_flags(exception_verbosity="high"):
        raises_matching(ValueError, lambda: f(np.ones((2, 3)), np.ones(4)),
                r"Inputs strides \(bytes\): \[\(24, 8\), \(8\)\]",
                r"Elemwise\{add\} \[id A\]", r"\|Elemwise\{exp\}", r"\|b \[id")
