"""Op table rows of the ops that are not elementwise, reductions or shape ops: allocation,
join, indexing, BLAS, sort, nnet and the gradient-support ops (see op_table.py)."""

import numpy as np

from op_table_kinds import ALL, FLOATS, Row, index_domain, shape_op
from theon.tensor._build import build

F_I64 = (("float64", "int64"), ("int8", "int64"))


def _counts(rng, dtype, shape, case):
    return rng.integers(0, 4, size=shape).astype(dtype)


def _split_sizes(rng, dtype, shape, case):
    """Sizes of shape[0] parts adding up to dimension 0 of the first input."""
    n = case[0][0]
    cuts = np.sort(rng.integers(0, n + 1, size=shape[0] - 1))
    return np.diff(np.concatenate([[0], cuts, [n]])).astype(dtype)


def _permutation(of_input, axis):
    def draw(rng, dtype, shape, case):
        return rng.permutation(case[of_input][axis])[: shape[0]].astype(dtype)
    return draw


def _labels(rng, dtype, shape, case):
    """Class labels, negative ones included (NumPy's wrap), for as many classes as x + b has
    columns."""
    k = max(case[0][1], case[1][0])
    return rng.integers(-k, k, size=shape).astype(dtype)


def _set_basic(x, y):
    out = x.copy()
    out[1:, ::2] = y
    return out


def _inc_basic(x, y):
    out = x.copy()
    out[1:, ::2] += y
    return out


def _set_advanced(x, i, y):
    out = x.copy()
    out[i] = y
    return out


def _inc_advanced(x, i, y):
    out = x.copy()
    np.add.at(out, i, y)
    return out


def _softmax(a, axis=-1):
    if a.size == 0:
        return a.copy()
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(a, axis=-1):
    if a.size == 0:
        return a.copy()
    z = a - a.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _xent(x, b, y):
    z = x + b
    rows = np.arange(len(y))
    return (-_log_softmax(z)[rows, y % z.shape[1]], _softmax(z),
            np.argmax(z, axis=1) if z.size else np.zeros(len(y), np.int64))


def _xent_dx(dy, sm, y):
    out = sm.copy()
    out[np.arange(len(y)), y % sm.shape[1]] -= 1
    return out * dy[:, None]


def _identity(a):
    return a.copy()


_SM_CASES = [((4, 3),), ((1, 3),), ((0, 3),), ((1, 1),)]
_XENT_CASES = [((4, 3), (3,), (4,)), ((4, 1), (3,), (4,)), ((4, 3), (1,), (4,)),
               ((0, 3), (3,), (0,)), ((1, 1), (1,), (1,))]

ALLOC = [
    Row("alloc", lambda v, n, m: np.broadcast_to(v, (n, m)).copy(),
        [((4,), 3, 4), ((1,), 0, 4), ((1,), 1, 1), ((1,), 2, 4)],
        dtypes=(("float64", "int64", "int64"), ("int8", "int64", "int64"),
                ("bool", "int32", "int64")), grad=1, wrt=(0,)),
    Row("broadcast_view", lambda v, n, m: np.broadcast_to(v, (n, m)),
        [((4,), 3, 4), ((1,), 0, 4), ((1,), 1, 1), ((1,), 2, 4), ((0,), 3, 0)],
        dtypes=(("float64", "int64", "int64"), ("int8", "int64", "int64"),
                ("float32", "int32", "int64")), grad=1, wrt=(0,)),
    Row("zeros", lambda n, m: np.zeros((n, m), "float32"), [(3, 4), (0, 2), (1, 1)],
        params={"dtype": "float32"}, dtypes=(("int64", "int64"),)),
    Row("ones", lambda n, m: np.ones((n, m)), [(3, 4), (0, 2), (1, 1)],
        dtypes=(("int64", "int32"),)),
    Row("full", lambda v, n, m: np.full((n, m), v), [((), 3, 4), ((), 0, 2), ((), 1, 1)],
        dtypes=(("float64", "int64", "int64"), ("int8", "int64", "int64")), grad=1, wrt=(0,)),
    Row("fill", lambda model, v: np.broadcast_to(v, np.broadcast_shapes(model.shape, v.shape)),
        [((3, 4), (3, 4)), ((3, 4), (1, 4)), ((0, 4), (1, 1)), ((1, 1), (1, 1))],
        dtypes=("float64", ("int8", "float32"), ("float64", "int8")), grad=1, wrt=(1,)),
    shape_op("zeros_like", np.zeros_like, [((3, 4),), ((0, 4),), ((1, 1),)], dtypes=ALL, grad=0),
    shape_op("ones_like", np.ones_like, [((3, 4),), ((0, 4),), ((1, 1),)], dtypes=ALL, grad=0),
    Row("full_like", np.full_like, [((3, 4), ()), ((0, 4), ()), ((1, 1), ())],
        dtypes=("float64", ("int8", "int8"), ("float32", "float64")), grad=1, wrt=(1,)),
    Row("eye", lambda n, m, k: np.eye(n, m, k), [(3, 4, 1), (0, 2, 0), (1, 1, 0), (4, 3, -1)],
        dtypes=(("int64",) * 3,)),
    Row("arange", np.arange, [(0, 5, 1), (2, 11, 3), (5, 0, -2), (3, 3, 1)],
        dtypes=(("int64",) * 3, ("float64",) * 3, ("int8", "int64", "int8"))),
    shape_op("tile", lambda a: np.tile(a, (2, 3)), [((3, 4),), ((0, 2),), ((1, 1),)],
             params={"reps": [2, 3]}),
    Row("repeat", lambda a, r: np.repeat(a, r, axis=0), [((3, 4), 2), ((0, 4), 3), ((1, 1), 0)],
        params={"axis": 0}, dtypes=F_I64, grad=1, wrt=(0,)),
    Row("repeat", lambda a, r: np.repeat(a, r, axis=1), [((3, 4), (4,)), ((0, 4), (4,)),
                                                          ((1, 1), (1,))],
        params={"axis": 1}, domains=("any", _counts), dtypes=F_I64, grad=1, wrt=(0,),
        variant="counts"),
]

