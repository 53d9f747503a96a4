"""Sizes are overflow-checked: a shape whose element or byte count does not fit in int64 is a
ValueError (an allocation the machine cannot satisfy a MemoryError) naming the op, the shape and
the user's line, never a wrapped count, a wrong value or a crash. Errors of nodes the optimizer
built name the op the user wrote and keep the user's line, and arguments that are not arrays
are TypeErrors naming the function and the argument."""


import numpy as np
import pytest

from error_match import raises_matching

import theon
import theon.tensor as T

HERE = r"test_overflow_errors\.py:\d+"
BIG = 2**32  # BIG * BIG wraps to 0 in int64


def _line_of(marker):
    with open(__file__) as f:
        for number, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise AssertionError(marker)


def _huge_alloc():
    x = T.dscalar("x")
    n = T.lscalar("n")
    return x, n, T.alloc(x, n, n)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
@pytest.mark.parametrize("use", ["index", "set_subtensor", "sum", "whole"])
def test_alloc_whose_size_overflows_is_an_error_naming_op_shape_and_line(mode, use):
    x, n, a = _huge_alloc()
    out = {
        "index": lambda: a[1, 2],
        "set_subtensor": lambda: T.set_subtensor(a[0, 0], 1.0)[1, 1],
        "sum": lambda: a.sum(),
        "whole": lambda: a,
    }[use]()
    f = theon.function([x, n], out, mode=mode)
    # The alloc's line, or for a sum rewritten not to allocate, the sum's (in this function).
    raises_matching(ValueError, lambda: f(2.0, BIG), "too big", r"\(4294967296, 4294967296\)",
            "Node built at: [^\n]*" + HERE)
    # The same function still works on sizes that fit.
    assert np.all(np.asarray(f(2.0, 3)) >= 0)


def test_sum_of_alloc_is_still_computed_without_the_array():
    # Integer sums of an alloc are rewritten to a count in FAST_RUN (floats only with fast_math,
    # where rounding may differ): the count is checked as the array's size would have been.
    x = T.lscalar("x")
    n = T.lscalar("n")
    a = T.alloc(x, n, n)
    f = theon.function([x, n], [a.sum(), a.sum(axis=0)])
    assert "CheckedProduct" in f.debugprint(print_type=False)
    total, cols = f(2, 3)
    assert total == 18
    np.testing.assert_array_equal(cols, [6, 6, 6])
    raises_matching(ValueError, lambda: f(2, BIG), "CheckedProduct", r"\(from Sum", "too big",
            r"\(4294967296, 4294967296\)", "Node built at: [^\n]*" + HERE)


def test_constant_shapes_too_big_are_rejected_when_the_node_is_built():
    x = T.dscalar("x")
    raises_matching(ValueError, lambda: T.alloc(x, BIG, BIG), "Alloc", "too big",
            r"4294967296, 4294967296", HERE)
    raises_matching(ValueError, lambda: T.zeros((2**40, 2**40)), "Alloc", "too big", HERE)
    v = T.dvector("v")
    raises_matching(ValueError, lambda: v.reshape((BIG, BIG)), "Reshape", "too big", HERE)
    raises_matching(ValueError, lambda: T.tile(T.alloc(x, 2**40), (2**30,)), "Tile", "overflows", HERE)


def test_reshape_to_a_size_that_overflows_is_an_error():
    v = T.dvector("v")
    n = T.lscalar("n")
    f = theon.function([v, n], v.reshape((n, n)).sum())
    raises_matching(ValueError, lambda: f(np.zeros(0), BIG), "Reshape", "overflows", HERE)
    assert f(np.ones(4), 2) == 4.0


def test_tile_and_repeat_whose_length_overflows_are_errors():
    v = T.dvector("v")
    f = theon.function([v], T.tile(v, (2**62,))[0])
    raises_matching(ValueError, lambda: f(np.ones(4)), "Tile", "too big", r"\(4,\)", HERE)
    r = T.lscalar("r")
    g = theon.function([v, r], T.repeat(v, r)[0])
    raises_matching(ValueError, lambda: g(np.ones(4), 2**62), "Repeat", "too big", HERE)
    assert g(np.ones(4), 2) == 1.0


