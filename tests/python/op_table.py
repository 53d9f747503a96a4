"""The op table: one row (or a few, one per form) for every builder of the registry; the
generic checks in tests/python/test_op_table.py run over it. A new op adds its row here (the
completeness test fails otherwise). Row types, samplers and constructors: op_table_kinds.py."""

import numpy as np
import scipy.special as sp

from op_table_extra import (EXTRA, EXTRA_NO_EMPTY_CASE, EXTRA_NOT_BUILDERS,
                            EXTRA_SHAPE_FROM_VALUES)
from op_table_kinds import (ALL, FLOATS, INTS, NUMERIC, Row, binary, reduction, shape_op, unary,
                            unary_float)
from op_table_scan import SCAN
from op_table_control import CONTROL, CONTROL_NOT_BUILDERS
from op_table_distributed import DISTRIBUTED
from op_table_conv import CONV, CONV_SHAPE_FROM_VALUES, CTC, POOL
from op_table_linalg import COMPOSITIONS, LINALG, LINALG_COMPOSED, LINALG_NO_EMPTY_CASE
from op_table_sparse import SPARSE
from op_table_structured import ALLOC, BLAS, GRADIENT_SUPPORT, JOIN, NNET, SORT, SUBTENSOR
from op_table_random import RANDOM_BUILDERS
from theon.tensor._build import build

# Builders without a row of their own, with the reason.
EXCLUDED = {**RANDOM_BUILDERS,
            "empty": "its elements are not set (NumPy's empty): shape, dtype, shape inference "
                     "and errors in test_canonicalize_slices.py"}
# Rows of ops built outside the builder registry: row name -> how they are built.
NOT_BUILDERS = {"subtensor": "x[key]; the bindings parse the key (bindings/index_key.cpp)",
                **CONTROL_NOT_BUILDERS, **EXTRA_NOT_BUILDERS, **COMPOSITIONS}
# Rows whose output shapes depend on the values (not only the shapes) of some array inputs:
# row id -> those inputs.
SHAPE_FROM_VALUES = {
    "repeat-counts": (1,),  # the sum of the counts
    "split": (1,),  # the sizes
    "subtensor-mask": (1,),  # the number of True in the mask
    **EXTRA_SHAPE_FROM_VALUES,
    **CONV_SHAPE_FROM_VALUES,
}
# Rows without an empty case, with the reason.
NO_EMPTY_CASE = {
    "argmax-axisNone": "the arg of an empty array is an error",
    "argmin-axisNone": "the arg of an empty array is an error",
    "make_vector": "its inputs are 0-d",
    **EXTRA_NO_EMPTY_CASE,
    **LINALG_NO_EMPTY_CASE,
}


def _round_half_away(a):
    return np.sign(a) * np.floor(np.abs(a) + 0.5) if a.dtype.kind == "f" else a


def _leaky_relu(x, alpha):
    return np.where(x > 0, x, x * alpha)


# Integer pairs with an integer result (uint64 with int64 gives float64, NumPy's rule).
_INT_PAIRS = (("uint8", "int64"), ("int16", "uint16"))

