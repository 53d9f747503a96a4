"""Op::infer_shape of the shape, join and alloc families: out.shape compiled in FAST_RUN equals
the shape of out actually computed, for many shapes (empty and size-1 dimensions, unknown static
shapes, symbolic shapes), and the compiled shape graph does not compute the op itself."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.printing import debugprint

RNG = np.random.default_rng(1234)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


def compile_shape(inputs, expr):
    return theon.function(inputs, expr, mode="FAST_RUN", on_unused_input="ignore")


def text_of(f):
    return debugprint(f, file="str", print_type=False)


def check_shape(inputs, out, values, absent=None):
    """out.shape, each out.shape[i] (through Shape_i) and size(out), compiled in FAST_RUN,
    against the shape of out computed by a compiled function, on every tuple of `values`.
    `absent`: op names (e.g. "Reshape") that the shape graphs must not compute."""
    f_out = theon.function(inputs, out, mode="FAST_RUN", on_unused_input="ignore")
    f_shape = compile_shape(inputs, out.shape)
    f_dims = [compile_shape(inputs, T.shape_i(out, d)) for d in range(out.ndim)]
    f_size = compile_shape(inputs, T.size(out))
    for vals in values:
        real = np.asarray(f_out(*vals)).shape
        got = np.asarray(f_shape(*vals))
        assert got.dtype == np.int64
        assert tuple(got.tolist()) == real, (vals if len(str(vals)) < 300 else "", got, real)
        for d, fd in enumerate(f_dims):
            v = np.asarray(fd(*vals))
            assert v.shape == () and v.dtype == np.int64
            assert int(v) == real[d]
        assert int(np.asarray(f_size(*vals))) == int(np.prod(real, dtype=np.int64))
    if absent:
        for f in [f_shape, f_size, *f_dims]:
            text = text_of(f)
            for name in ([absent] if isinstance(absent, str) else absent):
                assert name not in text, text
    return f_shape


# ---------------------------------------------------------------- shape family


def test_shape_of_shape_ops():
    x = T.tensor3("x")
    for out in [T.shape(x), T.shape_i(x, 1), T.size(x)]:
        check_shape([x], out, [(arr(2, 3, 4),), (arr(0, 1, 5),)])
    f = compile_shape([x], T.shape(T.shape(x)))
    # Statically known: the whole graph is one constant.
    assert "Shape" not in text_of(f)
    assert f(arr(2, 3, 4)).tolist() == [3]


def test_make_vector():
    a, b = T.lscalar("a"), T.lscalar("b")
    v = T.make_vector(a, b, a + b)
    check_shape([a, b], v, [(np.int64(1), np.int64(2))], absent="MakeVector")


RESHAPES = [
    # name, input type, reshape function, input shapes
    ("rows_minus1", lambda: T.matrix("x"), lambda x: x.reshape((x.shape[0], -1)),
     [(3, 4), (1, 5), (2, 0), (5, 1)]),
    ("minus1_cols", lambda: T.tensor3("x"), lambda x: x.reshape((-1, x.shape[2])),
     [(2, 3, 4), (1, 1, 1), (0, 2, 3), (4, 0, 2)]),
    ("flat", lambda: T.tensor3("x"), lambda x: x.reshape((-1,)), [(2, 3, 4), (0, 3, 1)]),
    ("no_minus1", lambda: T.tensor3("x"),
     lambda x: x.reshape((x.shape[1], x.shape[0] * x.shape[2])), [(2, 3, 4), (1, 0, 2)]),
    ("split_dim", lambda: T.matrix("x"), lambda x: x.reshape((x.shape[0], 2, -1)),
     [(3, 4), (1, 2), (2, 0)]),
    ("const_with_minus1", lambda: T.matrix("x"), lambda x: x.reshape((2, -1, 3)),
     [(2, 6), (4, 3), (6, 0)]),
    ("const_full", lambda: T.matrix("x"), lambda x: x.reshape((3, 2)), [(2, 3), (6, 1)]),
    ("to_scalar", lambda: T.matrix("x"), lambda x: x.reshape(()), [(1, 1)]),
    ("static_in", lambda: T.tensor("float64", shape=(None, 4)),
     lambda x: x.reshape((-1, 2)), [(3, 4), (0, 4)]),
    ("int32_entries", lambda: T.matrix("x"),
     lambda x: x.reshape((T.cast(x.shape[1], "int32"), -1)), [(3, 4), (0, 2)]),
]


@pytest.mark.parametrize("name,make,build,shapes", RESHAPES, ids=[r[0] for r in RESHAPES])
def test_reshape(name, make, build, shapes):
    x = make()
    check_shape([x], build(x), [(arr(*s),) for s in shapes], absent="Reshape")


def test_reshape_symbolic_scalar_entries():
    x = T.matrix("x")
    n = T.lscalar("n")
    # n is -1 at run time in some calls: the shape graph must pick size // 4 then.
    out = x.reshape((n, 4))
    check_shape([x, n], out,
                [(arr(3, 4), np.int64(3)), (arr(2, 6), np.int64(-1)), (arr(0, 4), np.int64(0)),
                 (arr(0, 8), np.int64(-1))], absent="Reshape")
    m = T.iscalar("m")
    out = x.reshape((n, m, -1))
    check_shape([x, n, m], out,
                [(arr(3, 4), np.int64(2), np.int32(3)), (arr(1, 6), np.int64(1), np.int32(1))],
                absent="Reshape")


def test_reshape_shape_vector_input():
    x = T.tensor3("x")
    for dt in ["int64", "int32"]:
        s = T.vector("s", dtype=dt)
        out = T.reshape(x, s, ndim=2)
        vals = [(arr(2, 3, 4), np.array([6, 4], dt)), (arr(2, 3, 4), np.array([-1, 3], dt)),
                (arr(2, 3, 4), np.array([8, -1], dt)), (arr(0, 3, 4), np.array([-1, 2], dt)),
                (arr(1, 1, 1), np.array([1, 1], dt))]
        check_shape([x, s], out, vals, absent="Reshape")


def test_reshape_of_computed_input_does_not_compute_it():
    x, y = T.matrices("x", "y")
    out = T.exp(x + y).reshape((-1, x.shape[0]))
    f = check_shape([x, y], out, [(arr(2, 3), arr(2, 3)), (arr(1, 4), arr(3, 4))],
                    absent=["Reshape", "exp"])
    assert "Elemwise{add}" not in text_of(f)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_flatten(ndim):
    x = T.tensor3("x")
    out = T.flatten(x, ndim)
    check_shape([x], out, [(arr(2, 3, 4),), (arr(0, 3, 1),), (arr(1, 1, 1),), (arr(3, 0, 0),)],
                absent="Flatten")


def test_flatten_static_and_scalar():
    x = T.tensor("float64", shape=(None, 3, 2))
    check_shape([x], T.flatten(x, 2), [(arr(4, 3, 2),), (arr(0, 3, 2),)], absent="Flatten")
    s = T.scalar("s")
    check_shape([s], T.flatten(s, 1), [(np.float64(2.0),)], absent="Flatten")


T3_SHAPES = [(2, 3, 4), (0, 1, 2), (1, 1, 0)]
DIMSHUFFLES = [
    ("transpose", lambda: T.tensor3("x"), lambda x: x.T, T3_SHAPES),
    ("perm", lambda: T.tensor3("x"), lambda x: x.dimshuffle(1, "x", 0, 2), T3_SHAPES),
    ("swapaxes", lambda: T.tensor3("x"), lambda x: T.swapaxes(x, 0, 2), T3_SHAPES),
    ("expand", lambda: T.matrix("x"), lambda x: T.expand_dims(x, (0, 3)),
     [(2, 3), (0, 1), (1, 5)]),
    ("drop_static_1", lambda: T.tensor("float64", shape=(None, 1, None)),
     lambda x: x.dimshuffle(2, 0), [(3, 1, 2), (0, 1, 1), (1, 1, 0)]),
    ("squeeze_static", lambda: T.tensor("float64", shape=(1, None, 1)), lambda x: T.squeeze(x),
     [(1, 4, 1), (1, 0, 1)]),
]


@pytest.mark.parametrize("name,make,build,shapes", DIMSHUFFLES, ids=[d[0] for d in DIMSHUFFLES])
def test_dimshuffle(name, make, build, shapes):
    x = make()
    check_shape([x], build(x), [(arr(*s),) for s in shapes], absent="DimShuffle")


def test_squeeze_unknown_dims():
    x = T.tensor3("x")
    out = T.squeeze(x, axis=(0, 2))  # Squeeze: checked at run time
    check_shape([x], out, [(arr(1, 3, 1),), (arr(1, 0, 1),), (arr(1, 1, 1),)], absent="Squeeze")
    out = T.squeeze(x, axis=1)
    check_shape([x], out, [(arr(4, 1, 2),), (arr(0, 1, 3),)], absent="Squeeze")


def test_specify_shape():
    x = T.matrix("x")
    out = T.specify_shape(x, (3, -1))
    check_shape([x], out, [(arr(3, 4),), (arr(3, 0),)], absent="SpecifyShape")
    # The specified size is a constant in the shape graph: x.shape[0] is not read.
    f0 = compile_shape([x], T.shape_i(out, 0))
    assert "Shape_i" not in text_of(f0) and int(f0(arr(3, 2))) == 3
    n, m = T.lscalar("n"), T.lscalar("m")
    out = T.specify_shape(x, (n, m))
    check_shape([x, n, m], out, [(arr(2, 5), np.int64(2), np.int64(5)),
                                 (arr(0, 1), np.int64(0), np.int64(-1))],
                absent="SpecifyShape")


# ---------------------------------------------------------------- join family


def test_join_and_concatenate():
    x, y, z = T.matrices("x", "y", "z")
    for axis in [0, 1, -1]:
        out = T.concatenate([x, y, z], axis=axis)
        ax = axis % 2
        vals = []
        for a, b, c, other in [(2, 3, 4, 5), (0, 1, 0, 3), (1, 1, 1, 1), (2, 0, 0, 0)]:
            def mk(k):
                return arr(*((k, other) if ax == 0 else (other, k)))
            vals.append((mk(a), mk(b), mk(c)))
        check_shape([x, y, z], out, vals, absent="Join")


def test_join_static_off_axis_size_and_mixed_dtypes():
    x = T.matrix("x")
    y = T.tensor("int32", shape=(None, 3))
    out = T.join(0, x, y)
    check_shape([x, y], out, [(arr(2, 3), np.ones((4, 3), np.int32)),
                                  (arr(0, 3), np.ones((0, 3), np.int32))], absent="Join")
    f1 = compile_shape([x, y], T.shape_i(out, 1))
    assert "Shape_i" not in text_of(f1) and int(f1(arr(1, 3), np.ones((1, 3), np.int32))) == 3


def test_join_of_computed_inputs():
    x, y = T.vectors("x", "y")
    out = T.concatenate([T.exp(x), x * y, y[1:]])
    check_shape([x, y], out, [(arr(3), arr(3)), (arr(1), arr(1)), (arr(0), arr(0))],
                absent=["Join", "exp"])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis):
    x, y = T.matrices("x", "y")
    out = T.stack([x, y], axis=axis)
    check_shape([x, y], out, [(arr(2, 3), arr(2, 3)), (arr(0, 1), arr(0, 1))], absent="Join")


def test_concatenate_flattened():
    x, y = T.tensor3("x"), T.matrix("y")
    out = T.concatenate([x, y], axis=None)
    check_shape([x, y], out, [(arr(2, 3, 4), arr(5, 1)), (arr(0, 2, 2), arr(3, 0))],
                absent=["Join", "Flatten"])


def test_split_constant_sizes():
    x = T.matrix("x")
    for axis, sizes in [(0, [1, 2, 0]), (1, [2, 2]), (-1, [0, 4])]:
        outs = T.split(x, sizes, len(sizes), axis=axis)
        for o in outs:
            check_shape([x], o, [(arr(3, 4),)] if axis == 0 else [(arr(3, 4),), (arr(0, 4),)],
                        absent="Split")


def test_split_symbolic_sizes():
    x = T.tensor3("x")
    s = T.lvector("s")
    outs = T.split(x, s, 3, axis=1)
    for o in outs:
        check_shape([x, s], o, [(arr(2, 6, 3), np.array([1, 2, 3])),
                                (arr(0, 4, 1), np.array([0, 4, 0])),
                                (arr(1, 0, 2), np.array([0, 0, 0]))], absent="Split")
    i = T.iscalar("i")
    outs = T.split(x, T.make_vector(i, 5 - i, dtype="int32"), 2, axis=0)
    for o in outs:
        check_shape([x, i], o, [(arr(5, 2, 1), np.int32(2)), (arr(5, 0, 3), np.int32(0))],
                    absent="Split")


# ---------------------------------------------------------------- alloc family


def test_alloc_symbolic_and_constant_shapes():
    n, m = T.lscalar("n"), T.iscalar("m")
    out = T.zeros((n, m, 2))
    check_shape([n, m], out, [(np.int64(3), np.int32(4)), (np.int64(0), np.int32(1))],
                absent="Alloc")
    v = T.vector("v")
    out = T.alloc(v, n, 3, v.shape[0])
    check_shape([v, n], out, [(arr(4), np.int64(2)), (arr(1), np.int64(0)), (arr(0), np.int64(1))],
                absent="Alloc")
    x = T.tensor3("x")
    out = T.ones(x.shape)  # a shape vector of static length
    check_shape([x], out, [(arr(2, 0, 3),), (arr(1, 1, 1),)], absent="Alloc")
    out = T.full((x.shape[0], 2), 7.0)
    check_shape([x], out, [(arr(3, 1, 1),)], absent="Alloc")


def test_alloc_value_broadcast_unknown_shape():
    v = T.matrix("v")
    n = T.lscalar("n")
    out = T.alloc(v, n, v.shape[0], v.shape[1])
    check_shape([v, n], out, [(arr(1, 3), np.int64(2)), (arr(2, 1), np.int64(0))], absent="Alloc")


FILLS = [
    ("zeros_like", lambda x, y: T.zeros_like(x)),
    ("ones_like", lambda x, y: T.ones_like(x, dtype="int32")),
    ("full_like", lambda x, y: T.full_like(x, 3.0)),
    ("fill_scalar", lambda x, y: T.fill(x, 2.0)),
    ("fill_broadcast", lambda x, y: T.fill(x, y)),
    ("fill_broadcast_rev", lambda x, y: T.fill(y, x)),
]


@pytest.mark.parametrize("name,build", FILLS, ids=[f[0] for f in FILLS])
def test_fill(name, build):
    x = T.matrix("x")
    y = T.matrix("y")
    out = build(x, y)
    # Runtime size-1 dimensions of unknown static size broadcast against the other input.
    vals = [(arr(2, 3), arr(2, 3)), (arr(1, 3), arr(4, 3)), (arr(4, 1), arr(4, 5)),
            (arr(1, 1), arr(0, 1)), (arr(0, 3), arr(1, 1))]
    check_shape([x, y], out, vals, absent=["Fill", "Alloc"])


def test_fill_static_broadcast_patterns():
    r, c = T.row("r"), T.col("c")
    out = T.fill(r, c)
    check_shape([r, c], out, [(arr(1, 3), arr(4, 1)), (arr(1, 0), arr(2, 1))], absent="Fill")
    v, m = T.vector("v"), T.tensor3("m")
    out = T.fill(v, m)
    check_shape([v, m], out, [(arr(3), arr(2, 1, 3)), (arr(1), arr(2, 2, 5))], absent="Fill")


def test_eye():
    n, m, k = T.lscalar("n"), T.iscalar("m"), T.lscalar("k")
    vals = [(np.int64(3), np.int32(4), np.int64(1)), (np.int64(0), np.int32(2), np.int64(-1)),
            (np.int64(2), np.int32(0), np.int64(0))]
    check_shape([n, m, k], T.eye(n, m, k), vals, absent="Eye")
    check_shape([n], T.eye(n), [(np.int64(3),), (np.int64(0),)], absent="Eye")
    x = T.matrix("x")
    check_shape([x], T.identity_like(x), [(arr(2, 5),), (arr(0, 3),)], absent="Eye")


@pytest.mark.parametrize("args", [
    (0, 5, 1), (5, 0, 1), (0, 5, 2), (0, 6, 2), (5, 0, -1), (5, 0, -2), (-3, 4, 3), (3, 3, 1),
    (7, -7, -3), (0, 0, -1), (2, 100, 7), (-10, -1, 4),
])
def test_arange_int(args):
    a, b, s = T.lscalar("a"), T.lscalar("b"), T.lscalar("s")
    out = T.arange(a, b, s)
    check_shape([a, b, s], out, [tuple(np.int64(v) for v in args)], absent="ARange")
    ai, bi = T.iscalar("ai"), T.scalar("bi", dtype="int8")
    out = T.arange(ai, bi, 2 if args[2] > 0 else -2)
    check_shape([ai, bi], out, [(np.int32(args[0]), np.int8(args[1]))], absent="ARange")


@pytest.mark.parametrize("args", [
    (0.0, 1.0, 0.1), (1.0, 0.0, -0.3), (0.0, 0.0, 1.0), (5.0, 1.0, 1.0), (0.5, 3, 0.5),
    (-1.25, 2.5, 0.75), (0.0, 1.0, 3.0), (2.0, 1.0, 0.1),
])
def test_arange_float(args):
    a, b, s = T.dscalar("a"), T.dscalar("b"), T.dscalar("s")
    out = T.arange(a, b, s)
    check_shape([a, b, s], out, [tuple(np.float64(v) for v in args)], absent="ARange")
    # float32 arguments, and an integer stop mixed with float start / step.
    fa, fs = T.fscalar("fa"), T.fscalar("fs")
    ib = T.lscalar("ib")
    out = T.arange(fa, ib, fs, dtype="float32")
    check_shape([fa, ib, fs], out,
                [(np.float32(args[0]), np.int64(round(args[1])), np.float32(args[2]))],
                absent="ARange")


def test_arange_stop_only_and_from_shapes():
    x = T.vector("x")
    out = T.arange(x.shape[0])
    check_shape([x], out, [(arr(4),), (arr(0),)], absent="ARange")
    n = T.lscalar("n")
    out = T.arange(n, dtype="float32")
    check_shape([n], out, [(np.int64(5),), (np.int64(-2),), (np.int64(0),)], absent="ARange")


@pytest.mark.parametrize("reps", [(2,), (2, 3), (1, 1), (0, 2), (2, 1, 3), (3, 1, 1, 2), ()])
def test_tile(reps):
    x = T.matrix("x")
    out = T.tile(x, reps)
    check_shape([x], out, [(arr(2, 3),), (arr(0, 1),), (arr(1, 4),)], absent="Tile")


def test_tile_vector_and_static():
    v = T.tensor("float64", shape=(3,))
    out = T.tile(v, (2, 2))
    f = check_shape([v], out, [(arr(3),)], absent="Tile")
    assert "Shape_i" not in text_of(f)


def test_repeat_scalar():
    x = T.matrix("x")
    n = T.lscalar("n")
    for axis in [0, 1, None]:
        check_shape([x], T.repeat(x, 3, axis=axis), [(arr(2, 3),), (arr(0, 2),), (arr(1, 1),)],
                    absent="Repeat")
        check_shape([x, n], T.repeat(x, n, axis=axis),
                    [(arr(2, 3), np.int64(2)), (arr(2, 3), np.int64(0)), (arr(0, 1), np.int64(4))],
                    absent="Repeat")
    i = T.iscalar("i")
    check_shape([x, i], T.repeat(x, i, axis=1), [(arr(2, 3), np.int32(2))], absent="Repeat")


def test_repeat_vector_constant():
    x = T.matrix("x")
    check_shape([x], T.repeat(x, [1, 0, 3], axis=1), [(arr(2, 3),), (arr(0, 3),)],
                absent="Repeat")
    check_shape([x], T.repeat(x, [2], axis=0), [(arr(3, 2),), (arr(0, 2),)], absent="Repeat")


def test_repeat_vector_symbolic():
    x = T.matrix("x")
    r = T.lvector("r")
    vals = [(arr(3, 2), np.array([1, 0, 3])), (arr(3, 2), np.array([2])),
            (arr(1, 2), np.array([4])), (arr(0, 2), np.array([], np.int64)),
            (arr(0, 2), np.array([5])), (arr(2, 2), np.array([0, 0]))]
    check_shape([x, r], T.repeat(x, r, axis=0), vals, absent="Repeat")
    ri = T.ivector("ri")
    check_shape([x, ri], T.repeat(x, ri, axis=1),
                [(arr(3, 2), np.array([1, 2], np.int32)), (arr(3, 2), np.array([3], np.int32))],
                absent="Repeat")
    a, b = T.lscalar("a"), T.lscalar("b")
    check_shape([x, a, b], T.repeat(x, T.make_vector(a, b), axis=1),
                [(arr(3, 2), np.int64(1), np.int64(4)), (arr(0, 2), np.int64(0), np.int64(0))],
                absent="Repeat")


def test_repeat_sum_through_gradient():
    # Repeat's gradient with per-element counts is RepeatSum; its shape is x's.
    x = T.matrix("x")
    r = T.lvector("r")
    y = T.repeat(x, r, axis=1)
    g = theon.grad(T.sum(y * y), x)
    f = theon.function([x, r], g, mode="FAST_COMPILE")
    assert "RepeatSum" in text_of(f)
    vals = [(arr(2, 3), np.array([1, 0, 2])), (arr(0, 2), np.array([3, 1])),
            (arr(4, 1), np.array([2]))]
    check_shape([x, r], g, vals, absent="RepeatSum")


def test_shape_graph_of_chains():
    # Several ops of the three families on top of each other.
    x = T.matrix("x")
    n = T.lscalar("n")
    y = T.concatenate([x, T.zeros((n, x.shape[1]))], axis=0)
    z = T.repeat(y.T.reshape((-1,)), 2)
    w = T.tile(T.expand_dims(z, 0), (3, 1))
    check_shape([x, n], w, [(arr(2, 3), np.int64(1)), (arr(0, 2), np.int64(0)),
                            (arr(1, 0), np.int64(4))],
                absent=["Join", "Repeat", "Tile", "Reshape", "Alloc", "DimShuffle"])


def test_fast_compile_still_correct():
    # Without the shape rewrites the shape is read off the computed output.
    x = T.matrix("x")
    out = x.reshape((x.shape[0], -1))
    f = theon.function([x], out.shape, mode="FAST_COMPILE")
    assert "Reshape" in text_of(f)
    assert f(arr(3, 4)).tolist() == [3, 4]
