"""Op table rows of Theano's extra_ops and the NumPy functions beside them (see op_table.py):
the ops of src/ops/extra/ and src/ops/scalar/{logaddexp,hypot}.cpp, and the compositions of
theon/tensor/extra_ops.py, _numpy_funcs.py, _pad.py and _einsum.py, each against NumPy."""

import numpy as np

from op_table_kinds import ALL, FLOATS, Row, binary, sample
from theon.tensor import extra_ops as X
from theon.tensor._build import build

# Rows of compositions (no builder of their own): row name -> where they are built.
EXTRA_NOT_BUILDERS = {
    name: "a composition of Theon's ops in python/theon/tensor (extra_ops and its modules)"
    for name in ("diff", "roll", "tril", "triu", "diagonal", "diag", "fill_diagonal",
                 "fill_diagonal_offset", "pad", "einsum", "linspace", "meshgrid",
                 "broadcast_to", "isclose", "nan_to_num", "compress", "to_one_hot",
                 "partition", "argpartition", "flatnonzero", "nonzero_values", "bartlett")}
# Rows whose output shapes depend on values: row id -> the inputs whose values they read.
EXTRA_SHAPE_FROM_VALUES = {
    "bincount": (0,), "bincount-weights": (0, 1), "bincount-minlength": (0,),
    "unique": (0,), "unique-all": (0,), "unique-axis": (0,), "nonzero": (0,),
    "compress": (0,), "flatnonzero": (0,), "nonzero_values": (0,),
}
EXTRA_NO_EMPTY_CASE = {
    f"pad-{mode}": "NumPy cannot extend an empty axis in this mode (a ValueError)"
    for mode in ("edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean", "median",
                 "linear_ramp")}

_MIXED_FLOAT = (("int8", "float32"), ("int32", "float64"))


def _below(of_input, axis):
    """Integers in [0, n) for n dimension `axis` of input `of_input` (at least 1)."""
    def draw(rng, dtype, shape, case):
        return rng.integers(0, max(case[of_input][axis], 1), size=shape).astype(dtype)
    return draw


def _in_range(n, lo=0):
    def draw(rng, dtype, shape, case):
        return rng.integers(lo, n, size=shape).astype(dtype)
    return draw


def _sorted(rng, dtype, shape, case):
    return np.sort(sample(rng, dtype, shape, "small"))


def _filled(a, v, offset=0):
    out = a.copy()
    if offset >= 0:
        n = max(min(a.shape[0], a.shape[1] - offset), 0)
        out[np.arange(n), np.arange(n) + offset] = v
    else:
        n = max(min(a.shape[0] + offset, a.shape[1]), 0)
        out[np.arange(n) - offset, np.arange(n)] = v
    return out


def _fill_diagonal(a, v):
    out = a.copy()
    np.fill_diagonal(out, v)
    return out


ELEMWISE_EXTRA = [
    binary("logaddexp", np.logaddexp, FLOATS + ("int8", "int64"), rule="float", grad=2,
           mixed=_MIXED_FLOAT, ulps=4),
    binary("logaddexp2", np.logaddexp2, FLOATS + ("int8", "int64"), rule="float", grad=2,
           mixed=_MIXED_FLOAT, ulps=4),
    binary("hypot", np.hypot, FLOATS + ("int8", "int64"), rule="float", grad=2,
           mixed=_MIXED_FLOAT),
]

