"""Linear-algebra rewrites (src/rewrite/linalg.cpp): golden graph text after FAST_RUN, and the
rewritten function against FAST_COMPILE (and NumPy) on random well-conditioned inputs, including
the values where the naive form gives -inf or NaN."""

import numpy as np

import theon
import theon.tensor as T
from theon.printing import debugprint
from theon.tensor import nlinalg, slinalg


def text_of(f):
    return debugprint(f, file="str", print_type=False)


def spd(rng, n):
    x = rng.normal(size=(n, n))
    return x @ x.T / n + np.eye(n)


def compiled(ins, outs, args):
    f = theon.function(ins, outs, mode="FAST_RUN")
    g = theon.function(ins, outs, mode="FAST_COMPILE")
    for a, b in zip(f(*args), g(*args)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    return f


def test_product_with_an_inverse_becomes_a_solve():
    rng = np.random.default_rng(0)
    A, b, B = T.matrix("A"), T.vector("b"), T.matrix("B")
    a = spd(rng, 4)
    f = compiled([A, b], [T.dot(nlinalg.matrix_inverse(A), b)], [a, rng.normal(size=4)])
    assert text_of(f) == "Solve{assume_a=gen,lower=False} [id A]\n |A [id B]\n |b [id C]\n"
    g = compiled([A, B], [T.matmul(nlinalg.matrix_inverse(A), B)], [a, rng.normal(size=(4, 2))])
    assert text_of(g) == "Solve{assume_a=gen,lower=False} [id A]\n |A [id B]\n |B [id C]\n"
    assert g.rewrites_applied[0][0] == "inverse_product_to_solve"


def test_log_det_goes_through_slogdet_with_the_naive_infinities():
    A = T.matrix("A")
    f = theon.function([A], T.log(nlinalg.det(A)))
    assert "SlogDet" in text_of(f) and "Det " not in text_of(f)
    rng = np.random.default_rng(1)
    a = spd(rng, 3)
    np.testing.assert_allclose(f(a), np.log(np.linalg.det(a)), rtol=1e-12)
    assert f(np.array([[1.0, 2.0], [2.0, 4.0]])) == -np.inf  # det 0
    assert np.isnan(f(np.array([[0.0, 1.0], [1.0, 0.0]])))  # det -1


def test_det_of_a_cholesky_factor_is_the_product_of_its_diagonal():
    rng = np.random.default_rng(2)
    A = T.matrix("A")
    a = spd(rng, 5)
    L = slinalg.cholesky(A)
    for out, want in [(nlinalg.det(L), np.sqrt(np.linalg.det(a))),
                      (nlinalg.det(T.dot(L, L.T)), np.linalg.det(a))]:
        f = compiled([A], [out], [a])
        assert "Det" not in text_of(f) and "Cholesky" in text_of(f)
        np.testing.assert_allclose(f(a), want, rtol=1e-10)


def test_positive_definite_solves_share_one_cholesky_factor():
    rng = np.random.default_rng(3)
    A, b, B = T.matrix("A"), T.vector("b"), T.matrix("B")
    a = spd(rng, 4)
    outs = [slinalg.solve(A, b, assume_a="pos"), slinalg.solve(A, B, assume_a="pos")]
    f = compiled([A, b, B], outs, [a, rng.normal(size=4), rng.normal(size=(4, 3))])
    assert text_of(f) == (
        "CholeskySolve{lower=False} [id A]\n |Cholesky{lower=False,on_error=raise} [id B]\n"
        " | |A [id C]\n |b [id D]\nCholeskySolve{lower=False} [id E]\n"
        " |Cholesky{lower=False,on_error=raise} [id B]\n |B [id F]\n")
    # Bit for bit: the factor is the one the positive-definite solve computes itself.
    g = theon.function([A, b, B], outs, mode="NONE")
    for x, y in zip(f(a, np.ones(4), np.eye(4)[:, :3]), g(a, np.ones(4), np.eye(4)[:, :3])):
        np.testing.assert_array_equal(x, y)
    # A factor the user computed is reused.
    h = theon.function([A, b], [slinalg.cholesky(A), slinalg.solve(A, b, assume_a="pos",
                                                                   lower=True)])
    assert text_of(h) == (
        "Cholesky{lower=True,on_error=raise} [id A]\n |A [id B]\n"
        "CholeskySolve{lower=True} [id C]\n |Cholesky{lower=True,on_error=raise} [id A]\n"
        " |b [id D]\n")
