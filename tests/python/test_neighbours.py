"""theon.tensor.nnet.neighbours against a loop reference of Theano's images2neibs: modes,
steps, the inverse neibs2images, gradients, errors."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.nnet.neighbours import images2neibs, neibs2images

RNG = np.random.default_rng(157)


def ref_images2neibs(x, shape, step, mode):
    nh, nw = shape
    if mode in ("half", "full"):
        ph, pw = (nh // 2, nw // 2) if mode == "half" else (nh - 1, nw - 1)
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    rows = (x.shape[2] - nh) // step[0] + 1
    cols = (x.shape[3] - nw) // step[1] + 1
    out = []
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for r in range(rows):
                for q in range(cols):
                    r0, q0 = r * step[0], q * step[1]
                    out.append(x[n, c, r0:r0 + nh, q0:q0 + nw].reshape(-1))
    return np.array(out).reshape(-1, nh * nw)


@pytest.mark.parametrize("shape,step,mode,image", [
    ((2, 2), None, "valid", (2, 3, 4, 6)),
    ((2, 3), (1, 2), "valid", (1, 2, 5, 7)),
    ((3, 2), (2, 3), "ignore_borders", (2, 2, 8, 9)),
    ((3, 3), (1, 1), "half", (1, 2, 4, 5)),
    ((2, 3), (2, 1), "full", (2, 1, 3, 4)),
], ids=str)
def test_matches_the_reference(shape, step, mode, image):
    x = RNG.normal(size=image)
    xv = T.tensor4("x")
    got = theon.function([xv], images2neibs(xv, shape, step, mode))(x)
    np.testing.assert_array_equal(got, ref_images2neibs(x, shape, step or shape, mode))


def test_neibs2images_inverts_and_gradients():
    x = RNG.normal(size=(2, 3, 4, 6))
    xv = T.tensor4("x")
    neibs = images2neibs(xv, (2, 3))
    back = neibs2images(neibs, (2, 3), xv.shape)
    np.testing.assert_array_equal(theon.function([xv], back)(x), x)
    y = RNG.normal(size=(2, 3, 5, 7))
    yv = T.tensor4("y")
    cut = neibs2images(images2neibs(yv, (2, 3), mode="ignore_borders"), (2, 3), yv.shape,
                       mode="ignore_borders")
    want = np.zeros_like(y)
    want[:, :, :4, :6] = y[:, :, :4, :6]
    np.testing.assert_array_equal(theon.function([yv], cut)(y), want)
    verify_grad(lambda a: images2neibs(a, (2, 2), (1, 2), "ignore_borders"),
                [RNG.normal(size=(1, 2, 5, 5))], rng=RNG)


def ref_wrap_centered(x, shape, step):
    """Theano's loop: patches centered on every step-th pixel, indices wrapped once."""
    nh, nw = shape
    h, w = x.shape[2:]
    rows, cols = -(-h // step[0]), -(-w // step[1])
    out = np.zeros((x.shape[0], x.shape[1], rows, cols, nh, nw), x.dtype)
    for r in range(rows):
        for q in range(cols):
            for i in range(nh):
                for j in range(nw):
                    y, z = r * step[0] + i - nh // 2, q * step[1] + j - nw // 2
                    y = y + h if y < 0 else y - h if y >= h else y
                    z = z + w if z < 0 else z - w if z >= w else z
                    out[:, :, r, q, i, j] = x[:, :, y, z]
    return out.reshape(-1, nh * nw)


@pytest.mark.parametrize("shape,step,image", [
    ((3, 3), (1, 1), (2, 3, 4, 5)),
    ((5, 3), (2, 3), (1, 2, 7, 8)),
    ((1, 5), (3, 2), (2, 1, 3, 5)),
    ((3, 3), None, (1, 1, 3, 3)),
], ids=str)
def test_wrap_centered_matches_theanos_loop(shape, step, image):
    x = RNG.normal(size=image)
    xv = T.tensor4("x")
    got = theon.function([xv], images2neibs(xv, shape, step, mode="wrap_centered"))(x)
    np.testing.assert_array_equal(got, ref_wrap_centered(x, shape, step or shape))


def test_wrap_centered_gradient_adds_the_shared_pixels():
    verify_grad(lambda a: images2neibs(a, (3, 3), (1, 2), "wrap_centered"),
                [RNG.normal(size=(1, 2, 4, 5))], rng=RNG)


def test_errors():
    raises_matching(ValueError,
                    lambda: images2neibs(T.tensor("float64", shape=(1, 1, 5, 4)), (2, 2)),
                    r"images2neibs", r"do not tile", r"ignore_borders")
    xv = T.tensor4("x")
    f = theon.function([xv], images2neibs(xv, (2, 2)))
    with pytest.raises(ValueError, match="5"):
        f(np.ones((1, 1, 5, 4)))
    raises_matching(ValueError, lambda: images2neibs(xv, (2, 3), mode="wrap_centered"),
                    r"images2neibs", r"odd", r"\(2, 3\)")
    raises_matching(ValueError, lambda: images2neibs(T.tensor("float64", shape=(1, 1, 2, 9)),
                                                     (3, 3), mode="wrap_centered"),
                    r"images2neibs", r"3 rows in a patch, 2 in the image")
    raises_matching(TypeError, lambda: images2neibs(T.matrix(), (2, 2)), r"4-d")
    raises_matching(ValueError, lambda: images2neibs(xv, (0, 2)), r"neib_shape")


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor.nnet.neighbours

    assert theano.tensor.nnet.neighbours.images2neibs is images2neibs
