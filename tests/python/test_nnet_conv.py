"""theon.tensor.nnet.conv2d and its gradients against SciPy and the loop references of
conv_reference.py: border modes, strides, dilation, groups, shape hints, errors."""

import numpy as np
import pytest
import scipy.signal

import conv_reference as ref
import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.nnet import conv2d, conv2d_grad_wrt_inputs, conv2d_grad_wrt_weights

RNG = np.random.default_rng(15)


def run_conv(x, w, **kw):
    xv, wv = T.tensor4("x", dtype=str(x.dtype)), T.tensor4("w", dtype=str(w.dtype))
    return theon.function([xv, wv], conv2d(xv, wv, **kw))(x, w)


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_single_channel_matches_scipy(mode):
    x, w = RNG.normal(size=(1, 1, 9, 7)), RNG.normal(size=(1, 1, 4, 3))
    got = run_conv(x, w, border_mode=mode)
    np.testing.assert_allclose(got[0, 0], scipy.signal.convolve2d(x[0, 0], w[0, 0], mode=mode),
                               rtol=1e-12)
    got = run_conv(x, w, border_mode=mode, filter_flip=False)
    np.testing.assert_allclose(got[0, 0], scipy.signal.correlate2d(x[0, 0], w[0, 0], mode=mode),
                               rtol=1e-12)


def test_channels_sum_their_scipy_convolutions():
    x, w = RNG.normal(size=(2, 3, 8, 8)), RNG.normal(size=(4, 3, 3, 3))
    got = run_conv(x, w)
    want = np.array([[sum(scipy.signal.convolve(x[b, c], w[k, c], mode="valid")
                          for c in range(3)) for k in range(4)] for b in range(2)])
    np.testing.assert_allclose(got, want, rtol=1e-11)


GEOMETRIES = [
    dict(border_mode="valid", subsample=(2, 3)),
    dict(border_mode="half"),
    dict(border_mode="half", filter_dilation=(2, 3)),
    dict(border_mode=2, subsample=(2, 2)),
    dict(border_mode=(0, 3), filter_dilation=(2, 1)),
    dict(border_mode="full", subsample=(3, 1), filter_dilation=(1, 2)),
    dict(num_groups=3, filter_flip=False),
    dict(num_groups=3, border_mode=(1, 1), subsample=(2, 1), filter_dilation=(2, 2)),
]


