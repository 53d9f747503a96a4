"""Canonicalize, stabilize and specialize rewrites: for each rewrite, the optimized graph as
text (golden, with the name of the rewrite that built each node) and values equal to
FAST_COMPILE (which runs none of them) on random inputs, in several dtypes where they matter;
then the stability acceptance tests (softmax, logsumexp, cross-entropies at +-1000)."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from fast_compile_check import FAST_MATH, assert_same_as_fast_compile, tolerance
from theon.printing import debugprint
from theon.tensor._build import build
from theon.tensor.nnet import log_softmax, sigmoid, softmax

RNG = np.random.default_rng(20240611)


# The graphs after the rewrite under test; the inplace phase (which renames the ops it turns
# inplace) is left out so that the text shows that rewrite's own result. fast_math is in, so
# that the goldens show the rewrites that assume finite floats too (test_rewrite_exact.cpp and
# the fuzzer check the default leaves NaN, inf and -0.0 alone).
GOLDEN_MODE = FAST_MATH.excluding("inplace")


def after(inputs, out, mode=GOLDEN_MODE):
    f = theon.function(inputs, out, mode=mode)
    return debugprint(f, file="str", print_type=False, print_rewrites=True)


def applied(inputs, out):
    f = theon.function(inputs, out, mode=FAST_MATH)
    return [name for name, _, _ in f.rewrites_applied]






def rand(shape, dtype, low=-3, high=3):
    dtype = np.dtype(dtype)
    if dtype == bool:
        return RNG.random(shape) < 0.5
    if dtype.kind in "iu":
        return RNG.integers(max(low, np.iinfo(dtype).min), high + 1, size=shape).astype(dtype)
    return RNG.uniform(low, high, size=shape).astype(dtype)


FLOATS = ["float64", "float32"]
NUMERIC = ["float64", "float32", "int32", "int8"]


# ---------------------------------------------------------------------------------------
# Cases: id -> (build(dtype) -> (inputs, output, sampler(dtype) -> values), dtypes, golden
# text for the first dtype). Goldens were checked by hand against the rewrite's definition.
# ---------------------------------------------------------------------------------------

def vec(dtype, name="x"):
    return T.tensor(dtype, shape=(None,), name=name)


def mat(dtype, name="m", shape=(None, None)):
    return T.tensor(dtype, shape=shape, name=name)


def case_mul_zero(dt):
    x = vec(dt)
    return [x], x * 0, lambda: [rand(5, dt)]


def case_mul_zero_broadcast(dt):
    m = mat(dt)
    return [m], m * np.zeros((1, 3), dtype=dt), lambda: [rand((4, 1), dt)]


def case_mul_div_cancel_broadcast(dt):
    # x may be (3,) while y is (1,): (x * y) / x has 3 elements, y only one.
    x, y = vec(dt), vec(dt, "y")
    return [x, y], (x * y) / x, lambda: [rand(3, dt, 1, 3), rand(1, dt)]


def case_mul_div_cancel_scalar(dt):
    m, s = mat(dt), T.tensor(dt, shape=(), name="s")
    return [m, s], (s * m) / s, lambda: [rand((2, 3), dt), rand((), dt, 1, 3)]


def case_cast_cast(dt):
    x = vec(dt)
    return [x], T.cast(T.cast(x, "int32"), "float64"), lambda: [rand(6, dt)]


def case_cast_cast_lossy(dt):
    x = vec(dt)
    return [x], T.cast(T.cast(x, "int32"), "float64"), lambda: [rand(6, dt) * 1.7]


def case_cast_cast_widen(dt):
    x = vec(dt)
    return [x], T.cast(T.cast(T.cast(x, "int16"), "float32"), dt), lambda: [rand(6, dt)]


def case_transpose_transpose(dt):
    m = mat(dt)
    return [m], m.T.T, lambda: [rand((2, 3), dt)]


def case_dimshuffle_merge(dt):
    m = mat(dt)
    return [m], m.dimshuffle("x", 0, 1).dimshuffle(0, 2, 1), lambda: [rand((2, 3), dt)]


def case_dimshuffle_identity(dt):
    t = T.tensor(dt, shape=(None, None, None), name="t")
    return [t], t.dimshuffle(2, 0, 1).dimshuffle(1, 2, 0), lambda: [rand((2, 3, 4), dt)]


def case_reshape_reshape(dt):
    m = mat(dt)
    return [m], m.reshape((6,)).reshape((3, 2)), lambda: [rand((2, 3), dt)]


def case_useless_reshape_shape(dt):
    m = mat(dt)
    return [m], m.reshape(m.shape), lambda: [rand((2, 3), dt)]


def case_useless_reshape_minus_one(dt):
    m = mat(dt)
    return [m], m.reshape((m.shape[0], -1)), lambda: [rand((2, 3), dt)]


def case_useless_reshape_static(dt):
    m = mat(dt, "ms", (2, 3))
    return [m], m.reshape((2, 3)), lambda: [rand((2, 3), dt)]


def case_sum_sum(dt):
    m = mat(dt)
    return [m], m.sum(axis=0).sum(axis=0), lambda: [rand((3, 4), dt)]


def case_sum_sum_3d(dt):
    t = T.tensor(dt, shape=(None, None, None), name="t")
    return [t], t.sum(axis=1).sum(axis=1), lambda: [rand((2, 3, 4), dt)]


def case_sum_sum_keepdims(dt):
    m = mat(dt)
    return ([m], m.sum(axis=1, keepdims=True).sum(axis=0, keepdims=True),
            lambda: [rand((3, 4), dt)])


def case_sum_sum_mixed_keepdims(dt):
    m = mat(dt)
    return [m], m.sum(axis=1, keepdims=True).sum(axis=0), lambda: [rand((3, 4), dt)]


def case_max_max(dt):
    m = mat(dt)
    return [m], m.max(axis=1).max(axis=0), lambda: [rand((3, 4), dt)]


def col(dt):
    return T.tensor(dt, shape=(None, 1), name="c")


def case_sum_size_one(dt):
    c = col(dt)
    return [c], c.sum(axis=1), lambda: [rand((4, 1), dt)]


def case_sum_size_one_partial(dt):
    c = col(dt)
    return [c], c.sum(axis=(0, 1)), lambda: [rand((4, 1), dt)]


def case_sum_size_one_keepdims(dt):
    c = col(dt)
    return [c], c.sum(axis=(0, 1), keepdims=True), lambda: [rand((4, 1), dt)]


def case_max_size_one(dt):
    c = col(dt)
    return [c], c.max(axis=1), lambda: [rand((4, 1), dt)]


def case_argmax_size_one(dt):
    c = col(dt)
    return [c], c.argmax(axis=1), lambda: [rand((4, 1), dt)]


def case_any_size_one(dt):
    c = col(dt)
    return [c], c.any(axis=1), lambda: [rand((4, 1), dt, -1, 1)]


def case_switch_true(dt):
    m, s = mat(dt), T.tensor(dt, shape=(), name="s")
    return [m, s], T.switch(1, m, s), lambda: [rand((2, 3), dt), rand((), dt)]


def case_switch_false(dt):
    m, s = mat(dt), T.tensor(dt, shape=(), name="s")
    return [m, s], T.switch(0, m, s), lambda: [rand((2, 3), dt), rand((), dt)]


def case_switch_broadcast(dt):
    # x may be (1,) while y is (3,): the result must be x broadcast to (3,).
    x, y = vec(dt), vec(dt, "y")
    return ([x, y], T.switch(np.array([True, True, True]), x, y),
            lambda: [rand(1, dt), rand(3, dt)])


def case_switch_false_mixed_dtypes(dt):
    x, y = vec(dt), vec("float64", "y")
    return [x, y], T.switch(False, x, y), lambda: [rand(3, dt), rand(3, "float64")]


def case_make_vector_index(dt):
    a, b, c = (T.tensor(dt, shape=(), name=n) for n in "abc")
    return ([a, b, c], T.make_vector(a, b, c)[1],
            lambda: [rand((), dt), rand((), dt), rand((), dt)])


def case_make_vector_negative_index(dt):
    a, b, c = (T.tensor(dt, shape=(), name=n) for n in "abc")
    return ([a, b, c], T.make_vector(a, b, c)[-1],
            lambda: [rand((), dt), rand((), dt), rand((), dt)])


def case_shape_index(dt):
    m = mat(dt)
    return [m], m.shape[1], lambda: [rand((2, 5), dt)]


def case_useless_alloc(dt):
    m = mat(dt)
    return [m], T.alloc(m, m.shape[0], m.shape[1]), lambda: [rand((2, 3), dt)]


def case_useless_alloc_static(dt):
    m = mat(dt, "ms", (2, 3))
    return [m], T.alloc(m, 2, 3), lambda: [rand((2, 3), dt)]


def case_useful_alloc(dt):
    m = mat(dt)
    return [m], T.alloc(m, 3, m.shape[0], m.shape[1]), lambda: [rand((2, 3), dt)]


def case_useless_fill(dt):
    m, s = mat(dt), T.tensor(dt, shape=(), name="s")
    return [m, s], T.fill(s, m), lambda: [rand((2, 3), dt), rand((), dt)]


def case_useful_fill(dt):
    m, s = mat(dt), T.tensor(dt, shape=(), name="s")
    return [m, s], T.fill(m, s), lambda: [rand((2, 3), dt), rand((), dt)]


def with_specials(a):
    flat = a.reshape(-1)
    flat[:3] = [np.nan, np.inf, -0.0][:flat.size]
    return a


def case_fill_into_elemwise(dt):
    # sqr(m) has m's shape, so the fill of the column c over it need not be written out; NaN
    # and inf in m and c reach the result the same way.
    m, c = mat(dt), mat(dt, "c", shape=(None, 1))
    return [m, c], T.fill(T.sqr(m), c) * (m + 1), lambda: [with_specials(rand((3, 4), dt)),
                                                            with_specials(rand((3, 1), dt))]


def case_fill_kept(dt):
    # y may be the one that broadcasts (a row here), so the fill gives the result its rows.
    m, c, y = mat(dt), mat(dt, "c", shape=(None, 1)), mat(dt, "y")
    return [m, c, y], T.fill(m, c) * y, lambda: [rand((3, 4), dt), rand((3, 1), dt),
                                                 rand((1, 4), dt)]


# ---- stabilize ----

def case_log_softmax(dt):
    m = mat(dt)
    return [m], T.log(softmax(m)), lambda: [rand((3, 4), dt, -50, 50)]


def case_log_softmax_axis0(dt):
    m = mat(dt)
    return [m], T.log(softmax(m, axis=0)), lambda: [rand((3, 4), dt, -50, 50)]


def case_softmax_from_exp(dt):
    m = mat(dt)
    e = T.exp(m)
    return [m], e / e.sum(axis=1, keepdims=True), lambda: [rand((3, 4), dt, -20, 20)]


def case_softmax_from_exp_dimshuffle(dt):
    m = mat(dt)
    return ([m], T.exp(m) / T.exp(m).sum(axis=0).dimshuffle("x", 0),
            lambda: [rand((3, 4), dt, -20, 20)])


def case_softmax_from_exp_all_axes(dt):
    x = vec(dt)
    return [x], T.exp(x) / T.exp(x).sum(keepdims=True), lambda: [rand(5, dt, -20, 20)]


def case_logsumexp(dt):
    x = vec(dt)
    return [x], T.log(T.sum(T.exp(x))), lambda: [rand(5, dt, -20, 20)]


def case_logsumexp_axis_keepdims(dt):
    m = mat(dt)
    return ([m], T.log(T.sum(T.exp(m), axis=1, keepdims=True)),
            lambda: [np.concatenate([rand((2, 4), dt, -20, 20),
                                     np.full((1, 4), -np.inf, dt)])])


def case_sigmoid_from_exp(dt):
    x = vec(dt)
    return [x], T.exp(x) / (1 + T.exp(x)), lambda: [rand(7, dt, -20, 20)]


def case_sigmoid_from_exp_neg(dt):
    x = vec(dt)
    return [x], 1 / (1 + T.exp(-x)), lambda: [rand(7, dt, -20, 20)]


def case_categorical_crossentropy(dt):
    m, y = mat(dt), T.ivector("y")
    out = -T.log(softmax(m)[T.arange(m.shape[0]), y])
    return ([m, y], out,
            lambda: [rand((3, 4), dt, -20, 20), np.array([0, 3, 1], dtype="int32")])


def case_distribute_cancel(dt):
    a, b, d, e = (vec(dt, n) for n in "abde")
    # a may be (1,) while d is (3,): the cancelled d still broadcasts the result (a Fill).
    return ([a, b, d, e], (a / d + b) * (d * e),
            lambda: [rand(1, dt), rand(3, dt), rand(3, dt, 1, 3), rand(3, dt)])


def case_useless_sum_to_shape(dt):
    x = vec(dt)
    return [x], build("sum_to_shape", T.exp(x) * 2, x), lambda: [rand(4, dt)]


def case_useful_sum_to_shape(dt):
    x, y = vec(dt), vec(dt, "y")
    return [x, y], build("sum_to_shape", x + y, x), lambda: [rand(1, dt), rand(3, dt)]


# ---- specialize ----

def pow_case(e, low=-3):
    def make(dt):
        x = vec(dt)
        return [x], x ** e, lambda: [rand(6, dt, low, 3)]
    return make


def case_mul_self(dt):
    x = vec(dt)
    return [x], x * x, lambda: [rand(6, dt)]


def case_mul_minus_one(dt):
    x = vec(dt)
    return [x], x * -1, lambda: [np.append(rand(5, dt), np.array(
        np.iinfo(dt).min if np.dtype(dt).kind == "i" else 0, dtype=dt))]


def case_mul_minus_one_wider(dt):
    # -1 is int64 here: -x in int8 would wrap where the int64 product does not.
    x = vec(dt)
    return ([x], x * T.constant(np.int64(-1)),
            lambda: [np.array([-128, 3, 127], dtype=dt)])


def case_sum_scalar_mul(dt):
    x = vec(dt)
    return [x], T.sum(2 * x), lambda: [rand(6, dt)]


def case_sum_scalar_mul_axis(dt):
    m = mat(dt)
    return [m], T.sum(m * 0.5, axis=0, keepdims=True), lambda: [rand((3, 4), dt)]


def case_sum_scalar_mul_int(dt):
    x = vec(dt)
    return [x], T.sum(100 * x), lambda: [np.array([100, -100, 50], dtype=dt)]


def case_sum_alloc(dt):
    n = T.iscalar("n")
    v = T.tensor(dt, shape=(), name="v")
    return [v, n], T.sum(T.alloc(v, n, 3)), lambda: [rand((), dt), np.int32(4)]


def case_sum_alloc_axis(dt):
    n = T.iscalar("n")
    v = T.tensor(dt, shape=(), name="v")
    return [v, n], T.sum(T.alloc(v, n, 3), axis=0), lambda: [rand((), dt), np.int32(0)]


CASES = {
    # canonicalize
    "mul_zero": (case_mul_zero, NUMERIC),
    "mul_zero_broadcast": (case_mul_zero_broadcast, FLOATS),
    "mul_div_cancel_broadcast": (case_mul_div_cancel_broadcast, FLOATS),
    "mul_div_cancel_scalar": (case_mul_div_cancel_scalar, FLOATS),
    "cast_cast": (case_cast_cast, ["int8", "int16", "bool"]),
    "cast_cast_lossy": (case_cast_cast_lossy, ["float64"]),
    "cast_cast_widen": (case_cast_cast_widen, ["int8", "uint8"]),
    "transpose_transpose": (case_transpose_transpose, NUMERIC),
    "dimshuffle_merge": (case_dimshuffle_merge, NUMERIC),
    "dimshuffle_identity": (case_dimshuffle_identity, FLOATS),
    "reshape_reshape": (case_reshape_reshape, NUMERIC),
    "useless_reshape_shape": (case_useless_reshape_shape, FLOATS),
    "useless_reshape_minus_one": (case_useless_reshape_minus_one, FLOATS),
    "useless_reshape_static": (case_useless_reshape_static, FLOATS),
    "sum_sum": (case_sum_sum, NUMERIC),
    "sum_sum_3d": (case_sum_sum_3d, FLOATS),
    "sum_sum_keepdims": (case_sum_sum_keepdims, FLOATS),
    "sum_sum_mixed_keepdims": (case_sum_sum_mixed_keepdims, NUMERIC),
    "max_max": (case_max_max, NUMERIC),
    "sum_size_one": (case_sum_size_one, NUMERIC + ["bool"]),
    "sum_size_one_partial": (case_sum_size_one_partial, NUMERIC),
    "sum_size_one_keepdims": (case_sum_size_one_keepdims, FLOATS),
    "max_size_one": (case_max_size_one, NUMERIC),
    "argmax_size_one": (case_argmax_size_one, NUMERIC),
    "any_size_one": (case_any_size_one, ["float64", "int32"]),
    "switch_true": (case_switch_true, NUMERIC),
    "switch_false": (case_switch_false, NUMERIC),
    "switch_broadcast": (case_switch_broadcast, FLOATS),
    "switch_false_mixed_dtypes": (case_switch_false_mixed_dtypes, ["float32", "int8"]),
    "make_vector_index": (case_make_vector_index, ["int64", "int32"]),
    "make_vector_negative_index": (case_make_vector_negative_index, ["int64"]),
    "shape_index": (case_shape_index, FLOATS),
    "useless_alloc": (case_useless_alloc, NUMERIC),
    "useless_alloc_static": (case_useless_alloc_static, FLOATS),
    "useful_alloc": (case_useful_alloc, FLOATS),
    "useless_fill": (case_useless_fill, NUMERIC),
    "useful_fill": (case_useful_fill, FLOATS),
    # stabilize
    "log_softmax": (case_log_softmax, FLOATS),
    "log_softmax_axis0": (case_log_softmax_axis0, FLOATS),
    "softmax_from_exp": (case_softmax_from_exp, FLOATS),
    "softmax_from_exp_dimshuffle": (case_softmax_from_exp_dimshuffle, FLOATS),
    "softmax_from_exp_all_axes": (case_softmax_from_exp_all_axes, FLOATS),
    "logsumexp": (case_logsumexp, FLOATS),
    "logsumexp_axis_keepdims": (case_logsumexp_axis_keepdims, FLOATS),
    "sigmoid_from_exp": (case_sigmoid_from_exp, FLOATS),
    "sigmoid_from_exp_neg": (case_sigmoid_from_exp_neg, FLOATS),
    "categorical_crossentropy": (case_categorical_crossentropy, FLOATS),
    "distribute_cancel": (case_distribute_cancel, FLOATS),
    "useless_sum_to_shape": (case_useless_sum_to_shape, FLOATS),
    "fill_into_elemwise": (case_fill_into_elemwise, FLOATS),
    "fill_kept": (case_fill_kept, FLOATS),
    "useful_sum_to_shape": (case_useful_sum_to_shape, FLOATS),
    # specialize
    "pow_2": (pow_case(2), NUMERIC),
    "pow_half": (pow_case(0.5, low=0), FLOATS + ["int32"]),
    "pow_minus_one": (pow_case(-1, low=1), FLOATS),
    "pow_1": (pow_case(1), NUMERIC),
    "pow_3": (pow_case(3), NUMERIC),
    "pow_4": (pow_case(4), NUMERIC),
    "pow_5": (pow_case(5), FLOATS),
    "pow_20_kept": (pow_case(20), FLOATS),
    "mul_self": (case_mul_self, NUMERIC),
    "mul_minus_one": (case_mul_minus_one, NUMERIC),
    "mul_minus_one_wider": (case_mul_minus_one_wider, ["int8"]),
    "sum_scalar_mul": (case_sum_scalar_mul, FLOATS),
    "sum_scalar_mul_axis": (case_sum_scalar_mul_axis, FLOATS),
    "sum_scalar_mul_int": (case_sum_scalar_mul_int, ["int8"]),
    "sum_alloc": (case_sum_alloc, ["float64", "float32", "int32"]),
    "sum_alloc_axis": (case_sum_alloc_axis, FLOATS),
}

GOLDEN = {
    'mul_div_cancel_broadcast': (
        'Fill [id A]  <- mul_div_cancel\n'
        ' |x [id B]\n'
        ' |y [id C]\n'
    ),
    'mul_div_cancel_scalar': 'm [id A]\n',
    'mul_zero': (
        'Alloc [id A]  <- mul_zero\n'
        ' |0 [id B] (constant)\n'
        ' |Shape_i{0} [id C]  <- mul_zero\n'
        ' | |x [id D]\n'
    ),
    'mul_zero_broadcast': (
        'Alloc [id A]  <- mul_zero\n'
        ' |<float64, (1, 3)> [id B] (constant)\n'
        ' |Shape_i{0} [id C]  <- mul_zero\n'
        ' | |m [id D]\n'
        ' |3 [id E] (constant)\n'
    ),
    'cast_cast': (
        'Elemwise{Cast{float64}} [id A]  <- cast_cast\n'
        ' |x [id B]\n'
    ),
    'cast_cast_lossy': (
        'Elemwise{Cast{float64}} [id A]\n'
        ' |Elemwise{Cast{int32}} [id B]\n'
        ' | |x [id C]\n'
    ),
    'cast_cast_widen': 'x [id A]\n',
    'transpose_transpose': 'm [id A]\n',
    'dimshuffle_merge': (
        'DimShuffle{x,1,0} [id A]  <- dimshuffle_merge\n'
        ' |m [id B]\n'
    ),
    'dimshuffle_identity': 't [id A]\n',
    'reshape_reshape': (
        'Reshape{2} [id A]  <- reshape_reshape\n'
        ' |m [id B]\n'
        ' |<int64, (2,)> [id C] (constant)\n'
    ),
    'useless_reshape_shape': 'm [id A]\n',
    'useless_reshape_minus_one': 'm [id A]\n',
    'useless_reshape_static': 'ms [id A]\n',
    'sum_sum': (
        'Sum{axis=(0, 1)} [id A]  <- reduce_reduce\n'
        ' |m [id B]\n'
    ),
    'sum_sum_3d': (
        'Sum{axis=(1, 2)} [id A]  <- reduce_reduce\n'
        ' |t [id B]\n'
    ),
    'sum_sum_keepdims': (
        'Sum{axis=(0, 1), keepdims=True} [id A]  <- reduce_reduce\n'
        ' |m [id B]\n'
    ),
    'sum_sum_mixed_keepdims': (
        'DimShuffle{x} [id A]  <- reduce_reduce\n'
        ' |Sum{axis=(0, 1)} [id B]  <- reduce_reduce\n'
        ' | |m [id C]\n'
    ),
    'max_max': (
        'Max{axis=(0, 1)} [id A]  <- reduce_reduce\n'
        ' |m [id B]\n'
    ),
    'sum_size_one': (
        'DimShuffle{0} [id A]  <- reduce_size_one_axes\n'
        ' |c [id B]\n'
    ),
    'sum_size_one_partial': (
        'Sum{axis=(0,)} [id A]  <- reduce_size_one_axes\n'
        ' |DimShuffle{0} [id B]  <- reduce_size_one_axes\n'
        ' | |c [id C]\n'
    ),
    'sum_size_one_keepdims': (
        'Sum{axis=(0,), keepdims=True} [id A]  <- reduce_size_one_axes\n'
        ' |c [id B]\n'
    ),
    'max_size_one': (
        'DimShuffle{0} [id A]  <- reduce_size_one_axes\n'
        ' |c [id B]\n'
    ),
    'argmax_size_one': (
        'Alloc [id A]  <- reduce_size_one_axes\n'
        ' |0 [id B] (constant)\n'
        ' |Shape_i{0} [id C]  <- reduce_size_one_axes\n'
        ' | |c [id D]\n'
    ),
    'any_size_one': (
        'Elemwise{Cast{bool}} [id A]  <- reduce_size_one_axes\n'
        ' |DimShuffle{0} [id B]  <- reduce_size_one_axes\n'
        ' | |c [id C]\n'
    ),
    'switch_true': 'm [id A]\n',
    'switch_false': (
        'Alloc [id A]  <- switch_constant\n'
        ' |s [id B]\n'
        ' |Shape_i{0} [id C]  <- switch_constant\n'
        ' | |m [id D]\n'
        ' |Shape_i{1} [id E]  <- switch_constant\n'
        ' | |m [id D]\n'
    ),
    'switch_broadcast': (
        'Alloc [id A]  <- switch_constant\n'
        ' |x [id B]\n'
        ' |3 [id C] (constant)\n'
    ),
    'switch_false_mixed_dtypes': (
        'Alloc [id A]  <- switch_constant\n'
        ' |y [id B]\n'
        ' |Elemwise{switch} [id C]  <- switch_constant\n'
        ' | |Elemwise{equal} [id D]  <- switch_constant\n'
        ' | | |Shape_i{0} [id E]  <- switch_constant\n'
        ' | | | |x [id F]\n'
        ' | | |1 [id G] (constant)\n'
        ' | |Shape_i{0} [id H]  <- switch_constant\n'
        ' | | |y [id B]\n'
        ' | |Shape_i{0} [id E]\n'
    ),
    'make_vector_index': 'b [id A]\n',
    'make_vector_negative_index': 'c [id A]\n',
    'shape_index': (
        'Shape_i{1} [id A]  <- subtensor_shape\n'
        ' |m [id B]\n'
    ),
    'useless_alloc': 'm [id A]\n',
    'useless_alloc_static': 'ms [id A]\n',
    'useful_alloc': (
        'Alloc [id A]\n'
        ' |m [id B]\n'
        ' |3 [id C] (constant)\n'
        ' |Shape_i{0} [id D]  <- subtensor_shape\n'
        ' | |m [id B]\n'
        ' |Shape_i{1} [id E]  <- subtensor_shape\n'
        ' | |m [id B]\n'
    ),
    'useless_fill': 'm [id A]\n',
    'useful_fill': (
        'Fill [id A]\n'
        ' |m [id B]\n'
        ' |s [id C]\n'
    ),
    'log_softmax': (
        'LogSoftmax{axis=1} [id A]  <- log_softmax_from_log\n'
        ' |m [id B]\n'
    ),
    'log_softmax_axis0': (
        'LogSoftmax{axis=0} [id A]  <- log_softmax_from_log\n'
        ' |m [id B]\n'
    ),
    'softmax_from_exp': (
        'Softmax{axis=1} [id A]  <- softmax_from_exp\n'
        ' |m [id B]\n'
    ),
    'softmax_from_exp_dimshuffle': (
        'Softmax{axis=0} [id A]  <- softmax_from_exp\n'
        ' |m [id B]\n'
    ),
    'softmax_from_exp_all_axes': (
        'Softmax{axis=None} [id A]  <- softmax_from_exp\n'
        ' |x [id B]\n'
    ),
    'logsumexp': (
        'Elemwise{add} [id A]  <- logsumexp\n'
        ' |DimShuffle [id B]  <- logsumexp\n'
        ' | |Elemwise{switch} [id C]  <- logsumexp\n'
        ' | | |Elemwise{isinf} [id D]  <- logsumexp\n'
        ' | | | |Max{axis=(0,), keepdims=True} [id E]  <- logsumexp\n'
        ' | | | | |x [id F]\n'
        ' | | |0 [id G] (constant)\n'
        ' | | |Max{axis=(0,), keepdims=True} [id E]\n'
        ' |Elemwise{log} [id H]  <- logsumexp\n'
        ' | |Sum{axis=(0,)} [id I]  <- logsumexp\n'
        ' | | |Elemwise{exp} [id J]  <- logsumexp\n'
        ' | | | |Elemwise{sub} [id K]  <- logsumexp\n'
        ' | | | | |x [id F]\n'
        ' | | | | |Elemwise{switch} [id C]\n'
    ),
    'logsumexp_axis_keepdims': (
        'Elemwise{add} [id A]  <- logsumexp\n'
        ' |Elemwise{switch} [id B]  <- logsumexp\n'
        ' | |Elemwise{isinf} [id C]  <- logsumexp\n'
        ' | | |Max{axis=(1,), keepdims=True} [id D]  <- logsumexp\n'
        ' | | | |m [id E]\n'
        ' | |0 [id F] (constant)\n'
        ' | |Max{axis=(1,), keepdims=True} [id D]\n'
        ' |Elemwise{log} [id G]  <- logsumexp\n'
        ' | |Sum{axis=(1,), keepdims=True} [id H]  <- logsumexp\n'
        ' | | |Elemwise{exp} [id I]  <- logsumexp\n'
        ' | | | |Elemwise{sub} [id J]  <- logsumexp\n'
        ' | | | | |m [id E]\n'
        ' | | | | |Elemwise{switch} [id B]\n'
    ),
    'sigmoid_from_exp': (
        'Elemwise{sigmoid} [id A]  <- sigmoid_from_exp\n'
        ' |x [id B]\n'
    ),
    'sigmoid_from_exp_neg': (
        'Elemwise{sigmoid} [id A]  <- sigmoid_from_exp_neg\n'
        ' |x [id B]\n'
    ),
    'categorical_crossentropy': (
        'CrossentropySoftmaxArgmax1HotWithBias.0 [id A]  <- xent_from_log_softmax_indexed\n'
        ' |m [id B]\n'
        ' |0 [id C] (constant)\n'
        ' |y [id D]\n'
    ),
    'distribute_cancel': (
        'Elemwise{mul} [id A]  <- distribute_mul_cancel_div\n'
        ' |Elemwise{add} [id B]  <- distribute_mul_cancel_div\n'
        ' | |Fill [id C]  <- distribute_mul_cancel_div\n'
        ' | | |d [id D]\n'
        ' | | |a [id E]\n'
        ' | |Elemwise{mul} [id F]  <- distribute_mul_cancel_div\n'
        ' | | |b [id G]\n'
        ' | | |d [id D]\n'
        ' |e [id H]\n'
    ),
    'useless_sum_to_shape': (
        'Elemwise{mul} [id A]\n'
        ' |Elemwise{exp} [id B]\n'
        ' | |x [id C]\n'
        ' |2 [id D] (constant)\n'
    ),
    'fill_into_elemwise': (
        'Elemwise{mul} [id A]  <- fill_into_elemwise\n'
        ' |c [id B]\n'
        ' |Elemwise{add} [id C]\n'
        ' | |m [id D]\n'
        ' | |1 [id E] (constant)\n'
    ),
    'fill_kept': (
        'Elemwise{mul} [id A]\n'
        ' |Fill [id B]\n'
        ' | |m [id C]\n'
        ' | |c [id D]\n'
        ' |y [id E]\n'
    ),
    'useful_sum_to_shape': (
        'SumToShape [id A]\n'
        ' |Elemwise{add} [id B]\n'
        ' | |x [id C]\n'
        ' | |y [id D]\n'
        ' |x [id C]\n'
    ),
    'pow_2': (
        'Elemwise{sqr} [id A]  <- pow_specialize\n'
        ' |x [id B]\n'
    ),
    'pow_half': (
        'Elemwise{sqrt} [id A]  <- pow_specialize\n'
        ' |x [id B]\n'
    ),
    'pow_minus_one': (
        'Elemwise{reciprocal} [id A]  <- pow_specialize\n'
        ' |x [id B]\n'
    ),
    'pow_1': 'x [id A]\n',
    'pow_3': (
        'Elemwise{mul} [id A]  <- pow_specialize\n'
        ' |Elemwise{sqr} [id B]  <- pow_specialize\n'
        ' | |x [id C]\n'
        ' |x [id C]\n'
    ),
    'pow_4': (
        'Elemwise{sqr} [id A]  <- pow_specialize\n'
        ' |Elemwise{sqr} [id B]  <- pow_specialize\n'
        ' | |x [id C]\n'
    ),
    'pow_5': (
        'Elemwise{mul} [id A]  <- pow_specialize\n'
        ' |Elemwise{sqr} [id B]  <- pow_specialize\n'
        ' | |Elemwise{sqr} [id C]  <- pow_specialize\n'
        ' | | |x [id D]\n'
        ' |x [id D]\n'
    ),
    'pow_20_kept': (
        'Elemwise{pow} [id A]\n'
        ' |x [id B]\n'
        ' |20 [id C] (constant)\n'
    ),
    'mul_self': (
        'Elemwise{sqr} [id A]  <- mul_self_to_sqr\n'
        ' |x [id B]\n'
    ),
    'mul_minus_one': (
        'Elemwise{neg} [id A]  <- mul_minus_one\n'
        ' |x [id B]\n'
    ),
    'mul_minus_one_wider': (
        'Elemwise{mul} [id A]\n'
        ' |x [id B]\n'
        ' |-1 [id C] (constant)\n'
    ),
    'sum_scalar_mul': (
        'Elemwise{mul} [id A]  <- sum_scalar_mul\n'
        ' |2 [id B] (constant)\n'
        ' |Sum{axis=(0,)} [id C]  <- sum_scalar_mul\n'
        ' | |x [id D]\n'
    ),
    'sum_scalar_mul_axis': (
        'Elemwise{mul} [id A]  <- sum_scalar_mul\n'
        ' |0.5 [id B] (constant)\n'
        ' |Sum{axis=(0,), keepdims=True} [id C]  <- sum_scalar_mul\n'
        ' | |m [id D]\n'
    ),
    'sum_scalar_mul_int': (
        'Sum{axis=(0,)} [id A]\n'
        ' |Elemwise{mul} [id B]\n'
        ' | |100 [id C] (constant)\n'
        ' | |x [id D]\n'
    ),
    'sum_alloc': (
        'Elemwise{mul} [id A]  <- sum_alloc\n'
        ' |v [id B]\n'
        ' |Elemwise{Cast{float64}} [id C]  <- sum_alloc\n'
        ' | |CheckedProduct{itemsize=8} [id D]  <- sum_alloc\n'
        ' | | |Elemwise{Cast{int64}} [id E]  <- sum_alloc\n'
        ' | | | |n [id F]\n'
        ' | | |3 [id G] (constant)\n'
    ),
    'sum_alloc_axis': (
        'Alloc [id A]  <- sum_alloc\n'
        ' |Elemwise{mul} [id B]  <- sum_alloc\n'
        ' | |v [id C]\n'
        ' | |Elemwise{Cast{float64}} [id D]  <- sum_alloc\n'
        ' | | |CheckedProduct{itemsize=8} [id E]  <- sum_alloc\n'
        ' | | | |Elemwise{Cast{int64}} [id F]  <- sum_alloc\n'
        ' | | | | |n [id G]\n'
        ' |3 [id H] (constant)\n'
    ),
}



@pytest.mark.parametrize("name", list(CASES))
def test_golden_after(name):
    make, dtypes = CASES[name]
    inputs, out, _ = make(dtypes[0])
    assert after(inputs, out) == GOLDEN[name]


@pytest.mark.parametrize("name,dtype", [(n, d) for n, (_, ds) in CASES.items() for d in ds])
def test_values_equal_fast_compile(name, dtype):
    make, _ = CASES[name]
    inputs, out, sampler = make(dtype)
    for _ in range(3):
        values = sampler()
        assert_same_as_fast_compile(inputs, out, values)
        assert_same_as_fast_compile(inputs, out, values, FAST_MATH)


def test_every_new_rewrite_fires_in_its_case():
    fired = set()
    for make, dtypes in CASES.values():
        inputs, out, _ = make(dtypes[0])
        fired.update(applied(inputs, out))
    new = {"mul_div_cancel", "mul_zero", "cast_cast", "switch_constant", "dimshuffle_merge", "reshape_reshape",
           "useless_reshape", "useless_alloc", "useless_fill", "subtensor_make_vector",
           "subtensor_shape", "reduce_reduce", "reduce_size_one_axes", "log_softmax_from_log",
           "log_softmax_from_log_indexed", "softmax_from_exp", "logsumexp", "sigmoid_from_exp",
           "sigmoid_from_exp_neg", "distribute_mul_cancel_div", "useless_sum_to_shape",
           "fill_into_elemwise",
           "pow_specialize", "mul_self_to_sqr", "mul_minus_one", "sum_scalar_mul", "sum_alloc"}
    assert new <= fired, sorted(new - fired)


def test_rewrites_can_be_excluded_by_name_and_phase():
    x = T.vector("x")
    fast, plain = theon.Mode("FAST_RUN"), theon.Mode("FAST_COMPILE")
    assert "Elemwise{sqr}" not in after([x], x ** 2, fast.excluding("pow_specialize"))
    assert "Elemwise{sqr}" not in after([x], x ** 2, fast.excluding("specialize"))
    assert "Elemwise{sqr}" in after([x], x ** 2, plain.including("pow_specialize"))
    m = T.matrix("m")
    assert "Sum{axis=(0, 1)}" not in after([m], m.sum(axis=0).sum(axis=0),
                                           theon.Mode("FAST_RUN").excluding("canonicalize"))


# ---------------------------------------------------------------------------------------
# Acceptance: numerical stability in FAST_RUN.
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_of_large_values_is_finite(dtype):
    x = vec(dtype)
    a = np.array([1000, 0], dtype=dtype)
    for out in (softmax(x), T.exp(x) / T.sum(T.exp(x), keepdims=True),
                T.exp(T.log(softmax(x)))):
        got = theon.function([x], out)(a)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, [1.0, 0.0], atol=1e-30)
    # log_softmax of the same: exact where log(softmax) would give log(0) = -inf.
    got = theon.function([x], T.log(softmax(x)))(a)
    np.testing.assert_allclose(got, [0.0, -1000.0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_logsumexp_of_large_values_is_finite(dtype):
    x = vec(dtype)
    f = theon.function([x], T.log(T.sum(T.exp(x))))
    got = f(np.array([1000, 1000], dtype=dtype))
    assert got.dtype == dtype and np.isfinite(got)
    np.testing.assert_allclose(got, 1000 + np.log(2), rtol=tolerance(dtype))
    np.testing.assert_allclose(f(np.array([-1000, -1000], dtype=dtype)), -1000 + np.log(2),
                               rtol=tolerance(dtype))
    # Infinite inputs keep their meaning: all -inf gives -inf, a +inf gives +inf.
    assert f(np.array([-np.inf, -np.inf], dtype=dtype)) == -np.inf
    assert f(np.array([np.inf, 0], dtype=dtype)) == np.inf
    # Without the rewrite the naive formula overflows: the test does test the rewrite.
    naive = theon.function([x], T.log(T.sum(T.exp(x))),
                           mode=theon.Mode("FAST_RUN").excluding("logsumexp"))
    assert np.isinf(naive(np.array([1000, 1000], dtype=dtype)))


def test_logsumexp_over_axes_with_and_without_keepdims():
    t = T.tensor3("t")
    a = RNG.uniform(500, 1000, size=(2, 3, 4))
    for axis in (0, 1, 2, (0, 2), None):
        for keepdims in (False, True):
            f = theon.function([t], T.log(T.sum(T.exp(t), axis=axis, keepdims=keepdims)))
            m = a.max(axis=axis, keepdims=True)
            want = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
            if not keepdims:
                want = want.reshape(np.sum(a, axis=axis).shape)
            np.testing.assert_allclose(f(a), want, rtol=1e-12)


def binary_crossentropy(z, y):
    s = sigmoid(z)
    return y * T.log(s) + (1 - y) * T.log(1 - s)


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_crossentropy_gradient_is_finite_at_large_logits(dtype):
    z, y = vec(dtype, "z"), vec(dtype, "y")
    cost = -T.sum(binary_crossentropy(z, y))
    f = theon.function([z, y], [cost, theon.grad(cost, z)])
    zv = np.array([-1000, 1000, -1000, 1000, 0, 2.5], dtype=dtype)
    yv = np.array([1, 0, 0, 1, 1, 0], dtype=dtype)
    c, g = f(zv, yv)
    assert np.isfinite(c) and np.all(np.isfinite(g))
    s = 0.5 * (1 + np.tanh(zv.astype("float64") / 2))  # sigmoid without overflow
    np.testing.assert_allclose(g, s - yv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, 2000 + np.log(2) + np.log1p(np.exp(2.5)), rtol=1e-5)
    # The gradient is the naive one, NaN at +-1000, without the stabilizing rewrites.
    naive = theon.function([z, y], theon.grad(cost, z),
                           mode=theon.Mode("FAST_RUN").excluding("distribute_mul_cancel_div"))
    assert not np.all(np.isfinite(naive(zv, yv)))


def test_binary_crossentropy_gradient_matrix_and_broadcast_targets():
    z, y = T.matrix("z"), T.row("y")
    cost = -T.mean(binary_crossentropy(z, y))
    f = theon.function([z, y], theon.grad(cost, z))
    zv = np.array([[-1000.0, 1000.0, 3.0], [1000.0, -1000.0, -2.0]])
    yv = np.array([[1.0, 0.0, 1.0]])
    g = f(zv, yv)
    s = 0.5 * (1 + np.tanh(zv / 2))
    np.testing.assert_allclose(g, (s - yv) / zv.size, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
def test_categorical_crossentropy_of_large_logits_is_finite(dtype):
    m, y = mat(dtype), T.ivector("y")
    f = theon.function([m, y], -T.log(softmax(m)[T.arange(m.shape[0]), y]))
    a = np.array([[1000, 0, -1000], [0, 2000, 0]], dtype=dtype)
    yv = np.array([1, 0], dtype="int32")
    got = f(a, yv)
    assert got.dtype == dtype and np.all(np.isfinite(got))
    a64 = a.astype("float64")
    lsm = a64 - a64.max(axis=1, keepdims=True)
    lsm -= np.log(np.exp(lsm).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got, -lsm[[0, 1], yv], rtol=1e-6)


def _random_graph(rng, x, depth):
    if depth == 0 or rng.random() < 0.15:
        return x
    a = _random_graph(rng, x, depth - 1)
    kind = rng.integers(12)
    if kind == 0:
        return a ** int(rng.integers(1, 5))
    if kind == 1:
        return a * a + a * -1
    if kind == 2:
        return a.T.T * 0 + a
    if kind == 3:
        return T.switch(bool(rng.integers(2)), a, -a)
    if kind == 4:
        return a.sum(axis=1, keepdims=True).sum(axis=0, keepdims=True) + a
    if kind == 5:
        return T.exp(a) / T.exp(a).sum(axis=1, keepdims=True)
    if kind == 6:
        return T.log(T.sum(T.exp(a), axis=0, keepdims=True)) + a
    if kind == 7:
        return T.exp(a) / (1 + T.exp(a))
    if kind == 8:
        return T.cast(T.cast(a, "float32"), "float64") * 2
    if kind == 9:
        return a.reshape((-1,)).reshape(a.shape)
    if kind == 10:
        return T.sum(3 * a) + a
    return abs(a) ** 0.5


def test_random_graphs_agree_across_modes():
    rng = np.random.default_rng(7)
    x = T.matrix("x")
    xv = rng.standard_normal((3, 4))
    for _ in range(60):
        out = _random_graph(rng, x, 4)
        fast = theon.function([x], out, mode="FAST_RUN")
        plain = theon.function([x], out, mode="FAST_COMPILE")
        np.testing.assert_allclose(fast(xv), plain(xv), rtol=1e-6, atol=1e-9)
