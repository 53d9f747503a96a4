"""BLAS rewrites: sums containing a matrix product become Gemm / Gemv / Ger (golden graph text
after FAST_RUN), transposes become trans flags, the inplace variants appear only where the
accumulator is dead, and every rewritten function agrees with FAST_COMPILE on random float32 /
float64 inputs, including transposed and sliced operands."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.printing import debugprint

DTYPES = ["float32", "float64"]
TOL = {"float32": 2e-4, "float64": 1e-10}


def text_of(f):
    return debugprint(f, file="str", print_type=False)


def rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def check_same(ins, out, args, dtype):
    """FAST_RUN equals FAST_COMPILE; returns the FAST_RUN function."""
    f = theon.function(ins, out, mode="FAST_RUN")
    g = theon.function(ins, out, mode="FAST_COMPILE")
    np.testing.assert_allclose(f(*args), g(*args), rtol=TOL[dtype], atol=TOL[dtype])
    return f


def gemm_text(z, alpha, beta, flags="", x="X", y="Y"):
    return (f"Gemm{flags} [id A]\n |{z}\n |{alpha}\n |{x}\n |{y}\n |{beta}\n")


@pytest.mark.parametrize("dtype", DTYPES)
def test_dot_plus_matrix_becomes_gemm(dtype):
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    rng = np.random.default_rng(0)
    args = [rand(rng, (3, 4), dtype), rand(rng, (4, 5), dtype), rand(rng, (3, 5), dtype)]
    f = check_same([X, Y, Z], T.dot(X, Y) + Z, args, dtype)
    assert text_of(f) == gemm_text("Z [id B]", "1 [id C] (constant)", "1 [id C] (constant)",
                                   x="X [id D]", y="Y [id E]")


@pytest.mark.parametrize("dtype", DTYPES)
def test_scaled_terms_become_alpha_and_beta(dtype):
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    rng = np.random.default_rng(1)
    args = [rand(rng, (3, 4), dtype), rand(rng, (4, 5), dtype), rand(rng, (3, 5), dtype)]
    f = check_same([X, Y, Z], 2 * T.dot(X, Y) + 0.5 * Z, args, dtype)
    assert text_of(f) == gemm_text("Z [id B]", "2 [id C] (constant)", "0.5 [id F] (constant)",
                                   x="X [id D]", y="Y [id E]")
    g = check_same([X, Y, Z], Z - T.dot(X, Y), args, dtype)
    assert text_of(g) == gemm_text("Z [id B]", "-1 [id C] (constant)", "1 [id F] (constant)",
                                   x="X [id D]", y="Y [id E]")


@pytest.mark.parametrize("dtype", DTYPES)
def test_symbolic_alpha(dtype):
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    a = T.scalar("a", dtype=dtype)
    rng = np.random.default_rng(2)
    args = [rand(rng, (3, 4), dtype), rand(rng, (4, 5), dtype), rand(rng, (3, 5), dtype),
            np.asarray(0.3, dtype=dtype)]
    f = check_same([X, Y, Z, a], Z + a * T.dot(X, Y), args, dtype)
    assert text_of(f) == gemm_text("Z [id B]", "a [id C]", "1 [id F] (constant)",
                                   x="X [id D]", y="Y [id E]")


@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_vector_is_a_broadcast_accumulator(dtype):
    X, W = T.matrices("X", "W", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    rng = np.random.default_rng(3)
    args = [rand(rng, (6, 4), dtype), rand(rng, (4, 5), dtype), rand(rng, (5,), dtype)]
    f = check_same([X, W, b], T.dot(X, W) + b, args, dtype)
    assert text_of(f) == ("Gemm [id A]\n"
                          " |DimShuffle{x,0} [id B]\n"
                          " | |b [id C]\n"
                          " |1 [id D] (constant)\n"
                          " |X [id E]\n"
                          " |W [id F]\n"
                          " |1 [id D] (constant)\n")


@pytest.mark.parametrize("dtype", DTYPES)
def test_transposes_become_flags(dtype):
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    rng = np.random.default_rng(4)
    args = [rand(rng, (4, 3), dtype), rand(rng, (5, 4), dtype), rand(rng, (3, 5), dtype)]
    f = check_same([X, Y, Z], T.dot(X.T, Y.T) + Z, args, dtype)
    assert text_of(f) == gemm_text("Z [id B]", "1 [id C] (constant)", "1 [id C] (constant)",
                                   flags="{trans_x,trans_y}", x="X [id D]", y="Y [id E]")


@pytest.mark.parametrize("dtype", DTYPES)
def test_sliced_and_transposed_arguments(dtype):
    """Non-contiguous NumPy arguments (transposed, strided slices) give the same values."""
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    rng = np.random.default_rng(5)
    x = rand(rng, (8, 6), dtype)[::2, 1:5]       # (4, 4), strided rows
    y = rand(rng, (5, 4), dtype).T                # (4, 5), Fortran order
    z = rand(rng, (4, 10), dtype)[:, ::2]         # (4, 5), inner stride 2
    check_same([X, Y, Z], 1.5 * T.dot(X, Y) - Z, [x, y, z], dtype)
    check_same([X, Y, Z], T.dot(X[:, ::2].T, Y) + Z[:2], [x, y, z], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_vector_products_become_gemv(dtype):
    A = T.matrix("A", dtype=dtype)
    x, y = T.vectors("x", "y", dtype=dtype)
    rng = np.random.default_rng(6)
    a, xv, yv = rand(rng, (3, 4), dtype), rand(rng, (4,), dtype), rand(rng, (3,), dtype)
    f = check_same([A, x, y], y + 3 * T.dot(A, x), [a, xv, yv], dtype)
    assert text_of(f) == ("Gemv [id A]\n |y [id B]\n |3 [id C] (constant)\n |A [id D]\n"
                          " |x [id E]\n |1 [id F] (constant)\n")
    # dot(vector, matrix) = A.T @ v: the trans flag.
    g = check_same([A, x, y], T.dot(y, A) - x, [a, xv, yv], dtype)
    assert text_of(g) == ("Gemv{trans_a} [id A]\n |x [id B]\n |1 [id C] (constant)\n"
                          " |A [id D]\n |y [id E]\n |-1 [id F] (constant)\n")
    # A transposed matrix flips the flag back.
    h = check_same([A, x, y], T.dot(A.T, y) + x, [a, xv, yv], dtype)
    assert text_of(h).splitlines()[0] == "Gemv{trans_a} [id A]"
    assert "DimShuffle" not in text_of(h)


@pytest.mark.parametrize("dtype", DTYPES)
def test_outer_products_become_ger(dtype):
    A = T.matrix("A", dtype=dtype)
    x, y = T.vectors("x", "y", dtype=dtype)
    rng = np.random.default_rng(7)
    args = [rand(rng, (3, 4), dtype), rand(rng, (3,), dtype), rand(rng, (4,), dtype)]
    f = check_same([A, x, y], A + 0.5 * T.outer(x, y), args, dtype)
    assert text_of(f) == ("Ger [id A]\n |A [id B]\n |0.5 [id C] (constant)\n |x [id D]\n"
                          " |y [id E]\n")
    # dot(column, row) is an outer product too.
    g = check_same([A, x, y], T.dot(x.dimshuffle(0, "x"), y.dimshuffle("x", 0)) + A, args, dtype)
    assert text_of(g).splitlines()[0] == "Ger [id A]"
    assert "Dot" not in text_of(g)


def test_lone_products_and_other_dtypes_are_left_alone():
    X, Y = T.matrices("X", "Y")
    assert "Dot" in text_of(theon.function([X, Y], T.dot(X, Y)))
    Xi, Yi, Zi = T.matrices("Xi", "Yi", "Zi", dtype="int64")
    f = theon.function([Xi, Yi, Zi], T.dot(Xi, Yi) + Zi)
    assert "Gemm" not in text_of(f)
    a = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(f(a, a.T, np.ones((2, 2), dtype="int64")), a @ a.T + 1)


def test_product_read_elsewhere_is_not_recomputed():
    X, Y, Z = T.matrices("X", "Y", "Z")
    d = T.dot(X, Y)
    f = theon.function([X, Y, Z], [d + Z, d])
    assert "Gemm" not in text_of(f)


def test_chained_products_accumulate_into_one_buffer():
    X, Y, U, V, Z = T.matrices("X", "Y", "U", "V", "Z")
    rng = np.random.default_rng(8)
    args = [rand(rng, (3, 3), "float64") for _ in range(5)]
    f = check_same([X, Y, U, V, Z], T.dot(X, Y) + T.dot(U, V) + Z, args, "float64")
    text = text_of(f)
    assert text.count("Gemm") == 2 and "Dot" not in text
    assert "Gemm{inplace}" in text  # the outer one writes into the inner one's result


def test_every_product_of_a_long_sum_becomes_an_update():
    # More products than the rewriter makes passes over the graph: all are folded at once.
    n = 80
    vs = T.vectors(*[f"v{i}" for i in range(n)])
    A = T.matrix("A")
    total = A
    for v in vs:
        total = total + T.outer(v, v)
    rng = np.random.default_rng(10)
    args = [rand(rng, (3,), "float64") for _ in range(n)] + [rand(rng, (3, 3), "float64")]
    text = text_of(check_same(list(vs) + [A], total, args, "float64"))
    assert text.count("Ger") == n and "Outer" not in text


@pytest.mark.parametrize("dtype", DTYPES)
def test_inplace_only_on_dead_intermediates(dtype):
    X, Y, Z = T.matrices("X", "Y", "Z", dtype=dtype)
    rng = np.random.default_rng(9)
    args = [rand(rng, (3, 4), dtype), rand(rng, (4, 5), dtype), rand(rng, (3, 5), dtype)]
    saved = [a.copy() for a in args]
    # Z is an input: never destroyed.
    f = check_same([X, Y, Z], T.dot(X, Y) + Z, args, dtype)
    assert "inplace" not in text_of(f)
    # exp(Z) is dead after the gemm: written in place.
    g = check_same([X, Y, Z], T.dot(X, Y) + T.exp(Z), args, dtype)
    assert text_of(g).splitlines()[0] == "Gemm{inplace} [id A]"
    # exp(Z) also an output: not destroyed.
    h = theon.function([X, Y, Z], [T.dot(X, Y) + T.exp(Z), T.exp(Z)])
    assert "inplace" not in text_of(h).split("Elemwise{exp}")[0]
    for fn in (f, g):
        first = fn(*args)
        second = fn(*args)
        np.testing.assert_array_equal(first, second)
        for a, s in zip(args, saved):
            np.testing.assert_array_equal(a, s)


def test_inplace_never_clobbers_a_shared_variable():
    rng = np.random.default_rng(10)
    w0 = rand(rng, (3, 5), "float64")
    W = theon.shared(w0.copy(), name="W")
    X, Y = T.matrices("X", "Y")
    x, y = rand(rng, (3, 4), "float64"), rand(rng, (4, 5), "float64")
    f = theon.function([X, Y], W + T.dot(X, Y))
    assert "Gemm" in text_of(f) and "inplace" not in text_of(f)
    for _ in range(2):
        np.testing.assert_allclose(f(x, y), w0 + x @ y)
    np.testing.assert_array_equal(W.get_value(), w0)
    # An update W <- W - lr * dot(X, Y) is a gemm too, and the update is still correct.
    lr = theon.shared(np.float64(0.1), name="lr")
    g = theon.function([X, Y], [], updates=[(W, W - lr * T.dot(X, Y))])
    assert "Gemm" in text_of(g)
    g(x, y)
    g(x, y)
    np.testing.assert_allclose(W.get_value(), w0 - 0.2 * (x @ y))


def test_gradient_graph_uses_blas_updates():
    """The gradient of a dense layer: gemm where products meet sums, same values."""
    X, W = T.matrices("X", "W")
    b = T.vector("b")
    cost = T.sum(T.tanh(T.dot(X, W) + b) ** 2)
    gW, gb = theon.grad(cost, [W, b])
    rng = np.random.default_rng(11)
    args = [rand(rng, (6, 4), "float64"), rand(rng, (4, 3), "float64"), rand(rng, (3,), "float64")]
    f = check_same([X, W, b], [cost, gW, gb][0], args, "float64")
    assert "Gemm" in text_of(f)
    for out in (gW, gb):
        check_same([X, W, b], out, args, "float64")
