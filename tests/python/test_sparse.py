"""theon.sparse against scipy.sparse: scipy matrices in and out of functions (views, canonical
form, validation), shared sparse variables, every op on random sparse matrices with empty rows
and columns, no stored entry and size 1, structured gradients by perturbing the stored values
(verify_grad_sparse), and the Theano spellings."""

import numpy as np
import pytest
import scipy.sparse as sp

import theon
import theon.tensor as T
from theon import sparse as S
from theon.sparse import verify_grad_sparse


def random_sparse(rng, shape, fmt, density=0.3, dtype="float64"):
    """A random matrix of `fmt` with some empty rows and columns."""
    m = sp.random(*shape, density=density, format=fmt, dtype=dtype, random_state=rng)
    m.data[:] = rng.uniform(0.5, 2, size=m.nnz) * rng.choice([-1, 1], size=m.nnz)
    return m


SHAPES = [(6, 5), (1, 1), (0, 3), (4, 0), (3, 4)]
DENSITIES = [0.3, 0.0, 1.0]


def cases(fmt):
    rng = np.random.default_rng(7)
    for shape in SHAPES:
        for density in DENSITIES:
            yield random_sparse(rng, shape, fmt, density)


def assert_sparse_equal(got, want, fmt):
    assert sp.issparse(got) and got.format == fmt, type(got)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got.toarray(), want.toarray(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_function_passes_scipy_matrices_through_without_copying(fmt):
    x = S.matrix(fmt, "x", dtype="float64")
    f = theon.function([x], [x, S.transpose(x), S.dense_from_sparse(x)])
    m = random_sparse(np.random.default_rng(0), (5, 4), fmt)
    same, t, d = f(m)
    assert_sparse_equal(same, m, fmt)
    assert t.format == ("csc" if fmt == "csr" else "csr")
    np.testing.assert_array_equal(t.toarray(), m.toarray().T)
    np.testing.assert_array_equal(d, m.toarray())
    # The outputs share no memory with the argument (Theano's rule without borrow).
    assert not np.shares_memory(same.data, m.data)
    assert not np.shares_memory(t.indices, m.indices)


def test_inputs_are_viewed_and_noncanonical_inputs_fixed():
    x = S.csr_matrix("x", dtype="float64")
    f = theon.function([x], S.dense_from_sparse(S.mul(x, 2.0)))
    # Duplicates and unsorted indices: scipy's canonical form is computed on a copy.
    m = sp.csr_matrix((np.array([1.0, 2.0, 3.0]), np.array([2, 0, 2]), np.array([0, 3, 3])),
                      shape=(2, 3))
    assert not m.has_canonical_format
    np.testing.assert_array_equal(f(m), 2 * m.toarray())
    assert len(m.data) == 3  # the argument itself is unchanged
    # int64 indices and float32 data convert to the input's types where that is safe.
    m64 = sp.csr_matrix(np.eye(3))
    m64.indices = m64.indices.astype(np.int64)
    m64.indptr = m64.indptr.astype(np.int64)
    np.testing.assert_array_equal(f(m64), 2 * np.eye(3))


def test_bad_inputs_raise_clear_errors():
    x = S.csr_matrix("x", dtype="float64")
    f = theon.function([x], S.sp_sum(x))
    with pytest.raises(TypeError, match="argument 0 .'x'.*expected a csr matrix, got a csc"):
        f(sp.csc_matrix(np.eye(2)))
    with pytest.raises(TypeError, match="expected a csr matrix, got float64 array"):
        f(np.eye(2))
    assert f(sp.csr_matrix(np.eye(2, dtype="float32"))) == 2.0  # a safe cast
    f32 = theon.function([x32 := S.csr_matrix("x32", dtype="float32")], S.sp_sum(x32))
    with pytest.raises(TypeError, match="expected dtype float32, got float64"):
        f32(sp.csr_matrix(np.eye(2)))
    bad = sp.csr_matrix((np.array([1.0]), np.array([5]), np.array([0, 1])), shape=(1, 3))
    with pytest.raises(ValueError, match="index 5 at position 0 is out of bounds for 3 columns"):
        f(bad)
    bad = sp.csr_matrix((np.array([1.0, 2.0]), np.array([0, 1]), np.array([0, 2, 1])),
                        shape=(2, 3), copy=False)
    with pytest.raises(ValueError, match="indptr|nnz"):
        f(bad)


def test_shape_errors_name_the_op():
    x = S.csr_matrix("x", dtype="float64")
    y = T.matrix("y", dtype="float64")
    f = theon.function([x, y], S.structured_dot(x, y))
    with pytest.raises(ValueError, match="StructuredDot.*not aligned"):
        f(sp.csr_matrix(np.eye(3)), np.ones((2, 2)))
    with pytest.raises(TypeError, match="StructuredDot.*must be a sparse matrix"):
        S.structured_dot(y, y)
    with pytest.raises(ValueError, match="sp_sum: axis"):
        S.sp_sum(x, axis=2)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_ops_match_scipy(fmt):
    rng = np.random.default_rng(1)
    x = S.matrix(fmt, "x", dtype="float64")
    y = S.matrix(fmt, "y", dtype="float64")
    d = T.matrix("d", dtype="float64")
    outs = [S.mul(x, y), S.add(x, y), S.mul(x, 3.0), S.neg(x), S.sqr(x), S.abs_(x),
            S.sp_sum(x), S.sp_sum(x, 0), S.sp_sum(x, 1), S.dense_from_sparse(x),
            S.add(x, d), S.mul(x, d)]
    f = theon.function([x, y, d], outs)
    for m in cases(fmt):
        n = random_sparse(rng, m.shape, fmt, 0.5)
        dv = rng.normal(size=m.shape)
        got = f(m, n, dv)
        md = m.toarray()
        want = [m.multiply(n), m + n, m * 3.0, -m, m.multiply(m), abs(m), md.sum(),
                md.sum(0), md.sum(1), md, md + dv, m.multiply(dv)]
        for k, (g, w) in enumerate(zip(got, want)):
            w = w.toarray() if sp.issparse(w) else np.asarray(w)
            g = g.toarray() if sp.issparse(g) else g
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=f"output {k}")
        # Structured: the positions are x's (zeros of x stay unstored).
        assert got[2].nnz == m.nnz and got[11].nnz == m.nnz


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_products_match_scipy(fmt):
    rng = np.random.default_rng(2)
    x = S.matrix(fmt, "x", dtype="float64")
    w = T.matrix("w", dtype="float64")
    v = T.vector("v", dtype="float64")
    b = S.matrix(fmt, "b", dtype="float64")
    u = T.matrix("u", dtype="float64")
    outs = [S.structured_dot(x, w), S.dot(x, v), S.dot(w.T, S.transpose(x)), S.true_dot(x, b),
            S.sampling_dot(u, u, S.true_dot(x, S.transpose(x)))]
    f = theon.function([x, w, v, b, u], outs)
    for m in cases(fmt):
        wv = rng.normal(size=(m.shape[1], 3))
        vv = rng.normal(size=m.shape[1])
        bm = random_sparse(rng, (m.shape[1], 2), fmt)
        uv = rng.normal(size=(m.shape[0], 2))
        got = f(m, wv, vv, bm, uv)
        mm = (m @ m.T).toarray()
        want = [m @ wv, m @ vv, wv.T @ m.T.toarray(), (m @ bm).toarray(), (uv @ uv.T) * mm]
        for k, (g, ww) in enumerate(zip(got, want)):
            g = g.toarray() if sp.issparse(g) else g
            np.testing.assert_allclose(g, ww, rtol=1e-10, atol=1e-10, err_msg=f"output {k}")
        assert got[3].format == fmt