@pytest.mark.parametrize("kw", GEOMETRIES, ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_geometries_match_the_reference(kw, dtype):
    groups = kw.get("num_groups", 1)
    x = RNG.normal(size=(2, 6, 11, 10)).astype(dtype)
    w = RNG.normal(size=(9, 6 // groups, 3, 5)).astype(dtype)
    got = run_conv(x, w, **kw)
    want = ref.conv2d(x.astype(np.float64), w.astype(np.float64), **kw)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-11 if dtype == "float64" else 2e-5,
                               atol=1e-11 if dtype == "float64" else 2e-5)


def test_1x1_filters_and_non_contiguous_input():
    x = RNG.normal(size=(3, 5, 4, 6)).transpose(0, 1, 3, 2)  # not C-contiguous
    w = RNG.normal(size=(2, 5, 1, 1))
    np.testing.assert_allclose(run_conv(x, w), ref.conv2d(x, w), rtol=1e-12)


def test_mixed_dtypes_upcast():
    x = RNG.normal(size=(1, 2, 5, 5)).astype("float32")
    w = RNG.normal(size=(3, 2, 2, 2))
    got = run_conv(x, w)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref.conv2d(x.astype(np.float64), w), rtol=1e-12)


def test_static_output_shape():
    x = T.tensor("float64", shape=(8, 3, 32, 30))
    w = T.tensor("float64", shape=(16, 3, 5, 5))
    assert conv2d(x, w).static_shape == (8, 16, 28, 26)
    assert conv2d(x, w, border_mode="half", subsample=(2, 2)).static_shape == (8, 16, 16, 15)
    assert conv2d(x, w, border_mode="full").static_shape == (8, 16, 36, 34)
    assert conv2d(T.tensor4(), w).static_shape == (None, 16, None, None)


@pytest.mark.parametrize("kw", [{}, GEOMETRIES[3], GEOMETRIES[5], GEOMETRIES[7]], ids=str)
def test_gradients(kw):
    groups = kw.get("num_groups", 1)
    x = RNG.normal(size=(2, 3 * groups, 7, 6))
    w = RNG.normal(size=(2 * groups, 3, 3, 2))
    verify_grad(lambda a, b: conv2d(a, b, **kw), [x, w], rng=RNG)


def test_second_order_gradients():
    x, w = RNG.normal(size=(2, 2, 5, 5)), RNG.normal(size=(3, 2, 2, 3))
    kw = dict(border_mode=(1, 0), subsample=(2, 1))

    def grad_x(a, b):
        return theon.grad(T.sum(conv2d(a, b, **kw) ** 2), a)

    def grad_w(a, b):
        return theon.grad(T.sum(conv2d(a, b, **kw) ** 2), b)

    verify_grad(grad_x, [x, w], rng=RNG)
    verify_grad(grad_w, [x, w], rng=RNG)


def test_grad_helpers_are_the_adjoints():
    kw = dict(border_mode=(1, 2), subsample=(2, 2), filter_dilation=(1, 2))
    x, w = RNG.normal(size=(2, 3, 9, 8)), RNG.normal(size=(4, 3, 3, 2))
    gy = RNG.normal(size=ref.conv2d(x, w, border_mode=(1, 2), subsample=(2, 2),
                                    filter_dilation=(1, 2)).shape)
    gyv, wv, xv = T.tensor4("gy"), T.tensor4("w"), T.tensor4("x")
    dx = theon.function([gyv, wv], conv2d_grad_wrt_inputs(gyv, wv, x.shape, **kw))(gy, w)
    dw = theon.function([xv, gyv], conv2d_grad_wrt_weights(xv, gyv, w.shape, **kw))(x, gy)
    # <conv(x, w), gy> == <x, dx> == <w, dw>
    inner = np.sum(ref.conv2d(x, w, border_mode=(1, 2), subsample=(2, 2),
                              filter_dilation=(1, 2)) * gy)
    np.testing.assert_allclose(np.sum(x * dx), inner, rtol=1e-11)
    np.testing.assert_allclose(np.sum(w * dw), inner, rtol=1e-11)


@pytest.mark.parametrize("kw", [dict(border_mode="half"),
                                dict(border_mode=(2, 1), subsample=(3, 2), filter_dilation=(2, 1),
                                     num_groups=2)], ids=str)
def test_wide_images_are_computed_in_bands_of_output_rows(kw):
    # Wide rows make each output row's im2col slice large, so the ops walk the output in many
    # bands of a few rows; the last band is shorter than the others.
    x = RNG.normal(size=(2, 8, 37, 1200))
    w = RNG.normal(size=(6, 8 // kw.get("num_groups", 1), 3, 3))
    want = ref.conv2d(x, w, **kw)
    gy = RNG.normal(size=want.shape)
    xv, wv, gyv = T.tensor4("x"), T.tensor4("w"), T.tensor4("gy")
    fwd = theon.function([xv, wv], conv2d(xv, wv, **kw))
    dx = theon.function([gyv, wv], conv2d_grad_wrt_inputs(gyv, wv, x.shape, **kw))
    dw = theon.function([xv, gyv], conv2d_grad_wrt_weights(xv, gyv, w.shape, **kw))
    np.testing.assert_allclose(fwd(x, w), want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dx(gy, w), ref.conv2d_grad_inputs(gy, w, x.shape[2:], **kw),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw(x, gy), ref.conv2d_grad_weights(x, gy, w.shape[2:], **kw),
                               rtol=1e-10, atol=1e-10)


def test_transposed_convolution_with_symbolic_input_shape():
    gy, w = RNG.normal(size=(1, 2, 4, 4)), RNG.normal(size=(2, 3, 3, 3))
    gyv, wv, h = T.tensor4("gy"), T.tensor4("w"), T.lscalar("h")
    out = conv2d_grad_wrt_inputs(gyv, wv, (1, 3, h, 9), subsample=(2, 2))
    f = theon.function([gyv, wv, h], out)
    for rows in (9, 10):  # stride 2: both sizes give 4 output rows
        got = f(gy, w, rows)
        np.testing.assert_allclose(got, ref.conv2d_grad_inputs(gy, w, (rows, 9),
                                                               subsample=(2, 2)), rtol=1e-12)
    raises_matching(ValueError, lambda: f(gy, w, 12), r"Conv2dGradInputs",
                    r"not the output gradient's")


def test_shape_hints_are_checked():
    x = T.tensor("float64", shape=(None, 3, 8, 8))
    w = T.tensor4("w")
    raises_matching(ValueError, lambda: conv2d(x, w, input_shape=(None, 4, 8, 8)),
                    r"conv2d", r"input_shape", r"dimension 1")
    out = conv2d(x, w, image_shape=(2, 3, 8, 8), filter_shape=(5, 3, 3, 3))
    assert out.static_shape == (2, 5, 6, 6)
    f = theon.function([x, w], out)
    assert f(np.ones((2, 3, 8, 8)), np.ones((5, 3, 3, 3))).shape == (2, 5, 6, 6)
    with pytest.raises(Exception, match="3"):
        f(np.ones((2, 3, 8, 8)), np.ones((5, 3, 2, 2)))


def test_build_time_errors_name_the_op_the_shapes_and_the_line():
    x = T.tensor("float64", shape=(2, 3, 8, 8))
    raises_matching(ValueError,
                    lambda: conv2d(x, T.tensor("float64", shape=(4, 2, 3, 3))),
                    r"Conv2d", r"channels", r"\(2, 3, 8, 8\)", r"\(4, 2, 3, 3\)",
                    r"test_nnet_conv\.py")
    raises_matching(ValueError,
                    lambda: conv2d(x, T.tensor("float64", shape=(4, 3, 2, 3)),
                                   border_mode="half"),
                    r"Conv2d", r"half", r"odd", r"test_nnet_conv\.py")
    raises_matching(ValueError, lambda: conv2d(x, T.tensor4(), subsample=(0, 1)),
                    r"conv2d", r"subsample", r"at least 1")
    raises_matching(TypeError, lambda: conv2d(T.matrix(), T.tensor4()), r"Conv2d",
                    r"4 dimensions", r"test_nnet_conv\.py")
    raises_matching(ValueError, lambda: conv2d(x, T.tensor4(), border_mode="same"),
                    r"border_mode", r"'same'")
    raises_matching(ValueError,
                    lambda: conv2d(x, T.tensor("float64", shape=(4, 3, 9, 3))),
                    r"Conv2d", r"fewer than")
    raises_matching(ValueError,
                    lambda: conv2d(x, T.tensor("float64", shape=(5, 1, 3, 3)), num_groups=3),
                    r"Conv2d", r"divisible by num_groups")
    raises_matching(TypeError, lambda: conv2d(x, T.tensor4(), unshared=True), r"conv2d",
                    r"6-d filters")
    with pytest.raises(NotImplementedError, match="unshared"):
        conv2d_grad_wrt_inputs(T.tensor4(), T.tensor4(), (1, 1, 3, 3), unshared=True)


def test_run_time_errors():
    xv, wv = T.tensor4("x"), T.tensor4("w")
    f = theon.function([xv, wv], conv2d(xv, wv, border_mode="half"))
    raises_matching(ValueError, lambda: f(np.ones((1, 2, 5, 5)), np.ones((1, 3, 3, 3))),
                    r"Conv2d", r"channels")
    raises_matching(ValueError, lambda: f(np.ones((1, 2, 5, 5)), np.ones((1, 2, 2, 3))),
                    r"Conv2d", r"odd")


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano
    import theano.tensor.nnet.abstract_conv

    assert theano.tensor.nnet.conv2d is conv2d
    assert theano.tensor.nnet.abstract_conv.conv2d_grad_wrt_inputs is conv2d_grad_wrt_inputs
    assert theon.tensor.nnet.conv2d is conv2d


def test_separable_conv2d_is_depthwise_then_pointwise():
    from theon.tensor.nnet import separable_conv2d

    x = RNG.normal(size=(2, 3, 7, 6))
    depthwise = RNG.normal(size=(6, 1, 3, 3))  # depth multiplier 2
    pointwise = RNG.normal(size=(4, 6, 1, 1))
    xv, dv, pv = T.tensor4("x"), T.tensor4("d"), T.tensor4("p")
    out = separable_conv2d(xv, dv, pv, 3, border_mode="half", subsample=(2, 1))
    got = theon.function([xv, dv, pv], out)(x, depthwise, pointwise)
    # Each input channel c convolved with its own filters 2c and 2c + 1, then mixed.
    mid = ref.conv2d(x, depthwise, border_mode="half", subsample=(2, 1), num_groups=3)
    np.testing.assert_allclose(got, ref.conv2d(mid, pointwise), rtol=1e-12)
    np.testing.assert_allclose(
        mid[:, 3], ref.conv2d(x[:, 1:2], depthwise[3:4], border_mode="half",
                              subsample=(2, 1))[:, 0], rtol=1e-12)


def test_huge_geometries_are_clear_errors():
    xv, wv = T.tensor4("x"), T.tensor4("w")
    x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    for kw, pattern in [(dict(border_mode=(2 ** 62, 0)), r"overflows"),
                        (dict(border_mode=(2 ** 61, 0)), r"too big"),
                        (dict(filter_dilation=(2 ** 62, 1)), r"fewer than")]:
        f = theon.function([xv, wv], conv2d(xv, wv, **kw))
        raises_matching(ValueError, lambda: f(x, w), r"Conv2d", pattern)


def test_theano_abstract_conv_op_classes():
    from theon.tensor.nnet import abstract_conv as ac

    kw = dict(border_mode=(1, 0), subsample=(2, 1))
    x, w = RNG.normal(size=(2, 3, 7, 5)), RNG.normal(size=(4, 3, 3, 2))
    y = ref.conv2d(x, w, **kw)
    xv, wv, gv = T.tensor4("x"), T.tensor4("w"), T.tensor4("g")
    conv = ac.AbstractConv2d(imshp=(None, 3, 7, 5), kshp=(4, 3, 3, 2), **kw)(xv, wv)
    grad_in = ac.AbstractConv2d_gradInputs(kshp=(4, 3, 3, 2), **kw)(wv, gv, (7, 5))
    filter_hw = T.stack([xv.shape[2] - 4, xv.shape[3] - 3])  # symbolic (3, 2)
    grad_w = ac.AbstractConv2d_gradWeights(**kw, filter_flip=False)(xv, gv, filter_hw)
    f = theon.function([xv, wv, gv], [conv, grad_in, grad_w])
    got = f(x, w, y)
    np.testing.assert_allclose(got[0], y, rtol=1e-12)
    np.testing.assert_allclose(got[1], ref.conv2d_grad_inputs(y, w, (7, 5), **kw), rtol=1e-12)
    np.testing.assert_allclose(got[2], ref.conv2d_grad_weights(x, y, (3, 2), **kw,
                                                               filter_flip=False), rtol=1e-12)


def ref_unshared(x, w, pad, stride, dilation, groups, flip):
    """out[b, k, y, x] = sum over c, i, j of the padded input under tap (i, j) of output (y, x)
    times w[k, y, x, c, i, j] (flipped over i, j when flip)."""
    if flip:
        w = w[..., ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    k, oh, ow, cg, fh, fw = w.shape
    kg = k // groups
    out = np.zeros((x.shape[0], k, oh, ow))
    for kk in range(k):
        chans = slice((kk // kg) * cg, (kk // kg + 1) * cg)
        for y in range(oh):
            for q in range(ow):
                for i in range(fh):
                    for j in range(fw):
                        r, s = y * stride[0] + i * dilation[0], q * stride[1] + j * dilation[1]
                        out[:, kk, y, q] += xp[:, chans, r, s] @ w[kk, y, q, :, i, j]
    return out


@pytest.mark.parametrize("kw,pad", [
    (dict(), (0, 0)),
    (dict(border_mode="half", subsample=(2, 1)), (1, 1)),
    (dict(border_mode=(1, 2), filter_dilation=(2, 1), num_groups=2, filter_flip=False), (1, 2)),
], ids=str)
def test_unshared_matches_the_reference(kw, pad):
    groups = kw.get("num_groups", 1)
    x = RNG.normal(size=(2, 4, 6, 5))
    sh, sw = kw.get("subsample", (1, 1))
    dh, dw = kw.get("filter_dilation", (1, 1))
    oh = (6 + 2 * pad[0] - dh * 2 - 1) // sh + 1
    ow = (5 + 2 * pad[1] - dw * 2 - 1) // sw + 1
    w = RNG.normal(size=(4, oh, ow, 4 // groups, 3, 3))
    xv, wv = T.tensor4("x"), T.tensor("float64", shape=(None,) * 4 + (3, 3))
    got = theon.function([xv, wv], conv2d(xv, wv, unshared=True, **kw))(x, w)
    want = ref_unshared(x, w, pad, (sh, sw), (dh, dw), groups, kw.get("filter_flip", True))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_unshared_gradient_and_errors():
    x, w = RNG.normal(size=(2, 2, 4, 4)), RNG.normal(size=(3, 3, 3, 2, 2, 2))
    verify_grad(lambda a, b: conv2d(a, b, filter_shape=w.shape, unshared=True), [x, w], rng=RNG)
    raises_matching(ValueError,
                    lambda: conv2d(T.tensor4(), T.tensor("float64", shape=(None,) * 6),
                                   unshared=True), r"conv2d", r"statically")
    xv = T.tensor4("x")
    f = theon.function([xv], conv2d(xv, T.constant(w), unshared=True))
    # 4 output rows from this input, not the filters' 3.
    raises_matching(ValueError, lambda: f(np.ones((2, 2, 5, 4))), r"SpecifyShape", r"3")
