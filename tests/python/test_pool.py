"""theon.tensor.signal.pool against the loop references of conv_reference.py (Theano's
Pool.perform written out): output sizes, modes, padding, gradients, errors."""

import warnings

import numpy as np
import pytest

import conv_reference as ref
import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.signal.pool import max_pool_2d_same_size, pool_2d, pool_3d

RNG = np.random.default_rng(152)
MODES = ["max", "sum", "average_inc_pad", "average_exc_pad"]


def run_pool(x, **kw):
    xv = T.tensor(str(x.dtype), shape=(None,) * x.ndim, name="x")
    return theon.function([xv], pool_2d(xv, **kw))(x)


def test_theano_output_sizes():
    # (size, ws, stride, pad, ignore_border) -> Theano's out_shape.
    table = [(5, 2, 2, 0, True, 2), (5, 2, 2, 0, False, 3), (5, 3, 1, 0, False, 3),
             (4, 3, 1, 0, False, 2), (6, 3, 2, 0, False, 3), (7, 3, 2, 1, True, 4),
             (1, 3, 1, 0, False, 1), (2, 3, 3, 0, True, 0), (0, 2, 2, 0, False, 0)]
    for n, ws, st, pad, ib, want in table:
        assert ref.pool_out_size(n, ws, st, pad, ib) == want
        got = run_pool(np.ones((1, n, 3)), ws=(ws, 1), stride=(st, 1), pad=(pad, 0),
                       ignore_border=ib)
        assert got.shape == (1, want, 3), (n, ws, st, pad, ib)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("geometry", [
    dict(ws=(2, 2), ignore_border=True), dict(ws=(2, 3), ignore_border=False),
    dict(ws=(3, 3), stride=(1, 2), ignore_border=False),
    dict(ws=(3, 2), stride=(2, 1), pad=(2, 1), ignore_border=True),
], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_match_the_reference(mode, geometry, dtype):
    x = RNG.normal(size=(2, 3, 7, 8)).astype(dtype)
    got = run_pool(x, mode=mode, **geometry)
    want = ref.pool_2d(x.astype(np.float64), mode=mode, **geometry)
    assert got.dtype == dtype
    tol = 1e-5 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_max_ignores_padding_and_propagates_nan():
    x = -np.ones((1, 1, 3, 3))
    got = run_pool(x, ws=(2, 2), pad=(1, 1), ignore_border=True)
    np.testing.assert_array_equal(got, -np.ones((1, 1, 2, 2)))
    x[0, 0, 1, 1] = np.nan
    assert np.isnan(run_pool(x, ws=(2, 2), ignore_border=True)).all()


def test_any_number_of_leading_axes():
    for shape in [(6, 5), (2, 6, 5), (2, 1, 2, 6, 5)]:
        x = RNG.normal(size=shape)
        np.testing.assert_array_equal(run_pool(x, ws=(2, 2), ignore_border=False),
                                      ref.pool_2d(x, (2, 2), ignore_border=False))


@pytest.mark.parametrize("mode", MODES)
def test_gradients(mode):
    x = RNG.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0  # no ties
    for geometry in [dict(ws=(3, 2), stride=(2, 1), pad=(1, 1), ignore_border=True),
                     dict(ws=(2, 3), ignore_border=False)]:
        verify_grad(lambda a: pool_2d(a, mode=mode, **geometry), [x], rng=RNG)


def test_gradient_of_the_max_pool_gradient():
    x = RNG.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) / 10.0
    g = RNG.normal(size=(2, 2, 3, 3))

    def grad_of(a, gz):
        out = pool_2d(a, ws=(2, 2), ignore_border=False)
        return theon.grad(None, a, known_grads={out: gz})

    verify_grad(lambda gz: grad_of(T.constant(x), gz), [g], rng=RNG)
    # grad of grad with respect to the output gradient, and its transpose again.
    xv, gv = T.tensor4("x"), T.tensor4("g")
    gx = grad_of(xv, gv)
    gg = theon.grad(T.sum(gx * xv), gv)
    got = theon.function([xv, gv], gg)(x, g)
    m = ref.pool_2d(x, (2, 2), ignore_border=False)
    np.testing.assert_allclose(got, ref.max_pool_grad_grad(x, m, x, (2, 2),
                                                           ignore_border=False), rtol=1e-14)


def test_max_pool_2d_same_size():
    x = RNG.normal(size=(2, 3, 6, 4))
    xv = T.tensor4("x")
    got = theon.function([xv], max_pool_2d_same_size(xv, (2, 2)))(x)
    m = ref.pool_2d(x, (2, 2))
    want = np.where(x == np.repeat(np.repeat(m, 2, axis=2), 2, axis=3), x, 0.0)
    np.testing.assert_array_equal(got, want)


