"""Op::infer_shape of the reduce, sort, nnet, blas, gradient-support and subtensor ops.

Each case compiles ``out.shape`` in FAST_RUN and compares it with the shape of ``out`` itself
computed by a second function, on inputs whose static shapes are unknown (so that the shape
cannot come from the types) and on several run-time shapes, including empty and size-1
dimensions. Where the op infers its shape from its inputs' shapes alone, the compiled shape
graph must not contain the op: the tensor is not computed just to read its shape.
"""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.tensor._build import build

RNG = np.random.default_rng(0)


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(-3, 4, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def shape_fn(inputs, out):
    return theon.function(inputs, out.shape, mode="FAST_RUN", on_unused_input="ignore")


def value_fn(inputs, out):
    return theon.function(inputs, out, mode="FAST_RUN", on_unused_input="ignore")


def graph_text(f):
    return theon.printing.debugprint(f, file="str", print_type=False)


def assert_not_computed(f, op_names):
    text = graph_text(f)
    for name in op_names:
        # Ops print as Name{props} or Name(...); 'Sum' must not match e.g. 'CumSum'.
        lines = [ln for ln in text.splitlines()
                 if (" " + name + "{") in (" " + ln.lstrip("|- ")) or
                 (" " + name + " ") in (" " + ln.lstrip("|- "))]
        assert not lines, f"{name} is computed by the shape graph:\n{text}"


def check(inputs, out, arg_sets, op_names=()):
    """out.shape (compiled) == out's computed shape for every argument tuple."""
    fs = shape_fn(inputs, out)
    fv = value_fn(inputs, out)
    for args in arg_sets:
        real = fv(*args)
        got = fs(*args)
        assert got.dtype == np.int64
        assert tuple(int(d) for d in got) == real.shape, (args_shapes(args), got, real.shape)
    if op_names:
        assert_not_computed(fs, op_names)
    return fs


def args_shapes(args):
    return [getattr(a, "shape", a) for a in args]


def unknown(ndim, dtype="float64", name=None):
    return T.tensor(dtype, shape=(None,) * ndim, name=name)


# -------------------------------------------------------------------------------------------
# Reductions and cumulative ops

REDUCE_SHAPES = [(4, 3, 5), (0, 3, 2), (1, 1, 1), (2, 0, 3), (3, 1, 0)]
REDUCERS = [
    ("sum", T.sum, "Sum"), ("prod", T.prod, "Prod"), ("max", T.max, "Max"),
    ("min", T.min, "Min"), ("argmax", T.argmax, "Argmax"), ("argmin", T.argmin, "Argmin"),
    ("any", T.any, "Any"), ("all", T.all, "All"),
]
AXES = [None, 0, -1, 1, (0, 2), (0, 1, 2), ()]


def valid_for(fname, axis, shape):
    # max/min/argmax/argmin of an empty reduction raise; such shapes are not inputs here.
    if fname not in ("max", "min", "argmax", "argmin"):
        return True
    ax = range(3) if axis is None else ([axis] if isinstance(axis, int) else list(axis))
    return all(shape[a] > 0 for a in ax) and (axis is not None or 0 not in shape)


@pytest.mark.parametrize("fname,fn,opname", REDUCERS, ids=[r[0] for r in REDUCERS])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce(fname, fn, opname, axis, keepdims):
    x = unknown(3)
    out = fn(x, axis=axis, keepdims=keepdims)
    args = [(sample(s, "float64"),) for s in REDUCE_SHAPES if valid_for(fname, axis, s)]
    assert args
    check([x], out, args, [opname])


def test_reduce_partially_static_input():
    x = T.tensor("float32", shape=(None, 3, 1, None))
    for axis in [None, 0, 1, 2, (1, 3), (0, 3)]:
        for keepdims in [False, True]:
            out = T.sum(x, axis=axis, keepdims=keepdims)
            check([x], out, [(sample(s, "float32"),) for s in [(2, 3, 1, 4), (0, 3, 1, 0)]],
                  ["Sum"])


@pytest.mark.parametrize("dtype", ["int32", "bool", "float32"])
def test_reduce_dtypes(dtype):
    x = unknown(2, dtype)
    for out in [T.sum(x, axis=0), T.prod(x, axis=1, keepdims=True), T.any(x, axis=None),
                T.argmax(x, axis=-1)]:
        check([x], out, [(sample((3, 4), dtype),), (sample((1, 5), dtype),)],
              ["Sum", "Prod", "Any", "Argmax"])


@pytest.mark.parametrize("name", ["mean", "var", "std"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_var_std(name, axis, keepdims):
    x = unknown(3)
    out = getattr(T, name)(x, axis=axis, keepdims=keepdims)
    check([x], out, [(sample(s, "float64"),) for s in [(4, 3, 2), (1, 5, 1), (2, 0, 3)]],
          ["Sum", "ReduceCount"])


@pytest.mark.parametrize("fn,opname", [(T.cumsum, "CumSum"), (T.cumprod, "CumProd")])
@pytest.mark.parametrize("axis", [None, 0, 1, -1], ids=str)
def test_cumulative(fn, opname, axis):
    x = unknown(3, "int32")
    out = fn(x, axis=axis)
    check([x], out, [(sample(s, "int32"),) for s in [(4, 3, 2), (0, 2, 3), (1, 1, 1), (2, 5, 0)]],
          [opname])


def test_cumulative_flatten_partly_static():
    x = T.tensor("float64", shape=(3, None, 2))
    check([x], T.cumsum(x), [(sample((3, 4, 2), "float64"),), (sample((3, 0, 2), "float64"),)],
          ["CumSum"])


# -------------------------------------------------------------------------------------------
# Sort, nnet

@pytest.mark.parametrize("fn,opname", [(T.sort, "Sort"), (T.argsort, "ArgSort")])
@pytest.mark.parametrize("axis", [None, 0, -1], ids=str)
def test_sort(fn, opname, axis):
    x = unknown(2)
    out = fn(x, axis=axis)
    check([x], out, [(sample(s, "float64"),) for s in [(4, 3), (0, 3), (1, 1), (3, 0)]],
          [opname])


@pytest.mark.parametrize("name,opname", [("softmax", "Softmax"), ("log_softmax", "LogSoftmax")])
@pytest.mark.parametrize("axis", [None, 0, -1], ids=str)
def test_softmax(name, opname, axis):
    x = unknown(3)
    out = getattr(T.nnet, name)(x, axis=axis)
    check([x], out, [(sample(s, "float64"),) for s in [(2, 3, 4), (1, 1, 1), (2, 0, 3)]],
          [opname])


# -------------------------------------------------------------------------------------------
# Products

def product_case(fn, sa, sb, shapes, opname, static_a=None, static_b=None, dtype="float64"):
    a = T.tensor(dtype, shape=static_a or (None,) * len(sa))
    b = T.tensor(dtype, shape=static_b or (None,) * len(sb))
    args = [(sample(x, dtype), sample(y, dtype)) for x, y in [(sa, sb)] + shapes]
    check([a, b], fn(a, b), args, [opname])


@pytest.mark.parametrize("sa,sb,more", [
    ((3,), (3,), [((0,), (0,)), ((1,), (1,))]),
    ((2, 3), (3,), [((0, 3), (3,)), ((4, 0), (0,))]),
    ((3,), (3, 4), [((1,), (1, 0))]),
    ((2, 3), (3, 4), [((0, 5), (5, 1)), ((1, 1), (1, 1))]),
    ((2, 5, 3), (3, 4), [((1, 0, 2), (2, 3))]),
    ((2, 3), (5, 3, 4), [((0, 2), (1, 2, 0))]),
    ((2, 3, 4), (5, 4, 6), [((1, 1, 2), (3, 2, 1))]),
    ((2, 3, 4), (4,), [((0, 2, 1), (1,))]),
], ids=str)
def test_dot(sa, sb, more):
    product_case(T.dot, sa, sb, more, "Dot")


@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_dot_dtypes(dtype):
    product_case(T.dot, (3, 4), (4, 2), [((0, 4), (4, 0))], "Dot", dtype=dtype)


@pytest.mark.parametrize("sa,sb,more", [
    ((3,), (3,), [((0,), (0,))]),
    ((2, 3), (3,), [((0, 3), (3,))]),
    ((3,), (3, 4), [((1,), (1, 0))]),
    ((3,), (2, 3, 4), [((1,), (0, 1, 5))]),
    ((2, 3, 4), (4,), [((1, 0, 2), (2,))]),
    ((2, 3), (3, 4), [((0, 5), (5, 1))]),
    # batch broadcasting, with run-time size-1 batch dimensions on either side
    ((2, 1, 3, 4), (1, 5, 4, 2), [((1, 3, 2, 2), (4, 1, 2, 0)), ((1, 1, 2, 2), (1, 1, 2, 3)),
                                  ((0, 1, 2, 2), (1, 1, 2, 3)), ((1, 1, 2, 2), (2, 0, 2, 3))]),
    ((5, 3, 4), (7, 1, 4, 2), [((1, 3, 4), (7, 5, 4, 2)), ((0, 3, 4), (2, 1, 4, 2))]),
    ((6, 2, 3, 4), (4, 2), [((1, 1, 2, 0), (0, 3))]),
], ids=str)
def test_matmul(sa, sb, more):
    product_case(T.matmul, sa, sb, more, "Matmul")


def test_matmul_static_broadcast_dims():
    # A static size-1 batch dimension on a, unknown on b; and a static size on b.
    product_case(T.matmul, (1, 3, 4), (5, 4, 2), [((1, 0, 2), (1, 2, 3)), ((1, 2, 2), (0, 2, 3))],
                 "Matmul", static_a=(1, None, None), static_b=(None, None, None))
    product_case(T.matmul, (1, 3, 4), (5, 4, 2), [((1, 0, 4), (5, 4, 3))],
                 "Matmul", static_a=(None, None, None), static_b=(5, 4, None))


@pytest.mark.parametrize("axes,sa,sb,more", [
    (1, (2, 3), (3, 4), [((0, 1), (1, 5))]),
    (2, (2, 3, 4), (3, 4, 5), [((1, 0, 2), (0, 2, 1))]),
    (0, (2, 3), (4,), [((0, 1), (1,))]),
    (([0, 2], [1, 0]), (2, 3, 4), (4, 2, 5), [((1, 0, 2), (2, 1, 0))]),
    (([-1], [0]), (2, 3), (3, 4), [((2, 0), (0, 4))]),
], ids=str)
def test_tensordot(axes, sa, sb, more):
    product_case(lambda a, b: T.tensordot(a, b, axes), sa, sb, more, "Tensordot")


@pytest.mark.parametrize("sa,sb,more", [
    ((3,), (4,), [((0,), (2,)), ((1,), (1,))]),
    ((2, 3), (4, 1, 2), [((0, 3), (1, 1, 1)), ((1, 1), (2, 0, 3))]),
    ((), (3,), []),
], ids=str)
def test_outer(sa, sb, more):
    product_case(T.outer, sa, sb, more, "Outer")


@pytest.mark.parametrize("sa,sb,more", [
    ((3, 2, 4), (3, 4, 5), [((0, 2, 4), (0, 4, 5)), ((1, 1, 1), (1, 1, 1))]),
    ((3, 4), (3, 4), [((0, 2), (0, 2))]),
    ((3, 2, 4), (3, 4), [((2, 0, 1), (2, 1))]),
    ((3, 4), (3, 4, 6), [((1, 2), (1, 2, 0))]),
], ids=str)
def test_batched_dot(sa, sb, more):
    product_case(T.batched_dot, sa, sb, more, "BatchedDot")


def test_batched_dot_static_batch_on_b():
    product_case(T.batched_dot, (3, 2, 4), (3, 4, 5), [], "BatchedDot",
                 static_a=(None, None, None), static_b=(3, None, None))


# -------------------------------------------------------------------------------------------
# Gradient support

def test_sum_to_shape():
    g = unknown(3)
    like = T.tensor("float64", shape=(None, None))
    out = build("sum_to_shape", g, like)
    check([g, like], out,
          [(sample((2, 3, 4), "float64"), sample((3, 4), "float64")),
           (sample((2, 3, 4), "float64"), sample((1, 4), "float64")),
           (sample((2, 3, 4), "float64"), sample((3, 1), "float64")),
           (sample((2, 0, 4), "float64"), sample((1, 4), "float64"))],
          ["SumToShape"])


@pytest.mark.parametrize("name,opname", [
    ("zero_grad", "ZeroGrad"), ("disconnected_grad", "DisconnectedGrad"),
    ("grad_clip", "GradClip"), ("grad_scale", "GradScale")])
def test_grad_modifiers(name, opname):
    x = unknown(2)
    fn = getattr(theon.gradient, name)
    out = fn(x, -1.0, 1.0) if name == "grad_clip" else (
        fn(x, 2.0) if name == "grad_scale" else fn(x))
    check([x], out, [(sample(s, "float64"),) for s in [(2, 3), (0, 1)]], [opname])


def test_jacobian_map_range():
    x = unknown(1)
    w = unknown(2)
    y = T.dot(w, x)  # (m,)
    J = theon.gradient.jacobian(y, x)  # (m, n) through MapRange over m
    check([x, w], J, [(sample((3,), "float64"), sample((4, 3), "float64")),
                      (sample((1,), "float64"), sample((2, 1), "float64")),
                      (sample((0,), "float64"), sample((5, 0), "float64"))],
          ["MapRange"])
    J2 = theon.gradient.jacobian(T.sum(w, axis=1) * 2.0, w)  # (m, m, n)
    check([w], J2, [(sample((4, 3), "float64"),), (sample((2, 0), "float64"),)], ["MapRange"])


def test_jacobian_map_range_several_outputs():
    # One MapRange node with one output per wrt.
    x = unknown(1)
    w = unknown(2)
    y = T.dot(w, x) * 3.0
    Jx, Jw = theon.gradient.jacobian(y, [x, w])
    for J in (Jx, Jw):
        check([x, w], J, [(sample((3,), "float64"), sample((4, 3), "float64")),
                          (sample((0,), "float64"), sample((2, 0), "float64"))], ["MapRange"])


# -------------------------------------------------------------------------------------------
# Basic indexing

X_SHAPES = [(5, 4, 3), (0, 4, 3), (1, 1, 1), (7, 0, 2), (2, 6, 0)]

BASIC_KEYS = [
    np.s_[1:-1], np.s_[::-1], np.s_[::-2], np.s_[-2:], np.s_[:2, ::-1], np.s_[3:1:-1],
    np.s_[-100:100], np.s_[100:], np.s_[:-100], np.s_[::3, 1::2, -1::-2], np.s_[..., None],
    np.s_[None, :, None], np.s_[:, -1], np.s_[0], np.s_[..., 0], np.s_[1:, None, 0],
    np.s_[:0], np.s_[2:2], np.s_[-1:-4:-1], np.s_[4::-3], np.s_[:-1:-1],
    np.s_[..., ::-1, 1:], np.s_[:, :, :],
]


def key_valid(key, shape):
    try:
        np.empty(shape)[key]
        return True
    except IndexError:
        return False


@pytest.mark.parametrize("key", BASIC_KEYS, ids=str)
def test_subtensor_constant_key(key):
    x = unknown(3)
    out = x[key]
    args = [(sample(s, "float64"),) for s in X_SHAPES if key_valid(key, s)]
    assert args
    fs = shape_fn([x], out)
    fv = value_fn([x], out)
    for (a,) in args:
        assert tuple(fs(a)) == fv(a).shape == a[key].shape
    assert_not_computed(fs, ["Subtensor"])


def test_subtensor_partly_static():
    x = T.tensor("float32", shape=(None, 4, 1))
    for key in [np.s_[1:], np.s_[::-1, 1:3], np.s_[:, ::2, 0], np.s_[None, -3:, :, :]]:
        check([x], x[key], [(sample(s, "float32"),) for s in [(5, 4, 1), (0, 4, 1)]],
              ["Subtensor"])


def py_slice_len(start, stop, step, n):
    return len(range(*slice(start, stop, step).indices(n)))


STARTS = [None, -9, -5, -2, -1, 0, 1, 3, 9]
STEPS = [None, -3, -2, -1, 1, 2, 4]


@pytest.mark.parametrize("sym", [(True, False, False), (False, True, False), (False, False, True),
                                 (True, True, False), (True, True, True), (False, True, True),
                                 (True, False, True)], ids=str)
def test_subtensor_symbolic_slice(sym):
    """x[a:b:c] with some parts symbolic (int64 scalars) and the rest constants or None."""
    x = unknown(1)
    a, b, c = T.lscalar("a"), T.lscalar("b"), T.lscalar("c")
    for fixed in [None, 2, -2]:
        for fixed_step in ([None, -1, 2] if not sym[2] else [None]):
            key = slice(a if sym[0] else fixed, b if sym[1] else fixed,
                        c if sym[2] else fixed_step)
            out = x[key]
            fs = shape_fn([x, a, b, c], out)
            fv = value_fn([x, a, b, c], out)
            assert_not_computed(fs, ["Subtensor"])
            for n in [0, 1, 5]:
                xv = sample((n,), "float64")
                for av in STARTS[1:] if sym[0] else [0]:
                    for bv in STARTS[1:] if sym[1] else [0]:
                        for cv in STEPS[1:] if sym[2] else [1]:
                            pa = av if sym[0] else fixed
                            pb = bv if sym[1] else fixed
                            pc = cv if sym[2] else fixed_step
                            want = py_slice_len(pa, pb, pc, n)
                            got = fs(xv, av, bv, cv)
                            assert tuple(got) == (want,), (pa, pb, pc, n, got)
                            assert fv(xv, av, bv, cv).shape == (want,)


def test_subtensor_symbolic_int32_and_int8_bounds():
    x = unknown(2)
    i = T.iscalar("i")
    j = T.bscalar("j")
    out = x[i:, ::j]
    fs = shape_fn([x, i, j], out)
    fv = value_fn([x, i, j], out)
    assert_not_computed(fs, ["Subtensor"])
    for shape in [(5, 4), (0, 3), (3, 0)]:
        xv = sample(shape, "float64")
        for iv in [-7, -1, 0, 2, 8]:
            for jv in [-3, -1, 1, 2]:
                want = xv[iv:, ::jv].shape
                assert tuple(fs(xv, np.int32(iv), np.int8(jv))) == want
                assert fv(xv, np.int32(iv), np.int8(jv)).shape == want


def test_subtensor_symbolic_int_index():
    x = unknown(3)
    i = T.lscalar("i")
    out = x[1:, i, None]
    check([x, i], out, [(sample((4, 3, 2), "float64"), 1), (sample((2, 5, 0), "float64"), -5)],
          ["Subtensor"])


# -------------------------------------------------------------------------------------------
# Advanced indexing

@pytest.mark.parametrize("make_key,ishapes", [
    (lambda x, i: x[i], [(4,), (0,), (1,)]),
    (lambda x, i: x[:, i], [(2, 3), (0, 1)]),
    (lambda x, i: x[i, :, None], [(3,), (2, 2)]),
    (lambda x, i: x[1:, ::-1, i], [(5,), (1, 0)]),
    (lambda x, i: x[i, :, i], [(3,), (2, 1)]),  # non-adjacent: broadcast dims first
    (lambda x, i: x[1, :, i], [(3,), (2, 4)]),  # an int among advanced indices
    (lambda x, i: x[::2, i, -1], [(3,), (0,), (2, 2)]),  # adjacent int and array
    (lambda x, i: x[None, i, None], [(2,), (2, 3)]),
], ids=["i", ":,i", "i,:,None", "1:,::-1,i", "i,:,i", "1,:,i", "::2,i,-1", "None,i,None"])
def test_advanced_subtensor_int_arrays(make_key, ishapes):
    x = unknown(3)
    for ishape in ishapes:
        i = T.tensor("int64", shape=(None,) * len(ishape))
        out = make_key(x, i)
        args = []
        for xs in [(3, 4, 5), (2, 2, 2)]:
            args.append((sample(xs, "float64"), RNG.integers(-2, 2, size=ishape)))
        check([x, i], out, args, ["AdvancedSubtensor"])


def test_advanced_subtensor_broadcast_index_arrays():
    x = unknown(3)
    i = T.tensor("int64", shape=(None, None))
    j = T.tensor("int64", shape=(None,))
    k = T.tensor("int64", shape=(None, 1))
    for out in [x[i, j], x[:, i, j], x[i, :, j], x[k, j, i], x[j, k]]:
        args = []
        for ish, jsh, ksh in [((2, 3), (3,), (2, 1)), ((2, 1), (4,), (1, 1)),
                              ((1, 1), (1,), (1, 1)), ((0, 3), (1,), (1, 1)),
                              ((2, 1), (0,), (2, 1)), ((1, 2), (2,), (3, 1))]:
            args.append((sample((3, 3, 3), "float64"), RNG.integers(0, 3, size=ish),
                         RNG.integers(0, 3, size=jsh), RNG.integers(0, 3, size=ksh)))
        check([x, i, j, k], out, args, ["AdvancedSubtensor"])


def test_advanced_subtensor_constant_index_and_mask():
    x = unknown(2)
    out1 = x[[0, -1, 1]]
    out2 = x[:, np.array([True, False, True])]
    out3 = x[np.array([[0], [1]]), [0, 1, 1]]
    args = [(sample((3, 3), "float64"),), (sample((2, 3), "float64"),)]
    check([x], out1, args, ["AdvancedSubtensor"])
    check([x], out2, args, ["AdvancedSubtensor"])
    check([x], out3, args, ["AdvancedSubtensor"])


def test_advanced_subtensor_symbolic_mask():
    # The count of true elements depends on the mask's values: it is the mask's sum, computed
    # without indexing x.
    x = unknown(3)
    m = T.tensor("bool", shape=(None,))
    m2 = T.tensor("bool", shape=(None, None))
    m0 = T.tensor("bool", shape=())
    i = T.tensor("int64", shape=(None,))
    xs = [(4, 3, 2), (0, 2, 1), (3, 0, 2), (1, 1, 1)]
    cases = [
        (m, x[m], lambda s: RNG.random(s[0]) > 0.5),
        (m, x[:, m], lambda s: RNG.random(s[1]) > 0.5),
        (m, x[1:, ::-1, m], lambda s: RNG.random(s[2]) > 0.5),
        (m, x[m, None, ::-1], lambda s: np.zeros(s[0], bool)),
        (m, x[m, ...], lambda s: np.ones(s[0], bool)),
        (m2, x[m2], lambda s: RNG.random(s[:2]) > 0.5),
        (m2, x[:, m2], lambda s: RNG.random(s[1:]) > 0.5),
        (m0, x[m0], lambda s: np.bool_(RNG.random() > 0.5)),
        (m0, x[..., m0], lambda s: np.bool_(False)),
    ]
    for mvar, out, mv in cases:
        check([x, mvar], out, [(xv, mv(xv.shape)) for xv in [sample(s, "float64") for s in xs]],
              ["AdvancedSubtensor"])
    # A mask with an integer array: broadcast of (nnz,) with the array's shape.
    out = x[m, :, i]
    args = []
    for s, n in [((4, 3, 2), 1), ((4, 3, 2), 3), ((2, 1, 2), 2), ((2, 2, 2), 0)]:
        mv = np.zeros(s[0], bool)
        mv[:n] = True
        args.append((sample(s, "float64"), mv, RNG.integers(0, 2, size=(n if n != 3 else 1,))))
    check([x, m, i], out, args, ["AdvancedSubtensor"])


def test_not_computed_check_can_fail():
    # The check used above does see an op that the shape graph computes.
    x = unknown(2)
    f = theon.function([x], T.sum(x, axis=0))
    with pytest.raises(AssertionError, match="Sum"):
        assert_not_computed(f, ["Sum"])
    assert_not_computed(f, ["CumSum", "Prod"])


# -------------------------------------------------------------------------------------------
# set/inc

def test_inc_set_subtensor():
    x = unknown(2)
    y = unknown(1)
    i = T.tensor("int64", shape=(None,))
    cases = [
        ([x, y], T.set_subtensor(x[1:, 0], y), lambda s: (sample(s, "float64"),
                                                         sample((max(s[0] - 1, 0),), "float64"))),
        ([x, y], T.inc_subtensor(x[::-1, -1], y), lambda s: (sample(s, "float64"),
                                                            sample((1,), "float64"))),
        ([x, y, i], T.inc_subtensor(x[i, 0], y),
         lambda s: (sample(s, "float64"), sample((2,), "float64"), np.array([0, 0]))),
        ([x, y, i], T.set_subtensor(x[:, i], y),
         lambda s: (sample(s, "float64"), sample((2,), "float64"), np.array([0, -1]))),
    ]
    for inputs, out, make in cases:
        check(inputs, out, [make(s) for s in [(3, 2), (1, 4)]],
              ["IncSubtensor", "AdvancedIncSubtensor", "Subtensor"])


# -------------------------------------------------------------------------------------------
# Random basic keys: ints, slices and newaxis, each scalar part None, a constant or symbolic

def random_key(rng, ndim):
    """A key for an ndim array; returns (symbolic key, function of the symbol values giving the
    NumPy key, symbols used)."""
    entries, used = [], []
    dims_left = ndim
    while True:
        r = rng.random()
        if r < 0.15:
            entries.append(("new",))
        elif dims_left and r < 0.35:
            entries.append(("int", rng.integers(-4, 4)))
            dims_left -= 1
        elif dims_left and r < 0.9:
            parts = []
            for k in range(3):
                c = rng.random()
                if c < 0.3:
                    parts.append(None)
                elif c < 0.6:
                    v = int(rng.choice([-9, -3, -2, -1, 1, 2, 3, 9])) if k == 2 else \
                        int(rng.integers(-7, 8))
                    parts.append(("c", v))
                else:
                    parts.append(("s", len(used)))
                    used.append(k)
            entries.append(("slice", parts))
            dims_left -= 1
        else:
            break
    def build_key(sym_vals):
        key = []
        for e in entries:
            if e[0] == "new":
                key.append(None)
            elif e[0] == "int":
                key.append(int(e[1]))
            else:
                key.append(slice(*[None if p is None else
                                   (p[1] if p[0] == "c" else sym_vals[p[1]]) for p in e[1]]))
        return tuple(key)
    return build_key, used


def test_subtensor_random_keys():
    rng = np.random.default_rng(1234)
    x = unknown(3)
    syms = [T.lscalar(f"s{k}") for k in range(9)]
    checked = 0
    for trial in range(120):
        build_key, used = random_key(rng, 3)
        key = build_key(syms[:len(used)])
        out = x[key]
        fs = shape_fn([x] + syms, out)
        fv = value_fn([x] + syms, out)
        assert_not_computed(fs, ["Subtensor"])
        for _ in range(6):
            shape = tuple(int(d) for d in rng.choice([0, 1, 2, 5], size=3))
            xv = sample(shape, "float64")
            vals = []
            for k in used:  # a symbolic step is never 0
                vals.append(int(rng.choice([-3, -2, -1, 1, 2, 4])) if k == 2 else
                            int(rng.integers(-8, 9)))
            args = [xv] + vals + [0] * (len(syms) - len(vals))
            try:
                want = xv[build_key(vals)].shape
            except IndexError:
                with pytest.raises(IndexError):
                    fv(*args)
                continue
            assert tuple(fs(*args)) == want, (build_key(vals), shape)
            assert fv(*args).shape == want
            checked += 1
    assert checked > 300
