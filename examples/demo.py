"""Theon demo: training on scikit-learn's handwritten digits (8x8 images, 10 classes).

Two models, each a symbolic graph whose gradient Theon derives (theon.grad) and compiles, with
the SGD step applied to shared parameters through `updates`:
  1. softmax (multinomial logistic) regression;
  2. a multilayer perceptron with one tanh hidden layer.
The loss falls as they train; the test accuracy is measured on held-out digits.
"""

import time

import numpy as np
from sklearn.datasets import load_digits

import theon
import theon.tensor as T
from theon.tensor.nnet import softmax


def load(seed=0):
    digits = load_digits()
    X = (digits.data / 16.0).astype(theon.config.floatX)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    split = int(0.8 * len(y))
    return X[order[:split]], y[order[:split]], X[order[split:]], y[order[split:]]


def train(name, params, probabilities, X, y, data, epochs, lr, batch=64):
    Xtr, ytr, Xte, yte = data
    loss = -T.mean(T.log(probabilities[T.arange(y.shape[0]), y]))
    accuracy = T.mean(T.eq(T.argmax(probabilities, axis=1), y))
    t0 = time.perf_counter()
    grads = theon.grad(loss, params)
    step = theon.function([X, y], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                          name=f"{name}_step")
    evaluate = theon.function([X, y], [loss, accuracy], name=f"{name}_eval")
    n_nodes = len(theon.printing.debugprint(step, file="str").splitlines())
    print(f"\n== {name}: gradient derived and compiled in "
          f"{1e3 * (time.perf_counter() - t0):.0f} ms ({n_nodes} lines of optimized graph; "
          f"rewrites applied: {len(step.rewrites_applied)})")
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        for start in range(0, len(ytr), batch):
            step(Xtr[start:start + batch], ytr[start:start + batch])
        if epoch == 1 or epoch % (epochs // 5) == 0:
            tr_loss, tr_acc = evaluate(Xtr, ytr)
            print(f"epoch {epoch:3d}  train loss {float(tr_loss):.4f}  "
                  f"train accuracy {float(tr_acc):.3f}")
    te_loss, te_acc = evaluate(Xte, yte)
    print(f"trained in {time.perf_counter() - t0:.2f} s; test loss {float(te_loss):.4f}, "
          f"test accuracy {float(te_acc):.3f} on {len(yte)} held-out digits")
    return float(te_acc)


def main():
    data = load()
    n_in, n_hidden, n_out = data[0].shape[1], 64, 10
    rng = np.random.default_rng(1)
    floatX = theon.config.floatX

    X = T.matrix("X")
    y = T.lvector("y")
    W = theon.shared(np.zeros((n_in, n_out), dtype=floatX), "W")
    b = theon.shared(np.zeros(n_out, dtype=floatX), "b")
    p_logreg = softmax(X.dot(W) + b)
    train("softmax regression", [W, b], p_logreg, X, y, data, epochs=50, lr=0.5)

    W1 = theon.shared((rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)).astype(floatX),
                      "W1")
    b1 = theon.shared(np.zeros(n_hidden, dtype=floatX), "b1")
    W2 = theon.shared((rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden))
                      .astype(floatX), "W2")
    b2 = theon.shared(np.zeros(n_out, dtype=floatX), "b2")
    hidden = T.tanh(X.dot(W1) + b1)
    p_mlp = softmax(hidden.dot(W2) + b2)
    train("MLP 64-64-10 (tanh)", [W1, b1, W2, b2], p_mlp, X, y, data, epochs=50, lr=0.3)


if __name__ == "__main__":
    main()