def test_stacking_matches_scipy():
    rng = np.random.default_rng(3)
    a, b = S.csr_matrix("a", dtype="float64"), S.csc_matrix("b", dtype="float64")
    f = theon.function([a, b], [S.hstack([a, b]), S.vstack([a, b], format="csc")])
    for shape in [(3, 2), (1, 1), (0, 2)]:
        am, bm = random_sparse(rng, shape, "csr"), random_sparse(rng, shape, "csc")
        h, v = f(am, bm)
        assert h.format == "csc" and v.format == "csc"
        np.testing.assert_array_equal(h.toarray(), sp.hstack([am, bm]).toarray())
        np.testing.assert_array_equal(v.toarray(), sp.vstack([am, bm]).toarray())


def test_float32_stays_float32_and_mixed_promotes():
    x = S.csr_matrix("x", dtype="float32")
    w32 = T.matrix("w", dtype="float32")
    w64 = T.matrix("w64", dtype="float64")
    assert S.structured_dot(x, w32).dtype == "float32"
    assert S.structured_dot(x, w64).dtype == "float64"
    assert S.mul(x, 2.0).dtype == "float32"
    with pytest.raises(TypeError, match="float32 or float64"):
        S.csr_matrix("i", dtype="int64")


def test_shapes_are_inferred_without_computing():
    x = S.csr_matrix("x", dtype="float64")
    w = T.matrix("w", dtype="float64")
    out = S.structured_dot(x, w)
    f = theon.function([x, w], [out.shape, S.dense_from_sparse(S.transpose(x)).shape])
    m = sp.csr_matrix(np.ones((4, 3)))
    s1, s2 = f(m, np.ones((3, 2)))
    assert tuple(s1) == (4, 2) and tuple(s2) == (3, 4)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("shape", [(4, 3), (1, 1), (3, 1)])
