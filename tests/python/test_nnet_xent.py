"""The fused softmax cross-entropy (CrossentropySoftmaxArgmax1HotWithBias) and its gradient op
(CrossentropySoftmax1HotWithBiasDx): values against a float64 NumPy reference, stability at
extreme logits, gradients, label errors, and the stabilize rewrites that build them from the
user's forms and from the gradient graphs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from fast_compile_check import tolerance
from theon.printing import debugprint
from theon.tensor.nnet import (categorical_crossentropy, crossentropy_softmax_1hot,
                               crossentropy_softmax_1hot_with_bias_dx,
                               crossentropy_softmax_argmax_1hot_with_bias, log_softmax, softmax)

RNG = np.random.default_rng(7)
FLOATS = ["float64", "float32"]
GOLDEN_MODE = theon.Mode("FAST_RUN").excluding("inplace")


def ref(x, b, y):
    z = x.astype("float64") + b.astype("float64")
    m = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - m).sum(axis=1, keepdims=True)) + m
    sm = np.exp(z - lse)
    nll = lse[:, 0] - z[np.arange(len(y)), y]
    return nll, sm, z.argmax(axis=1)


def data(dtype, n=5, k=4, scale=3.0):
    x = RNG.uniform(-scale, scale, (n, k)).astype(dtype)
    b = RNG.uniform(-1, 1, k).astype(dtype)
    y = RNG.integers(0, k, n).astype("int32")
    return x, b, y


@pytest.mark.parametrize("dtype", FLOATS)
def test_forward_matches_reference(dtype):
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.ivector("y")
    f = theon.function([x, b, y], crossentropy_softmax_argmax_1hot_with_bias(x, b, y),
                       mode="FAST_COMPILE")
    xv, bv, yv = data(dtype)
    xv = np.asfortranarray(xv)  # non-contiguous input
    nll, sm, am = f(xv, bv, yv)
    rn, rs, ra = ref(xv, bv, yv)
    tol = tolerance(dtype)
    assert nll.dtype == dtype and sm.dtype == dtype and am.dtype == "int64"
    np.testing.assert_allclose(nll, rn, rtol=tol, atol=tol)
    np.testing.assert_allclose(sm, rs, rtol=tol, atol=tol)
    np.testing.assert_array_equal(am, ra)
    # A zero bias, negative labels counting from the end (as NumPy indexing), empty batch.
    nll0, sm0 = theon.function([x, y], crossentropy_softmax_1hot(x, y))(xv, yv - 4)
    np.testing.assert_allclose(nll0, ref(xv, np.zeros(4, dtype), yv)[0], rtol=tol, atol=tol)
    e = f(np.zeros((0, 4), dtype), bv, np.zeros(0, "int32"))
    assert e[0].shape == (0,) and e[1].shape == (0, 4)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("k", [1, 3, 16, 17, 1000])
def test_forward_rows_of_any_length_ties_nan_and_infinities(dtype, k):
    """The row kernel scans maxima in lanes and sums exp in 8 partial sums: rows shorter than,
    equal to and longer than a lane group; the first of tied maxima (signed zeros tie); a NaN
    wins argmax (NumPy) and makes the row NaN; a row of -inf; b and x broadcast columns."""
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.ivector("y")
    f = theon.function([x, b, y], crossentropy_softmax_argmax_1hot_with_bias(x, b, y),
                       mode="FAST_COMPILE")
    n = 6
    xv = RNG.uniform(-3, 3, (n, k)).astype(dtype)
    xv[1, :] = 2.0  # every element ties: the first wins
    xv[2, :] = 0.0
    xv[2, k // 2] = -0.0
    xv[3, k - 1] = np.nan
    xv[4, :] = -np.inf
    bv = np.zeros(k, dtype)
    yv = RNG.integers(0, k, n).astype("int32")
    with np.errstate(invalid="ignore"):
        rn, rs, _ = ref(xv, bv, yv)
    nll, sm, am = f(xv, bv, yv)
    np.testing.assert_array_equal(am, [np.argmax(r) for r in xv])  # NaN first, as NumPy
    tol = tolerance(dtype)
    np.testing.assert_allclose(nll, rn, rtol=tol, atol=tol)  # NaN where the reference has it
    np.testing.assert_allclose(sm, rs, rtol=tol, atol=tol)
    # Broadcast columns: x of one column against b, and b of one entry against x.
    one = xv[:, :1].copy()
    nll1, sm1, _ = f(one, bv, np.zeros(n, "int32"))
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(sm1, ref(one, bv, np.zeros(n, "int32"))[1], rtol=tol,
                                   atol=tol)
    nll2, _, _ = f(xv, bv[:1], yv)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(nll2, ref(xv, bv[:1], yv)[0], rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", FLOATS)
def test_dx_matches_reference(dtype):
    dy, sm, y = T.vector("dy", dtype=dtype), T.matrix("sm", dtype=dtype), T.ivector("y")
    f = theon.function([dy, sm, y], crossentropy_softmax_1hot_with_bias_dx(dy, sm, y))
    dv = RNG.normal(size=5).astype(dtype)
    _, smv, _ = ref(*data(dtype))
    smv = smv.astype(dtype)
    yv = RNG.integers(0, 4, 5).astype("int32")
    want = dv[:, None].astype("float64") * (smv - np.eye(4)[yv])
    np.testing.assert_allclose(f(dv, smv, yv), want, rtol=tolerance(dtype),
                               atol=tolerance(dtype))


@pytest.mark.parametrize("op", ["forward", "dx"])
@pytest.mark.parametrize("bad", [4, -5])
def test_bad_label_raises_index_error(op, bad):
    x, b, y = T.matrix("x"), T.vector("b"), T.ivector("y")
    if op == "forward":
        out = crossentropy_softmax_argmax_1hot_with_bias(x, b, y)[0]
        name = "CrossentropySoftmaxArgmax1HotWithBias"
    else:
        out = crossentropy_softmax_1hot_with_bias_dx(b, x, y)
        name = "CrossentropySoftmax1HotWithBiasDx"
    f = theon.function([x, b, y], out)
    with pytest.raises(IndexError, match=f"{name}.*label {bad} of row 1.*4 classes"):
        f(np.zeros((2, 4)), np.zeros(2 if op == "dx" else 4), np.array([0, bad], "int32"))


def test_bad_types_raise():
    with pytest.raises(TypeError, match="CrossentropySoftmaxArgmax1HotWithBias.*integer vector"):
        crossentropy_softmax_argmax_1hot_with_bias(T.matrix(), T.vector(), T.vector())


def test_verify_grad_forward_and_dx():
    xv, bv, yv = data("float64")
    yc = theon.shared(yv)

    def nll(x, b):
        out = crossentropy_softmax_argmax_1hot_with_bias(x, b, yc)
        return out[0] * 1.5 + out[1].sum(axis=1) * 0.0 + (out[1] ** 2).sum(axis=1)

    theon.gradient.verify_grad(nll, [xv, bv], rng=np.random.default_rng(1))
    _, smv, _ = ref(xv, bv, yv)

    def dx(dy, sm):
        return crossentropy_softmax_1hot_with_bias_dx(dy, sm, yc)

    theon.gradient.verify_grad(dx, [RNG.normal(size=5), smv], rng=np.random.default_rng(2))


# ---- The rewrites ----

def forms(x, b, y):
    n = x.shape[0]
    return {
        "log_softmax_indexed": -T.log(softmax(x)[T.arange(n), y]),
        "with_bias": -T.log(softmax(x + b)[T.arange(n), y]),
        "categorical_crossentropy": categorical_crossentropy(softmax(x), y),
        "log_softmax": -log_softmax(x)[T.arange(y.shape[0]), y],
        "mean": -T.mean(T.log(softmax(x + b)[T.arange(n), y])),
        "sum": T.sum(categorical_crossentropy(softmax(x), y)),
    }


GOLDEN = {
    "log_softmax_indexed": (
        "CrossentropySoftmaxArgmax1HotWithBias.0 [id A]  <- xent_from_log_softmax_indexed\n"
        " |x [id B]\n"
        " |0 [id C] (constant)\n"
        " |y [id D]\n"),
    "with_bias": (
        "CrossentropySoftmaxArgmax1HotWithBias.0 [id A]  <- xent_from_log_softmax_indexed\n"
        " |x [id B]\n"
        " |b [id C]\n"
        " |y [id D]\n"),
}


def compiled_text(inputs, outs):
    f = theon.function(inputs, outs, mode=GOLDEN_MODE, on_unused_input="ignore")
    return f, debugprint(f, file="str", print_type=False, print_rewrites=True)


def names_in(f):
    return debugprint(f, file="str", print_type=False)


@pytest.mark.parametrize("form", ["log_softmax_indexed", "with_bias", "categorical_crossentropy",
                                  "log_softmax", "mean", "sum"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_user_forms_become_the_fused_op(form, dtype):
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.ivector("y")
    out = forms(x, b, y)[form]
    f, text = compiled_text([x, b, y], out)
    if form in GOLDEN and dtype == "float64":
        assert text == GOLDEN[form], text
    assert "CrossentropySoftmaxArgmax1HotWithBias" in text
    for gone in ("Softmax{", "LogSoftmax", "Elemwise{log}", "AdvancedSubtensor"):
        assert gone not in text, text
    xv, bv, yv = data(dtype)
    plain = theon.function([x, b, y], out, mode="FAST_COMPILE", on_unused_input="ignore")
    tol = tolerance(dtype)
    np.testing.assert_allclose(f(xv, bv, yv), plain(xv, bv, yv), rtol=tol, atol=tol)


@pytest.mark.parametrize("form", ["with_bias", "log_softmax", "categorical_crossentropy"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_training_step_uses_fused_op_and_dx(form, dtype):
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.ivector("y")
    cost = T.mean(forms(x, b, y)[form])
    gx, gb = theon.grad(cost, [x, b], disconnected_inputs="ignore")
    f = theon.function([x, b, y], [cost, gx, gb], mode=GOLDEN_MODE, on_unused_input="ignore")
    text = names_in(f)
    assert text.count("CrossentropySoftmaxArgmax1HotWithBias [") + text.count(
        "CrossentropySoftmaxArgmax1HotWithBias.") >= 1
    assert "CrossentropySoftmax1HotWithBiasDx" in text
    for gone in ("Softmax{", "LogSoftmax", "Elemwise{log}", "AdvancedIncSubtensor",
                 "AdvancedSubtensor", "Elemwise{exp}"):
        assert gone not in text, text
    # One fused forward node, shared by the cost and the gradient.
    ids = {line.split("[id ")[1].split("]")[0] for line in text.splitlines()
           if "CrossentropySoftmaxArgmax1HotWithBias" in line}
    assert len(ids) == 1, text
    xv, bv, yv = data(dtype)
    plain = theon.function([x, b, y], [cost, gx, gb], mode="FAST_COMPILE",
                           on_unused_input="ignore")
    tol = tolerance(dtype)
    for got, want in zip(f(xv, bv, yv), plain(xv, bv, yv)):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


GRAD_GOLDEN = (
    "CrossentropySoftmax1HotWithBiasDx [id A]  <- xent_dx_from_log_softmax_grad\n"
    " |Elemwise{neg} [id B]  <- xent_dx_from_log_softmax_grad\n"
    " | |Fill [id C]\n"
    " | | |Elemwise{neg} [id D]  <- xent_from_log_softmax_indexed\n"
    " | | | |CrossentropySoftmaxArgmax1HotWithBias.0 [id E]  <- xent_from_log_softmax_indexed\n"
    " | | | | |x [id F]\n"
    " | | | | |0 [id G] (constant)\n"
    " | | | | |y [id H]\n"
    " | | |DimShuffle{x} [id I]\n"
    " | | | |Elemwise{true_divide} [id J]\n"
    " | | | | |-1 [id K] (constant)\n"
    " | | | | |Elemwise{Cast{float64}} [id L]\n"
    " | | | | | |ReduceCount{axis=(0,)} [id M]\n"
    " | | | | | | |Elemwise{neg} [id D]\n"
    " |CrossentropySoftmaxArgmax1HotWithBias.1 [id E]\n"
    " |y [id H]\n"
)


def test_gradient_graph_golden():
    x, y = T.matrix("x"), T.ivector("y")
    cost = -T.mean(log_softmax(x)[T.arange(y.shape[0]), y])
    f = theon.function([x, y], theon.grad(cost, x), mode=GOLDEN_MODE)
    text = debugprint(f, file="str", print_type=False, print_rewrites=True)
    assert text == GRAD_GOLDEN, text


@pytest.mark.parametrize("dtype", FLOATS)
def test_extreme_logits_stay_finite(dtype):
    x, b, y = T.matrix("x", dtype=dtype), T.vector("b", dtype=dtype), T.ivector("y")
    cost = T.mean(-T.log(softmax(x + b)[T.arange(x.shape[0]), y]))
    gx = theon.grad(cost, x)
    xv = np.array([[1e4, 0, -1e4], [0, 1e4, 0], [-1e4, -1e4, 1e4]], dtype)
    bv = np.zeros(3, dtype)
    yv = np.array([1, 1, 0], "int32")
    f = theon.function([x, b, y], [cost, gx])
    c, g = f(xv, bv, yv)
    assert np.isfinite(c) and np.all(np.isfinite(g))
    rn, rs, _ = ref(xv, bv, yv)
    np.testing.assert_allclose(c, rn.mean(), rtol=1e-6)
    np.testing.assert_allclose(g, (rs - np.eye(3)[yv]) / 3, rtol=1e-6, atol=1e-12)
    # The naive form overflows: softmax underflows to 0 and its log is -inf.
    naive = theon.function([x, b, y], cost, mode="FAST_COMPILE")
    with np.errstate(all="ignore"):
        assert not np.isfinite(naive(xv, bv, yv))


def test_fewer_labels_than_rows_is_not_fused_silently():
    # arange(y.shape[0]) with len(y) != rows: the fused op raises instead of reading the
    # first rows (documented in stabilize.cpp).
    x, y = T.matrix("x"), T.ivector("y")
    f = theon.function([x, y], -log_softmax(x)[T.arange(y.shape[0]), y])
    with pytest.raises(ValueError, match="CrossentropySoftmaxArgmax1HotWithBias"):
        f(np.zeros((3, 2)), np.array([0, 1], "int32"))


def test_tutorial_form_gradient_uses_the_dx_op():
    # The form of Theano's tutorials: log of the softmax, indexed, mean; the gradient arrives
    # wrapped in fill and sum-to-shape nodes around the one-hot increment.
    X = T.matrix("X")
    y = T.ivector("y")
    W = theon.shared(np.random.default_rng(3).standard_normal((5, 4)), name="W")
    b = theon.shared(np.zeros(4), name="b")
    p = T.nnet.softmax(T.dot(X, W) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gW, gb = theon.grad(cost, [W, b])
    f = theon.function([X, y], [cost, gW, gb])
    text = f.debugprint(print_type=False)
    assert "CrossentropySoftmax1HotWithBiasDx" in text
    assert "AdvancedIncSubtensor" not in text and "Softmax{" not in text
    g = theon.function([X, y], [cost, gW, gb], mode="FAST_COMPILE")
    a = np.random.default_rng(4).standard_normal((7, 5))
    labels = np.array([0, 3, 1, 1, 2, 3, 0], dtype="int32")
    for got, want in zip(f(a, labels), g(a, labels)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
