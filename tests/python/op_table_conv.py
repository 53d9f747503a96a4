"""Op table rows of convolution and pooling (see op_table.py): each against the loop
references of conv_reference.py."""

import numpy as np

import conv_reference as ref
from op_table_kinds import FLOATS, Row

_CONV_CASES = [((2, 3, 6, 5), (4, 3, 3, 2)), ((0, 3, 5, 5), (2, 3, 2, 2)),
               ((2, 0, 4, 4), (3, 0, 2, 2)), ((1, 1, 1, 1), (1, 1, 1, 1))]
_GROUP_CASES = [((2, 4, 5, 6), (6, 2, 2, 3)), ((0, 4, 4, 4), (2, 2, 1, 1)),
                ((1, 2, 1, 1), (2, 1, 1, 1))]
# Padding, strides and dilation together.
_GEOMETRY = {"border_mode": "pad", "pad": (1, 2), "subsample": (2, 1),
             "filter_dilation": (1, 2)}


def _conv_row(params, cases=_CONV_CASES, variant="", grad=1):
    def reference(x, w):
        return ref.conv2d(x, w, **_ref_params(params))
    return Row("conv2d", reference, cases, params=params, dtypes=FLOATS, grad=grad,
               variant=variant)


def _ref_params(params):
    p = dict(params)
    if p.get("border_mode") == "pad":
        p["border_mode"] = tuple(p.pop("pad"))
    return p


def _hw_of(make_hw):
    """An int vector domain: the rows/cols make_hw gives for the case."""
    def draw(rng, dtype, shape, case):
        return np.array(make_hw(case), dtype)
    return draw


# The input rows/cols that give the output gradient's size (valid, stride 1): oh + fh - 1.
def _input_hw(case):
    (_, _, oh, ow), (_, _, fh, fw), _ = case
    return (oh + fh - 1, ow + fw - 1)


def _filter_hw(case):
    """Filters of 2x2 (or 1x1 for a 1x1 image) for the valid convolution giving gy."""
    (_, _, h, w), (_, _, oh, ow), _ = case
    return (h - oh + 1, w - ow + 1)


# Strided, padded, grouped: the input rows/cols are given explicitly (stride 2 leaves a
# choice of sizes; the op must honour it).
_GI_PARAMS = {"border_mode": "pad", "pad": (1, 0), "subsample": (2, 1), "num_groups": 2}


def _gi_hw(case):
    (_, _, oh, ow), (_, _, fh, fw), _ = case
    return (2 * (oh - 1) + fh - 2 + 1, ow + fw - 1)  # one row beyond the minimum


CONV = [
    _conv_row({}, grad=2),
    _conv_row({"filter_flip": False}, variant="corr"),
    _conv_row(_GEOMETRY, variant="geometry"),
    _conv_row({"border_mode": "full"}, variant="full"),
    _conv_row({"border_mode": "half", "subsample": (2, 2)},
              [((2, 3, 6, 5), (4, 3, 3, 1)), ((0, 3, 5, 5), (2, 3, 1, 3)),
               ((1, 1, 1, 1), (1, 1, 1, 1))], variant="half"),
    _conv_row({"num_groups": 2, "filter_flip": False}, _GROUP_CASES, variant="groups"),
    # 3x3 filters at stride 1 and at least 4 channels on each side: the Winograd kernels (and
    # the gradient's, through verify_grad).
    _conv_row({"border_mode": "half"}, [((2, 4, 5, 4), (5, 4, 3, 3)),
                                        ((0, 4, 3, 3), (4, 4, 3, 3)),
                                        ((1, 6, 1, 1), (4, 6, 3, 3))], variant="winograd"),
    Row("conv2d_grad_wrt_inputs",
        lambda gy, w, hw: ref.conv2d_grad_inputs(gy, w, hw),
        [((2, 4, 4, 3), (4, 3, 3, 2), (2,)), ((0, 2, 4, 4), (2, 3, 2, 2), (2,)),
         ((1, 1, 1, 1), (1, 1, 1, 1), (2,))],
        domains=("any", "any", _hw_of(_input_hw)),
        dtypes=(("float64", "float64", "int64"), ("float32", "float32", "int32")), grad=2,
        wrt=(0, 1)),
    Row("conv2d_grad_wrt_inputs",
        lambda gy, w, hw: ref.conv2d_grad_inputs(gy, w, hw, (1, 0), (2, 1), num_groups=2),
        [((2, 4, 3, 3), (4, 1, 3, 2), (2,)), ((0, 2, 2, 2), (2, 1, 2, 2), (2,)),
         ((1, 2, 1, 1), (2, 1, 1, 1), (2,))],
        params=_GI_PARAMS, domains=("any", "any", _hw_of(_gi_hw)),
        dtypes=(("float64", "float64", "int64"),), grad=1, wrt=(0, 1), variant="geometry"),
    Row("conv2d_grad_wrt_weights",
        lambda x, gy, hw: ref.conv2d_grad_weights(x, gy, hw),
        [((2, 3, 5, 4), (2, 4, 4, 3), (2,)), ((0, 3, 4, 4), (0, 2, 3, 3), (2,)),
         ((1, 1, 1, 1), (1, 1, 1, 1), (2,))],
        domains=("any", "any", _hw_of(_filter_hw)),
        dtypes=(("float64", "float64", "int64"), ("float32", "float32", "int32")), grad=2,
        wrt=(0, 1)),
    Row("conv2d_grad_wrt_weights",
        lambda x, gy, hw: ref.conv2d_grad_weights(x, gy, hw, "full", (1, 2), (2, 1),
                                                  filter_flip=False),
        [((2, 2, 4, 5), (2, 3, 4, 3), (2,)), ((0, 2, 4, 4), (0, 3, 4, 3), (2,)),
         ((1, 1, 1, 1), (1, 3, 1, 1), (2,))],
        params={"border_mode": "full", "subsample": (1, 2), "filter_dilation": (2, 1),
                "filter_flip": False},
        domains=("any", "any", lambda rng, d, s, case: np.array([1, 2], d)),
        dtypes=(("float64", "float64", "int64"),), grad=1, wrt=(0, 1), variant="geometry"),
]