ELEMWISE = [
    unary("abs", np.abs, grad=1),
    unary("neg", np.negative, NUMERIC, grad=1),
    unary("sign", np.sign, NUMERIC),
    unary("sqr", np.square, grad=2),
    unary_float("sqrt", np.sqrt, "pos"),
    unary_float("reciprocal", np.reciprocal, "pos"),
    unary_float("exp", np.exp, "small"),
    unary_float("exp2", np.exp2, "small"),
    unary_float("expm1", np.expm1, "small"),
    unary_float("log", np.log, "pos"),
    unary_float("log2", np.log2, "pos"),
    unary_float("log10", np.log10, "pos"),
    unary_float("log1p", np.log1p, "nonneg"),
    unary_float("sin", np.sin),
    unary_float("cos", np.cos),
    unary_float("tan", np.tan, "unit", rtol32=1e-4),
    unary_float("arcsin", np.arcsin, "unit"),
    unary_float("arccos", np.arccos, "unit"),
    unary_float("arctan", np.arctan),
    unary_float("sinh", np.sinh, "small"),
    unary_float("cosh", np.cosh, "small"),
    unary_float("tanh", np.tanh),
    unary_float("deg2rad", np.deg2rad),
    unary_float("rad2deg", np.rad2deg),
    unary_float("arcsinh", np.arcsinh),
    unary_float("arccosh", np.arccosh, "ge1"),
    unary_float("arctanh", np.arctanh, "unit"),
    unary_float("erf", sp.erf),
    unary_float("erfc", sp.erfc, rtol32=1e-4),
    unary_float("erfinv", sp.erfinv, "unit"),
    unary_float("gamma", sp.gamma, "gamma", rtol32=1e-4),
    unary_float("gammaln", sp.gammaln, "gamma", rtol32=1e-4),
    unary_float("psi", sp.psi, "gamma", grad=1, rtol32=1e-4),
    # trigamma has no gradient (as in Theano).
    unary_float("trigamma", lambda a: sp.polygamma(1, a).astype(a.dtype), "gamma", grad=0,
                rtol32=1e-4),
    unary_float("sigmoid", sp.expit),
    unary_float("softplus", lambda a: np.logaddexp(0, a)),
    # With -march=native the generated 0.2 x + 0.5 is one fused multiply-add, rounded once;
    # the reference kernel rounds twice.
    unary_float("hard_sigmoid", lambda a: np.clip(a * 0.2 + 0.5, 0, 1), grad=1, ulps=2),
    unary("relu", lambda a: np.maximum(a, 0).astype(a.dtype), NUMERIC, grad=1),
    unary("floor", np.floor),
    unary("ceil", np.ceil),
    unary("trunc", np.trunc),
    # round of a bool stays bool (NumPy: float16).
    unary("round", np.round, NUMERIC),
    unary("round", lambda a: a, ("bool",), variant="bool"),
    unary("round_half_away_from_zero", _round_half_away, ALL, rule="same"),
    unary("isnan", np.isnan),
    unary("isinf", np.isinf),
    unary("isfinite", np.isfinite),
    unary("logical_not", np.logical_not),
    unary("invert", np.invert, INTS + ("bool",)),
    # A cast to the input's own dtype is no node at all.
    unary("cast", lambda a: a.astype("float32"), params={"dtype": "float32"}, variant="float32",
          fusable=tuple(d for d in ALL if d != "float32")),
    unary("cast", lambda a: a.astype("int16"), params={"dtype": "int16"}, variant="int16",
          fusable=tuple(d for d in ALL if d != "int16")),
    binary("add", np.add, grad=1),
    binary("sub", np.subtract, NUMERIC, grad=1),
    binary("mul", np.multiply, grad=2),
    binary("true_divide", np.true_divide, NUMERIC, ("any", "pos"), rule="float", grad=2),
    binary("floor_divide", np.floor_divide, ALL, ("any", "pos")),
    binary("mod", np.remainder, ALL, ("any", "pos")),
    # Integer pow is not fused: its reference kernel raises on negative exponents.
    binary("pow", np.power, NUMERIC, ("pos", "exponent"), grad=2, fusable=FLOATS),
    binary("maximum", np.maximum, grad=1),
    binary("minimum", np.minimum, grad=1),
    binary("arctan2", np.arctan2, NUMERIC, rule="float", grad=2),
    binary("equal", np.equal, domains=("small",)),
    binary("not_equal", np.not_equal, domains=("small",)),
    binary("less", np.less, domains=("small",)),
    binary("less_equal", np.less_equal, domains=("small",)),
    binary("greater", np.greater, domains=("small",)),
    binary("greater_equal", np.greater_equal, domains=("small",)),
    binary("logical_and", np.logical_and, domains=("small",)),
    binary("logical_or", np.logical_or, domains=("small",)),
    binary("logical_xor", np.logical_xor, domains=("small",)),
    binary("bitwise_and", np.bitwise_and, INTS + ("bool",), mixed=_INT_PAIRS),
    binary("bitwise_or", np.bitwise_or, INTS + ("bool",), mixed=_INT_PAIRS),
    binary("bitwise_xor", np.bitwise_xor, INTS + ("bool",), mixed=_INT_PAIRS),
    binary("leaky_relu", _leaky_relu, ("float64", "float32", "int64"), ("any", "unit"), grad=1,
           mixed=()),
    Row("clip", np.clip, [((5, 4),) * 3, ((5, 4), (1, 4), (5, 1)), ((0, 4), (1, 4), (1, 1)),
                          ((1, 1),) * 3],
        domains=("any", "small"), dtypes=ALL, grad=1, wrt=(0,), fusable=True),
]
_SELECT_DTYPES = (("bool", "float64", "float64"), ("bool", "float32", "float32"),
                  ("float64", "int8", "float32"), ("int8", "uint8", "int64"))