def test_structured_gradients_perturbing_stored_values(fmt, shape):
    rng = np.random.default_rng(4)
    m = random_sparse(rng, shape, fmt, density=0.6)
    if m.nnz == 0:
        m = random_sparse(rng, shape, fmt, density=1.0)
    w = rng.normal(size=(shape[1], 2))
    verify_grad_sparse(lambda x, y: S.structured_dot(x, y), [m, w], structured=True)
    verify_grad_sparse(lambda x, y: S.dot(x, y), [m, w])
    verify_grad_sparse(lambda x: S.sp_sum(x, 1, sparse_grad=True), [m])
    verify_grad_sparse(lambda x: S.tanh(x), [m])
    verify_grad_sparse(lambda x, y: S.mul(x, y), [m, rng.normal(size=shape)])
    verify_grad_sparse(lambda x: S.dense_from_sparse(S.transpose(x)), [m])
    verify_grad_sparse(lambda x, y, p: S.sampling_dot(x, y, p),
                       [rng.normal(size=(shape[0], 2)), rng.normal(size=(shape[1], 2)), m])


def test_stacking_gradients():
    rng = np.random.default_rng(5)
    a = random_sparse(rng, (3, 2), "csr", density=1.0)
    b = random_sparse(rng, (3, 4), "csc", density=0.5)
    verify_grad_sparse(lambda x, y: S.hstack([x, y]), [a, b])
    verify_grad_sparse(lambda x, y: S.vstack([x, y], format="csc"), [a.T.tocsr(), b.T.tocsc()])


def test_structured_gradient_is_zero_off_the_stored_positions():
    x = S.csr_matrix("x", dtype="float64")
    w = T.matrix("w", dtype="float64")
    cost = S.structured_dot(x, w).sum()
    g = theon.function([x, w], theon.grad(cost, x))
    m = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 0, 0]]))
    gx = g(m, np.ones((3, 2)))
    assert sp.issparse(gx) and gx.nnz == 2
    np.testing.assert_array_equal(gx.toarray(), [[2.0, 0, 2], [0, 0, 0]])


