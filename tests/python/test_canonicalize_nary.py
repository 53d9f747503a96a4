"""N-ary add/mul canonicalization (nary_add, nary_mul in src/rewrite/canonicalize_nary.cpp):
chains of add/sub/neg and of mul/true_divide/reciprocal/neg are flattened, like terms cancel
or combine, constants fold, and the rest is rebuilt as a balanced tree of the original type.
Goldens of the graph after, values equal to FAST_COMPILE, and random chains. On floats these
run only under fast_math (a cancelled x may be NaN or inf), on integers always."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from fast_compile_check import FAST_MATH, assert_same_as_fast_compile
from theon.printing import debugprint

RNG = np.random.default_rng(11)
GOLDEN_MODE = FAST_MATH.excluding("inplace")


def vecs(names, dtype="float64"):
    return [T.tensor(dtype, shape=(None,), name=n) for n in names]


def text(inputs, out):
    f = theon.function(inputs, out, mode=GOLDEN_MODE)
    return debugprint(f, file="str", print_type=False, print_rewrites=True)


def cases():
    x, y, z, w, v = vecs("xyzwv")
    m = T.matrix("m")
    return {
        # y may have one element where x has three: the cancelled x keeps the output's shape.
        "cancel_add": ([x, y], x + y - x,
                       "Fill [id A]  <- nary_add\n |x [id B]\n |y [id C]\n"),
        "neg_chain": ([x, y], -(x - y) + x,
                      "Fill [id A]  <- nary_add\n |x [id B]\n |y [id C]\n"),
        "repeat": ([x], x + x + x,
                   "Elemwise{mul} [id A]  <- nary_add\n |x [id B]\n |3 [id C] (constant)\n"),
        "constants": ([x, y], (x + 1) + (y + 2) - 4,
                      "Elemwise{add} [id A]  <- nary_add\n"
                      " |Elemwise{add} [id B]  <- nary_add\n"
                      " | |x [id C]\n"
                      " | |y [id D]\n"
                      " |-1 [id E] (constant)\n"),
        "balanced": ([x, y, z, w, v], x + y + z + w + v,
                     "Elemwise{add} [id A]  <- nary_add\n"
                     " |Elemwise{add} [id B]  <- nary_add\n"
                     " | |Elemwise{add} [id C]  <- nary_add\n"
                     " | | |x [id D]\n"
                     " | | |y [id E]\n"
                     " | |Elemwise{add} [id F]  <- nary_add\n"
                     " | | |z [id G]\n"
                     " | | |w [id H]\n"
                     " |v [id I]\n"),
        "broadcast_cancel": ([x, m], m + x - m,
                             "Fill [id A]  <- nary_add\n |m [id B]\n |x [id C]\n"),
        "div_chain": ([x, y, z], (x / y) / (z / y) * 2 / 4,
                      "Fill [id A]  <- nary_mul\n"
                      " |y [id B]\n"
                      " |Elemwise{true_divide} [id C]  <- nary_mul\n"
                      " | |Elemwise{mul} [id D]  <- nary_mul\n"
                      " | | |x [id E]\n"
                      " | | |2 [id F] (constant)\n"
                      " | |Elemwise{mul} [id G]  <- nary_mul\n"
                      " | | |z [id H]\n"
                      " | | |4 [id I] (constant)\n"),
    }


@pytest.mark.parametrize("name", sorted(cases()))
def test_golden(name):
    ins, out, want = cases()[name]
    got = text(ins, out)
    assert got == want, got


@pytest.mark.parametrize("name", sorted(cases()))
def test_same_as_fast_compile(name):
    ins, out, _ = cases()[name]
    values = []
    for i in ins:
        shape = tuple(3 if d is None else d for d in i.static_shape)
        # Sizes of 1 where allowed exercise the broadcast a cancelled term carried.
        if i.ndim == 1 and i.name == "y":
            shape = (1,)
        if i.ndim == 2:
            shape = (2, 3)
        values.append(RNG.uniform(0.5, 2.0, shape))
    assert_same_as_fast_compile(ins, out, values, FAST_MATH)


def test_integer_chain_wraps_as_the_kernel():
    x, y = vecs("xy", "int8")
    out = (x + 100) + (y + 100) - x
    f = theon.function([x, y], out, mode=GOLDEN_MODE)
    xv = np.array([1, 2, 3], "int8")
    yv = np.array([100, -100, 5], "int8")
    np.testing.assert_array_equal(f(xv, yv), theon.function([x, y], out, mode="FAST_COMPILE")(
        xv, yv))
    assert f(xv, yv).dtype == "int8"


def test_shared_inner_term_is_not_duplicated():
    x, y = vecs("xy")
    s = x + y
    # x + y has a second client: it stays one node, so nothing cancels through it.
    got = text([x, y], [s - x, s * 2])
    assert got == ("Elemwise{sub} [id A]\n |Elemwise{add} [id B]\n | |x [id C]\n | |y [id D]\n"
                   " |x [id C]\nElemwise{mul} [id E]\n |Elemwise{add} [id B]\n"
                   " |2 [id F] (constant)\n"), got


def _random_chain(rng, leaves, depth):
    if depth == 0 or rng.random() < 0.2:
        return leaves[rng.integers(len(leaves))]
    a = _random_chain(rng, leaves, depth - 1)
    b = _random_chain(rng, leaves, depth - 1)
    op = rng.integers(6)
    return [a + b, a - b, -a, a * b, a / b, a * 2.5][op]


@pytest.mark.parametrize("seed", range(12))
def test_random_chains_equal_fast_compile(seed):
    rng = np.random.default_rng(seed)
    x, y = vecs("xy")
    m = T.matrix("m")
    out = _random_chain(rng, [x, y, m, x * 0 + 3], 5)
    values = [rng.uniform(0.5, 2.0, 3), rng.uniform(0.5, 2.0, 1), rng.uniform(0.5, 2.0, (2, 3))]
    f = theon.function([x, y, m], out, mode=FAST_MATH, on_unused_input="ignore")
    g = theon.function([x, y, m], out, mode="FAST_COMPILE", on_unused_input="ignore")
    got, want = f(*values), g(*values)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
