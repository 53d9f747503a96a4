"""theon.tensor.nnet.bn against NumPy formulas: training statistics over per-activation,
spatial and explicit axes, running averages, inference, gradients."""

import numpy as np
import pytest

import theon
import theon.tensor as T
from error_match import raises_matching
from theon.gradient import verify_grad
from theon.tensor.nnet import bn

RNG = np.random.default_rng(153)


def np_train(x, gamma, beta, axes, eps, factor, rmean, rvar):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    invstd = 1 / np.sqrt(var + eps)
    m = np.prod([x.shape[a] for a in axes])
    return [(x - mean) * gamma * invstd + beta, mean, invstd,
            rmean * (1 - factor) + mean * factor,
            rvar * (1 - factor) + var * factor * m / (m - 1)]


@pytest.mark.parametrize("axes,named", [((0,), "per-activation"), ((0, 2, 3), "spatial"),
                                        ((1, 3), (1, 3))])
def test_train_matches_numpy(axes, named):
    x = RNG.normal(2.0, 3.0, size=(5, 3, 4, 2))
    pshape = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
    gamma, beta, rmean, rvar = (RNG.normal(size=pshape) for _ in range(4))
    xv = T.tensor4("x")
    pv = [T.tensor("float64", shape=tuple(1 if s == 1 else None for s in pshape))
          for _ in range(4)]
    outs = bn.batch_normalization_train(xv, pv[0], pv[1], named, 1e-3, 0.3, pv[2], pv[3])
    got = theon.function([xv] + pv, outs)(x, gamma, beta, rmean, rvar)
    want = np_train(x, gamma, beta, axes, 1e-3, 0.3, rmean, rvar)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)


def test_train_with_parameters_of_the_kept_axes_only():
    x = RNG.normal(size=(6, 4, 3, 3)).astype("float32")
    gamma, beta = RNG.normal(size=4).astype("float32"), RNG.normal(size=4).astype("float32")
    rmean, rvar = np.zeros(4, "float32"), np.ones(4, "float32")
    xv, gv, bv, mv, vv = T.tensor4("x", dtype="float32"), *T.fvectors("g", "b", "m", "v")
    outs = bn.batch_normalization_train(xv, gv, bv, "spatial", running_mean=mv, running_var=vv)
    got = theon.function([xv, gv, bv, mv, vv], outs)(x, gamma, beta, rmean, rvar)
    b4 = (1, 4, 1, 1)
    want = np_train(x.astype(np.float64), gamma.reshape(b4), beta.reshape(b4), (0, 2, 3), 1e-4,
                    0.1, rmean.reshape(b4), rvar.reshape(b4))
    assert [g.shape for g in got] == [x.shape] + [(4,)] * 4
    assert all(g.dtype == np.float32 for g in got)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.reshape(g.shape), rtol=2e-5, atol=2e-6)


def test_running_averages_as_updates():
    x = RNG.normal(size=(8, 3))
    xv = T.matrix("x")
    gamma, beta = theon.shared(np.ones(3)), theon.shared(np.zeros(3))
    rmean, rvar = theon.shared(np.zeros(3)), theon.shared(np.ones(3))
    out, _, _, new_mean, new_var = bn.batch_normalization_train(
        xv, gamma, beta, running_mean=rmean, running_var=rvar)
    f = theon.function([xv], out, updates=[(rmean, new_mean), (rvar, new_var)])
    f(x)
    np.testing.assert_allclose(rmean.get_value(), 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(rvar.get_value(), 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-12)


def test_test_mode_and_batch_normalization():
    x = RNG.normal(size=(4, 3, 2, 2))
    gamma, beta, mean, var = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=3), \
        RNG.uniform(0.5, 2, size=3)
    xv, gv, bv, mv, vv = T.tensor4("x"), *T.dvectors("g", "b", "m", "v")
    out = bn.batch_normalization_test(xv, gv, bv, mv, vv, "spatial", 1e-3)
    got = theon.function([xv, gv, bv, mv, vv], out)(x, gamma, beta, mean, var)
    c = (1, 3, 1, 1)
    want = ((x - mean.reshape(c)) * gamma.reshape(c) / np.sqrt(var.reshape(c) + 1e-3)
            + beta.reshape(c))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    y = T.matrix("y")
    out = bn.batch_normalization(y, gv, bv, mv, T.sqrt(vv))
    a = RNG.normal(size=(5, 3))
    np.testing.assert_allclose(theon.function([y, gv, bv, mv, vv], out)(a, gamma, beta, mean,
                                                                         var),
                               (a - mean) * (gamma / np.sqrt(var)) + beta, rtol=1e-12)


def test_inference_with_its_activation_is_one_fused_kernel():
    xv, gv, bv, mv, vv = T.tensor4("x"), *T.dvectors("g", "b", "m", "v")
    out = T.nnet.relu(bn.batch_normalization_test(xv, gv, bv, mv, vv, "spatial"))
    with theon.config.change_flags(optimizer_excluding=""):  # fusion on (tests turn it off)
        f = theon.function([xv, gv, bv, mv, vv], out)
    nodes = [line for line in f.debugprint(print_type=False).splitlines()
             if "[id" in line and "DimShuffle" not in line and "(constant)" not in line
             and not line.lstrip(" |").startswith(("x ", "g ", "b ", "m ", "v "))]
    assert len(nodes) == 1 and "Fused{" in nodes[0] and "relu" in nodes[0], nodes


def test_gradients():
    x = RNG.normal(size=(5, 3, 2, 2))
    gamma, beta = RNG.normal(size=(1, 3, 1, 1)), RNG.normal(size=(1, 3, 1, 1))
    verify_grad(lambda a, g, b: bn.batch_normalization_train(a, g, b, "spatial")[0],
                [x, gamma, beta], rng=RNG)


def test_errors():
    x = T.tensor4("x")
    raises_matching(ValueError,
                    lambda: bn.batch_normalization_train(x, T.vector(), T.vector(), "spatial",
                                                         epsilon=1e-6), r"epsilon")
    raises_matching(ValueError,
                    lambda: bn.batch_normalization_train(x, T.matrix(), T.vector(), "spatial"),
                    r"gamma", r"1 dimensions")
    raises_matching(ValueError,
                    lambda: bn.batch_normalization_train(x, T.vector(), T.vector(), "channel"),
                    r"axes")
    raises_matching(ValueError,
                    lambda: bn.batch_normalization_train(x, T.vector(), T.vector(), (0, 4)),
                    r"axes")


def test_theano_names():
    import theon.theano_alias

    theon.theano_alias.enable()
    import theano.tensor.nnet.bn

    assert theano.tensor.nnet.bn.batch_normalization_train is bn.batch_normalization_train
