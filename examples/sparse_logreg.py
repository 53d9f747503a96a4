"""Logistic regression on a sparse bag-of-words matrix (theon.sparse), trained by gradient
descent with the weights in shared variables.

    python examples/sparse_logreg.py [--rows 100000] [--cols 10000] [--density 0.001]
                                     [--steps 30] [--lr 0.5]

The data: a CSR matrix of word counts with `density` of its entries stored, labels from a
hidden sparse weight vector. The model: p = sigmoid(X @ w + b), the mean cross-entropy as the
loss; theon.grad differentiates through the sparse product (its gradient with respect to w is
X.T @ (p - y) / n, a CSC x dense product on the same arrays), and each call of `train` applies
one step. Prints the loss as it falls and the training accuracy.
"""

import argparse

import numpy as np
import scipy.sparse as sp

import theon
import theon.tensor as T
from theon import sparse


def make_data(rows, cols, density, seed=0):
    """A random bag-of-words CSR matrix (counts 1-3, float32) and 0/1 labels."""
    rng = np.random.default_rng(seed)
    X = sp.random(rows, cols, density=density, format="csr", dtype=np.float32, random_state=rng,
                  data_rvs=lambda k: rng.integers(1, 4, size=k).astype(np.float32))
    true_w = np.zeros(cols, np.float32)
    informative = rng.choice(cols, size=max(1, cols // 20), replace=False)
    true_w[informative] = rng.normal(0, 3, size=informative.size)
    y = (X @ true_w + rng.normal(0, 0.1, size=rows) > 0).astype(np.float32)
    return X, y


def build_model(cols, lr):
    """(train, predict): train(X, y) does one step and returns the loss before it."""
    X = sparse.csr_matrix("X", dtype="float32")
    y = T.vector("y", dtype="float32")
    w = theon.shared(np.zeros(cols, np.float32), name="w")
    b = theon.shared(np.float32(0.0), name="b")
    z = sparse.structured_dot(X, w) + b
    loss = T.mean(T.nnet.softplus(z) - y * z)  # the cross-entropy of sigmoid(z), stably
    gw, gb = theon.grad(loss, [w, b])
    lr = np.float32(lr)
    train = theon.function([X, y], loss, updates=[(w, w - lr * gw), (b, b - lr * gb)],
                           name="train")
    predict = theon.function([X], z > 0, name="predict")
    return train, predict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=10_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.5)
    args = parser.parse_args()
    X, y = make_data(args.rows, args.cols, args.density)
    print(f"X: {X.shape[0]} x {X.shape[1]} csr, {X.nnz} stored entries "
          f"(density {X.nnz / (X.shape[0] * X.shape[1]):.4f}), {y.mean():.2f} positive")
    train, predict = build_model(args.cols, args.lr)
    losses = []
    for step in range(args.steps):
        losses.append(float(train(X, y)))
        if step % 5 == 0 or step == args.steps - 1:
            print(f"step {step:3d}  loss {losses[-1]:.4f}")
    accuracy = float(np.mean(predict(X) == (y > 0)))
    print(f"training accuracy {accuracy:.3f}")
    return losses, accuracy


if __name__ == "__main__":
    main()
