"""Linear algebra beyond the op table: errors (non-square, wrong ndim, singular, not positive
definite) naming the op and the user's line, LinAlgError as NumPy raises it, NaN where NumPy
gives NaN, Theano's module paths, and the gradients the table's generic rows do not reach
(batched systems broadcasting against one matrix, the triangle that symmetric ops read)."""

import numpy as np
import pytest
import scipy.linalg as sl

import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor import linalg, nlinalg, slinalg


def spd(rng, n):
    x = rng.normal(size=(n, n))
    return x @ x.T / n + np.eye(n)


def test_singular_solve_and_inverse_raise_linalgerror_naming_the_op_and_line():
    A, b = T.matrix("A"), T.vector("b")
    f = theon.function([A, b], slinalg.solve(A, b))
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    raises_matching(np.linalg.LinAlgError, lambda: f(singular, np.ones(2)), r"Solve",
                    r"singular", r"test_linalg\.py")
    g = theon.function([A], nlinalg.matrix_inverse(A))
    raises_matching(np.linalg.LinAlgError, lambda: g(singular), r"MatrixInverse", r"singular")
    # LinAlgError is a ValueError, as NumPy's.
    with pytest.raises(ValueError):
        g(singular)


def test_cholesky_of_a_matrix_that_is_not_positive_definite():
    A = T.matrix("A")
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    f = theon.function([A], slinalg.cholesky(A))
    raises_matching(np.linalg.LinAlgError, lambda: f(bad), r"Cholesky",
                    r"not positive definite", r"test_linalg\.py")
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(bad)
    g = theon.function([A], slinalg.cholesky(A, on_error="nan"))
    assert np.isnan(g(bad)).all()
    # The failing matrix of a stack is named.
    S = T.tensor3("S")
    h = theon.function([S], slinalg.cholesky(S))
    raises_matching(np.linalg.LinAlgError, lambda: h(np.stack([np.eye(2), bad])),
                    r"matrix 1 of the stack")


def test_static_shape_errors_at_build_time():
    raises_matching(ValueError, lambda: slinalg.cholesky(T.tensor("float64", shape=(3, 4))),
                    r"Cholesky", r"square")
    raises_matching(ValueError, lambda: nlinalg.det(T.vector("v")), r"Det",
                    r"at least 2 dimensions")
    raises_matching(ValueError, lambda: slinalg.solve(T.tensor("float64", shape=(3, 3)),
                                                      T.tensor("float64", shape=(4,))),
                    r"Solve", r"needs 3 rows")
    raises_matching(ValueError, lambda: nlinalg.qr(T.matrix("A"), mode="bogus"), r"mode")
    raises_matching(ValueError, lambda: slinalg.solve(T.matrix("A"), T.vector("b"),
                                                      assume_a="banded"), r"assume_a")


def test_run_time_shape_errors_name_the_op():
    A, b = T.matrix("A"), T.vector("b")
    f = theon.function([A], nlinalg.det(A))
    raises_matching(ValueError, lambda: f(np.ones((2, 3))), r"Det", r"square", r"\(2, 3\)")
    g = theon.function([A, b], slinalg.solve(A, b))
    raises_matching(ValueError, lambda: g(np.eye(3), np.ones(4)), r"Solve", r"needs 3 rows")


def test_eig_of_a_complex_spectrum_or_non_finite_matrix_raises():
    A = T.matrix("A")
    f = theon.function([A], list(nlinalg.eig(A)))
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues +-i
    raises_matching(np.linalg.LinAlgError, lambda: f(rotation), r"Eig", r"complex eigenvalues",
                    r"test_linalg\.py")
    raises_matching(np.linalg.LinAlgError, lambda: f(np.array([[1.0, np.nan], [0.0, 1.0]])),
                    r"Eig", r"inf or NaN")
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.eig(np.array([[1.0, np.nan], [0.0, 1.0]]))
    g = theon.function([A], nlinalg.eigvals(A))
    raises_matching(np.linalg.LinAlgError, lambda: g(rotation), r"Eig", r"complex")


def test_eig_vectors_are_unit_columns_of_a_v_equal_v_w():
    rng = np.random.default_rng(3)
    s = rng.normal(size=(5, 5)) + 5 * np.eye(5)
    a = (s * np.arange(1.0, 6.0)) @ np.linalg.inv(s)
    A = T.matrix("A")
    w, v = theon.function([A], list(nlinalg.eig(A)))(a)
    np.testing.assert_allclose(np.sort(w), np.arange(1.0, 6.0), rtol=1e-9)
    np.testing.assert_allclose(a @ v, v * w, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(v, axis=0), np.ones(5), rtol=1e-12)


@pytest.mark.parametrize("lower", [False, True])
def test_solveh_banded_matches_scipy_and_differentiates(lower):
    rng = np.random.default_rng(5)
    n, u = 6, 2
    ab = rng.uniform(-1, 1, size=(u + 1, n))
    ab[0 if lower else u] += 5.0  # the diagonal: positive definite
    b = rng.normal(size=(n, 2))
    AB = T.tensor("float64", shape=(u + 1, None), name="AB")
    B = T.matrix("B")
    f = theon.function([AB, B], slinalg.solveh_banded(AB, B, lower=lower))
    np.testing.assert_allclose(f(ab, b), sl.solveh_banded(ab, b, lower=lower), rtol=1e-12)
    verify_grad(lambda a, y: slinalg.solveh_banded(T.specify_shape(a, ab.shape), y, lower=lower),
                [ab, b],
                rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="solveh_banded: the number of rows"):
        slinalg.solveh_banded(T.matrix("M"), B)