def test_shared_sparse_variables_and_updates():
    m = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    s = theon.shared(m, name="s")
    assert S.format_of(s) == "csr"
    f = theon.function([], S.sp_sum(s), updates=[(s, S.mul(s, 2.0))])
    assert f() == 3.0
    assert f() == 6.0
    got = s.get_value()
    assert sp.issparse(got) and got.format == "csr"
    np.testing.assert_array_equal(got.toarray(), [[4.0, 0.0], [0.0, 8.0]])
    m.data[:] = 100  # the shared value is a copy of m
    assert f() == 12.0
    s.set_value(sp.csr_matrix(np.ones((2, 2))))
    assert f() == 4.0
    with pytest.raises(TypeError, match="expected a csr matrix"):
        s.set_value(sp.csc_matrix(np.ones((2, 2))))


def test_a_failed_call_leaves_the_shared_sparse_value():
    s = theon.shared(sp.csr_matrix(np.eye(2)), name="s")
    w = T.matrix("w", dtype="float64")
    f = theon.function([w], S.structured_dot(s, w), updates=[(s, S.mul(s, 3.0))])
    with pytest.raises(ValueError):
        f(np.ones((3, 1)))
    np.testing.assert_array_equal(s.get_value().toarray(), np.eye(2))


def test_operators_route_sparse_operands():
    x = S.csr_matrix("x", dtype="float64")
    w = T.matrix("w", dtype="float64")
    f = theon.function([x, w], [S.dense_from_sparse(x * 2.0 + x), (x @ w), x.T.toarray(),
                                S.dense_from_sparse(-x)])
    m = sp.csr_matrix(np.array([[1.0, 0], [0, 3.0]]))
    a, b, c, d = f(m, np.ones((2, 2)))
    np.testing.assert_array_equal(a, 3 * m.toarray())
    np.testing.assert_array_equal(b, m @ np.ones((2, 2)))
    np.testing.assert_array_equal(c, m.toarray().T)
    np.testing.assert_array_equal(d, -m.toarray())


def test_as_sparse_variable_and_col_row_scale():
    m = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3.0, 0]]))
    v = S.as_sparse_variable(m)
    s_col = T.vector("c", dtype="float64")
    s_row = T.vector("r", dtype="float64")
    f = theon.function([s_col, s_row], [S.dense_from_sparse(S.col_scale(v, s_col)),
                                        S.dense_from_sparse(S.row_scale(v, s_row))])
    c, r = f(np.array([1.0, 2, 3]), np.array([10.0, 20]))
    np.testing.assert_array_equal(c, m.toarray() * [1, 2, 3])
    np.testing.assert_array_equal(r, m.toarray() * [[10], [20]])


def test_theano_spellings():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano
    import theano.sparse as TS
    from theano import sparse

    x = TS.csr_matrix("x")
    assert sparse.basic.structured_dot is S.structured_dot
    y = theano.tensor.matrix("y")
    f = theano.function([x, y], TS.structured_dot(x, y))
    m = sp.csr_matrix(np.eye(2, dtype=theano.config.floatX))
    np.testing.assert_allclose(f(m, np.ones((2, 2), dtype=theano.config.floatX)), np.ones((2, 2)))


def test_sparse_logistic_regression_example_trains():
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    try:
        from sparse_logreg import build_model, make_data
    finally:
        sys.path.pop(0)
    X, y = make_data(2000, 500, 0.01)
    train, predict = build_model(500, 0.5)
    losses = [float(train(X, y)) for _ in range(40)]
    assert losses[0] == pytest.approx(np.log(2), rel=1e-5)  # w = 0, b = 0: p = 1/2
    assert losses[-1] < 0.92 * losses[0]
    assert all(b <= a + 1e-6 for a, b in zip(losses, losses[1:]))
    assert np.mean(predict(X) == (y > 0)) > 0.7