def test_static_shape():
    x = T.tensor("float32", shape=(4, 3, 28, 27))
    assert pool_2d(x, (2, 2), ignore_border=True).static_shape == (4, 3, 14, 13)
    assert pool_2d(x, (2, 2), ignore_border=False).static_shape == (4, 3, 14, 14)


def test_ignore_border_default_warns_and_is_false():
    x = T.tensor4("x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = pool_2d(x, (2, 2))
    assert any("ignore_border" in str(w.message) for w in caught)
    f = theon.function([x], out)
    assert f(np.ones((1, 1, 3, 3))).shape == (1, 1, 2, 2)


def test_errors():
    x = T.tensor4("x")
    raises_matching(ValueError, lambda: pool_2d(x, (2, 2), True, pad=(2, 0)), r"pool_2d",
                    r"smaller than ws")
    raises_matching(ValueError, lambda: pool_2d(x, (2, 2), False, pad=(1, 0)), r"pool_2d",
                    r"ignore_border=True")
    raises_matching(ValueError, lambda: pool_2d(x, (2, 2), True, mode="median"), r"pool_2d",
                    r"mode")
    raises_matching(ValueError, lambda: pool_2d(x, (2, 2), True, stride=(0, 1)), r"stride")
    raises_matching(TypeError, lambda: pool_2d(T.vector(), (2, 2), True), r"Pool",
                    r"at least 2 dimensions", r"test_pool\.py")
    raises_matching(TypeError, lambda: pool_2d(T.imatrix(), (2, 2), True), r"Pool",
                    r"float32 or float64")


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor.signal.pool

    assert theano.tensor.signal.pool.pool_2d is pool_2d
    assert theano.tensor.signal.pool.max_pool_2d_same_size is max_pool_2d_same_size


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("geometry", [
    dict(ws=(2, 2, 2), ignore_border=True), dict(ws=(3, 2, 2), stride=(1, 2, 1),
                                                 ignore_border=False),
    dict(ws=(3, 3, 2), stride=(2, 1, 2), pad=(1, 2, 1), ignore_border=True),
], ids=str)
def test_pool_3d_matches_the_reference(mode, geometry):
    x = RNG.normal(size=(2, 3, 5, 6, 7))
    xv = T.tensor5("x")
    got = theon.function([xv], pool_3d(xv, mode=mode, **geometry))(x)
    want = ref.pool_3d(x, mode=mode, **geometry)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


def test_pool_3d_gradient_with_ties():
    x = RNG.integers(0, 3, size=(1, 2, 4, 4, 3)).astype(float)  # many ties in each window
    xv = T.tensor5("x")
    geometry = dict(ws=(2, 2, 2), stride=(1, 2, 1), ignore_border=True)
    g = theon.function([xv], theon.grad(T.sum(pool_3d(xv, **geometry)), xv))(x)
    # Theano's MaxPoolGrad in 3-d: every element equal to its window's max gets the gradient.
    want = np.zeros_like(x)
    m = ref.pool_3d(x, **geometry)
    for i in range(m.shape[2]):
        for j in range(m.shape[3]):
            for k in range(m.shape[4]):
                win = (slice(None), slice(None), slice(i, i + 2), slice(2 * j, 2 * j + 2),
                       slice(k, k + 2))
                want[win] += x[win] == m[:, :, i, j, k][..., None, None, None]
    np.testing.assert_array_equal(g, want)
    verify_grad(lambda a: pool_3d(a, mode="average_exc_pad", ws=(2, 3, 2), pad=(1, 1, 1),
                                  ignore_border=True), [RNG.normal(size=(1, 2, 3, 4, 3))],
                rng=RNG)


def test_theanos_op_classes_build_the_same_graphs_as_the_functions():
    from theon.tensor.signal.pool import (AveragePoolGrad, DownsampleFactorMaxGradGrad,
                                          MaxPoolGrad, Pool, pool_3d)

    x, gz, ggx = T.tensor4("x"), T.tensor4("gz"), T.tensor4("ggx")
    xv = RNG.normal(size=(2, 3, 6, 7))
    window = dict(ws=(3, 2), stride=(2, 2), pad=(1, 1))
    out = Pool(ignore_border=True)(x, **window)
    want = pool_2d(x, (3, 2), True, (2, 2), (1, 1))
    pooled = theon.function([x], [out, want])(xv)
    np.testing.assert_array_equal(*pooled)
    gzv = RNG.normal(size=pooled[0].shape)
    ggxv = RNG.normal(size=xv.shape)
    # MaxPoolGrad is the gradient of max pooling; DownsampleFactorMaxGradGrad that of
    # MaxPoolGrad with respect to gz.
    grad_x = MaxPoolGrad(True)(x, out, gz, **window)
    second = DownsampleFactorMaxGradGrad(True)(x, out, ggx, **window)
    got = theon.function([x, gz, ggx], [grad_x, second])(xv, gzv, ggxv)
    ref = theon.function([x, gz, ggx], [theon.grad(T.sum(want * gz), x),
                                        theon.grad(T.sum(grad_x * ggx), gz)])(xv, gzv, ggxv)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-12)
    for mode in ("sum", "average_inc_pad", "average_exc_pad"):
        avg = Pool(True, mode)(x, **window)
        g = AveragePoolGrad(True, mode)(x, gz, **window)
        got, ref = theon.function([x, gz], [g, theon.grad(T.sum(avg * gz), x)])(xv, gzv)
        np.testing.assert_allclose(got, ref, rtol=1e-12)
    x5 = T.TensorType("float64", (None,) * 5)("x5")
    v5 = RNG.normal(size=(1, 2, 4, 4, 5))
    np.testing.assert_array_equal(
        *theon.function([x5], [Pool(True, "max", ndim=3)(x5, (2, 2, 2)),
                               pool_3d(x5, (2, 2, 2), True)])(v5))


