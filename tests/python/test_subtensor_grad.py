"""Gradients of indexing: x[key], set_subtensor, inc_subtensor and take.

Two kinds of checks: the exact vector-Jacobian product (theon.gradient.Lop with a random
projection w) against a NumPy reference built with np.add.at and fancy assignment, which
needs no other family's gradient; and theon.gradient.verify_grad (finite differences), which
needs Sum's gradient for its projected cost and is skipped until that exists."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import GradientError, Lop, verify_grad

F, Tr = False, True


def _has_grad(fn):
    x = T.tensor("float64", shape=(None,), name="probe")
    try:
        out = fn(x)
        Lop(out, x, T.ones_like(out), disconnected_inputs="ignore")  # zeros_like's is null
        return True
    except NotImplementedError:
        return False


SUM_HAS_GRAD = _has_grad(lambda x: x.sum())
FILL_HAS_GRAD = _has_grad(T.zeros_like)
needs_sum_grad = pytest.mark.skipif(
    not SUM_HAS_GRAD, reason="verify_grad's projected cost needs Sum's gradient (not landed)")

# (name, x shape, key)
KEYS = [
    ("ints", (3, 4), (1, -1)),
    ("int_row", (3, 4), -2),
    ("slices", (5, 4), (slice(1, 4), slice(None, -1))),
    ("negative_steps", (5, 4), (slice(None, None, -1), slice(3, 0, -2))),
    ("negative_step_from_end", (6,), slice(-1, None, -2)),
    ("empty_slice", (3, 4), slice(2, 2)),
    ("newaxis", (3, 4), (None, slice(None), 1, None)),
    ("ellipsis", (2, 3, 4), (Ellipsis, 0)),
    ("array_repeated", (3, 4), np.array([0, 2, 0, 0])),
    ("list_negative", (3, 4), (slice(None), [-1, 3, 1, 3])),
    ("array_2d_repeated", (4, 2), np.array([[1, 1, 3], [0, 1, 3]])),
    ("two_arrays_broadcast", (3, 4), (np.array([[0], [2], [2]]), np.array([1, 1, 3]))),
    ("mask", (3, 4), np.array([[Tr, F, Tr, Tr], [F, F, Tr, F], [Tr, Tr, F, Tr]])),
    ("mask_column", (3, 4), (slice(None), np.array([Tr, F, Tr, Tr]))),
    ("mixed_array_slice", (3, 4, 2), (np.array([0, 1, 1]), slice(1, 3))),
    ("mixed_slice_array", (3, 4, 2), (slice(None, None, -1), np.array([2, 0, 2]))),
    ("non_adjacent_arrays", (3, 4, 2), (np.array([0, 2, 0]), slice(None), np.array([1, 1, 0]))),
    ("int_slice_array", (3, 4, 2), (1, slice(1, None), np.array([0, 0]))),
    ("mask_newaxis", (3, 4), (None, np.array([F, Tr, Tr]), slice(None, None, -2))),
]
KEY_IDS = [k[0] for k in KEYS]


def _sym(shape, dtype="float64", name=None):
    return T.tensor(dtype, shape=(None,) * len(shape), name=name)


def _sum_to_shape(g, shape):
    """g summed over the dimensions that broadcasting `shape` to g.shape added or stretched."""
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    elif extra < 0:  # y had leading size-1 dimensions that assignment dropped
        g = g.reshape((1,) * -extra + g.shape)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _np_grads(mode, xshape, key, w, yshape=None):
    """The reference gradients of sum(w * out) with respect to x (and y)."""
    if mode == "get":
        gx = np.zeros(xshape)
        np.add.at(gx, key, w)
        return [gx]
    w_key = w[key]
    if mode == "inc":
        return [w.copy(), _sum_to_shape(w_key, yshape)]
    gx = w.copy()
    gx[key] = 0
    # Only the writes that land (the last one to each location) reach the output.
    ids = np.arange(w_key.size).reshape(w_key.shape)
    written = np.full(xshape, -1)
    written[key] = ids
    landed = written[key] == ids
    return [gx, _sum_to_shape(w_key * landed, yshape)]


def _lop_values(out, wrt, w, args):
    grads = Lop(out, wrt, w)
    f = theon.function(wrt, grads, on_unused_input="ignore")
    return f(*args)


def _y_shapes(target):
    """y shapes that broadcast to the indexed shape: itself, size-1 dimensions, fewer
    dimensions, a scalar and an extra leading 1."""
    shapes = [target, ()]
    if len(target) >= 1:
        shapes.append(target[1:])
        shapes.append((1,) + tuple(target[1:]))
        shapes.append((1,) + tuple(target))
    if len(target) >= 2:
        shapes.append(tuple(target[:-1]) + (1,))
    out = []
    for s in shapes:
        if tuple(s) not in out:
            out.append(tuple(s))
    return out


# ---- exact gradients against NumPy ----

@pytest.mark.parametrize("name,xshape,key", KEYS, ids=KEY_IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_getitem_gradient_matches_numpy(name, xshape, key, dtype):
    rng = np.random.default_rng(0)
    xv = rng.standard_normal(xshape).astype(dtype)
    x = _sym(xshape, dtype)
    out = x[key]
    w = rng.standard_normal(xv[key].shape).astype(dtype)
    (gx,) = _lop_values(out, [x], w, [xv])
    assert gx.dtype == np.dtype(dtype)
    assert gx.shape == xshape
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(gx, _np_grads("get", xshape, key, w.astype("float64"))[0],
                               rtol=rtol,
                               atol=rtol)


@pytest.mark.parametrize("name,xshape,key", KEYS, ids=KEY_IDS)
@pytest.mark.parametrize("mode", ["set", "inc"])
def test_set_inc_gradient_matches_numpy(name, xshape, key, mode):
    rng = np.random.default_rng(1)
    xv = rng.standard_normal(xshape)
    target = xv[key].shape
    fn = T.set_subtensor if mode == "set" else T.inc_subtensor
    for yshape in _y_shapes(target):
        yv = rng.standard_normal(yshape)
        x = _sym(xshape, name="x")
        y = _sym(yshape, name="y")
        out = fn(x[key], y)
        w = rng.standard_normal(xshape)
        gx, gy = _lop_values(out, [x, y], w, [xv, yv])
        want = _np_grads(mode, xshape, key, w, yshape)
        assert gy.shape == yshape, yshape
        np.testing.assert_allclose(gx, want[0], rtol=1e-12, atol=1e-12, err_msg=str(yshape))
        np.testing.assert_allclose(gy, want[1], rtol=1e-12, atol=1e-12, err_msg=str(yshape))


def test_set_with_repeated_indices_gives_the_gradient_to_the_last_write():
    x = T.matrix("x", dtype="float64")
    y = T.matrix("y", dtype="float64")
    out = T.set_subtensor(x[[0, 2, 0]], y)
    w = np.arange(1.0, 7.0).reshape(3, 2)
    gx, gy = _lop_values(out, [x, y], w, [np.zeros((3, 2)), np.zeros((3, 2))])
    np.testing.assert_array_equal(gx, [[0, 0], [3, 4], [0, 0]])
    # y[0] is overwritten by y[2] at row 0.
    np.testing.assert_array_equal(gy, [[0, 0], [5, 6], [1, 2]])
    out = T.inc_subtensor(x[[0, 2, 0]], y)
    gx, gy = _lop_values(out, [x, y], w, [np.zeros((3, 2)), np.zeros((3, 2))])
    np.testing.assert_array_equal(gx, w)
    np.testing.assert_array_equal(gy, [[1, 2], [5, 6], [1, 2]])


def test_mixed_precision_y():
    rng = np.random.default_rng(2)
    x = T.matrix("x", dtype="float64")
    y = T.vector("y", dtype="float32")
    out = T.inc_subtensor(x[::-1, [1, 1]], y)
    w = rng.standard_normal((3, 4))
    gx, gy = _lop_values(out, [x, y], w, [np.zeros((3, 4)), np.zeros(2, np.float32)])
    assert gy.dtype == np.float32
    np.testing.assert_allclose(gy, w[::-1, [1, 1]].sum(axis=0), rtol=1e-6)
    np.testing.assert_array_equal(gx, w)


@pytest.mark.parametrize("axis,indices", [(1, [2, 0, 2, 1]), (-1, [[1, 1], [0, 1]]), (0, -1),
                                          (None, [5, 0, 5])])
def test_take_gradient(axis, indices):
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((2, 3, 2)) if axis != -1 else rng.standard_normal((3, 2))
    x = _sym(xv.shape)
    out = T.take(x, indices, axis=axis)
    ref = np.take(xv, indices, axis=axis)
    w = rng.standard_normal(ref.shape)
    try:
        (gx,) = _lop_values(out, [x], w, [xv])
    except NotImplementedError as e:  # take without an axis flattens x first
        assert axis is None, e
        pytest.skip("flatten has no gradient yet: %s" % e)
    want = np.zeros(xv.size if axis is None else xv.shape)
    if axis is None:
        np.add.at(want, np.asarray(indices), w)
        want = want.reshape(xv.shape)
    else:
        ax = axis % xv.ndim
        np.add.at(want, (slice(None),) * ax + (np.asarray(indices),), w)
    np.testing.assert_allclose(gx, want, rtol=1e-12)


# ---- indices carry no gradient ----

def test_index_inputs_get_no_gradient():
    x = T.matrix("x", dtype="float64")
    i = T.scalar("i", dtype="int64")
    a = T.vector("a", dtype="int32")
    m = T.vector("m", dtype="bool")
    y = T.scalar("y", dtype="float64")
    outs = [x[i], x[i::i], x[a, i], x[m]]
    outs += [T.set_subtensor(o, y) for o in outs[:4]] + [T.inc_subtensor(o, y) for o in outs[:4]]
    args = {"x": np.ones((2, 3)), "y": 2.0, "i": -1, "a": np.array([1, 1], np.int32),
            "m": np.array([True, False])}
    for out in outs:
        names = [v.name for v in out.owner.inputs]
        idx_names = [n for n in names if n in ("i", "a", "m")]
        assert idx_names, names
        wrt = [v for v in out.owner.inputs if v.name in ("x", "y")]
        wrt += [v for v in out.owner.inputs if v.name in idx_names]
        grads = Lop(out, wrt, T.ones_like(out))
        f = theon.function([x, y, i, a, m], grads, on_unused_input="ignore")
        vals = f(*args.values())
        for name, g in zip([v.name for v in wrt], vals):
            if name in idx_names:
                np.testing.assert_array_equal(g, 0, err_msg=name)
            elif not (name == "x" and "Set" in out.owner.op):  # a set may cover all of x
                assert np.abs(g).sum() > 0, (name, out.owner.op)
    # Integer wrt get zeros; x's gradient depends on the symbolic index values.
    out = x[a, i]
    gx, ga, gi = Lop(out, [x, a, i], np.ones(2))
    f = theon.function([x, a, i], [gx, ga, gi])
    gxv, gav, giv = f(np.zeros((2, 3)), np.array([1, 1], np.int32), -1)
    np.testing.assert_array_equal(gxv, [[0, 0, 0], [0, 0, 2]])
    np.testing.assert_array_equal(gav, [0, 0])
    assert giv == 0


def test_integer_x_gives_no_gradient_to_x():
    x = T.matrix("x", dtype="int32")
    y = T.vector("y", dtype="float64")
    out = T.cast(T.set_subtensor(x[0], y), "float64")
    gx, gy = Lop(out, [x, y], np.ones((2, 3)), disconnected_inputs="ignore")
    f = theon.function([x, y], [gx, gy])
    gxv, gyv = f(np.zeros((2, 3), np.int32), np.ones(3))
    np.testing.assert_array_equal(gxv, np.zeros((2, 3)))
    # The cast to int32 has no gradient path back to y either (integer output).
    np.testing.assert_array_equal(gyv, np.zeros(3))


# ---- second order ----

def _constant_fills(outs):
    """The zeros_like results in the graphs of `outs` (no gradient flows through them)."""
    seen, stack, fills = set(), list(outs), []
    while stack:
        v = stack.pop()
        node = v.owner
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.op_type == "Fill":
            fills.append(v)
        stack.extend(node.inputs)
    return fills


def _second_lop(g1, wrt, v):
    consider = [] if FILL_HAS_GRAD else _constant_fills([g1])
    return Lop(g1, wrt, v, consider_constant=consider)


@pytest.mark.parametrize("name,xshape,key", [k for k in KEYS if k[0] in (
    "negative_steps", "array_repeated", "mask", "non_adjacent_arrays", "newaxis")],
                         ids=lambda k: k if isinstance(k, str) else "")
def test_second_order_getitem(name, xshape, key):
    # g1 = d/dx sum(w1 * x[key]**2) = add.at(0, key, 2 w1 x[key]); d/dx (v . g1) is
    # add.at(0, key, 2 w1 v[key]).
    rng = np.random.default_rng(4)
    xv = rng.standard_normal(xshape)
    w1 = rng.standard_normal(xv[key].shape)
    v = rng.standard_normal(xshape)
    x = _sym(xshape)
    s = x[key]
    (g1,) = Lop(s * s, [x], w1)
    (g2,) = _second_lop(g1, [x], v)
    got = theon.function([x], g2)(xv)
    want = np.zeros(xshape)
    np.testing.assert_allclose(want, 0)
    np.add.at(want, key, 2 * w1 * v[key])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["set", "inc"])
def test_second_order_set_inc(mode):
    # out = op(x[[0, 2, 0], ::-1], y*y); cost1 = sum(w * out**2). Second derivatives through the
    # set/inc gradients, compared with finite differences of the first-order gradient.
    rng = np.random.default_rng(5)
    key = (np.array([0, 2, 0]), slice(None, None, -1))
    fn = T.set_subtensor if mode == "set" else T.inc_subtensor
    x = T.matrix("x", dtype="float64")
    y = T.vector("y", dtype="float64")
    out = fn(x[key], y * y)
    w = rng.standard_normal((3, 4))
    gx1, gy1 = Lop(out * out, [x, y], w)
    v = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    # d/d(x, y) of v . (gx1, gy1), built as a Lop from two outputs.
    consider = [] if FILL_HAS_GRAD else _constant_fills([gx1, gy1])
    gx2, gy2 = Lop([gx1, gy1], [x, y], v, consider_constant=consider)
    f1 = theon.function([x, y], [gx1, gy1])
    f2 = theon.function([x, y], [gx2, gy2])
    xv, yv = rng.standard_normal((3, 4)), rng.standard_normal(4)

    def phi(xa, ya):
        a, b = f1(xa, ya)
        return float((a * v[0]).sum() + (b * v[1]).sum())

    eps = 1e-6
    num_x = np.zeros((3, 4))
    for k in np.ndindex(3, 4):
        d = np.zeros((3, 4))
        d[k] = eps
        num_x[k] = (phi(xv + d, yv) - phi(xv - d, yv)) / (2 * eps)
    num_y = np.zeros(4)
    for k in range(4):
        d = np.zeros(4)
        d[k] = eps
        num_y[k] = (phi(xv, yv + d) - phi(xv, yv - d)) / (2 * eps)
    a2x, a2y = f2(xv, yv)
    np.testing.assert_allclose(a2x, num_x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a2y, num_y, rtol=1e-5, atol=1e-6)


# ---- verify_grad (finite differences) ----

@needs_sum_grad
@pytest.mark.parametrize("name,xshape,key", KEYS, ids=KEY_IDS)
def test_verify_grad_getitem(name, xshape, key):
    rng = np.random.default_rng(6)
    verify_grad(lambda x: x[key], [rng.standard_normal(xshape)], rng=rng)


@needs_sum_grad
@pytest.mark.parametrize("name,xshape,key", KEYS, ids=KEY_IDS)
@pytest.mark.parametrize("mode", ["set", "inc"])
def test_verify_grad_set_inc(name, xshape, key, mode):
    rng = np.random.default_rng(7)
    fn = T.set_subtensor if mode == "set" else T.inc_subtensor
    xv = rng.standard_normal(xshape)
    target = xv[key].shape
    for yshape in _y_shapes(target)[:3]:
        verify_grad(lambda x, y: fn(x[key], y), [xv, rng.standard_normal(yshape)], rng=rng)


@needs_sum_grad
@pytest.mark.parametrize("name,xshape,key", [k for k in KEYS if k[0] in (
    "negative_steps", "array_repeated", "mask")], ids=lambda k: k if isinstance(k, str) else "")
def test_verify_grad_float32(name, xshape, key):
    rng = np.random.default_rng(8)
    xv = rng.standard_normal(xshape).astype(np.float32)
    verify_grad(lambda x: x[key], [xv], rng=rng)
    yv = rng.standard_normal(xv[key].shape).astype(np.float32)
    verify_grad(lambda x, y: T.set_subtensor(x[key], y), [xv, yv], rng=rng)
    verify_grad(lambda x, y: T.inc_subtensor(x[key], y), [xv, yv], rng=rng)


@needs_sum_grad
@pytest.mark.skipif(not FILL_HAS_GRAD, reason="second order through indexing needs zeros_like's "
                    "gradient (not landed)")
def test_verify_grad_second_order():
    rng = np.random.default_rng(9)
    w = rng.standard_normal((3, 2))

    def first(x):
        s = x[[0, 2, 0], ::-1]
        return theon.grad((s * s * w).sum(), x)

    verify_grad(first, [rng.standard_normal((3, 2))], rng=rng)


@needs_sum_grad
def test_verify_grad_detects_a_wrong_gradient():
    # Sanity: a function whose gradient is wrongly scaled (through grad_scale) fails.
    from theon.gradient import grad_scale
    with pytest.raises(GradientError):
        verify_grad(lambda x: grad_scale(x[[0, 1, 1]], 2.0), [np.ones((3, 2))])