# The output shapes of the gradient ops come from their rows/cols input.
CONV_SHAPE_FROM_VALUES = {"conv2d_grad_wrt_inputs": (2,), "conv2d_grad_wrt_inputs-geometry": (2,),
                          "conv2d_grad_wrt_weights": (2,),
                          "conv2d_grad_wrt_weights-geometry": (2,)}


def _small_ints(rng, dtype, shape, case):
    """Values from {0, 1, 2}, so that elements often equal the maxout entries."""
    return rng.integers(0, 3, size=shape).astype(dtype)


_POOL_CASES = [((3, 2, 5, 7),), ((0, 2, 4, 4),), ((2, 3, 0, 4),), ((1, 1, 1, 1),)]


def _pool_row(params, cases=_POOL_CASES, variant="", grad=1):
    def reference(x):
        return ref.pool_2d(x, **params)
    return Row("pool_2d", reference, cases, params=params, dtypes=FLOATS, grad=grad,
               variant=variant)


_MAX_GRAD_PARAMS = {"ws": (3, 2), "stride": (1, 2), "ignore_border": False}
_AVG_GRAD_PARAMS = {"ws": (3, 3), "stride": (2, 1), "pad": (1, 2), "ignore_border": True,
                    "mode": "average_inc_pad"}

POOL = [
    _pool_row({"ws": (2, 2), "ignore_border": True}, grad=2),
    _pool_row({"ws": (3, 2), "stride": (1, 2), "ignore_border": False}, grad=2,
              variant="partial"),
    _pool_row({"ws": (3, 3), "stride": (2, 1), "pad": (1, 2), "ignore_border": True,
               "mode": "max"}, variant="pad"),
    _pool_row({"ws": (2, 3), "ignore_border": False, "mode": "sum"}, grad=2, variant="sum"),
    _pool_row({"ws": (3, 3), "stride": (2, 1), "pad": (1, 2), "ignore_border": True,
               "mode": "average_inc_pad"}, variant="inc_pad"),
    _pool_row({"ws": (3, 2), "stride": (2, 2), "pad": (2, 1), "ignore_border": True,
               "mode": "average_exc_pad"}, variant="exc_pad"),
    _pool_row({"ws": (2, 2), "stride": (1, 1), "ignore_border": True},
              [((4, 5),), ((0, 3),), ((1, 1),)], variant="matrix"),
    Row("max_pool_grad",
        lambda x, m, gz: ref.max_pool_grad(x, m, gz, **_MAX_GRAD_PARAMS),
        [((2, 3, 5, 4), (2, 3, 3, 2), (2, 3, 3, 2)), ((0, 1, 4, 4), (0, 1, 2, 2), (0, 1, 2, 2)),
         ((1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1))],
        params=_MAX_GRAD_PARAMS, domains=(_small_ints, _small_ints, "any"), grad=1, wrt=(2,)),
    Row("average_pool_grad",
        lambda x, gz: ref.average_pool_grad(x, gz, **_AVG_GRAD_PARAMS),
        [((2, 3, 5, 4), (2, 3, 3, 6)), ((0, 1, 4, 4), (0, 1, 2, 6)),
         ((1, 1, 1, 1), (1, 1, 1, 3))],
        params=_AVG_GRAD_PARAMS, grad=1, wrt=(1,)),
    Row("max_pool_grad_grad",
        lambda x, m, gg: ref.max_pool_grad_grad(x, m, gg, **_MAX_GRAD_PARAMS),
        [((2, 3, 5, 4), (2, 3, 3, 2), (2, 3, 5, 4)), ((0, 1, 4, 4), (0, 1, 2, 2), (0, 1, 4, 4)),
         ((1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1))],
        params=_MAX_GRAD_PARAMS, domains=(_small_ints, _small_ints, "any"), grad=1, wrt=(2,)),
]


def _ctc_labels(rng, dtype, shape, case):
    """Labels in [1, classes) with a random amount of -1 padding at the end."""
    classes = case[0][2]
    labels = rng.integers(1, max(classes, 2), size=shape)
    for row in labels:
        row[rng.integers(0, shape[1] + 1):] = -1
    return labels.astype(dtype)


def _ctc_lengths(rng, dtype, shape, case):
    """Every sequence uses all its steps, enough for any labels of the cases (finite costs, so
    that finite differences apply)."""
    return np.full(shape, case[0][0], dtype)


_CTC_CASES = [((4, 3, 3), (3, 2), (3,)), ((3, 0, 3), (0, 2), (0,)), ((1, 1, 2), (1, 1), (1,))]
_CTC_DTYPES = (("float64", "int32", "int32"), ("float32", "int64", "int64"))

CTC = [
    Row("ctc", lambda a, l, n: ref.ctc(a, l, n)[0], _CTC_CASES,
        domains=("any", _ctc_labels, _ctc_lengths), dtypes=_CTC_DTYPES, grad=1, wrt=(0,),
        rtol=1e-11),
    Row("ctc_grad", lambda a, l, n: ref.ctc(a, l, n)[1], _CTC_CASES,
        domains=("any", _ctc_labels, _ctc_lengths), dtypes=_CTC_DTYPES, rtol=1e-11),
]
