"""BLAS calls by shape and the one thread policy: a product of inner dimension 1 added to its
accumulator is a rank-1 update (a loop of Theon's own when small, BLAS's ger when large), a
product with one row or column a gemv, a large product split over config.num_threads threads;
OpenBLAS runs LAPACK with config.num_threads threads and BLAS calls with one (Theon's pool
splits those), set through OpenBLAS's own API. Each branch is checked against NumPy."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _core

RNG = np.random.default_rng(20)
DTYPES = ["float32", "float64"]


def tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}


def rank1_step(dtype):
    """W - lr * dot(x.T, g): shapes unknown when compiled, so only the call sees k = 1."""
    x = T.matrix("x", dtype=dtype)
    g = T.matrix("g", dtype=dtype)
    w = T.matrix("w", dtype=dtype)
    return theon.function([w, x, g], w - np.asarray(0.25, dtype) * T.dot(x.T, g))


# (m, n): 784 x 10 is the batch-1 logistic regression update (inline loop); 300 x 300 passes the
# inline loop's size limit (BLAS ger).
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n", [(784, 10), (10, 784), (1, 1), (300, 300)])
def test_rank1_update_matches_numpy(dtype, m, n):
    f = rank1_step(dtype)
    w = RNG.standard_normal((m, n)).astype(dtype)
    x = RNG.standard_normal((1, m)).astype(dtype)
    g = RNG.standard_normal((1, n)).astype(dtype)
    np.testing.assert_allclose(f(w, x, g), w - np.asarray(0.25, dtype) * (x.T @ g), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_rank1_update_of_every_narrow_width_is_the_scalar_update(dtype):
    # Rows of 1 to 16 elements are updated in vectors of 32, 16, 8 and 4 bytes: element for
    # element (alpha * x_i) * g_j added to w (a fused multiply-add where the machine has one, as
    # in BLAS); 17: the loop for any width.
    f = rank1_step(dtype)
    alpha = np.asarray(-0.25, dtype)
    for n in range(1, 18):
        w = RNG.standard_normal((37, n)).astype(dtype)
        x = RNG.standard_normal((1, 37)).astype(dtype)
        g = RNG.standard_normal((1, n)).astype(dtype)
        np.testing.assert_allclose(f(w, x, g), w + (alpha * x[0])[:, None] * g[0], err_msg=n,
                                   **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n", [(7, 5), (400, 300)])
def test_rank1_update_strided_operands_and_specials(dtype, m, n):
    f = rank1_step(dtype)
    w_big = RNG.standard_normal((m, 2 * n)).astype(dtype)
    w = w_big[:, ::2]  # rows with a leading dimension of 2n, elements 2 apart: copied or strided
    x = RNG.standard_normal((1, 3 * m)).astype(dtype)[:, ::3]
    g = RNG.standard_normal((1, 2 * n)).astype(dtype)[:, ::2]
    w[0, 0], x[0, 1], g[0, 2] = np.nan, np.inf, -0.0
    with np.errstate(invalid="ignore"):
        expected = w - np.asarray(0.25, dtype) * (x.T @ g)
    np.testing.assert_allclose(f(w, x, g), expected, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_ger_op_small_and_large(dtype):
    a = T.matrix("a", dtype=dtype)
    x = T.vector("x", dtype=dtype)
    y = T.vector("y", dtype=dtype)
    f = theon.function([a, x, y], a + np.asarray(0.5, dtype) * T.outer(x, y))
    assert "Ger" in f.debugprint(print_type=False)
    for m, n in ((3, 2), (16, 4096), (512, 256)):
        av = RNG.standard_normal((m, n)).astype(dtype)
        xv = RNG.standard_normal(2 * m).astype(dtype)[::2]
        yv = RNG.standard_normal(n).astype(dtype)
        np.testing.assert_allclose(f(av, xv, yv), av + np.asarray(0.5, dtype) * np.outer(xv, yv),
                                   **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_single_row_or_column_products(dtype, ta, tb):
    """Gemm with m = 1 or n = 1 (a gemv at run time), both transposes, beta 0 and 1; a tall
    operand of at most 16 columns (784 x 10, 200 x 16, 40 x 1) is summed by Theon's loop."""
    a, b, c = (T.matrix(n, dtype=dtype) for n in "abc")
    opa = a.T if ta else a
    opb = b.T if tb else b
    f = theon.function([a, b, c], [c + T.dot(opa, opb), T.dot(opa, opb)])
    for m, k, n in ((1, 33, 17), (17, 33, 1), (1, 5, 1), (1, 784, 10), (16, 200, 1), (1, 40, 1)):
        av = RNG.standard_normal((k, m) if ta else (m, k)).astype(dtype)
        bv = RNG.standard_normal((n, k) if tb else (k, n)).astype(dtype)
        cv = RNG.standard_normal((m, n)).astype(dtype)
        product = (av.T if ta else av) @ (bv.T if tb else bv)
        got_update, got_product = f(av, bv, cv)
        np.testing.assert_allclose(got_update, cv + product, **tol(dtype))
        np.testing.assert_allclose(got_product, product, **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dot_of_a_row_and_a_narrow_matrix(dtype):
    """dot(x, W) at batch 1 (W tall, at most 16 columns: Theon's loop) and a NaN in x."""
    x = T.matrix("x", dtype=dtype)
    w = T.matrix("w", dtype=dtype)
    f = theon.function([x, w], T.dot(x, w))
    for k, n in ((784, 10), (64, 16), (64, 1), (3, 2)):
        xv = RNG.standard_normal((1, k)).astype(dtype)
        wv = RNG.standard_normal((2 * k, n)).astype(dtype)[::2]  # rows 2n apart
        np.testing.assert_allclose(f(xv, wv), xv @ wv, **tol(dtype))
        xv[0, k // 2] = np.nan
        got = f(xv, wv)
        assert np.isnan(got).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
@pytest.mark.parametrize("m,k,n", [(1001, 150, 70), (70, 150, 1001)])
def test_large_product_split_over_threads(dtype, ta, tb, m, k, n):
    """Split by rows (m > n) or columns (n > m) over two threads, as one thread computes it."""
    a, b, c = (T.matrix(name, dtype=dtype) for name in "abc")
    opa = a.T if ta else a
    opb = b.T if tb else b
    av = RNG.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    bv = RNG.standard_normal((n, k) if tb else (k, n)).astype(dtype)
    cv = RNG.standard_normal((m, n)).astype(dtype)
    results = {}
    for threads in (1, 2):
        with theon.config.change_flags(num_threads=threads):
            f = theon.function([a, b, c], c + T.dot(opa, opb))
            results[threads] = f(av, bv, cv)
    expected = cv + (av.T if ta else av) @ (bv.T if tb else bv)
    np.testing.assert_allclose(results[2], expected, **tol(dtype))
    np.testing.assert_allclose(results[2], results[1], **tol(dtype))


@pytest.mark.skipif(_core.blas_threads() == 0, reason="the linked BLAS is not OpenBLAS")
def test_openblas_threads_follow_config():
    a = T.matrix("a")
    b = T.matrix("b")
    solve = theon.function([a, b], T.linalg.solve(a, b))
    dot = theon.function([a, b], T.dot(a, b))
    m = RNG.standard_normal((40, 40)) + 40 * np.eye(40)
    for threads in (2, 1, 2):
        with theon.config.change_flags(num_threads=threads):
            np.testing.assert_allclose(m @ solve(m, m), m, atol=1e-9)
            assert _core.blas_threads() == threads  # LAPACK: config.num_threads
            np.testing.assert_allclose(dot(m, m), m @ m, rtol=1e-12)
            assert _core.blas_threads() == 1  # BLAS: one, Theon's pool splits large products
