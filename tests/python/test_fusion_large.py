"""Fusion without limits (issue 20, items 1-2): an expression of hundreds of operations with
many inputs is one generated kernel; a value also read outside the tree is a further output of
the same loop; broadcast operands (stride 0 along the inner loop) are loaded once per row so
the inner loop stays on the vectorizable path; reductions along any axis keep NumPy's values,
NaN, infinities and -0.0 included; softmax along an axis other than the last is three
generated loops (along the last, the Softmax op's vectorized kernel); the max and the sum of
shifted exponentials of logsumexp along the last axis are one MaxExpSum node."""

import os
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from workloads import eos  # noqa: E402

RNG = np.random.default_rng(2020)


def fused_nodes(f):
    """The debugprint lines of the Fused nodes, each node once (a multi-output node is printed
    once per output it feeds)."""
    lines = [n for n in f.debugprint(print_type=False).splitlines() if "Fused{" in n]
    return sorted({line.split("[id ")[1] for line in lines})


def fused_signature(f):
    lines = [n for n in f.debugprint(print_type=False).splitlines() if "Fused{" in n]
    return lines[0][lines[0].index("Fused{"):]


def test_equation_of_state_is_one_kernel_and_matches_numpy(codegen):
    sa, ct = T.matrix("sa"), T.matrix("ct")
    p = T.tensor("float64", shape=(None, 1), name="p")
    f = theon.function([sa, ct, p], list(eos.density_and_expansion(T, sa, ct, p)))
    assert f.kernels["state"] == "installed", f.kernels["error"]
    assert len(fused_nodes(f)) == 1
    signature = fused_signature(f)
    assert signature.count("=") - 1 >= 200  # steps, besides the "out=" list
    assert signature.split("out=")[1].count(",") == 1  # two outputs
    args = eos.inputs(20_000)
    want = eos.density_and_expansion(np, *args)
    for got, expected in zip(f(*args), want):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    # Strided operands and a column of another length take the other paths of the same kernel.
    strided = (args[0][::2, ::3], args[1][::2, ::3], args[2][::2])
    for got, expected in zip(f(*strided), eos.density_and_expansion(np, *strided)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sixty_inputs_are_one_kernel(codegen):
    xs = [T.vector(f"x{i}") for i in range(60)]
    out = xs[0]
    for i, x in enumerate(xs[1:]):
        out = T.tanh(out) * 0.5 + x * (i + 1)
    f = theon.function(xs, out)
    assert len(fused_nodes(f)) == 1
    args = [RNG.standard_normal(1000) for _ in xs]
    want = args[0]
    for i, a in enumerate(args[1:]):
        want = np.tanh(want) * 0.5 + a * (i + 1)
    np.testing.assert_allclose(f(*args), want, rtol=1e-12)


def test_a_subexpression_used_three_times_is_computed_once_in_the_loop(codegen):
    x = T.vector("x")
    out = T.exp(x) * 2 + T.exp(x) * 3 + T.sin(T.exp(x))  # three exp nodes, merged into one
    f = theon.function([x], out)
    assert len(fused_nodes(f)) == 1
    assert fused_signature(f).count("=exp(") == 1
    a = RNG.standard_normal(100)
    np.testing.assert_allclose(f(a), np.exp(a) * 2 + np.exp(a) * 3 + np.sin(np.exp(a)),
                               rtol=1e-12)


def test_value_read_outside_is_a_second_output_of_the_loop(codegen):
    x = T.matrix("x")
    e = T.exp(x)
    f = theon.function([x], [T.sin(e) + e * 2, e])
    assert len(fused_nodes(f)) == 1
    a = RNG.standard_normal((40, 30))
    a[0, :4] = [np.nan, np.inf, -np.inf, -0.0]
    got = f(a)
    with np.errstate(all="ignore"):
        want = [np.sin(np.exp(a)) + np.exp(a) * 2, np.exp(a)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("y_first", [False, True])
def test_outside_reader_before_the_root_makes_no_cycle(codegen, y_first):
    # n feeds the tree of `root` and, through a dot, the tree of y, which may also compute xb,
    # read by m in root's tree. If y's loop writes xb, root's loop must not also write n: it
    # would read its own output through the dot and y's loop. Both output orders, so either
    # tree is fused first; the fused graph must stay a graph and agree with NumPy.
    a, b, w = T.matrix("a"), T.matrix("b"), T.matrix("w")
    n = T.exp(a)
    xb = T.sin(b)
    m = n * xb
    root = T.tanh(m) + 1
    y = xb * T.dot(n, w) - 2
    f = theon.function([a, b, w], [y, root] if y_first else [root, y])
    assert len(fused_nodes(f)) <= 3
    av, bv, wv = (RNG.standard_normal((5, 5)) for _ in range(3))
    got = f(av, bv, wv)
    if y_first:
        got = got[::-1]
    np.testing.assert_allclose(got[0], np.tanh(np.exp(av) * np.sin(bv)) + 1, rtol=1e-12)
    np.testing.assert_allclose(got[1], np.sin(bv) * (np.exp(av) @ wv) - 2, rtol=1e-12)


def rows_with_specials(dtype, shape):
    a = RNG.standard_normal(shape).astype(dtype)
    a[0, 3] = np.nan
    a[1, :] = -np.inf
    a[2, 5] = np.inf
    a[3, :] = -0.0
    a[4, 7] = -np.inf
    return a


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logsumexp_rows_hoists_the_row_max_and_matches_numpy(codegen, dtype):
    x = T.tensor(dtype, shape=(None, None), name="x")
    m = T.max(x, axis=1, keepdims=True)
    # Without MaxExpSum (below), which takes this pattern along the last axis.
    f = theon.function([x], T.sum(T.exp(x - m), axis=1),
                       mode=theon.Mode("FAST_RUN").excluding("max_exp_sum"))
    assert "hoisted" in f.kernels["source"]
    a = rows_with_specials(dtype, (64, 1003))
    with np.errstate(all="ignore"):
        want = np.sum(np.exp(a - a.max(axis=1, keepdims=True)), axis=1)
        got = f(a)
        got_t = f(np.asfortranarray(a))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, equal_nan=True)
    np.testing.assert_allclose(got_t, want, rtol=tol, equal_nan=True)


def logsumexp_forms(x, form):
    """logsumexp of x's rows as users write it: by hand, the naive form the stabilizer shifts,
    and theon.tensor.logsumexp; with the row max also returned (a second reader of it)."""
    big = T.max(x, axis=-1, keepdims=True)
    if form == "written":
        lse = (big + T.log(T.sum(T.exp(x - big), axis=-1, keepdims=True)))[..., 0]
    elif form == "naive":
        lse = T.log(T.sum(T.exp(x), axis=-1))
    else:
        lse = T.logsumexp(x, axis=-1)
    return [lse, big]


def numpy_logsumexp(a, form):
    big = a.max(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        shift = big if form == "written" else np.where(np.isinf(big), 0, big)
        lse = np.log(np.sum(np.exp(a - shift), axis=-1)) + shift[..., 0]
    return [lse, big]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("form", ["written", "naive", "library"])
def test_logsumexp_rows_read_each_row_once_and_match_numpy(codegen, dtype, form):
    # The max and the sum of shifted exponentials along the last axis become one MaxExpSum
    # node (no generated loop reads x); NaN, infinite and -inf rows keep NumPy's values: the
    # written-out form shifts by the max itself (a row of -inf gives NaN), the others by 0
    # where the max is infinite.
    x = T.tensor(dtype, shape=(None, None), name="x")
    f = theon.function([x], logsumexp_forms(x, form))
    text = f.debugprint(print_type=False)
    nodes = {line.split("[id ")[1] for line in text.splitlines() if "MaxExpSum{" in line}
    assert len(nodes) == 1 and f"MaxExpSum{{finite_shift={form != 'written'}}}" in text, text
    assert all("|x [id" not in line for line in text.splitlines()
               if "Fused{" in line or "Max{" in line), text
    a = rows_with_specials(dtype, (64, 1003))
    tol = 1e-5 if dtype == "float32" else 1e-12
    for args in (a, a[:, ::3], np.asfortranarray(a), a[:5, :1]):
        for got, want in zip(f(args), numpy_logsumexp(args, form)):
            np.testing.assert_allclose(got, want, rtol=tol, equal_nan=True)


def test_max_exp_sum_only_along_the_last_axis(codegen):
    x3 = T.tensor3("x3")
    i = T.imatrix("i")
    f = theon.function([x3, i], [logsumexp_forms(x3, "written")[0],
                                 T.log(T.sum(T.exp(x3), axis=1)),
                                 T.log(T.sum(T.exp(i - T.max(i, axis=1, keepdims=True)),
                                             axis=1))])
    # The last axis of the tensor3, and of the integers converted to float (the stabilizer
    # shifts the float array exp reads); not axis 1 of the tensor3.
    text = f.debugprint(print_type=False)
    assert len({line.split("[id ")[1] for line in text.splitlines() if "MaxExpSum{" in line}) == 2
    a = RNG.standard_normal((3, 4, 5))
    b = RNG.integers(-3, 3, (4, 6)).astype("int32")
    got = f(a, b)
    np.testing.assert_allclose(got[0], numpy_logsumexp(a, "written")[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], np.log(np.exp(a).sum(axis=1)), rtol=1e-12)
    np.testing.assert_allclose(got[2], np.log(np.exp(b - b.max(1, keepdims=True)).sum(1)),
                               rtol=1e-12)


def test_max_exp_sum_of_an_empty_row_raises_as_max_does(codegen):
    x = T.matrix("x")
    f = theon.function([x], logsumexp_forms(x, "written")[0])
    with pytest.raises(ValueError, match="MaxExpSum.*zero-size array to reduction operation "
                                         "maximum"):
        f(np.zeros((3, 0)))
    np.testing.assert_array_equal(f(np.zeros((0, 3))), np.zeros(0))


@pytest.mark.parametrize("kind", ["max", "min"])
@pytest.mark.parametrize("axis", [0, 1, None])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_and_min_along_any_axis_propagate_nan_as_numpy(codegen, kind, axis, dtype):
    x = T.tensor(dtype, shape=(None, None), name="x")
    f = theon.function([x], getattr(T, kind)(x, axis=axis))
    a = rows_with_specials(dtype, (37, 21))
    for args in (a, a[::-1, ::2], np.asfortranarray(a)):
        got = f(args)
        want = getattr(np, kind)(args, axis=axis)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_row_vector_and_column_broadcast_together(codegen):
    # A column (stride 0 inner, loaded once per row) and a row (stride 0 outer, read like a full
    # operand) in one loop take the hoisted body; a transposed x sends the planner's inner
    # dimension elsewhere, and the strided body computes it.
    x = T.matrix("x")
    col = T.tensor("float64", shape=(None, 1), name="c")
    row = T.tensor("float64", shape=(1, None), name="r")
    f = theon.function([x, col, row], T.exp(x - col) * row)
    source = f.kernels["source"]
    assert "const bool hoisted = true && st[0] == sizeof(double) && st[1] == sizeof(double) " \
           "&& st[2] == 0 && st[3] == sizeof(double);" in source
    a = RNG.standard_normal((9, 17))
    c = RNG.standard_normal((9, 1))
    r = RNG.standard_normal((1, 17))
    np.testing.assert_allclose(f(a, c, r), np.exp(a - c) * r, rtol=1e-12)
    a_t = np.asfortranarray(a)
    np.testing.assert_allclose(f(a_t, c, r), np.exp(a - c) * r, rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("written_out", [False, True])
@pytest.mark.parametrize("axis", [1, 0])
def test_softmax_rows_and_columns_match_numpy(codegen, dtype, written_out, axis):
    # Along the last axis the Softmax op stays (its vectorized kernel reads each row once);
    # exp(x - max) / sum(...) written out, which the stabilizer makes softmax(x - max(x)),
    # becomes softmax(x). Along another axis it becomes the max, the sum of exponentials and
    # the quotient, each one generated loop.
    x = T.tensor(dtype, shape=(None, None), name="x")
    if written_out:
        e = T.exp(x - T.max(x, axis=axis, keepdims=True))
        out = e / T.sum(e, axis=axis, keepdims=True)
    else:
        out = T.nnet.softmax(x, axis=axis)
    f = theon.function([x], out)
    text = f.debugprint(print_type=False)
    if axis == 1:
        assert text.splitlines()[0].startswith("Softmax{axis=1}")
        assert text.splitlines()[1].strip() == "|x [id B]" and not fused_nodes(f)
    else:
        assert "Softmax" not in text
        assert len(fused_nodes(f)) == 3
    a = rows_with_specials(dtype, (64, 1003))
    if axis == 0:
        a = np.ascontiguousarray(a.T)
    with np.errstate(all="ignore"):
        shifted = a - a.max(axis=axis, keepdims=True)
        want = np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
        got = f(a)
        got_t = f(np.asfortranarray(a)[:, ::-1])
    tol = 5e-6 if dtype == "float32" else 1e-13  # a few ulp: vector exp is within 4
    np.testing.assert_allclose(got, want, rtol=tol, atol=0, equal_nan=True)
    np.testing.assert_allclose(got_t, want[:, ::-1], rtol=tol, atol=0, equal_nan=True)
    assert got.dtype == np.dtype(dtype)