def test_zeros_with_a_byte_count_past_int64_or_memory():
    n = T.lscalar("n")
    f = theon.function([n], T.zeros((n,)), mode="FAST_COMPILE")
    # 2**61 float64 items: the element count fits, the byte count does not.
    raises_matching(ValueError, lambda: f(2**61), "too big", r"\(2305843009213693952,\)", "float64", HERE)
    # 2**58 items (2 EiB) fit in int64 bytes but in no machine's memory.
    raises_matching(MemoryError, lambda: f(2**58), "Alloc", "unable to allocate", r"float64", HERE)
    assert f(3).shape == (3,)


def test_sgd_step_with_mismatched_dot_names_dot_the_internal_op_and_the_users_line():
    X = T.matrix("X")
    y = T.vector("y")
    w = theon.shared(np.zeros(3), "w")
    prediction = T.dot(X, w)  # the user's dot
    cost = ((prediction - y) ** 2).mean()
    step = theon.function([X, y], cost, updates=[(w, w - 0.1 * theon.grad(cost, w))],
                          mode="FAST_RUN")
    line = _line_of("# the user's dot")
    msg = raises_matching(ValueError, lambda: step(np.ones((5, 4)), np.ones(5)),
                  r"^\w+[^\n]* \(from Dot\b", r"\(5, 4\)",
                  rf"Node built at: [^\n]*test_overflow_errors\.py:{line}\b")
    internal = msg.split(" (from ")[0]
    assert internal and internal != "Dot", msg  # the op that ran is the rewritten one
    assert "<unknown>" not in msg
    np.testing.assert_array_equal(w.get_value(), np.zeros(3))  # the failed call changed nothing


def test_function_arguments_that_are_not_arrays_are_type_errors_naming_them():
    x = T.dvector("x")
    f = theon.function([x], x * 2, name="double")
    label = r"theon function 'double': argument 1 \('x', TensorType\(float64"
    raises_matching(TypeError, lambda: f(None), label, "NoneType")
    raises_matching(TypeError, lambda: f("abc"), label, "str")
    raises_matching(TypeError, lambda: f([[1, 2], [3]]), label, "list", "inhomogeneous")
    raises_matching(TypeError, lambda: f(np.array([object()], dtype=object)), label, "dtype object")
    raises_matching(TypeError, lambda: f(x=None), label, "NoneType")
    a, b = T.dvector("a"), T.dvector()
    g = theon.function([a, b], a + b)
    raises_matching(TypeError, lambda: g(np.ones(2), None), r"theon function: argument 2 \(TensorType",
            "NoneType")
    np.testing.assert_array_equal(f([1.0, 2.0]), [2.0, 4.0])


def test_set_value_and_shared_reject_non_arrays_naming_the_variable():
    w = theon.shared(np.zeros(3), "w")
    label = r"set_value of shared variable 'w' \(TensorType\(float64"
    raises_matching(TypeError, lambda: w.set_value(None), label, "NoneType")
    raises_matching(TypeError, lambda: w.set_value("abc"), label, "str")
    raises_matching(TypeError, lambda: w.set_value([[1.0], [2.0, 3.0]]), label, "inhomogeneous")
    raises_matching(TypeError, lambda: w.set_value(np.array([None], dtype=object)), label, "object")
    np.testing.assert_array_equal(w.get_value(), np.zeros(3))
    raises_matching(TypeError, lambda: theon.shared(None, "v"), r"shared 'v'", "NoneType")
    raises_matching(TypeError, lambda: theon.shared([[1], [2, 3]]), r"shared: the value", "inhomogeneous")
    raises_matching(TypeError, lambda: theon.shared(np.float16(1)), r"shared: the value", "float16")
