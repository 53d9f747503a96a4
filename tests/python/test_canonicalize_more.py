"""More canonicalize rewrites: constants collected through nested add/mul, subtensor of
subtensor merged into one, subtensor and dimshuffle lifted through elementwise ops. For each:
the optimized graph as text (golden, checked by hand against the rewrite's definition) and
values equal to FAST_COMPILE (which runs none of them) on random inputs in several dtypes;
the slice composition also against NumPy over many random slice pairs."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from fast_compile_check import FAST_MATH, assert_same_as_fast_compile, tolerance
from theon.printing import debugprint

RNG = np.random.default_rng(20261121)


def after(inputs, out):
    # The inplace phase renames the ops it turns inplace; the goldens show this rewrite's result
    # (float constants are collected only under fast_math: x * 1e-300 * 1e300 underflows).
    f = theon.function(inputs, out, mode=FAST_MATH.excluding("inplace"))
    return debugprint(f, file="str", print_type=False, print_rewrites=True)


def applied(inputs, out):
    f = theon.function(inputs, out, mode="FAST_RUN")
    return [name for name, _, _ in f.rewrites_applied]






def rand(shape, dtype, low=-3, high=3):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return RNG.integers(max(low, np.iinfo(dtype).min), high + 1, size=shape).astype(dtype)
    return RNG.uniform(low, high, size=shape).astype(dtype)


NUMERIC = ["float64", "float32", "int32", "int8"]
FLOATS = ["float64", "float32"]


def vec(dtype, name="x", shape=(None,)):
    return T.tensor(dtype, shape=shape, name=name)


def mat(dtype, name="m", shape=(None, None)):
    return T.tensor(dtype, shape=shape, name=name)


# ---- cases: build(dtype) -> (inputs, output, sampler) ----


def case_add_constants(dt):
    x = vec(dt)
    return [x], (x + 2) + 3, lambda: [rand(5, dt)]


def case_add_constants_left(dt):
    x = vec(dt)
    return [x], 3 + (2 + x), lambda: [rand(5, dt)]


def case_mul_constants(dt):
    x = vec(dt)
    return [x], (x * 2) * 3, lambda: [rand(5, dt)]


def case_mul_constants_left(dt):
    x = vec(dt)
    return [x], (2 * x) * 3, lambda: [rand(5, dt)]


def case_add_constants_wrap(dt):
    # int8: 100 + 100 wraps; x + 200 wraps the same way as (x + 100) + 100.
    x = vec(dt)
    return [x], (x + 100) + 100, lambda: [rand(7, dt)]


def case_subtensor_subtensor(dt):
    m = mat(dt)
    return [m], m[1:][::2], lambda: [rand((7, 3), dt)]


def case_subtensor_subtensor_int(dt):
    m = mat(dt, shape=(8, 5))
    return [m], m[::-2][1, 1:], lambda: [rand((8, 5), dt)]


def case_subtensor_lift_exp(dt):
    m = mat(dt)
    return [m], T.exp(m)[1:, 0], lambda: [rand((4, 3), dt)]


def case_subtensor_lift_binary(dt):
    m, n = mat(dt, shape=(4, 3)), mat(dt, "n", shape=(4, 3))
    return [m, n], (m * n + 1)[::2], lambda: [rand((4, 3), dt), rand((4, 3), dt)]


def case_dimshuffle_lift_exp(dt):
    m = mat(dt)
    return [m], T.exp(m).T, lambda: [rand((2, 3), dt)]


def case_dimshuffle_lift_binary(dt):
    m, r = mat(dt), mat(dt, "r", shape=(1, None))
    return [m, r], (m + r).T, lambda: [rand((2, 3), dt), rand((1, 3), dt)]


CASES = {
    "add_constants": (case_add_constants, NUMERIC),
    "add_constants_left": (case_add_constants_left, NUMERIC),
    "mul_constants": (case_mul_constants, NUMERIC),
    "mul_constants_left": (case_mul_constants_left, NUMERIC),
    "add_constants_wrap": (case_add_constants_wrap, ["int8", "float64"]),
    "subtensor_subtensor": (case_subtensor_subtensor, NUMERIC),
    "subtensor_subtensor_int": (case_subtensor_subtensor_int, NUMERIC),
    "subtensor_lift_exp": (case_subtensor_lift_exp, FLOATS),
    "subtensor_lift_binary": (case_subtensor_lift_binary, NUMERIC),
    "dimshuffle_lift_exp": (case_dimshuffle_lift_exp, FLOATS),
    "dimshuffle_lift_binary": (case_dimshuffle_lift_binary, NUMERIC),
}

GOLDEN = {
    'add_constants': (
        'Elemwise{add} [id A]  <- collect_constants\n'
        ' |x [id B]\n'
        ' |5 [id C] (constant)\n'
    ),
    'add_constants_left': (
        'Elemwise{add} [id A]  <- collect_constants\n'
        ' |x [id B]\n'
        ' |5 [id C] (constant)\n'
    ),
    'add_constants_wrap': (
        'Elemwise{add} [id A]  <- collect_constants\n'
        ' |x [id B]\n'
        ' |-56 [id C] (constant)\n'
    ),
    'dimshuffle_lift_binary': (
        'Elemwise{add} [id A]  <- dimshuffle_lift_elemwise\n'
        ' |DimShuffle{1,0} [id B]  <- dimshuffle_lift_elemwise\n'
        ' | |m [id C]\n'
        ' |DimShuffle{1,0} [id D]  <- dimshuffle_lift_elemwise\n'
        ' | |r [id E]\n'
    ),
    'dimshuffle_lift_exp': (
        'Elemwise{exp} [id A]  <- dimshuffle_lift_elemwise\n'
        ' |DimShuffle{1,0} [id B]  <- dimshuffle_lift_elemwise\n'
        ' | |m [id C]\n'
    ),
    'mul_constants': (
        'Elemwise{mul} [id A]  <- collect_constants\n'
        ' |x [id B]\n'
        ' |6 [id C] (constant)\n'
    ),
    'mul_constants_left': (
        'Elemwise{mul} [id A]  <- collect_constants\n'
        ' |x [id B]\n'
        ' |6 [id C] (constant)\n'
    ),
    'subtensor_lift_binary': (
        'Elemwise{add} [id A]  <- subtensor_lift_elemwise\n'
        ' |Elemwise{mul} [id B]  <- subtensor_lift_elemwise\n'
        ' | |Subtensor{::2} [id C]  <- subtensor_lift_elemwise\n'
        ' | | |m [id D]\n'
        ' | |Subtensor{::2} [id E]  <- subtensor_lift_elemwise\n'
        ' | | |n [id F]\n'
        ' |1 [id G] (constant)\n'
    ),
    'subtensor_lift_exp': (
        'Elemwise{exp} [id A]  <- subtensor_lift_elemwise\n'
        ' |Subtensor{1:, 0} [id B]  <- subtensor_lift_elemwise\n'
        ' | |m [id C]\n'
    ),
    'subtensor_subtensor': (
        'Subtensor{1::2} [id A]  <- subtensor_subtensor\n'
        ' |m [id B]\n'
    ),
    'subtensor_subtensor_int': (
        'Subtensor{5, 1:} [id A]  <- subtensor_subtensor\n'
        ' |m [id B]\n'
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    build, dtypes = CASES[name]
    inputs, out, _ = build(dtypes[0])
    text = after(inputs, out)
    print(text)
    assert text == GOLDEN[name]


@pytest.mark.parametrize(
    "name,dt", [(n, dt) for n in sorted(CASES) for dt in CASES[n][1]]
)
def test_values(name, dt):
    build, _ = CASES[name]
    inputs, out, sample = build(dt)
    values = sample()
    assert_same_as_fast_compile(inputs, out, values)
    assert_same_as_fast_compile(inputs, out, values, FAST_MATH)


# ---- slice composition against NumPy ----


def random_slice(n):
    def bound():
        return None if RNG.random() < 0.25 else int(RNG.integers(-n - 3, n + 4))

    step = [None, 1, 2, 3, -1, -2, -3][RNG.integers(7)]
    return slice(bound(), bound(), step)


def nonneg_positive(s):
    return (s.step is None or s.step > 0) and all(b is None or b >= 0 for b in (s.start, s.stop))


def is_full(s):
    return s.start in (None, 0) and s.stop is None and s.step in (None, 1)


@pytest.mark.parametrize("static", [True, False])
def test_slice_pairs_against_numpy(static):
    n = 9
    a = np.arange(n, dtype="float64") * 1.5
    merged = 0
    for _ in range(120):
        s1, s2 = random_slice(n), random_slice(n)
        x = vec("float64", shape=(n,) if static else (None,))
        out = x[s1][s2]
        f = theon.function([x], out, mode="FAST_RUN")
        got = f(a)
        want = a[s1][s2]
        assert got.shape == want.shape, (s1, s2)
        np.testing.assert_array_equal(got, want, err_msg=str((s1, s2)))
        names = [r for r, _, _ in f.rewrites_applied]
        expected = static or is_full(s1) or is_full(s2) or (nonneg_positive(s1) and nonneg_positive(s2))
        assert ("subtensor_subtensor" in names) == expected, (s1, s2, names)
        merged += expected
    assert merged > (30 if static else 5)


def test_slice_then_int_against_numpy():
    n = 9
    a = np.arange(n * 2, dtype="int32").reshape(n, 2)
    checked = 0
    for _ in range(100):
        s1 = random_slice(n)
        length = len(range(*s1.indices(n)))
        if length == 0:
            continue
        i = int(RNG.integers(-length, length))
        x = mat("int32", shape=(n, 2))
        f = theon.function([x], x[s1][i], mode="FAST_RUN")
        np.testing.assert_array_equal(f(a), a[s1][i], err_msg=str((s1, i)))
        assert "subtensor_subtensor" in [r for r, _, _ in f.rewrites_applied]
        checked += 1
    assert checked > 50


def test_slice_then_int_out_of_range_still_raises():
    x = vec("float64")
    f = theon.function([x], x[::-1][1:][4], mode="FAST_RUN")
    np.testing.assert_array_equal(f(np.arange(7.0)), np.arange(7.0)[::-1][1:][4])
    with pytest.raises(IndexError):
        f(np.zeros(4))
    g = theon.function([x], x[:][5], mode="FAST_RUN")
    assert "subtensor_subtensor" in [r for r, _, _ in g.rewrites_applied]
    with pytest.raises(IndexError):
        g(np.zeros(3))


def test_2d_slice_pairs_unknown_shape():
    a = rand((7, 6), "float32")
    for _ in range(40):
        s1 = (random_slice(7), random_slice(6))
        s2 = (random_slice(7), random_slice(6))
        m = mat("float32")
        f = theon.function([m], m[s1][s2], mode="FAST_RUN")
        want = a[s1][s2]
        got = f(a)
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


# ---- lifting is refused where an input broadcasts along an indexed dimension ----


@pytest.mark.parametrize("r_shape", [(1, 3), (4, 3)])
def test_subtensor_lifted_over_broadcast_input_as_view(r_shape):
    # r has a static size of 1 along the sliced dimension: it is broadcast to the sum's shape
    # as a view before the slice, so the slice takes its one row for every row of m.
    m, r = mat("float64"), mat("float64", "r", shape=(1, None))
    out = (m + r)[1:]
    assert "subtensor_lift_elemwise" in applied([m, r], out)
    assert_same_as_fast_compile([m, r], out, [rand((4, 3), "float64"), rand((1, 3), "float64")])


@pytest.mark.parametrize("shapes", [((4, 3), (1, 3)), ((1, 3), (4, 3)), ((4, 3), (4, 3)),
                                    ((4, 1), (4, 3)), ((3, 3), (3, 1))])
def test_subtensor_lifted_unknown_sizes_through_views(shapes):
    # Either input may be 1 along dimension 0 at run time: both are broadcast as views.
    m, n = mat("float64"), mat("float64", "n")
    out = (m * n)[2]
    assert "subtensor_lift_elemwise" in applied([m, n], out)
    assert_same_as_fast_compile([m, n], out, [rand(shapes[0], "float64"),
                                              rand(shapes[1], "float64")])


def test_subtensor_not_lifted_with_other_client():
    m = mat("float64")
    e = T.exp(m)
    out = e[1:] .sum() + e.sum()
    assert "subtensor_lift_elemwise" not in applied([m], out)


def test_subtensor_lifted_over_scalar_input():
    m, s = mat("float32", shape=(5, 4)), T.tensor("float32", shape=(), name="s")
    out = (m * s)[1:3, ::-1]
    assert "subtensor_lift_elemwise" in applied([m, s], out)
    assert_same_as_fast_compile([m, s], out, [rand((5, 4), "float32"), rand((), "float32")])


def test_constants_not_collected_across_dtypes():
    # int8 + int64 constant -> int64 outer: folding would change the arithmetic.
    x = vec("int8")
    out = (x + np.int8(2)) + np.int64(3)
    assert "collect_constants" not in applied([x], out)
    assert_same_as_fast_compile([x], out, [rand(5, "int8")])