JOIN = [
    shape_op("join", lambda a, b: np.concatenate([a, b], axis=0),
             [((3, 2), (4, 2)), ((0, 2), (4, 2)), ((1, 1), (1, 1)), ((0, 3), (0, 3))],
             params={"axis": 0}, dtypes=("float64", "int8", ("int8", "float32"))),
    shape_op("concatenate", lambda a, b: np.concatenate([a, b], axis=1),
             [((2, 3), (2, 1)), ((0, 3), (0, 2)), ((1, 1), (1, 1))], params={"axis": 1},
             dtypes=("float64", "bool", ("uint8", "int8"))),
    shape_op("stack", lambda a, b: np.stack([a, b], axis=1),
             [((3, 2), (3, 2)), ((0, 2), (0, 2)), ((1, 1), (1, 1))], params={"axis": 1}),
    Row("split", lambda a, s: np.split(a, np.cumsum(s)[:-1], axis=0),
        [((5, 2), (3,)), ((0, 2), (3,)), ((1, 1), (3,))], params={"n_splits": 3, "axis": 0},
        domains=("any", _split_sizes), dtypes=F_I64, grad=1, wrt=(0,)),
]

SUBTENSOR = [
    shape_op("subtensor", lambda a: a[1:, ::-2], [((5, 4),), ((0, 3),), ((1, 1),), ((3, 0),)],
             build=lambda x: x[1:, ::-2], variant="slices"),
    shape_op("subtensor", lambda a: a[-1, 1:], [((5, 4),), ((1, 1),), ((2, 0),)],
             build=lambda x: x[-1, 1:], variant="int"),
    Row("subtensor", lambda a, i: a[i], [((5, 4), (6,)), ((3, 0), (2,)), ((1, 1), (1,)),
                                         ((5, 4), (0,))],
        build=lambda x, i: x[i], domains=("any", index_domain(0, 0)), dtypes=F_I64, grad=1,
        wrt=(0,), variant="advanced"),
    Row("subtensor", lambda a, m: a[m], [((5, 4), (5, 4)), ((0, 4), (0, 4)), ((1, 1), (1, 1))],
        build=lambda x, m: x[m], dtypes=(("float64", "bool"), ("int8", "bool")), grad=1,
        wrt=(0,), variant="mask"),
    Row("set_subtensor", _set_basic, [((5, 4), (4, 2)), ((5, 4), (1, 2)), ((1, 3), (0, 2)),
                                      ((2, 1), (1, 1))],
        build=lambda x, y: build("set_subtensor", x[1:, ::2], y), dtypes=("float64", "int8"),
        grad=1),
    Row("set_subtensor", _set_advanced, [((5, 4), (3,), (3, 4)), ((5, 4), (2,), (1, 4)),
                                         ((5, 0), (2,), (2, 0)), ((1, 1), (1,), (1, 1))],
        build=lambda x, i, y: build("set_subtensor", x[i], y),
        domains=("any", _permutation(0, 0), "any"),
        dtypes=(("float64", "int64", "float64"), ("int8", "int32", "int8")), grad=1,
        wrt=(0, 2), variant="advanced"),
    Row("inc_subtensor", _inc_basic, [((5, 4), (4, 2)), ((5, 4), (1, 2)), ((1, 3), (0, 2)),
                                      ((2, 1), (1, 1))],
        build=lambda x, y: build("inc_subtensor", x[1:, ::2], y), dtypes=("float64", "int8"),
        grad=1),
    Row("inc_subtensor", _inc_advanced, [((5, 4), (6,), (6, 4)), ((5, 4), (3,), (1, 4)),
                                         ((5, 0), (2,), (2, 0)), ((1, 1), (2,), (2, 1))],
        build=lambda x, i, y: build("inc_subtensor", x[i], y),
        domains=("any", index_domain(0, 0), "any"),
        dtypes=(("float64", "int64", "float64"), ("int8", "int32", "int8")), grad=1,
        wrt=(0, 2), variant="advanced"),
    Row("take", lambda a, i: np.take(a, i, axis=1), [((3, 4), (5,)), ((0, 4), (2,)),
                                                     ((3, 1), (0,)), ((1, 1), (1,))],
        params={"axis": 1}, domains=("any", index_domain(0, 1)),
        dtypes=(("float64", "int64"), ("int8", "int32"), ("float32", "uint8")), grad=1,
        wrt=(0,)),
    Row("take", lambda a, i: np.take(a, i), [((3, 4), (5,)), ((0, 4), (0,)), ((1, 1), (1,))],
        domains=("any", lambda rng, dtype, shape, case: rng.integers(
            0, max(1, np.prod(case[0])), size=shape)), dtypes=F_I64, grad=1, wrt=(0,),
        variant="flat"),
]

