"""The rest of Theano's nnet names in theon.tensor.nnet: binary cross-entropies, elu, selu,
softsign, softmax_with_bias, to_one_hot, confusion_matrix, against NumPy."""

import numpy as np

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor import nnet

RNG = np.random.default_rng(154)


def run(fn, *arrays):
    ins = [T.tensor(str(a.dtype), shape=(None,) * a.ndim) for a in arrays]
    return theon.function(ins, fn(*ins))(*arrays)


def test_binary_crossentropy():
    p, t = RNG.uniform(0.01, 0.99, size=(4, 3)), RNG.uniform(0, 1, size=(4, 3))
    np.testing.assert_allclose(run(nnet.binary_crossentropy, p, t),
                               -(t * np.log(p) + (1 - t) * np.log(1 - p)), rtol=1e-12)
    verify_grad(lambda a: nnet.binary_crossentropy(a, T.constant(t)), [p], rng=RNG)


def test_sigmoid_binary_crossentropy_is_stable_for_large_logits():
    x = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0])
    t = np.array([1.0, 0.0, 0.3, 1.0, 0.5, 1.0, 0.0])
    got = run(nnet.sigmoid_binary_crossentropy, x, t)
    want = np.logaddexp(0, x) - t * x  # exact: log(1 + e^x) - t x
    np.testing.assert_allclose(got, want, rtol=1e-13)
    assert np.isfinite(got).all()
    verify_grad(lambda a: nnet.sigmoid_binary_crossentropy(a, T.constant(t[:5])),
                [x[1:6]], rng=RNG)


def test_binary_crossentropy_of_a_sigmoid_is_stabilized():
    x = np.array([-800.0, -40.0, -1.0, 0.0, 3.0, 40.0, 800.0])
    t = np.array([1.0, 1.0, 0.2, 0.5, 0.0, 0.0, 0.0])
    xv, tv = T.dvector("x"), T.dvector("t")
    loss = nnet.binary_crossentropy(nnet.sigmoid(xv), tv)
    f = theon.function([xv, tv], [loss, theon.grad(T.sum(loss), xv)])
    value, grad = f(x, t)
    np.testing.assert_allclose(value, np.logaddexp(0, x) - t * x, rtol=1e-13)
    sigmoid = np.exp(-np.logaddexp(0, -x))  # 1 / (1 + e^-x) without overflow
    np.testing.assert_allclose(grad, sigmoid - t, rtol=1e-13, atol=1e-300)


def test_elu_selu_softsign():
    x = RNG.normal(size=(5, 4)) * 3
    np.testing.assert_allclose(run(lambda a: nnet.elu(a, 0.5), x),
                               np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-13)
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(run(nnet.selu, x), lam * np.where(x > 0, x, alpha * np.expm1(x)),
                               rtol=1e-13)
    np.testing.assert_allclose(run(nnet.softsign, x), x / (1 + np.abs(x)), rtol=1e-13)
    for fn in (nnet.elu, nnet.selu, nnet.softsign):
        verify_grad(fn, [x], rng=RNG)


def test_softmax_with_bias_and_logsoftmax():
    x, b = RNG.normal(size=(4, 5)), RNG.normal(size=5)
    z = x + b
    want = np.exp(z - z.max(1, keepdims=True))
    want /= want.sum(1, keepdims=True)
    np.testing.assert_allclose(run(nnet.softmax_with_bias, x, b), want, rtol=1e-13)
    np.testing.assert_allclose(run(nnet.logsoftmax, z), np.log(want), rtol=1e-12)


def test_to_one_hot():
    y = np.array([2, 0, 1, 2], dtype="int32")
    got = run(lambda v: nnet.to_one_hot(v, 4), y)
    np.testing.assert_array_equal(got, np.eye(4)[y])
    assert got.dtype == theon.config.floatX


def test_confusion_matrix():
    actual = np.array([0, 2, 2, 5, 1, 5], dtype="int64")
    pred = np.array([0, 2, 1, 5, 1, 2], dtype="int64")
    a, p = T.lvector("a"), T.lvector("p")
    conf, order = theon.function([a, p], nnet.confusion_matrix(a, p))(actual, pred)
    labels = np.unique(np.concatenate([actual, pred]))
    np.testing.assert_array_equal(order, labels)
    want = np.array([[np.sum((actual == i) & (pred == j)) for j in labels] for i in labels])
    np.testing.assert_array_equal(conf, want)


def test_h_softmax():
    batch, n_in, n_classes, per_class, n_outputs = 5, 4, 3, 4, 10
    x = RNG.normal(size=(batch, n_in))
    W1, b1 = RNG.normal(size=(n_in, n_classes)), RNG.normal(size=n_classes)
    W2, b2 = RNG.normal(size=(n_classes, n_in, per_class)), RNG.normal(size=(n_classes, per_class))
    target = np.array([0, 9, 4, 7, 3])

    def softmax_rows(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    classes = softmax_rows(x @ W1 + b1)
    within = softmax_rows(np.einsum("bi,cio->bco", x, W2) + b2)
    want = (classes[:, :, None] * within).reshape(batch, -1)[:, :n_outputs]
    xv, tv = T.dmatrix("x"), T.lvector("t")
    params = [T.constant(a) for a in (W1, b1, W2, b2)]
    full = nnet.h_softmax(xv, batch, n_outputs, n_classes, per_class, *params)
    picked = nnet.h_softmax(xv, batch, n_outputs, n_classes, per_class, *params, target=tv)
    got_full, got_picked = theon.function([xv, tv], [full, picked])(x, target)
    np.testing.assert_allclose(got_full, want, rtol=1e-12)
    np.testing.assert_allclose(got_picked, want[np.arange(batch), target], rtol=1e-12)
    verify_grad(lambda a: nnet.h_softmax(a, batch, n_outputs, n_classes, per_class, *params,
                                         target=T.constant(target)), [x], rng=RNG)
