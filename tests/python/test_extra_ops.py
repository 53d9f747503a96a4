"""theon.tensor.extra_ops and its NumPy functions beyond the op table: exact values with NaN,
infinities and -0.0, the argument forms of each function, gradients the table does not reach,
the einsum lowering, Theano's module paths, and clear errors naming the function (or op) and
the user's line."""

import numpy as np
import pytest

from error_match import raises_matching

import theon
import theon.tensor as T
from theon.tensor import extra_ops as X

HERE = r"test_extra_ops\.py:\d+"
SPECIALS = np.array([[0.0, -0.0, np.inf], [-np.inf, np.nan, 1.5], [-2.0, 3.0, -0.0]])


def run(outputs, *values, inputs=()):
    """The values of ``outputs`` (a list, or one variable) as a list."""
    outputs = outputs if isinstance(outputs, list) else [outputs]
    f = theon.function(list(inputs), outputs, on_unused_input="ignore")
    return f(*values)


def same(got, want):
    """Equal values, dtype, NaNs and signs of zeros."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got, want)
    np.testing.assert_array_equal(got, want)
    if want.dtype.kind == "f":
        zeros = want == 0
        np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


# ---------------------------------------------------------------------------- exact values
@pytest.mark.parametrize("mode", ["NONE", "FAST_RUN"])
def test_masks_keep_nan_inf_and_negative_zero(mode):
    m = T.matrix("m")
    fns = [X.tril(m), X.triu(m, 1), X.nan_to_num(m), X.isclose(m, m.T),
           X.isclose(m, m.T, equal_nan=True), X.fill_diagonal(m, -0.0), X.diag(X.diag(m))]
    f = theon.function([m], fns, mode=mode)
    got = f(SPECIALS)
    want = [np.tril(SPECIALS), np.triu(SPECIALS, 1), np.nan_to_num(SPECIALS),
            np.isclose(SPECIALS, SPECIALS.T), np.isclose(SPECIALS, SPECIALS.T, equal_nan=True)]
    filled = SPECIALS.copy()
    np.fill_diagonal(filled, -0.0)
    want += [filled, np.diag(np.diag(SPECIALS))]
    for g, w in zip(got, want):
        same(g, w)


@pytest.mark.parametrize("mode", ["NONE", "FAST_RUN"])
def test_logaddexp_and_hypot_at_special_values_match_numpy(mode):
    x, y = T.vector("x"), T.vector("y")
    vals = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, -1e308, 3.0])
    a, b = np.meshgrid(vals, vals)
    a, b = a.ravel(), b.ravel()
    f = theon.function([x, y], [T.logaddexp(x, y), T.logaddexp2(x, y), T.hypot(x, y)],
                       mode=mode)
    with np.errstate(all="ignore"):  # NumPy warns at inf - inf (NaN) and overflows (inf)
        want = [np.logaddexp(a, b), np.logaddexp2(a, b), np.hypot(a, b)]
    for g, w in zip(f(a, b), want):
        same(g, w)


def test_logaddexp_gradient_is_a_softmax_weight_even_where_exp_overflows():
    x, y = T.dscalar("x"), T.dscalar("y")
    gx, gy = theon.grad(T.logaddexp(x, y), [x, y])
    got = theon.function([x, y], [gx, gy])(1000.0, 999.0)
    np.testing.assert_allclose(got, [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))], rtol=1e-12)


def test_nan_to_num_with_given_replacements_and_integer_input():
    x = T.dvector("x")
    v = np.array([np.nan, np.inf, -np.inf, -0.0])
    same(run(X.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), v, inputs=[x])[0],
         np.nan_to_num(v, nan=1.0, posinf=2.0, neginf=-3.0))
    i = T.ivector("i")
    assert X.nan_to_num(i) is i


def test_linspace_forms_match_numpy_to_the_bit():
    cases = [dict(num=0), dict(num=1), dict(num=1, endpoint=False), dict(num=9, endpoint=False),
             dict(num=11, dtype="int32"), dict(num=4, dtype="float32")]
    for kw in cases:
        out = X.linspace(-1.5, 2.25, **kw)
        same(run(out)[0], np.linspace(-1.5, 2.25, **kw))
    y, step = X.linspace(0, 1, 5, retstep=True)
    got = run([y, step])
    want = np.linspace(0, 1, 5, retstep=True)
    same(got[0], want[0])
    assert got[1] == want[1]
    s = T.fscalar("s")
    assert X.linspace(s, 1.0, 3).dtype == "float32"  # a Python float takes s's dtype


def test_pad_modes_with_widths_beyond_the_axis_match_numpy():
    x = T.matrix("x")
    v = np.arange(6.0).reshape(2, 3)
    for mode in ("edge", "reflect", "symmetric", "wrap", "constant"):
        for width in (7, ((5, 0), (4, 6)), (2, 1)):
            got = run(X.pad(x, width, mode=mode), v, inputs=[x])[0]
            np.testing.assert_array_equal(got, np.pad(v, width, mode=mode), err_msg=mode)
    one = np.array([[4.0]])
    np.testing.assert_array_equal(run(X.pad(x, 3, mode="reflect"), one, inputs=[x])[0],
                                  np.pad(one, 3, mode="reflect"))


def test_roll_by_a_symbolic_shift_and_on_an_empty_axis():
    x, s = T.vector("x"), T.lscalar("s")
    f = theon.function([x, s], X.roll(x, s))
    v = np.arange(5.0)
    for shift in (-12, -1, 0, 3, 5, 11):
        np.testing.assert_array_equal(f(v, shift), np.roll(v, shift))
    np.testing.assert_array_equal(f(np.zeros(0), 3), np.zeros(0))


def test_fill_diagonal_offset_with_a_symbolic_offset_and_its_gradients():
    a, v, k = T.matrix("a"), T.dscalar("v"), T.lscalar("k")
    out = X.fill_diagonal_offset(a, v, k)
    f = theon.function([a, v, k], [out] + theon.grad((out * out).sum(), [a, v]))
    m = np.arange(12.0).reshape(3, 4)
    for offset in (-3, -1, 0, 2, 4, 9):
        rows, cols = np.nonzero(np.eye(3, 4, offset))
        want = m.copy()
        want[rows, cols] = 5.0
        got, ga, gv = f(m, 5.0, offset)
        np.testing.assert_array_equal(got, want)
        mask = np.eye(3, 4, offset) == 0
        np.testing.assert_array_equal(ga, 2 * m * mask)
        assert gv == 2 * 5.0 * len(rows)


def test_fill_diagonal_of_a_cube_and_the_value_cast_to_the_arrays_dtype():
    a = T.tensor("int32", shape=(None, None, None))
    v = np.zeros((3, 3, 3), dtype=np.int32)
    got = run(X.fill_diagonal(a, 2.7), v, inputs=[a])[0]
    want = v.copy()
    np.fill_diagonal(want, 2.7)
    same(got, want)


def test_diff_orders_and_axes():
    x = T.tensor3("x")
    v = np.random.default_rng(0).normal(size=(3, 4, 5))
    for n, axis in ((0, -1), (1, 0), (3, 2), (6, 1)):
        np.testing.assert_array_equal(run(X.diff(x, n, axis), v, inputs=[x])[0],
                                      np.diff(v, n, axis))


def test_diagonal_of_symbolic_sizes_with_offsets_past_the_edge():
    x = T.tensor3("x")
    v = np.arange(60.0).reshape(3, 4, 5)
    for offset, a1, a2 in ((0, 0, 1), (2, 1, 2), (-2, 2, 0), (7, 0, 1), (-9, 1, 0)):
        np.testing.assert_array_equal(run(X.diagonal(x, offset, a1, a2), v, inputs=[x])[0],
                                      np.diagonal(v, offset, a1, a2))


def test_searchsorted_with_a_sorter_nan_and_both_sides():
    a, v, s = T.dvector("a"), T.dvector("v"), T.lvector("s")
    data = np.array([3.0, np.nan, 1.0, 2.0, 2.0])
    sorter = np.argsort(data)
    probe = np.array([np.nan, 2.0, 0.0, 5.0, np.inf])
    f = theon.function([a, v, s], [X.searchsorted(a, v, sorter=s),
                                   X.searchsorted(a, v, side="right", sorter=s)])
    left, right = f(data, probe, sorter)
    np.testing.assert_array_equal(left, np.searchsorted(data, probe, sorter=sorter))
    np.testing.assert_array_equal(right, np.searchsorted(data, probe, "right", sorter))


def test_unique_outputs_in_numpys_order_and_nans_collapsed():
    x = T.dmatrix("x")
    v = np.array([[2.0, np.nan, 1.0], [np.nan, 2.0, -0.0]])
    vals, idx, inv, cnt = X.unique(x, True, True, True)
    got = theon.function([x], [vals, idx, inv, cnt])(v)
    want = np.unique(v, True, True, True)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    only_counts = X.unique(x, return_counts=True)
    assert isinstance(only_counts, tuple) and len(only_counts) == 2
    rows = T.lmatrix("rows")
    r = np.array([[1, 2], [0, 5], [1, 2], [0, 5], [0, 1]])
    got = theon.function([rows], list(X.unique(rows, return_index=True, axis=0)))(r)
    for g, w in zip(got, np.unique(r, return_index=True, axis=0)):
        np.testing.assert_array_equal(g, w)


def test_bincount_weights_gradient_and_minlength():
    x, w = T.lvector("x"), T.dvector("w")
    counts = X.bincount(x, w, minlength=6)
    g = theon.grad((counts * np.arange(6.0)).sum(), w)
    got, gw = theon.function([x, w], [counts, g])(np.array([1, 3, 1]), np.array([.5, 2, 4]))
    np.testing.assert_array_equal(got, np.bincount([1, 3, 1], [.5, 2, 4], minlength=6))
    np.testing.assert_array_equal(gw, [1.0, 3.0, 1.0])


def test_index_conversions_round_trip_and_take_symbolic_dims():
    i, d = T.lvector("i"), T.lvector("d")
    d3 = T.specify_shape(d, (3,))
    multi = X.unravel_index(i, d3)
    flat = X.ravel_multi_index(multi, d3)
    f = theon.function([i, d], list(multi) + [flat])
    idx = np.array([0, 5, 23, 17])
    got = f(idx, np.array([2, 3, 4]))
    for g, w in zip(got[:3], np.unravel_index(idx, (2, 3, 4))):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(got[3], idx)


def test_nonzero_forms():
    x = T.imatrix("x")
    v = np.array([[0, 3, 0], [4, 0, 5]], dtype=np.int32)
    rows, cols = X.nonzero(x)
    mat = X.nonzero(x, return_matrix=True)
    got = theon.function([x], [rows, cols, mat, X.flatnonzero(x), X.nonzero_values(x)])(v)
    want = list(np.nonzero(v)) + [np.array(np.nonzero(v)), np.flatnonzero(v), v[v != 0]]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_compress_with_a_shorter_condition_and_the_flattened_array():
    c, x = T.bvector("c"), T.matrix("x")
    v = np.arange(12.0).reshape(3, 4)
    cond = np.array([1, 0], dtype=np.int8)
    f = theon.function([c, x], [X.compress(c, x, axis=1), X.compress(c, x)])
    got = f(cond, v)
    np.testing.assert_array_equal(got[0], np.compress(cond, v, axis=1))
    np.testing.assert_array_equal(got[1], np.compress(cond, v))


def test_choose_from_a_list_of_broadcast_choices_and_its_gradient():
    a = T.lvector("a")
    c0, c1 = T.dvector("c0"), T.dmatrix("c1")
    out = X.choose(a, [c0, c1, 2.5])
    g0, g1 = theon.grad(out.sum(), [c0, c1])
    av, v0, v1 = np.array([0, 2, 1]), np.array([1.0, 2.0, 3.0]), np.ones((2, 3)) * 7
    got, gg0, gg1 = theon.function([a, c0, c1], [out, g0, g1])(av, v0, v1)
    np.testing.assert_array_equal(got, np.choose(av, [v0, v1, 2.5]))
    np.testing.assert_array_equal(gg0, 2.0 * (av == 0))
    np.testing.assert_array_equal(gg1, np.broadcast_to(av == 1, (2, 3)).astype(float))


def test_meshgrid_xy_matches_numpy_for_three_inputs():
    a, b, c = T.vector("a"), T.vector("b"), T.vector("c")
    va, vb, vc = np.arange(2.0), np.arange(3.0), np.arange(4.0)
    got = theon.function([a, b, c], X.meshgrid(a, b, c))(va, vb, vc)
    for g, w in zip(got, np.meshgrid(va, vb, vc)):
        np.testing.assert_array_equal(g, w)


def test_partition_meets_numpys_contract():
    x = T.vector("x")
    v = np.random.default_rng(1).normal(size=9)
    part, arg = theon.function([x], [X.partition(x, 4), X.argpartition(x, (2, 6))])(v)
    assert part[4] == np.partition(v, 4)[4]
    assert (part[:4] <= part[4]).all() and (part[5:] >= part[4]).all()
    assert v[arg][2] == np.sort(v)[2] and v[arg][6] == np.sort(v)[6]


# ---------------------------------------------------------------------------- einsum
EINSUM_CASES = [
    ("ij,jk", [(3, 4), (4, 5)]), ("ij,ij->", [(3, 4), (3, 4)]), ("ii->i", [(4, 4)]),
    ("iij->j", [(3, 3, 2)]), ("i,i", [(5,), (5,)]), ("ij->ji", [(2, 3)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 6)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]), ("...i,...i->...", [(2, 3, 4), (3, 4)]),
    ("ij,jk,kl,lm->im", [(9, 2), (2, 8), (8, 3), (3, 7)]), ("ijk,ikj->i", [(2, 3, 4), (2, 4, 3)]),
]


@pytest.mark.parametrize("spec,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_numpy(spec, shapes):
    rng = np.random.default_rng(len(spec))
    vals = [rng.normal(size=s) for s in shapes]
    xs = [T.tensor("float64", shape=(None,) * len(s)) for s in shapes]
    got = theon.function(xs, X.einsum(spec, *xs))(*vals)
    np.testing.assert_allclose(got, np.einsum(spec, *vals), rtol=1e-12, atol=1e-12)


def test_einsum_contracts_the_cheapest_pair_first_and_lowers_to_products():
    a = T.tensor("float64", shape=(1000, 2))
    b = T.tensor("float64", shape=(2, 1000))
    c = T.tensor("float64", shape=(1000, 3))
    out = X.einsum("ij,jk,kl->il", a, b, c)
    # Greedy on result sizes: b @ c (2 x 3) first, never the 1000 x 1000 a @ b.
    shapes, types = [], set()
    stack = [out]
    while stack:
        node = stack.pop().owner
        if node is not None:
            types.add(node.op_type)
            shapes += [o.static_shape for o in node.outputs]
            stack += list(node.inputs)
    assert (2, 3) in shapes and (1000, 1000) not in shapes
    assert types & {"Tensordot", "Dot", "Matmul"}, types


def test_einsum_of_integers_keeps_the_dtype():
    x = T.lmatrix("x")
    v = np.arange(6).reshape(2, 3)
    same(run(X.einsum("ij,ij->i", x, x), v, inputs=[x])[0], np.einsum("ij,ij->i", v, v))


# ---------------------------------------------------------------------------- module paths
def test_theano_module_paths_map_onto_theon():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor as TT
    from theano.tensor import extra_ops as TX

    for name in ("bincount", "fill_diagonal", "fill_diagonal_offset", "unravel_index",
                 "ravel_multi_index", "diff", "to_one_hot", "searchsorted", "unique",
                 "compress", "squeeze", "repeat", "cumsum"):
        assert getattr(TX, name) is getattr(X, name), name
    for name in ("nonzero", "flatnonzero", "nonzero_values", "choose", "diagonal", "diag",
                 "tril", "triu", "roll", "isclose", "allclose", "einsum", "pad"):
        assert getattr(TT, name) is getattr(T, name) is getattr(X, name), name
    assert T.logaddexp is TT.logaddexp


# ---------------------------------------------------------------------------- errors
def test_bad_arguments_name_the_function_and_the_line():
    m = T.matrix("m")
    raises_matching(ValueError, lambda: X.diff(m, axis=2), "diff", "axis 2", HERE)
    raises_matching(ValueError, lambda: X.diff(m, -1), "diff", "non-negative", HERE)
    raises_matching(ValueError, lambda: X.roll(m, 1, axis=-3), "roll", "axis -3", HERE)
    raises_matching(ValueError, lambda: X.diagonal(m, 0, 1, 1), "diagonal", "same", HERE)
    raises_matching(ValueError, lambda: X.tril(T.vector()), "tril", "2 dimensions", HERE)
    raises_matching(ValueError, lambda: X.pad(m, ((1, 2),)), "pad", "pair", HERE)
    raises_matching(NotImplementedError, lambda: X.pad(m, 1, mode="mirror"), "pad", "mirror",
                    HERE)
    raises_matching(NotImplementedError, lambda: X.pad(m, 1, mode="mean", stat_length=2), "pad",
                    "stat_length", HERE)
    raises_matching(TypeError, lambda: X.pad(m, 1, mode="edge", end_values=2), "pad",
                    "end_values", HERE)
    raises_matching(ValueError, lambda: X.einsum("ij,jk", m), "einsum", "2 operand", HERE)
    raises_matching(ValueError, lambda: X.einsum("ijk", m), "einsum", "'ijk'", HERE)
    raises_matching(ValueError, lambda: X.meshgrid(m, indexing="yx"), "meshgrid", HERE)
    raises_matching(ValueError, lambda: X.unique(m, axis=2), "unique", "axis 2", HERE)
    raises_matching(ValueError, lambda: X.searchsorted(m, m), "SearchSorted", "sorted vector",
                    HERE)
    raises_matching(ValueError, lambda: X.searchsorted(T.vector(), m, side="up"),
                    "searchsorted", "'up'", HERE)
    raises_matching(ValueError, lambda: X.choose(T.lvector(), m, mode="bounce"), "choose",
                    "bounce", HERE)
    raises_matching(TypeError, lambda: X.choose(m, m), "Choose", "integers", HERE)
    raises_matching(TypeError, lambda: X.bincount(m), "BinCount", "vector of integers", HERE)
    raises_matching(ValueError, lambda: X.ravel_multi_index((T.lvector(),), (2, 3)),
                    "RavelMultiIndex", "1 index arrays for 2", HERE)
    raises_matching(ValueError, lambda: X.nonzero(T.scalar()), "Nonzero", "0-d", HERE)
    raises_matching(ValueError, lambda: X.partition(T.tensor("float64", shape=(3,)), 5),
                    "partition", "out of bounds", HERE)


def test_mismatched_static_shapes_raise_when_the_graph_is_built():
    def vec(dtype, n):
        return T.tensor(dtype, shape=(n,))

    raises_matching(ValueError, lambda: X.bincount(vec("int64", 3), vec("float64", 4)),
                    "BinCount", "different lengths", HERE)
    raises_matching(ValueError, lambda: X.choose(vec("int64", 3), T.tensor("float64",
                                                                            shape=(2, 4))),
                    "Choose", r"\(3,\)", HERE)
    raises_matching(ValueError, lambda: X.ravel_multi_index((vec("int64", 3), vec("int64", 2)),
                                                            (4, 4)),
                    "RavelMultiIndex", HERE)
    raises_matching(ValueError, lambda: X.einsum("ij,jk", T.tensor("float64", shape=(2, 3)),
                                                 T.tensor("float64", shape=(4, 5))), HERE)


def test_mismatched_shapes_at_run_time_name_the_op_and_the_line():
    x, w = T.lvector("x"), T.dvector("w")
    f = theon.function([x, w], X.bincount(x, w))
    raises_matching(ValueError, lambda: f(np.array([1, 2]), np.ones(3)), "BinCount",
                    "different lengths", "Node built at: .*" + HERE)


def test_out_of_range_indices_raise_naming_the_op_and_the_line():
    i = T.lvector("i")
    f = theon.function([i], list(X.unravel_index(i, (2, 3))))
    raises_matching(ValueError, lambda: f(np.array([1, 6])), "UnravelIndex", "index 6",
                    r"\(2, 3\)", "Node built at: .*" + HERE)
    a, c = T.lvector("a"), T.dmatrix("c")
    g = theon.function([a, c], X.choose(a, c))
    raises_matching(ValueError, lambda: g(np.array([0, 3]), np.ones((3, 2))), "Choose",
                    "index 3", "3 choices", "Node built at: .*" + HERE)
    h = theon.function([a], X.ravel_multi_index((a, a), (4, 2)))
    raises_matching(ValueError, lambda: h(np.array([1, 3])), "RavelMultiIndex", "index 3",
                    "dimension 1 of size 2", "Node built at: .*" + HERE)
    k = theon.function([a], X.bincount(a))
    raises_matching(ValueError, lambda: k(np.array([1, -2])), "BinCount", "non-negative",
                    "Node built at: .*" + HERE)


def test_theanos_unique_op_class():
    import theon.theano_alias

    theon.theano_alias.enable()
    from theano.tensor.extra_ops import Unique

    x = T.lvector("x")
    v = np.array([3, 1, 3, 2])
    values, counts = Unique(return_counts=True)(x)
    got = theon.function([x], [Unique()(x), values, counts])(v)
    np.testing.assert_array_equal(got[0], np.unique(v))
    np.testing.assert_array_equal(got[2], np.unique(v, return_counts=True)[1])


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_pad_statistic_and_ramp_modes_match_numpy(dtype):
    x = T.tensor(dtype, shape=(None, None))
    v = np.array([[1, 7, 2, 9], [4, 4, 0, 3], [8, 1, 5, 6]], dtype=dtype)
    cases = [("maximum", {}), ("minimum", {}), ("mean", {}), ("median", {}),
             ("linear_ramp", {}), ("linear_ramp", {"end_values": ((5, -1), (2, 3))}),
             ("empty", {})]
    for mode, kw in cases:
        for width in (((1, 2), (2, 1)), 3, ((0, 0), (0, 4))):
            got = run(X.pad(x, width, mode=mode, **kw), v, inputs=[x])[0]
            want = np.pad(v, width, mode=mode, **kw)
            if mode == "empty":  # NumPy leaves the padding undefined: compare x's region
                inner = tuple(slice(b, b + n) for (b, _), n in
                              zip(np.broadcast_to(width, (2, 2)), v.shape))
                got, want = got[inner], want[inner]
            assert got.dtype == want.dtype, mode
            np.testing.assert_array_equal(got, want, err_msg=f"{mode} {kw} {width}")


def test_pad_statistic_mode_gradient():
    x = T.dmatrix("x")
    v = np.random.default_rng(3).normal(size=(3, 4))
    for mode in ("mean", "linear_ramp", "maximum"):
        theon.gradient.verify_grad(lambda t, m=mode: X.pad(t, ((1, 2), (2, 1)), mode=m), [v],
                                   rng=np.random.default_rng(4))


def test_pad_constant_values_per_axis_fill_the_corners_as_numpy():
    x = T.imatrix("x")
    v = np.arange(6, dtype=np.int32).reshape(2, 3)
    for values in (((1, 2), (3, 4)), (7, -8), ((5.7, 1),)):
        got = run(X.pad(x, ((1, 2), (2, 1)), constant_values=values), v, inputs=[x])[0]
        np.testing.assert_array_equal(got, np.pad(v, ((1, 2), (2, 1)),
                                                  constant_values=values))
    empty = T.tensor("float64", shape=(0, 2))
    np.testing.assert_array_equal(run(X.pad(empty, 1, constant_values=(1, 2)), np.zeros((0, 2)),
                                      inputs=[empty])[0],
                                  np.pad(np.zeros((0, 2)), 1, constant_values=(1, 2)))