_MM = [((3, 4), (4, 2)), ((0, 4), (4, 2)), ((3, 0), (0, 2)), ((1, 1), (1, 1))]
BLAS = [
    Row("dot", np.dot, _MM, dtypes=FLOATS, grad=2, variant="matrix"),
    Row("dot", np.dot, [((3, 4), (4,)), ((0, 4), (4,)), ((3, 0), (0,)), ((1, 1), (1,))],
        dtypes=FLOATS, grad=1, variant="matrix-vector"),
    Row("dot", np.dot, [((4,), (4,)), ((0,), (0,)), ((1,), (1,))], dtypes=FLOATS, grad=1,
        variant="vector"),
    Row("matmul", np.matmul, [((2, 3, 4), (2, 4, 2)), ((2, 3, 4), (1, 4, 2)),
                              ((0, 3, 4), (1, 4, 2)), ((1, 1, 1), (1, 1, 1))],
        dtypes=FLOATS, grad=1),
    Row("tensordot", lambda a, b: np.tensordot(a, b, axes=1),
        [((2, 3, 4), (4, 2)), ((0, 3, 4), (4, 2)), ((1, 1, 1), (1, 1))], params={"axes": 1},
        dtypes=FLOATS, grad=1),
    Row("tensordot", lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])),
        [((2, 3, 4), (4, 2)), ((2, 0, 4), (4, 2)), ((1, 1, 1), (1, 1))],
        params={"axes_a": [0, 2], "axes_b": [1, 0]}, dtypes=FLOATS, grad=1, variant="axes"),
    Row("outer", np.outer, [((3,), (4,)), ((0,), (4,)), ((1,), (1,))], dtypes=FLOATS, grad=1),
    Row("batched_dot", np.matmul, [((2, 3, 4), (2, 4, 2)), ((0, 3, 4), (0, 4, 2)),
                                   ((1, 1, 1), (1, 1, 1))], dtypes=FLOATS, grad=1),
    Row("gemm", lambda z, a, x, y, b: b * z + a * (x @ y),
        [((3, 2), (), (3, 4), (4, 2), ()), ((0, 2), (), (0, 4), (4, 2), ()),
         ((3, 2), (), (3, 0), (0, 2), ()), ((1, 1), (), (1, 1), (1, 1), ())],
        dtypes=FLOATS, grad=1),
    Row("gemm", lambda z, a, x, y, b: b * z + a * (x.T @ y.T),
        [((3, 2), (), (4, 3), (2, 4), ()), ((3, 2), (), (0, 3), (2, 0), ()),
         ((1, 1), (), (1, 1), (1, 1), ())],
        params={"trans_x": True, "trans_y": True}, dtypes=FLOATS, grad=1, variant="trans"),
    Row("gemv", lambda y, a, m, x, b: b * y + a * (m @ x),
        [((3,), (), (3, 4), (4,), ()), ((0,), (), (0, 4), (4,), ()),
         ((3,), (), (3, 0), (0,), ()), ((1,), (), (1, 1), (1,), ())], dtypes=FLOATS, grad=1),
    Row("ger", lambda m, a, x, y: m + a * np.outer(x, y),
        [((3, 4), (), (3,), (4,)), ((0, 4), (), (0,), (4,)), ((1, 1), (), (1,), (1,))],
        dtypes=FLOATS, grad=1),
]