def test_theanos_op_classes_reject_bad_settings():
    from theon.tensor.signal.pool import AveragePoolGrad, MaxPoolGrad, Pool

    raises_matching(ValueError, lambda: Pool(True, "median"), r"Pool", r"median")
    raises_matching(ValueError, lambda: AveragePoolGrad(True, "max"), r"AveragePoolGrad",
                    r"'max'")
    raises_matching(ValueError, lambda: Pool(True, ndim=4), r"Pool", r"ndim")
    raises_matching(NotImplementedError,
                    lambda: MaxPoolGrad(True, ndim=3)(T.tensor4(), T.tensor4(), T.tensor4(),
                                                      (2, 2, 2)),
                    r"MaxPoolGrad", r"pool_3d")
    raises_matching(ValueError, lambda: Pool(True)(T.tensor4(), (2, 2, 2)), r"Pool", r"ws")


def first_max_loop(x, ws, stride):
    """Max pooling of windows inside x (no padding, ignore_border): the first maximum in
    row-major order (its sign for equal zeros), the first NaN where there is one, and the
    gradient of sum(out * gz) (gz to every element equal to its window's max)."""
    oh, ow = (x.shape[-2] - ws[0]) // stride[0] + 1, (x.shape[-1] - ws[1]) // stride[1] + 1
    out = np.empty(x.shape[:-2] + (oh, ow), x.dtype)
    gz = np.arange(1, out.size + 1, dtype=x.dtype).reshape(out.shape)
    gx = np.zeros_like(x)
    for idx in np.ndindex(*x.shape[:-2]):
        for r in range(oh):
            for c in range(ow):
                rows = slice(r * stride[0], r * stride[0] + ws[0])
                cols = slice(c * stride[1], c * stride[1] + ws[1])
                window = x[idx][rows, cols].ravel()
                m = window[0]
                for v in window:
                    if np.isnan(m):
                        break
                    if v > m or np.isnan(v):
                        m = v
                out[idx + (r, c)] = m
                gx[idx][rows, cols] += np.where(x[idx][rows, cols] == m, gz[idx + (r, c)], 0)
    return out, gz, gx


@pytest.mark.parametrize("ws,stride,hw", [
    ((2, 2), (2, 2), (6, 8)), ((2, 2), (2, 2), (7, 9)), ((3, 3), (3, 3), (9, 6)),
    ((2, 2), (1, 1), (6, 7)), ((3, 3), (2, 1), (9, 8)), ((2, 3), (2, 3), (6, 9)),
    ((1, 4), (1, 2), (5, 8))], ids=str)  # tiling the image, leaving a border, overlapping
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_max_over_windows_inside_the_input_keeps_first_maxima_and_nans(ws, stride, hw, dtype):
    # Small integers give ties, the zeros come with both signs, and a few NaNs and infinities.
    x = RNG.integers(-2, 3, size=(2, 3) + hw).astype(dtype)
    x[x == 0] = RNG.choice([0.0, -0.0], size=int((x == 0).sum()))
    flat = x.reshape(-1)
    flat[RNG.choice(flat.size, 12, replace=False)] = np.nan
    flat[RNG.choice(flat.size, 6, replace=False)] = np.inf
    want, gz, want_gx = first_max_loop(x, ws, stride)
    xv, gzv = T.tensor(dtype, shape=(None,) * 4, name="x"), T.tensor(dtype, shape=(None,) * 4)
    out = pool_2d(xv, ws, ignore_border=True, stride=stride)
    got, gx = theon.function([xv, gzv], [out, theon.grad(T.sum(out * gzv), xv)])(x, gz)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(gx, want_gx)
