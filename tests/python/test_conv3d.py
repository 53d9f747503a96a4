"""theon.tensor.nnet.conv3d (a composition of conv2d) against a loop reference: border modes,
strides, dilation, groups, filter flipping, gradients."""

import numpy as np
import pytest

import conv_reference as ref
import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.nnet.conv3d import conv3d

RNG = np.random.default_rng(156)


@pytest.mark.parametrize("kw,pad", [
    (dict(), (0, 0, 0)),
    (dict(border_mode="full"), (2, 0, 2)),
    (dict(border_mode="half", subsample=(2, 1, 2)), (1, 0, 1)),
    (dict(border_mode=(1, 2, 0), filter_dilation=(2, 1, 1), filter_flip=False), (1, 2, 0)),
    (dict(num_groups=2, subsample=(1, 2, 1)), (0, 0, 0)),
], ids=str)
def test_matches_the_reference(kw, pad):
    groups = kw.get("num_groups", 1)
    x = RNG.normal(size=(2, 4, 6, 5, 7))
    w = RNG.normal(size=(4, 4 // groups, 3, 1, 3))
    xv, wv = T.tensor5("x"), T.tensor("float64", shape=(None, None, 3, None, None))
    got = theon.function([xv, wv], conv3d(xv, wv, **kw))(x, w)
    want = ref.conv3d(x, w, pad, kw.get("subsample", (1, 1, 1)),
                      kw.get("filter_dilation", (1, 1, 1)), groups,
                      kw.get("filter_flip", True))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gradients():
    x, w = RNG.normal(size=(1, 2, 4, 4, 3)), RNG.normal(size=(2, 2, 2, 2, 2))
    verify_grad(lambda a, b: conv3d(a, b, filter_shape=(2, 2, 2, 2, 2), border_mode=(1, 0, 1),
                                    subsample=(2, 1, 1)),
                [x, w], rng=RNG)


def test_errors():
    raises_matching(ValueError, lambda: conv3d(T.tensor5(), T.tensor5()), r"conv3d",
                    r"depth must be known")
    w = T.tensor("float64", shape=(2, 2, 2, 3, 3))
    raises_matching(ValueError, lambda: conv3d(T.tensor5(), w, border_mode="half"),
                    r"conv3d", r"odd")
    raises_matching(TypeError, lambda: conv3d(T.tensor4(), w), r"conv3d", r"5-d")
    raises_matching(ValueError,
                    lambda: conv3d(T.tensor("float64", shape=(1, 2, 1, 4, 4)), w), r"conv3d",
                    r"smaller than")