SORT = [
    shape_op("sort", lambda a: np.sort(a, axis=-1), [((3, 4),), ((0, 4),), ((3, 0),), ((1, 1),)],
             dtypes=ALL),
    shape_op("sort", lambda a: np.sort(a, axis=None), [((3, 4),), ((0, 4),), ((1, 1),)],
             params={"axis": None}, dtypes=("float64", "int8"), variant="axisNone"),
    # Theon's argsort is stable whatever the kind (ties come in index order).
    shape_op("argsort", lambda a: np.argsort(a, axis=0, kind="stable"),
             [((5, 3),), ((0, 3),), ((5, 0),), ((1, 1),)], params={"axis": 0},
             domains=("small",), dtypes=ALL, grad=0),
    shape_op("argsort", lambda a: np.argsort(a, axis=None, kind="stable"),
             [((3, 4),), ((0, 4),), ((1, 1),)], params={"axis": None, "kind": "mergesort"},
             domains=("small",), dtypes=("float64", "int8"), grad=0, variant="axisNone"),
]

NNET = [
    Row("softmax", _softmax, _SM_CASES, dtypes=FLOATS + ("int8",), rule="float", grad=2),
    Row("softmax", lambda a: _softmax(a, axis=0), _SM_CASES, params={"axis": 0}, grad=1,
        variant="axis0"),
    Row("softmax", lambda a: _softmax(a, axis=None), _SM_CASES, params={"axis": None}, grad=1,
        variant="axisNone"),
    Row("log_softmax", _log_softmax, _SM_CASES, dtypes=FLOATS + ("int64",), rule="float",
        grad=2),
    Row("log_softmax", lambda a: _log_softmax(a, axis=None), _SM_CASES, params={"axis": None},
        grad=1, variant="axisNone"),
    Row("crossentropy_softmax_argmax_1hot_with_bias", _xent, _XENT_CASES,
        domains=("any", "any", _labels),
        dtypes=(("float64", "float64", "int64"), ("float32", "float32", "int32")), grad=1,
        wrt=(0, 1)),
    Row("crossentropy_softmax_1hot_with_bias_dx", _xent_dx,
        [((4,), (4, 3), (4,)), ((1,), (4, 3), (4,)), ((0,), (0, 3), (0,)), ((1,), (1, 1), (1,))],
        domains=("any", "prob", index_domain(1, 1)),
        dtypes=(("float64", "float64", "int64"), ("float32", "float32", "uint8")), grad=1,
        wrt=(0, 1)),
    Row("categorical_crossentropy", lambda p, y: -np.log(p[np.arange(len(y)), y]),
        [((4, 3), (4,)), ((0, 3), (0,)), ((1, 1), (1,))],
        domains=("prob", index_domain(0, 1, allow_negative=False)),
        dtypes=(("float64", "int64"), ("float32", "int32")), grad=1, wrt=(0,),
        variant="labels"),
    Row("categorical_crossentropy", lambda p, t: -(t * np.log(p)).sum(axis=1),
        [((4, 3), (4, 3)), ((0, 3), (0, 3)), ((1, 1), (1, 1))], domains=("prob",),
        dtypes=FLOATS, grad=1, variant="distribution"),
]

# Identity in value; their gradients are what differs (tests/python/test_gradient.py).
GRADIENT_SUPPORT = [
    shape_op(name, _identity, [((3, 4),), ((0, 4),), ((1, 1),)], params=params, dtypes=ALL, grad=0)
    for name, params in (("zero_grad", {}), ("disconnected_grad", {}),
                         ("grad_clip", {"lower": -1.0, "upper": 1.0}),
                         ("grad_scale", {"multiplier": 2.0}), ("print", {"message": "op table"}))
]