OPS = [
    Row("bincount", np.bincount, [((7,),), ((0,),), ((1,),)], domains=("nonneg",),
        dtypes=("int64", "int8", "uint8", "int32")),
    # NumPy gives int64 for an empty x even with weights; Theon's weighted sums are float64.
    Row("bincount", lambda x, w: np.bincount(x, w).astype(np.float64),
        [((7,), (7,)), ((0,), (0,)), ((1,), (1,))],
        domains=("nonneg", "any"), dtypes=(("int64", "float64"), ("uint8", "float32"),
                                            ("int8", "int16")),
        grad=1, wrt=(1,), variant="weights"),
    Row("bincount", lambda x: np.bincount(x, minlength=9), [((5,),), ((0,),), ((1,),)],
        params={"minlength": 9}, domains=("nonneg",), dtypes=("int64",), variant="minlength"),
    Row("searchsorted", np.searchsorted, [((6,), (3, 4)), ((0,), (2, 3)), ((1,), (1, 1)),
                                          ((5,), (0, 2))],
        domains=(_sorted, "small"), dtypes=FLOATS + ("int64", ("int8", "float32"))),
    Row("searchsorted", lambda a, v: np.searchsorted(a, v, side="right"),
        [((6,), (7,)), ((0,), (2,)), ((1,), (1,))], params={"side": "right"},
        domains=(_sorted, "small"), dtypes=("int64", "float64"), variant="right"),
    Row("unique", np.unique, [((5, 4),), ((0, 3),), ((1, 1),)], domains=("small",),
        dtypes=ALL),
    Row("unique", lambda x: np.unique(x, True, True, True), [((5, 4),), ((0, 3),), ((1, 1),)],
        params={"return_index": True, "return_inverse": True, "return_counts": True},
        domains=("small",), dtypes=("float64", "int8", "uint64"), variant="all"),
    Row("unique", lambda x: np.unique(x, False, True, True, axis=1),
        [((2, 9),), ((3, 0),), ((1, 1),)], domains=(_in_range(2),),
        params={"return_inverse": True, "return_counts": True, "axis": 1},
        dtypes=("int64", "float32"), variant="axis"),
    Row("unravel_index", lambda i: np.unravel_index(i, (3, 4, 2)), [((5,),), ((0,),), ((1,),)],
        domains=(_in_range(24),),
        build=lambda i: build("unravel_index", i, np.array([3, 4, 2])),
        dtypes=("int64", "int32", "uint8")),
    Row("unravel_index", lambda i: np.unravel_index(i, (3, 4), order="F"),
        [((2, 3),), ((0, 2),), ((1, 1),)], domains=(_in_range(12),),
        build=lambda i: build("unravel_index", i, np.array([3, 4]), order="F"),
        dtypes=("int64",), variant="F"),
    Row("ravel_multi_index", lambda a, b: np.ravel_multi_index((a, b), (3, 4)),
        [((5, 1), (1, 4)), ((0, 1), (1, 4)), ((1, 1), (1, 1))],
        domains=(_in_range(3), _in_range(4)),
        build=lambda a, b: build("ravel_multi_index", a, b, np.array([3, 4])),
        dtypes=("int64", ("int8", "uint16"))),
    Row("ravel_multi_index",
        lambda a, b: np.ravel_multi_index((a, b), (3, 4), mode=("wrap", "clip"), order="F"),
        [((5, 4), (5, 4)), ((0, 4), (1, 4)), ((1, 1), (1, 1))],
        domains=(_in_range(9, -9), _in_range(9, -9)),
        build=lambda a, b: build("ravel_multi_index", a, b, np.array([3, 4]), mode="wrap,clip",
                                 order="F"),
        dtypes=("int64",), variant="modes"),
    Row("nonzero", np.nonzero, [((4, 3),), ((0, 3),), ((1, 1),)], domains=("small",),
        dtypes=ALL),
    Row("choose", np.choose, [((5, 4), (3, 5, 4)), ((5, 1), (3, 1, 4)), ((0, 4), (2, 1, 4)),
                              ((1, 1), (1, 1, 1))],
        domains=(_below(1, 0), "any"),
        dtypes=(("int64", "float64"), ("int8", "float32"), ("int32", "int16")), grad=1,
        wrt=(1,)),
    Row("choose", lambda a, c: np.choose(a, c, mode="wrap"),
        [((5, 4), (3, 4)), ((0, 4), (2, 4)), ((1, 1), (1, 1))], domains=(_in_range(7, -7), "any"),
        params={"mode": "wrap"}, dtypes=(("int64", "float64"),), grad=1, wrt=(1,),
        variant="wrap"),
    Row("choose", lambda a, c: np.choose(a, c, mode="clip"),
        [((5, 4), (3, 4)), ((0, 4), (2, 4)), ((1, 1), (1, 1))], domains=(_in_range(7, -7), "any"),
        params={"mode": "clip"}, dtypes=(("int64", "float64"),), grad=1, wrt=(1,),
        variant="clip"),
]

_PAD_WIDTHS = ((1, 2), (3, 0))
PAD = [Row("pad", lambda a: np.pad(a, _PAD_WIDTHS, constant_values=7),
           [((2, 3),), ((0, 2),), ((1, 1),)],
           build=lambda x: X.pad(x, _PAD_WIDTHS, constant_values=7), dtypes=("float64", "int8"),
           grad=1, variant="constant")]
for _mode in ("edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean", "median",
              "linear_ramp"):
    PAD.append(Row("pad", lambda a, m=_mode: np.pad(a, _PAD_WIDTHS, mode=m),
                   [((2, 3),), ((4, 1),), ((1, 1),)],
                   build=lambda x, m=_mode: X.pad(x, _PAD_WIDTHS, mode=m),
                   dtypes=("float64", "int8"), grad=1, variant=_mode))

