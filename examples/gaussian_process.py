"""Gaussian-process regression with Theon: the hyperparameters of a squared-exponential kernel
(length scale, signal variance, noise variance) are fit by gradient ascent on the log marginal
likelihood, whose gradient theon.grad derives through the Cholesky factorization, the
positive-definite solve and the log-determinant.

    log p(y | X) = -1/2 y^T K^-1 y - 1/2 log|K| - n/2 log(2 pi),
    K = s_f^2 exp(-|x_i - x_j|^2 / (2 l^2)) + s_n^2 I

The log marginal likelihood equals scikit-learn's GaussianProcessRegressor
log_marginal_likelihood at the same hyperparameters (tests/python/test_linalg_gp.py checks it;
this script prints both). The hyperparameters are kept as logarithms so that they stay positive.

    python examples/gaussian_process.py
"""

import numpy as np

import theon
import theon.tensor as T
from theon.tensor import slinalg
from theon.tensor.nlinalg import slogdet


def make_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(-4, 4, size=(n, 1)), axis=0)
    y = np.sin(1.3 * X[:, 0]) + 0.2 * rng.normal(size=n)
    return X, y


def log_marginal_likelihood(X, y, log_length, log_signal, log_noise):
    """The symbolic log marginal likelihood; X (n, d) and y (n,) variables, the hyperparameters
    log-scale scalars (variances: log s^2)."""
    sq = T.sum(X * X, axis=1)
    sqdist = sq.dimshuffle(0, "x") + sq.dimshuffle("x", 0) - 2 * T.dot(X, X.T)
    K = T.exp(log_signal) * T.exp(-0.5 * T.maximum(sqdist, 0) / T.exp(2 * log_length))
    K = K + T.exp(log_noise) * T.eye(X.shape[0], dtype=X.dtype)
    L = slinalg.cholesky(K)
    alpha = slinalg.cho_solve((L, True), y)
    _, logdet = slogdet(K)
    n = T.cast(X.shape[0], X.dtype)
    return -0.5 * T.dot(y, alpha) - 0.5 * logdet - 0.5 * n * np.log(2 * np.pi)


def fit(X, y, steps=200, lr=0.02, init=(0.0, 0.0, -1.0)):
    """Gradient ascent on the log marginal likelihood; returns the log hyperparameters
    (length, signal variance, noise variance) and the likelihood after each step."""
    Xv, yv = T.matrix("X", dtype="float64"), T.vector("y", dtype="float64")
    params = [theon.shared(np.float64(v), name=n)
              for v, n in zip(init, ("log_length", "log_signal", "log_noise"))]
    lml = log_marginal_likelihood(Xv, yv, *params)
    grads = theon.grad(lml, params)
    step = theon.function([Xv, yv], lml,
                          updates=[(p, p + lr * g) for p, g in zip(params, grads)])
    history = [float(step(X, y)) for _ in range(steps)]
    return [float(p.get_value()) for p in params], history


def lml_function():
    """A compiled (X, y, log_length, log_signal, log_noise) -> log marginal likelihood."""
    Xv, yv = T.matrix("X", dtype="float64"), T.vector("y", dtype="float64")
    hyper = [T.scalar(n, dtype="float64") for n in ("log_length", "log_signal", "log_noise")]
    return theon.function([Xv, yv] + hyper, log_marginal_likelihood(Xv, yv, *hyper))


def sklearn_lml(X, y, log_length, log_signal, log_noise):
    """scikit-learn's log marginal likelihood at the same hyperparameters."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    kernel = (ConstantKernel(np.exp(log_signal), "fixed") * RBF(np.exp(log_length), "fixed")
              + WhiteKernel(np.exp(log_noise), "fixed"))
    gp = GaussianProcessRegressor(kernel=kernel, alpha=0.0, optimizer=None).fit(X, y)
    return gp.log_marginal_likelihood_value_


def main():
    X, y = make_data()
    theta, history = fit(X, y)
    print(f"log marginal likelihood: {history[0]:.4f} at the start, {history[-1]:.4f} after "
          f"{len(history)} steps")
    print("length scale %.4f, signal variance %.4f, noise variance %.4f" %
          tuple(np.exp(theta)))
    ours = float(lml_function()(X, y, *theta))
    theirs = sklearn_lml(X, y, *theta)
    print(f"at these hyperparameters: theon {ours:.10f}, scikit-learn {theirs:.10f}, "
          f"difference {abs(ours - theirs):.2e}")


if __name__ == "__main__":
    main()