for _name in ("switch", "where"):
    ELEMWISE.append(Row(_name, np.where, [((5, 4),) * 3, ((5, 1), (1, 4), (5, 4)),
                                          ((0, 4), (1, 4), (0, 1)), ((1, 1),) * 3],
                        domains=("small",), dtypes=_SELECT_DTYPES, grad=1, wrt=(1, 2),
                        fusable=True))

# Generated loops call glibc's vector math (libmvec) for these, within 4 ulp of the scalar
# functions the reference kernels call (src/codegen/emit.cpp); sigmoid and softplus use exp
# and log1p.
VECTOR_MATH = {"exp", "log", "sin", "cos", "pow", "arccos", "arccosh", "arcsin", "arcsinh",
               "arctan", "arctanh", "arctan2", "cosh", "erf", "erfc", "exp2", "expm1", "log10",
               "log1p", "log2", "sinh", "tan", "tanh", "sigmoid", "softplus"}
for _row in ELEMWISE:
    if _row.name in VECTOR_MATH:
        _row.ulps = 4


def _axes_case_count(a, axis, ddof):
    axes = range(a.ndim) if axis is None else np.atleast_1d(axis)
    return np.int64(max(np.prod([a.shape[i] for i in axes], dtype=np.int64) - ddof, 0))


# Generated sums and products accumulate float32 in float32, eight lanes at a time; the
# reference kernels accumulate float32 in float64, in order.
_ACCUMULATION_ULPS = 64
# Reducing an empty axis has no identity for max, min, argmax and argmin: their empty case
# is empty along a kept axis.
_NONEMPTY_REDUCE = [((3, 4, 2),), ((1, 4, 1),), ((0, 4, 2),), ((1, 1, 1),)]
REDUCE = []
for _axis, _keep in ((None, False), (1, False), ([0, 2], True)):
    REDUCE += [
        reduction("sum", np.sum, _axis, _keep, grad=1, fusable=FLOATS,
                  ulps=_ACCUMULATION_ULPS),
        reduction("prod", np.prod, _axis, _keep, domain="small", grad=1, fusable=FLOATS,
                  ulps=_ACCUMULATION_ULPS),
        reduction("mean", np.mean, _axis, _keep, grad=1),
        reduction("any", np.any, _axis, _keep),
        reduction("all", np.all, _axis, _keep),
        reduction("count_nonzero", np.count_nonzero, _axis, _keep),
        reduction("var", np.var, _axis, _keep, NUMERIC, grad=1, ddof=1),
        reduction("std", np.std, _axis, _keep, NUMERIC, grad=1),
    ]
for _axis, _keep in ((1, False), ([1, 2], True)):
    REDUCE += [
        reduction("max", np.max, _axis, _keep, grad=1, fusable=FLOATS, cases=_NONEMPTY_REDUCE),
        reduction("min", np.min, _axis, _keep, grad=1, fusable=FLOATS, cases=_NONEMPTY_REDUCE),
    ]
for _axis, _cases in ((None, _NONEMPTY_REDUCE[:2] + [((1, 1, 1),)]), (1, _NONEMPTY_REDUCE)):
    REDUCE += [reduction("argmax", np.argmax, _axis, cases=_cases),
               reduction("argmin", np.argmin, _axis, cases=_cases)]
for _axis in (None, 1):
    REDUCE += [
        Row("cumsum", lambda a, axis=_axis: np.cumsum(a, axis=axis),
            [((3, 4),), ((1, 4),), ((0, 4),), ((1, 1),)], params={"axis": _axis},
            dtypes=ALL, grad=1, variant=f"axis{_axis}"),
        Row("cumprod", lambda a, axis=_axis: np.cumprod(a, axis=axis),
            [((3, 4),), ((1, 4),), ((0, 4),), ((1, 1),)], params={"axis": _axis},
            domains=("small",), dtypes=ALL, grad=1, variant=f"axis{_axis}"),
    ]
REDUCE.append(Row("reduce_count", lambda a: _axes_case_count(a, [0, 2], 1),
                  [((3, 4, 2),), ((0, 4, 2),), ((1, 1, 1),)], params={"axis": [0, 2], "ddof": 1},
                  dtypes=("float64", "int8")))


def _max_exp_sum(a, finite_shift):
    m = np.max(a, axis=-1, keepdims=True)
    shift = np.where(np.isinf(m), 0, m).astype(a.dtype) if finite_shift else m
    return [m, np.sum(np.exp(a - shift), axis=-1, keepdims=True)]