_EINSUM = [
    ("matmul", "ij,jk->ik", [((3, 4), (4, 5)), ((0, 4), (4, 2)), ((1, 1), (1, 1))]),
    ("batch", "bij,bjk->bik", [((2, 3, 4), (2, 4, 5)), ((2, 0, 4), (2, 4, 1)),
                               ((1, 1, 1), (1, 1, 1))]),
    ("trace", "ii", [((4, 4),), ((0, 0),), ((1, 1),)]),
    ("chain", "ij,jk,kl->li", [((3, 4), (4, 5), (5, 2)), ((0, 4), (4, 5), (5, 2)),
                               ((1, 1), (1, 1), (1, 1))]),
    ("outer-sum", "i,j->j", [((3,), (4,)), ((0,), (2,)), ((1,), (1,))]),
    ("ellipsis", "...ij,...j->...i", [((2, 3, 4), (2, 4)), ((0, 3, 4), (1, 4)),
                                      ((1, 1, 1), (1, 1))]),
    ("diag-mul", "ij,ij->ij", [((3, 4), (3, 4)), ((0, 4), (0, 4)), ((1, 1), (1, 1))]),
]
EINSUM = [Row("einsum", lambda *a, s=s: np.einsum(s, *a), cases,
              build=lambda *xs, s=s: X.einsum(s, *xs), dtypes=FLOATS, grad=1, variant=v,
              rtol=1e-10, rtol32=1e-4)
          for v, s, cases in _EINSUM]

