"""A restricted Boltzmann machine trained by contrastive divergence (CD-k) on scikit-learn's
digits (8x8 images, binarized), Theano's classic RBM tutorial written for Theon: the hidden and
visible samples of the Gibbs chain are drawn by MRG_RandomStreams inside the compiled training
step, whose states advance after every call through their default updates.

The Gibbs chain is a theon.scan over k steps, as in Theano's tutorial: the states of the
streams the chain draws from are carried by the loop (each step draws new numbers) and scan
returns their updates, which the training step applies with the parameters'.

python examples/rbm.py [--epochs 15] [--hidden 64] [--k 1]
"""

import argparse
import time

import numpy as np

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.nnet import sigmoid, softplus


class RBM:
    def __init__(self, n_visible, n_hidden, seed=0):
        rng = np.random.default_rng(seed)
        fx = theon.config.floatX
        bound = 4 * np.sqrt(6.0 / (n_visible + n_hidden))
        self.W = theon.shared(rng.uniform(-bound, bound, (n_visible, n_hidden)).astype(fx), "W")
        self.hbias = theon.shared(np.zeros(n_hidden, fx), "hbias")
        self.vbias = theon.shared(np.zeros(n_visible, fx), "vbias")
        self.params = [self.W, self.hbias, self.vbias]
        self.srng = MRG_RandomStreams(seed + 1)

    def free_energy(self, v):
        return -T.dot(v, self.vbias) - softplus(T.dot(v, self.W) + self.hbias).sum(axis=1)

    def sample_h(self, v):
        p = sigmoid(T.dot(v, self.W) + self.hbias)
        return p, self.srng.binomial(size=p.shape, n=1, p=p, dtype=theon.config.floatX)

    def sample_v(self, h):
        p = sigmoid(T.dot(h, self.W.T) + self.vbias)
        return p, self.srng.binomial(size=p.shape, n=1, p=p, dtype=theon.config.floatX)

    def gibbs_hvh(self, h):
        """One step of the chain: visible units from the hidden ones, then hidden again."""
        _, v = self.sample_v(h)
        _, h = self.sample_h(v)
        return v, h

    def cd_cost(self, v0, k):
        """The CD-k cost (its gradient is CD-k's update), the Gibbs chain's end sample and the
        updates of the random states the chain drew from."""
        _, h0 = self.sample_h(v0)
        (vs, _), updates = theon.scan(self.gibbs_hvh, outputs_info=[None, h0], n_steps=k,
                                      name="gibbs")
        v = vs[-1]
        return T.mean(self.free_energy(v0)) - T.mean(self.free_energy(v)), v, updates

    def reconstruction_error(self, v0):
        """Cross-entropy of the mean-field reconstruction of v0."""
        ph = sigmoid(T.dot(v0, self.W) + self.hbias)
        pv = sigmoid(T.dot(ph, self.W.T) + self.vbias)
        return -T.mean((v0 * T.log(pv) + (1 - v0) * T.log(1 - pv)).sum(axis=1))


def compile_rbm(n_visible, n_hidden, lr, k, seed=0):
    rbm = RBM(n_visible, n_hidden, seed)
    x = T.matrix("x")
    cost, chain_end, chain_updates = rbm.cd_cost(x, k)
    grads = theon.grad(cost, rbm.params, consider_constant=[chain_end])
    updates = [(p, p - lr * g) for p, g in zip(rbm.params, grads)] + list(chain_updates.items())
    step = theon.function([x], cost, updates=updates, name="rbm_cd_step")
    error = theon.function([x], rbm.reconstruction_error(x), name="rbm_reconstruction")
    return rbm, step, error


def load_digits_binary(seed=0):
    from sklearn.datasets import load_digits

    X = (load_digits().data / 16.0 > 0.5).astype(theon.config.floatX)
    return X[np.random.default_rng(seed).permutation(len(X))]


def train(X, epochs, n_hidden, k, lr=0.1, batch=20, seed=0, log=print):
    rbm, step, error = compile_rbm(X.shape[1], n_hidden, lr, k, seed)
    history = [float(error(X))]
    log(f"epoch  0: reconstruction cross-entropy {history[0]:.3f}")
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        for i in range(0, len(X), batch):
            step(X[i:i + batch])
        history.append(float(error(X)))
        log(f"epoch {epoch:2d}: reconstruction cross-entropy {history[-1]:.3f} "
            f"({1e3 * (time.perf_counter() - t0):.0f} ms)")
    return rbm, history


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--k", type=int, default=1)
    args = p.parse_args()
    X = load_digits_binary()
    _, history = train(X, args.epochs, args.hidden, args.k)
    print(f"reconstruction cross-entropy: {history[0]:.3f} -> {history[-1]:.3f}")


if __name__ == "__main__":
    main()
