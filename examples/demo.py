"""Theon demo: softmax regression on scikit-learn's handwritten digits (8x8 images, 10 classes).

The model, its loss and one step of gradient descent are one symbolic graph, compiled once into
a native callable that updates the shared parameters in place of a Python training loop's NumPy
code. (The gradient is written out by hand here; theon.grad will derive it.)
"""

import time

import numpy as np
from sklearn.datasets import load_digits

import theon
import theon.tensor as T
from theon.tensor.nnet import softmax


def main():
    digits = load_digits()
    X_all = (digits.data / 16.0).astype(np.float64)
    y_all = digits.target.astype(np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y_all))
    split = int(0.8 * len(order))
    train, test = order[:split], order[split:]
    n_features, n_classes = X_all.shape[1], 10

    X = T.matrix("X")
    y = T.lvector("y")
    lr = T.scalar("lr")
    W = theon.shared(np.zeros((n_features, n_classes)), "W")
    b = theon.shared(np.zeros(n_classes), "b")

    p = softmax(X.dot(W) + b)                          # class probabilities, (n, 10)
    n = T.cast(X.shape[0], "float64")
    loss = -T.mean(T.log(p[T.arange(y.shape[0]), y]))  # mean negative log-likelihood
    one_hot = T.cast(T.eq(y.dimshuffle(0, "x"), T.arange(n_classes)), "float64")
    g_logits = (p - one_hot) / n                       # d loss / d (XW + b)
    gW = X.T.dot(g_logits)
    gb = g_logits.sum(axis=0)
    accuracy = T.mean(T.eq(T.argmax(p, axis=1), y))

    t0 = time.perf_counter()
    train_step = theon.function([X, y, lr], loss, updates=[(W, W - lr * gW), (b, b - lr * gb)],
                                name="train_step")
    evaluate = theon.function([X, y], [loss, accuracy], name="evaluate")
    print(f"compiled 2 functions in {1e3 * (time.perf_counter() - t0):.1f} ms")
    print("the training step, as Theon runs it:")
    theon.printing.debugprint(train_step, print_type=False)

    Xtr, ytr, Xte, yte = X_all[train], y_all[train], X_all[test], y_all[test]
    t0 = time.perf_counter()
    for epoch in range(1, 61):
        for start in range(0, len(ytr), 64):
            train_step(Xtr[start:start + 64], ytr[start:start + 64], 0.5)
        if epoch % 10 == 0 or epoch == 1:
            tr_loss, tr_acc = evaluate(Xtr, ytr)
            print(f"epoch {epoch:3d}  train loss {float(tr_loss):.4f}  "
                  f"train accuracy {float(tr_acc):.3f}")
    elapsed = time.perf_counter() - t0
    te_loss, te_acc = evaluate(Xte, yte)
    print(f"trained in {elapsed:.2f} s; test loss {float(te_loss):.4f}, "
          f"test accuracy {float(te_acc):.3f} on {len(yte)} held-out digits")


if __name__ == "__main__":
    main()
