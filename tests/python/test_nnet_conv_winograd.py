"""The Winograd F(2x2, 3x3) kernels that conv2d and its gradients take for 3x3 filters at
stride 1 with at least 4 channels on each side: against the loop references of
conv_reference.py over pads 0-2, odd and tiny images, both filter orientations, images split
into many blocks of tile rows, and several threads."""

import numpy as np
import pytest

import conv_reference as ref
import theon
import theon.tensor as T
from theon.tensor.nnet import conv2d, conv2d_grad_wrt_inputs, conv2d_grad_wrt_weights

RNG = np.random.default_rng(23)

# (input shape, output channels, border_mode, filter_flip)
CASES = [
    ((2, 16, 9, 7), 16, "half", True),
    ((3, 17, 8, 8), 20, (0, 2), False),
    ((1, 16, 5, 6), 16, (2, 0), True),
    ((2, 32, 11, 4), 24, "valid", False),
    ((1, 16, 1, 1), 16, "full", True),
    ((1, 16, 3, 2), 18, (0, 1), False),
    ((2, 4, 6, 5), 5, "half", True),
]


def _functions(kw, x_shape, w_shape, dtype):
    xv, wv, gyv = (T.tensor4(n, dtype=dtype) for n in ("x", "w", "gy"))
    return (theon.function([xv, wv], conv2d(xv, wv, **kw)),
            theon.function([gyv, wv], conv2d_grad_wrt_inputs(gyv, wv, x_shape, **kw)),
            theon.function([xv, gyv], conv2d_grad_wrt_weights(xv, gyv, w_shape, **kw)))


def _check(x_shape, k, border_mode, flip, dtype, rtol, threads=1):
    kw = dict(border_mode=border_mode, filter_flip=flip)
    w_shape = (k, x_shape[1], 3, 3)
    x, w = RNG.normal(size=x_shape), RNG.normal(size=w_shape)
    want = ref.conv2d(x, w, **kw)
    gy = RNG.normal(size=want.shape)
    want_dx = ref.conv2d_grad_inputs(gy, w, x_shape[2:], **kw)
    want_dw = ref.conv2d_grad_weights(x, gy, w_shape[2:], **kw)
    fwd, dx, dw = _functions(kw, x_shape, w_shape, dtype)
    with theon.config.change_flags(num_threads=threads):
        got = [fwd(x.astype(dtype), w.astype(dtype)), dx(gy.astype(dtype), w.astype(dtype)),
               dw(x.astype(dtype), gy.astype(dtype))]
    for name, value, expected in zip(("forward", "dx", "dw"), got, (want, want_dx, want_dw)):
        assert value.dtype == dtype and value.shape == expected.shape, name
        # Relative to the largest entry: Winograd's sums differ from the loop's in order only.
        err = np.abs(value - expected).max() / np.abs(expected).max()
        assert err <= rtol, (name, err)


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 2e-6)])
def test_matches_the_reference(case, dtype, rtol):
    _check(*case, dtype, rtol)


def test_images_split_into_many_blocks_on_several_threads():
    # Rows of 150 tiles make each block one tile row, so every image is 7 blocks, the units
    # of parallel work; the last tile row is cut by the odd output height.
    _check((3, 16, 13, 300), 16, "half", True, "float64", 1e-13, threads=2)
    _check((3, 16, 13, 300), 16, (1, 2), False, "float32", 2e-6, threads=2)


def test_float32_accuracy_at_a_resnet_layer():
    # 64 channels each side: Winograd's float32 error stays that of a float32 dot product.
    x = RNG.normal(size=(2, 64, 14, 14))
    w = RNG.normal(size=(64, 64, 3, 3)) * 0.05
    want = ref.conv2d(x, w, border_mode="half")
    fwd = _functions(dict(border_mode="half"), x.shape, w.shape, "float32")[0]
    got = fwd(x.astype("float32"), w.astype("float32"))
    assert np.linalg.norm(got - want) <= 1e-6 * np.linalg.norm(want)