def test_singular_band_matrix_raises_naming_the_op():
    AB, b = T.matrix("AB"), T.vector("b")
    f = theon.function([AB, b], slinalg.solve_banded((1, 0), AB, b))
    raises_matching(np.linalg.LinAlgError, lambda: f(np.array([[1.0, 0.0], [1.0, 0.0]]),
                                                     np.ones(2)),
                    r"SolveBanded", r"singular", r"test_linalg\.py")
    raises_matching(ValueError, lambda: f(np.ones((3, 2)), np.ones(2)), r"SolveBanded",
                    r"lower \+ upper \+ 1 = 2 rows")


def test_nan_input_gives_nan_as_numpy():
    A = T.matrix("A")
    a = np.array([[1.0, np.nan], [0.5, 2.0]])
    with np.errstate(invalid="ignore"):
        want = np.isnan(np.linalg.det(a))
    np.testing.assert_array_equal(np.isnan(theon.function([A], nlinalg.det(A))(a)), want)
    np.testing.assert_array_equal(np.isnan(theon.function([A], slinalg.expm(A))(a)),
                                  np.ones((2, 2), bool))


def test_singular_det_and_slogdet_are_zero_and_minus_inf():
    A = T.matrix("A")
    f = theon.function([A], [nlinalg.det(A), *nlinalg.slogdet(A)])
    d, sign, logabs = f(np.array([[1.0, 2.0], [2.0, 4.0]]))
    assert d == 0 and sign == 0 and logabs == -np.inf


def test_batched_solve_broadcasts_and_its_gradient_sums_over_the_batch():
    rng = np.random.default_rng(3)
    a = spd(rng, 3)
    b = rng.normal(size=(4, 3, 2))
    A, B = T.matrix("A"), T.tensor3("B")
    f = theon.function([A, B], slinalg.solve(A, B))
    np.testing.assert_allclose(f(a, b), np.linalg.solve(a, b), rtol=1e-12)
    verify_grad(lambda x, y: slinalg.solve(x, y), [a, b], rng=rng)


def test_pos_solve_gradient_lies_in_the_triangle_it_reads():
    rng = np.random.default_rng(4)
    a, b = spd(rng, 4), rng.normal(size=4)
    A, bv = T.matrix("A"), T.vector("b")
    g = theon.function([A, bv], theon.grad(T.sum(slinalg.solve(A, bv, assume_a="pos",
                                                               lower=True)), A))(a, b)
    assert np.all(np.triu(g, 1) == 0)
    # On a symmetric matrix, the lower triangle's gradient is that of the symmetric function.
    x = np.linalg.solve(a, b)
    full = -np.outer(np.linalg.solve(a, np.ones(4)), x)
    np.testing.assert_allclose(g, np.tril(full + full.T) - np.diag(np.diag(full)), rtol=1e-10)


def test_scipy_and_numpy_names():
    rng = np.random.default_rng(5)
    a = spd(rng, 4)
    b = rng.normal(size=(4, 2))
    A, B = T.matrix("A"), T.matrix("B")
    c = slinalg.cho_factor(A, lower=True)
    outs = [linalg.cholesky(A), slinalg.cho_solve(c, B), linalg.solve(A, B), linalg.inv(A),
            slinalg.solve_triangular(A, B, trans="T", lower=True),
            linalg.norm(A, "nuc"), nlinalg.trace(A), linalg.eigvalsh(A)]
    got = theon.function([A, B], outs)(a, b)
    want = [np.linalg.cholesky(a), sl.cho_solve(sl.cho_factor(a, lower=True), b),
            np.linalg.solve(a, b), np.linalg.inv(a),
            sl.solve_triangular(a, b, trans="T", lower=True), np.linalg.norm(a, "nuc"),
            np.trace(a), np.linalg.eigvalsh(a)]
    for g_, w in zip(got, want):
        np.testing.assert_allclose(g_, w, rtol=1e-10, atol=1e-12)


def test_lstsq_matches_numpy():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(6, 3)), rng.normal(size=6)
    A, bv = T.matrix("A"), T.vector("b")
    got = theon.function([A, bv], list(nlinalg.lstsq(A, bv)))(a, b)
    want = np.linalg.lstsq(a, b, rcond=None)
    for g_, w in zip(got, want):
        np.testing.assert_allclose(g_, w, rtol=1e-10)


def test_theano_module_paths():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor as TT
    from theano.tensor import nlinalg as tn
    from theano.tensor import slinalg as ts

    rng = np.random.default_rng(7)
    a = spd(rng, 3)
    A = TT.matrix("A")
    outs = [ts.cholesky(A), ts.Cholesky(lower=False)(A), tn.matrix_inverse(A), tn.det(A),
            ts.solve_lower_triangular(A, A), ts.Solve(A_structure="symmetric")(A, A),
            tn.trace(A), ts.expm(A), ts.kron(A, A)]
    got = theon.function([A], outs)(a)
    want = [np.linalg.cholesky(a), np.linalg.cholesky(a).T, np.linalg.inv(a),
            np.linalg.det(a), sl.solve_triangular(a, a, lower=True), np.linalg.solve(a, a),
            np.trace(a), sl.expm(a), np.kron(a, a)]
    for g_, w in zip(got, want):
        np.testing.assert_allclose(g_, w, rtol=1e-10, atol=1e-12)
    u, s, vh = tn.svd(A)
    np.testing.assert_allclose(theon.function([A], s)(a), np.linalg.svd(a)[1], rtol=1e-12)