for _finite in (False, True):
    REDUCE.append(Row("max_exp_sum", lambda a, f=_finite: _max_exp_sum(a, f),
                      _NONEMPTY_REDUCE, params={"finite_shift": _finite}, grad=1,
                      variant=f"finite{_finite}"))


def _sum_to_shape(g, like):
    axes = tuple(i for i, (n, m) in enumerate(zip(g.shape, like.shape)) if m == 1 and n != 1)
    return g.sum(axis=axes, keepdims=True)


SHAPE = [
    shape_op("shape", lambda a: np.array(a.shape, dtype=np.int64),
             [((3, 4, 2),), ((0, 1, 2),), ((1, 1, 1),)], grad=0),
    shape_op("shape_i", lambda a: np.int64(a.shape[1]), [((3, 4),), ((0, 1),)],
             params={"i": 1}, grad=0),
    shape_op("size", lambda a: np.int64(a.size), [((3, 4),), ((0, 5),), ((1, 1),)], grad=0),
    shape_op("make_vector", lambda *xs: np.array(xs, dtype=np.result_type(*xs)),
             [((), (), ())], dtypes=ALL + (("int8", "uint8", "float32"),)),
    shape_op("reshape", lambda a: a.reshape(2, -1), [((4, 3),), ((2, 0),), ((2, 1),)],
             build=lambda x: build("reshape", x, np.array([2, -1]))),
    shape_op("flatten", lambda a: a.reshape(-1), [((3, 4, 2),), ((0, 2, 1),), ((1, 1, 1),)]),
    shape_op("flatten", lambda a: a.reshape(a.shape[0], np.prod(a.shape[1:])),
             [((3, 4, 2),), ((0, 2, 1),)], params={"ndim": 2}, variant="ndim2"),
    shape_op("dimshuffle", lambda a: a.T[:, None, :], [((3, 4),), ((0, 2),), ((1, 1),)],
             params={"pattern": [1, -1, 0]}),
    shape_op("transpose", lambda a: a.transpose(2, 0, 1), [((3, 4, 2),), ((0, 2, 1),)],
             params={"axes": [2, 0, 1]}),
    shape_op("transpose", lambda a: a.T, [((3, 4, 2),), ((1, 0, 2),)], variant="reverse"),
    shape_op("swapaxes", lambda a: a.swapaxes(0, 2), [((3, 4, 2),), ((0, 4, 1),)],
             params={"axis1": 0, "axis2": 2}),
    shape_op("flip", lambda a: np.flip(a, (0, 2)), [((3, 4, 2),), ((0, 4, 1),), ((1, 1, 1),)],
             params={"axis": [0, -1]}),
    shape_op("flip", np.flip, [((3, 4),), ((2, 0),), ((1, 1),)], variant="all"),
    shape_op("squeeze", lambda a: a.squeeze(1), [((3, 1, 2),), ((0, 1, 2),), ((1, 1, 1),)],
             params={"axis": [1]}),
    shape_op("expand_dims", lambda a: np.expand_dims(a, (0, 2)), [((3, 4),), ((0, 1),)],
             params={"axis": [0, 2]}),
    shape_op("specify_shape", lambda a: a, [((4, 3),), ((0, 3),), ((1, 3),)],
             build=lambda x: build("specify_shape", x, np.array([-1, 3]))),
    shape_op("unbroadcast", lambda a: a, [((4, 3),), ((0, 2),), ((1, 1),)],
             params={"axis": [0]}),
    shape_op("sum_to_shape", _sum_to_shape, [((3, 4), (3, 1)), ((3, 4), (1, 4)), ((3, 4), (3, 4)),
                                             ((0, 4), (0, 1)), ((1, 1), (1, 1))],
             rule="same", wrt=(0,)),
]

# Transfer between devices: to the host, of a host value, it is the value itself; the device
# forms run in tests/python/test_device_opencl.py, where a device exists.
TRANSFER = [Row("transfer", lambda x: x, [((2, 3),), ((0, 3),), ((1, 1),)],
                params={"target": "cpu"}, dtypes=ALL, grad=1)]

ROWS = (TRANSFER + ELEMWISE + REDUCE + SHAPE + ALLOC + JOIN + SUBTENSOR + BLAS + SORT + NNET + CONV
        + POOL + CTC + GRADIENT_SUPPORT + CONTROL + EXTRA + LINALG + LINALG_COMPOSED + SCAN + SPARSE
        + DISTRIBUTED)
