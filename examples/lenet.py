"""LeNet-5 on scikit-learn's digits, upsampled from 8x8 to 28x28: Theano's convolutional
network tutorial written for Theon, with conv2d, pool_2d, batch normalization (running
averages kept as updates, used at test time) and dropout drawn by MRG_RandomStreams inside the
compiled training step. Trained with Adam; reports test accuracy.

python examples/lenet.py [--epochs 12] [--batch 64]
"""

import argparse
import time

import numpy as np

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.nnet import bn, conv2d, relu, softmax
from theon.tensor.signal.pool import pool_2d


def load_digits_28(seed=0, n_test=360):
    """(X_train, y_train, X_test, y_test): images (n, 1, 28, 28) in [0, 1] (bilinear
    upsampling of the 8x8 digits), int32 labels; a seeded random split."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = zoom(digits.images / 16.0, (1, 3.5, 3.5), order=1).clip(0, 1)
    X = images[:, None].astype(theon.config.floatX)
    y = digits.target.astype("int32")
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order]
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test]


class LeNet5:
    """conv 5x5 (6) - BN - relu - max pool 2 - conv 5x5 (16) - BN - relu - max pool 2 -
    dense 120 - dropout - dense 84 - dense 10 - softmax."""

    def __init__(self, seed=0, dropout=0.3):
        rng = np.random.default_rng(seed)
        fx = theon.config.floatX

        def weights(shape, fan_in, name):
            return theon.shared((rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(fx),
                                name)

        def vector(n, value, name):
            return theon.shared(np.full(n, value, fx), name)

        self.W1, self.W2 = weights((6, 1, 5, 5), 25, "W1"), weights((16, 6, 5, 5), 150, "W2")
        self.g1, self.b1 = vector(6, 1.0, "g1"), vector(6, 0.0, "b1")
        self.g2, self.b2 = vector(16, 1.0, "g2"), vector(16, 0.0, "b2")
        self.H1, self.c1 = weights((256, 120), 256, "H1"), vector(120, 0.0, "c1")
        self.H2, self.c2 = weights((120, 84), 120, "H2"), vector(84, 0.0, "c2")
        self.H3, self.c3 = weights((84, 10), 84, "H3"), vector(10, 0.0, "c3")
        self.params = [self.W1, self.g1, self.b1, self.W2, self.g2, self.b2, self.H1, self.c1,
                       self.H2, self.c2, self.H3, self.c3]
        # Running statistics of the two batch normalizations (not trained by gradients).
        self.running = [(vector(6, 0.0, "m1"), vector(6, 1.0, "v1")),
                        (vector(16, 0.0, "m2"), vector(16, 1.0, "v2"))]
        self.dropout = dropout
        self.srng = MRG_RandomStreams(seed + 1)

    def probabilities(self, x, train):
        """The class probabilities of images x, and (in training) the running-average
        updates."""
        updates = []
        h = x
        for W, g, b, (rm, rv) in [(self.W1, self.g1, self.b1, self.running[0]),
                                  (self.W2, self.g2, self.b2, self.running[1])]:
            h = conv2d(h, W, filter_shape=W.get_value().shape)
            if train:
                h, _, _, new_m, new_v = bn.batch_normalization_train(
                    h, g, b, "spatial", running_mean=rm, running_var=rv)
                updates += [(rm, new_m), (rv, new_v)]
            else:
                h = bn.batch_normalization_test(h, g, b, rm, rv, "spatial")
            h = pool_2d(relu(h), (2, 2), ignore_border=True)
        h = relu(T.dot(h.flatten(2), self.H1) + self.c1)
        if train and self.dropout:
            keep = 1.0 - self.dropout
            mask = self.srng.binomial(size=h.shape, n=1, p=keep, dtype=theon.config.floatX)
            h = h * mask / keep
        h = relu(T.dot(h, self.H2) + self.c2)
        return softmax(T.dot(h, self.H3) + self.c3), updates


def adam(cost, params, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8):
    fx = theon.config.floatX
    t = theon.shared(np.asarray(0.0, fx), "t")
    t1 = t + 1
    updates = [(t, t1)]
    for p, g in zip(params, theon.grad(cost, params)):
        m = theon.shared(np.zeros_like(p.get_value()), "m_" + p.name)
        v = theon.shared(np.zeros_like(p.get_value()), "v_" + p.name)
        m1, v1 = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        step = lr * T.sqrt(1 - b2 ** t1) / (1 - b1 ** t1)
        updates += [(m, m1), (v, v1), (p, p - step * m1 / (T.sqrt(v1) + eps))]
    return updates


def compile_lenet(seed=0, lr=2e-3):
    net = LeNet5(seed)
    x, y = T.tensor4("x"), T.ivector("y")
    p_train, bn_updates = net.probabilities(x, train=True)
    cost = T.mean(T.nnet.categorical_crossentropy(p_train, y))
    step = theon.function([x, y], cost, updates=adam(cost, net.params, lr) + bn_updates,
                          name="lenet_step")
    p_test, _ = net.probabilities(x, train=False)
    predict = theon.function([x], T.argmax(p_test, axis=1), name="lenet_predict")
    return net, step, predict


def train(data, epochs=12, batch=64, seed=0, log=print):
    """Trains on data = (X_train, y_train, X_test, y_test); returns the test accuracy after
    each epoch."""
    X, y, Xt, yt = data
    _, step, predict = compile_lenet(seed)
    rng = np.random.default_rng(seed)
    accuracies = []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(len(X))
        costs = [float(step(X[i], y[i])) for i in np.array_split(order, len(X) // batch)]
        accuracies.append(float(np.mean(predict(Xt) == yt)))
        log(f"epoch {epoch:2d}: cost {np.mean(costs):.4f}, test accuracy "
            f"{100 * accuracies[-1]:.2f}% ({time.perf_counter() - t0:.1f} s)")
    return accuracies


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch", type=int, default=64)
    args = p.parse_args()
    theon.config.floatX = "float32"
    t0 = time.perf_counter()
    accuracies = train(load_digits_28(), args.epochs, args.batch)
    print(f"test accuracy {100 * accuracies[-1]:.2f}% after {args.epochs} epochs "
          f"({time.perf_counter() - t0:.0f} s in all)")


if __name__ == "__main__":
    main()