COMPOSITIONS = PAD + EINSUM + [
    Row("diff", lambda a: np.diff(a, n=2, axis=0), [((5, 4),), ((0, 4),), ((1, 3),)],
        build=lambda x: X.diff(x, n=2, axis=0), dtypes=("float64", "int8", "float32"), grad=1),
    Row("diff", lambda a: np.diff(a), [((5, 4),), ((2, 0),), ((1, 1),)], build=X.diff,
        dtypes=("bool",), variant="bool"),
    Row("roll", lambda a: np.roll(a, 2, axis=1), [((3, 5),), ((2, 0),), ((1, 1),)],
        build=lambda x: X.roll(x, 2, axis=1), dtypes=("float64", "int8"), grad=1),
    Row("roll", lambda a: np.roll(a, -7), [((3, 4),), ((0, 2),), ((1, 1),)],
        build=lambda x: X.roll(x, -7), dtypes=("float64",), grad=1, variant="flat"),
    Row("roll", lambda a: np.roll(a, (1, -2), axis=(0, 1)), [((3, 4),), ((0, 2),), ((1, 1),)],
        build=lambda x: X.roll(x, (1, -2), axis=(0, 1)), dtypes=("float64",), grad=1,
        variant="axes"),
    Row("tril", lambda a: np.tril(a, -1), [((2, 4, 3),), ((1, 0, 3),), ((1, 1, 1),)],
        build=lambda x: X.tril(x, -1), dtypes=("float64", "uint8", "bool"), grad=1),
    Row("triu", lambda a: np.triu(a, 1), [((4, 3),), ((0, 3),), ((1, 1),)],
        build=lambda x: X.triu(x, 1), dtypes=("float64", "int16"), grad=1),
    Row("diagonal", lambda a: np.diagonal(a, 1, 0, 2), [((3, 4, 5),), ((3, 0, 5),), ((1, 1, 1),)],
        build=lambda x: X.diagonal(x, 1, 0, 2), dtypes=("float64", "int8"), grad=1),
    Row("diagonal", lambda a: np.diagonal(a, -1), [((3, 4),), ((0, 2),), ((1, 1),)],
        build=lambda x: X.diagonal(x, -1), dtypes=("float64",), grad=1, variant="below"),
    Row("diag", lambda v: np.diag(v, -1), [((3,),), ((0,),), ((1,),)],
        build=lambda x: X.diag(x, -1), dtypes=("float64", "int8"), grad=1),
    Row("diag", lambda m: np.diag(m, 2), [((3, 5),), ((0, 4),), ((1, 1),)],
        build=lambda x: X.diag(x, 2), dtypes=("float64",), grad=1, variant="of-matrix"),
    Row("fill_diagonal", _fill_diagonal, [((4, 3), ()), ((0, 3), ()), ((1, 1), ())],
        build=X.fill_diagonal, dtypes=("float64", ("int8", "int8")), grad=1),
    Row("fill_diagonal_offset", lambda a, v: _filled(a, v, 1), [((4, 3), ()), ((0, 3), ()),
                                                                 ((1, 1), ())],
        build=lambda a, v: X.fill_diagonal_offset(a, v, 1), dtypes=("float64",), grad=1),
    Row("fill_diagonal_offset", lambda a, v: _filled(a, v, -2), [((4, 3), ()), ((0, 3), ()),
                                                                  ((1, 1), ())],
        build=lambda a, v: X.fill_diagonal_offset(a, v, -2), dtypes=("float64",), grad=1,
        variant="below"),
    Row("linspace", lambda a, b: np.linspace(a, b, 7), [((3,), (3,)), ((0,), (0,)), ((1,), (1,))],
        build=lambda a, b: X.linspace(a, b, 7), dtypes=FLOATS + ("int64",), grad=1),
    Row("linspace", lambda a, b: np.linspace(a, b, 5, endpoint=False, axis=1),
        [((2,), (2,)), ((0,), (0,)), ((1,), (1,))],
        build=lambda a, b: X.linspace(a, b, 5, endpoint=False, axis=1), dtypes=("float64",),
        grad=1, variant="open-axis1"),
    Row("meshgrid", np.meshgrid, [((3,), (4,), (2,)), ((0,), (2,), (1,)), ((1,), (1,), (1,))],
        build=X.meshgrid, dtypes=("float64", "int8"), grad=1),
    Row("meshgrid", lambda a, b: np.meshgrid(a, b, indexing="ij", sparse=True),
        [((3,), (4,)), ((0,), (2,)), ((1,), (1,))],
        build=lambda a, b: X.meshgrid(a, b, indexing="ij", sparse=True), dtypes=("float64",),
        grad=1, variant="ij-sparse"),
    Row("broadcast_to", lambda a: np.broadcast_to(a, (2, a.shape[0], 4)),
        [((3, 4),), ((0, 4),), ((1, 1),)],
        build=lambda x: X.broadcast_to(x, (2, x.shape[0], 4)), dtypes=("float64", "bool"),
        grad=1),
    Row("isclose", lambda a, b: np.isclose(a, b, rtol=0.1, atol=0.5),
        [((5, 4), (5, 4)), ((5, 1), (1, 4)), ((0, 4), (1, 4)), ((1, 1), (1, 1))],
        build=lambda a, b: X.isclose(a, b, rtol=0.1, atol=0.5), domains=("small",),
        dtypes=FLOATS + (("int8", "int64"), ("float32", "int16")), fusable=FLOATS),
    Row("nan_to_num", np.nan_to_num, [((5, 4),), ((0, 4),), ((1, 1),)], build=X.nan_to_num,
        dtypes=FLOATS, grad=1, fusable=True),
    Row("compress", lambda c, a: np.compress(c, a, axis=0), [((4,), (4, 3)), ((0,), (0, 3)),
                                                              ((1,), (1, 1))],
        build=lambda c, x: X.compress(c, x, axis=0), dtypes=(("bool", "float64"),),
        grad=1, wrt=(1,)),
    Row("to_one_hot", lambda y: np.eye(4)[y], [((5,),), ((0,),), ((1,),)],
        build=lambda y: X.to_one_hot(y, 4, dtype="float64"), domains=(_in_range(4),),
        dtypes=("int64", "uint8")),
    Row("partition", lambda a: np.sort(a, axis=0), [((5, 3),), ((0, 3),), ((1, 1),)],
        build=lambda x: X.partition(x, -1, axis=0), dtypes=("float64", "int8"), grad=1),
    Row("argpartition", lambda a: np.argsort(a, kind="stable"), [((5, 3),), ((2, 0),), ((1, 1),)],
        build=lambda x: X.argpartition(x, 0), domains=("small",), dtypes=("float64", "int8")),
    Row("flatnonzero", np.flatnonzero, [((4, 3),), ((0, 3),), ((1, 1),)], build=X.flatnonzero,
        domains=("small",), dtypes=("float64", "int8", "bool")),
    Row("nonzero_values", lambda a: a[a != 0], [((4, 3),), ((0, 3),), ((1, 1),)],
        build=X.nonzero_values, domains=("small",), dtypes=("float64", "int8"), grad=1),
]

COMPOSITIONS.append(Row("bartlett", np.bartlett, [(7,), (0,), (1,), (2,)], build=X.bartlett,
                        dtypes=("int64", "int8")))

EXTRA = ELEMWISE_EXTRA + OPS + COMPOSITIONS
